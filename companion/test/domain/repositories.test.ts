/**
 * Repositories and editRecord on real PostgreSQL: merge semantics of inbound upserts, outbox claims that never hand
 * one row to two flushers, dedupe, checkpoints, and concurrent edits of one field leaving exactly one pending row.
 */
import { createRepositories, PendingEditsRepository } from '../../src/data';
import { editRecord } from '../../src/domain/records';
import { openTestDataSource, type TestDataContext } from '../support/datasource';
import { seedAccount, seedObjects, seedOrg, sfId, type SeededOrg } from '../support/factories';
import { countsOf, outboxOf, setEdits } from '../support/inspect';

let ctx: TestDataContext;
let org: SeededOrg;
let other: SeededOrg;

beforeAll(async () => {
    ctx = await openTestDataSource();
    org = await seedOrg(ctx.repos);
    other = await seedOrg(ctx.repos);
    await seedObjects(ctx.repos, org.org.id);
});
afterAll(() => ctx.close());

describe('records', () => {
    it('When a batch is upserted, then values merge key by key, modstamps only move forward and deleted is set', async () => {
        const id = sfId();
        await ctx.repos.records.upsertMany(org.org.id, [
            {
                objectApiName: 'Account',
                sfId: id,
                fields: { 'Account.Name': 'A', 'Account.Health': 5 },
                sfValues: { Name: 'A' },
                systemModstamp: '2026-01-02T00:00:00Z'
            }
        ]);
        const written = await ctx.repos.records.upsertMany(org.org.id, [
            {
                objectApiName: 'Account',
                sfId: id,
                fields: { 'Account.Name': 'B' },
                sfValues: { Name: 'B', Industry: 'Banking' },
                systemModstamp: '2026-01-01T00:00:00Z'
            },
            { objectApiName: 'Account', sfId: sfId(), fields: {}, deleted: true }
        ]);
        expect(written).toBe(2);
        const row = (await ctx.repos.records.get(org.org.id, id))!;
        expect(row.fields).toEqual({ 'Account.Name': 'B', 'Account.Health': 5 });
        expect(row.sfValues).toEqual({ Name: 'B', Industry: 'Banking' });
        expect(row.systemModstamp!.toISOString()).toBe('2026-01-02T00:00:00.000Z');
        expect(await ctx.repos.records.get(other.org.id, id)).toBeNull();
        await ctx.repos.records.upsertMany(other.org.id, [
            { objectApiName: 'Account', sfId: id, fields: {}, deleted: true }
        ]);
        expect((await ctx.repos.records.get(org.org.id, id))!.deleted).toBe(false);
        await ctx.repos.records.upsertMany(org.org.id, [
            { objectApiName: 'Account', sfId: id, fields: {}, deleted: true }
        ]);
        expect((await ctx.repos.records.page(org.org.id, 'Account', { limit: 10, q: id })).items).toEqual([]);
    });
});

