/**
 * Conflicts (list, resolve), sync errors and sync status through the HTTP API, with the real sync engine wired
 * (for an org it is not connected to) — the live engine paths against the emulator are in sync-emulator.test.ts.
 */
import type { CompanionServices } from '../../src/app';
import { createSyncEngine, type StatisfySyncEngine } from '../../src/sync/engine';
import { apiClient, startTestCompanion, type TestCompanion } from '../support/companion';
import { seedAccount, seedObjects, seedOrg, type SeededOrg } from '../support/factories';
import { countsOf, outboxOf, recordConflict, setEdits } from '../support/inspect';

let t: TestCompanion;
let org: SeededOrg;
let engine: StatisfySyncEngine | undefined;

beforeAll(async () => {
    t = await startTestCompanion({
        deps: {
            engine: (services: CompanionServices) =>
                (engine = createSyncEngine(services, { orgScanIntervalMs: 60_000 }))
        }
    });
    org = await seedOrg(t.repos);
    await seedObjects(t.repos, org.org.id);
});
afterAll(() => t.stop());

async function seedConflict(value = 'Statisfy name', sfValue = 'Salesforce name') {
    const account = await seedAccount(t.repos, org.org.id, { name: 'Base name' });
    const edit = await t.repos.pendingEdits.enqueue(org.org.id, {
        objectApiName: 'Account',
        sfId: account.sfId,
        fieldKey: 'Account.Name',
        salesforceField: 'Name',
        newValue: value,
        baseValue: 'Base name'
    });
    await setEdits(t.companion.dataSource.manager, org.org.id, [edit.edit.id], { status: 'conflict' });
    await t.repos.records.upsertMany(org.org.id, [
        { objectApiName: 'Account', sfId: account.sfId, fields: { 'Account.Name': value }, sfValues: { Name: sfValue } }
    ]);
    const conflict = await recordConflict(t.companion.dataSource.manager, org.org.id, {
        objectApiName: 'Account',
        sfId: account.sfId,
        fieldKey: 'Account.Name',
        salesforceField: 'Name',
        statisfyValue: value,
        salesforceValue: sfValue,
        baseValue: 'Base name',
        policy: 'Manual',
        editId: edit.edit.id
    });
    return { account, conflict };
}

describe('conflicts', () => {
    it('When conflicts exist, then they are listed newest first with both values and the base, filterable by status', async () => {
        const { conflict } = await seedConflict();
        const res = await apiClient(t.url, org.tokens.viewer).get('/api/v1/conflicts?status=open');
        expect(res.status).toBe(200);
        expect(res.body.items[0]).toMatchObject({
            id: conflict.id,
            objectApiName: 'Account',
            field: 'Account.Name',
            statisfyValue: 'Statisfy name',
            salesforceValue: 'Salesforce name',
            baseValue: 'Base name',
            policy: 'Manual',
            status: 'open'
        });
        const record = await apiClient(t.url, org.tokens.viewer).get(
            `/api/v1/objects/Account/records/${conflict.sfId}`
        );
        expect(record.body.sync.state).toBe('conflict');
        expect((await apiClient(t.url, org.tokens.viewer).get('/api/v1/conflicts?status=maybe')).status).toBe(400);
    });

    it('When a conflict is resolved for Salesforce, then the record takes the Salesforce value, nothing is queued, and it is audited', async () => {
        const { account, conflict } = await seedConflict();
        const res = await apiClient(t.url, org.tokens.editor).post(`/api/v1/conflicts/${conflict.id}/resolve`, {
            resolution: 'salesforce'
        });
        expect(res.status).toBe(200);
        expect(res.body.conflict).toMatchObject({
            status: 'resolved',
            resolution: 'salesforce',
            resolvedBy: 'token:editor'
        });
        expect(res.body.outcome).toEqual({ status: 'applied', value: 'Salesforce name' });
        expect((await t.repos.records.get(org.org.id, account.sfId))!.fields['Account.Name']).toBe('Salesforce name');
        expect((await outboxOf(t.companion.dataSource.manager, org.org.id, account.sfId)).map((e) => e.status)).toEqual(
            ['conflict']
        );
        const [entry] = await t.repos.auditLog.list(org.org.id, {
            limit: 1,
            offset: 0,
            target: `conflict:${conflict.id}`
        });
        expect(entry).toMatchObject({ action: 'conflict.resolve', actor: 'token:editor' });
        const again = await apiClient(t.url, org.tokens.editor).post(`/api/v1/conflicts/${conflict.id}/resolve`, {
            resolution: 'statisfy'
        });
        expect(again.status).toBe(409);
    });

    it('When a conflict is resolved for Statisfy, then the Statisfy value is queued against the current Salesforce value', async () => {
        const { account, conflict } = await seedConflict('Ours', 'Theirs');
        const res = await apiClient(t.url, org.tokens.editor).post(`/api/v1/conflicts/${conflict.id}/resolve`, {
            resolution: 'statisfy'
        });
        expect(res.status).toBe(200);
        expect(res.body.outcome).toMatchObject({ status: 'queued', value: 'Ours' });
        const rows = await outboxOf(t.companion.dataSource.manager, org.org.id, account.sfId);
        expect(rows.at(-1)).toMatchObject({
            status: 'pending',
            newValue: 'Ours',
            baseValue: 'Theirs',
            id: res.body.outcome.editId
        });
    });

    it('When a conflict is resolved with a new value, then it is checked against the field type', async () => {
        const { conflict } = await seedConflict();
        const bad = await apiClient(t.url, org.tokens.editor).post(`/api/v1/conflicts/${conflict.id}/resolve`, {
            resolution: 'value',
            value: 12
        });
        expect(bad.status).toBe(422);
        expect(bad.body.error.message).toContain('expected text');
        const good = await apiClient(t.url, org.tokens.editor).post(`/api/v1/conflicts/${conflict.id}/resolve`, {
            resolution: 'value',
            value: 'Merged'
        });
        expect(good.body.outcome).toMatchObject({ status: 'queued', value: 'Merged' });
        expect(
            (
                await apiClient(t.url, org.tokens.editor).post(`/api/v1/conflicts/${conflict.id}/resolve`, {
                    resolution: 'both'
                })
            ).status
        ).toBe(400);
        expect(
            (
                await apiClient(t.url, org.tokens.editor).post('/api/v1/conflicts/not-a-uuid/resolve', {
                    resolution: 'statisfy'
                })
            ).status
        ).toBe(404);
    });
});

describe('sync', () => {
    it('When an edit failed in Salesforce, then /sync/errors shows it with the Salesforce code and message', async () => {
        const account = await seedAccount(t.repos, org.org.id);
        const { edit } = await t.repos.pendingEdits.enqueue(org.org.id, {
            objectApiName: 'Account',
            sfId: account.sfId,
            fieldKey: 'Account.AnnualRevenue',
            salesforceField: 'AnnualRevenue',
            newValue: -1,
            baseValue: 1000
        });
        await setEdits(t.companion.dataSource.manager, org.org.id, [edit.id], {
            status: 'failed',
            errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
            errorMessage: 'Revenue cannot be negative'
        });
        const res = await apiClient(t.url, org.tokens.viewer).get('/api/v1/sync/errors?limit=5');
        expect(res.status).toBe(200);
        expect(res.body.items[0]).toMatchObject({
            editId: edit.id,
            recordId: account.sfId,
            field: 'Account.AnnualRevenue',
            salesforceField: 'AnnualRevenue',
            value: -1,
            errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
            message: 'Revenue cannot be negative'
        });
    });

    it('When the status is read, then counts, times and per-object figures come from the tables and the engine reports its view', async () => {
        const run = await t.repos.syncRuns.start(org.org.id, 'import', 'Account');
        await t.repos.syncRuns.finish(org.org.id, run.id, { status: 'succeeded', recordsIn: 10, apiCalls: 3 });
        await t.repos.eventCheckpoints.set(org.org.id, '/event/Record_Change__e', '42');
        const res = await apiClient(t.url, org.tokens.viewer).get('/api/v1/sync/status');
        expect(res.status).toBe(200);
        const counts = await countsOf(t.companion.dataSource.manager, org.org.id);
        expect(res.body).toMatchObject({
            connection: { state: 'new', orgName: org.org.name },
            pendingCount: counts.pending + counts.inFlight,
            failedCount: counts.failed,
            conflictCount: counts.openConflicts,
            lastFullSyncAt: expect.any(String),
            lastInboundAt: expect.any(String),
            apiUsage: { callsLast24h: 3, used: null, max: null },
            engine: { subscribed: false }
        });
        const account = res.body.objects.find((o: { objectApiName: string }) => o.objectApiName === 'Account');
        expect(account).toMatchObject({ failedCount: 1, lastFullSyncAt: expect.any(String) });
        expect(
            res.body.objects.find((o: { objectApiName: string }) => o.objectApiName === 'Success_Plan__c')
        ).toMatchObject({
            pendingCount: 0,
            failedCount: 0,
            conflictCount: 0
        });
    });

    it("When Sync now is asked, then the engine is called for the token's org; unknown objects are 404; bad kinds 400", async () => {
        expect(engine?.isStarted()).toBe(true);
        const res = await apiClient(t.url, org.tokens.editor).post('/api/v1/sync', {
            objectApiName: 'Account',
            kind: 'full'
        });
        expect(res.status).toBe(202);
        // The org has no credentials, so the engine does not run it and accepts with no run.
        expect(res.body).toEqual({ accepted: true, objectApiName: 'Account', kind: 'full', runId: null });
        expect(
            (await apiClient(t.url, org.tokens.editor).post('/api/v1/sync', { objectApiName: 'Contact' })).status
        ).toBe(404);
        const bad = await apiClient(t.url, org.tokens.editor).post('/api/v1/sync', { kind: 'everything' });
        expect(bad.status).toBe(400);
        expect(bad.body.error.details[0].path).toBe('body.kind');
    });
});

describe('without an engine', () => {
    it('When no engine is wired, then Sync now answers 503 SYNC_ENGINE_UNAVAILABLE and status has engine null', async () => {
        const bare = await startTestCompanion();
        try {
            const o = await seedOrg(bare.repos);
            const sync = await apiClient(bare.url, o.tokens.editor).post('/api/v1/sync', {});
            expect(sync.status).toBe(503);
            expect(sync.body.error.code).toBe('SYNC_ENGINE_UNAVAILABLE');
            const status = await apiClient(bare.url, o.tokens.viewer).get('/api/v1/sync/status');
            expect(status.body.engine).toBeNull();
        } finally {
            await bare.stop();
        }
    });
});