describe('outbox', () => {
    it('When two flushers claim at the same time, then no row is handed to both (SKIP LOCKED)', async () => {
        const account = await seedAccount(ctx.repos, org.org.id);
        for (let i = 0; i < 40; i++) {
            await ctx.repos.pendingEdits.enqueue(org.org.id, {
                objectApiName: 'Account',
                sfId: account.sfId,
                fieldKey: `Account.F${i}`,
                salesforceField: `F${i}__c`,
                newValue: i,
                baseValue: null
            });
        }
        const claim = () => ctx.dataSource.transaction((m) => new PendingEditsRepository(m).claimDue(org.org.id, 25));
        const [a, b] = await Promise.all([claim(), claim()]);
        const ids = [...a, ...b].map((e) => e.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBe(40);
        expect((await countsOf(ctx.dataSource.manager, org.org.id)).inFlight).toBe(40);
        expect(await ctx.repos.pendingEdits.claimDue(other.org.id, 100)).toEqual([]);
        await setEdits(ctx.dataSource.manager, org.org.id, ids, { status: 'succeeded' });
    });

    it('When a retry is scheduled, then the row is not due before its time', async () => {
        const account = await seedAccount(ctx.repos, org.org.id);
        const { edit } = await ctx.repos.pendingEdits.enqueue(org.org.id, {
            objectApiName: 'Account',
            sfId: account.sfId,
            fieldKey: 'Account.Name',
            salesforceField: 'Name',
            newValue: 'x',
            baseValue: 'y'
        });
        const [claimed] = await ctx.repos.pendingEdits.claimDue(org.org.id, 10);
        expect(claimed.id).toBe(edit.id);
        expect(claimed.attempts).toBe(1);
        await setEdits(ctx.dataSource.manager, org.org.id, [edit.id], {
            status: 'pending',
            nextAttemptAt: new Date(Date.now() + 60_000),
            errorCode: 'UNABLE_TO_LOCK_ROW',
            errorMessage: 'locked'
        });
        expect(await ctx.repos.pendingEdits.claimDue(org.org.id, 10)).toEqual([]);
        expect((await ctx.repos.pendingEdits.get(org.org.id, edit.id))!).toMatchObject({
            status: 'pending',
            errorCode: 'UNABLE_TO_LOCK_ROW'
        });
        await setEdits(ctx.dataSource.manager, org.org.id, [edit.id], { status: 'superseded' });
    });

    it('When the same field of a record is edited concurrently, then exactly one pending row remains and it holds one of the values', async () => {
        const account = await seedAccount(ctx.repos, org.org.id, { revenue: 1 });
        const actor = { orgId: org.org.id, role: 'editor' as const, name: 'test' };
        const values = Array.from({ length: 12 }, (_, i) => i + 100);
        await Promise.all(
            values.map((v) =>
                editRecord({ dataSource: ctx.dataSource }, actor, 'Account', account.sfId, {
                    'Account.AnnualRevenue': v
                })
            )
        );
        const rows = await outboxOf(ctx.dataSource.manager, org.org.id, account.sfId);
        const pending = rows.filter((r) => r.status === 'pending');
        expect(rows).toHaveLength(12);
        expect(pending).toHaveLength(1);
        expect(pending[0].id).toBe(rows.at(-1)!.id);
        const stored = (await ctx.repos.records.get(org.org.id, account.sfId))!.fields['Account.AnnualRevenue'];
        expect(stored).toBe(pending[0].newValue);
        expect(rows.every((r) => r.baseValue === 1)).toBe(true);
    });
});

describe('sync state', () => {
    it('When event ids are marked twice, then only the new ones come back, per org', async () => {
        const ids = ['6f1c2a5e-0000-4000-8000-000000000001', '6f1c2a5e-0000-4000-8000-000000000002'];
        expect([...(await ctx.repos.processedEvents.markProcessed(org.org.id, ids))].sort()).toEqual(ids);
        expect([
            ...(await ctx.repos.processedEvents.markProcessed(org.org.id, [
                ids[1],
                '6f1c2a5e-0000-4000-8000-000000000003'
            ]))
        ]).toEqual(['6f1c2a5e-0000-4000-8000-000000000003']);
        expect((await ctx.repos.processedEvents.markProcessed(other.org.id, ids)).size).toBe(2);
    });

    it('When checkpoints are stored, then big replay ids survive exactly and each org has its own', async () => {
        await ctx.repos.eventCheckpoints.set(org.org.id, '/event/Record_Change__e', '9007199254740993');
        await ctx.repos.eventCheckpoints.set(org.org.id, '/event/Record_Change__e', '9007199254740995');
        expect(await ctx.repos.eventCheckpoints.get(org.org.id, '/event/Record_Change__e')).toBe('9007199254740995');
        expect(await ctx.repos.eventCheckpoints.get(other.org.id, '/event/Record_Change__e')).toBeNull();
    });

    it('When a checkpoint is written in a transaction that rolls back, then it is not stored', async () => {
        await expect(
            ctx.dataSource.transaction(async (m) => {
                await createRepositories(m).eventCheckpoints.set(org.org.id, '/event/Sync_Request__e', '5');
                throw new Error('apply failed');
            })
        ).rejects.toThrow('apply failed');
        expect(await ctx.repos.eventCheckpoints.get(org.org.id, '/event/Sync_Request__e')).toBeNull();
    });
});
