/**
 * The inbound batch apply against a real PostgreSQL: dedupe, replay id in the same transaction, Modstamp order,
 * echo by value, conflicts per policy, configuration events.
 */
import { randomUUID } from 'node:crypto';
import { PackageNames } from '../../src/salesforce/names';
import { applyEventBatch, ChannelEvent } from '../../src/domain/sync/inbound-batch';
import { openTestDataSource, TestDataContext } from '../support/datasource';

const names = new PackageNames('');
const RC = '/event/Record_Change__e';
let ctx: TestDataContext;
let orgId: string;
let replay = 100;

function change(
    sfId: string,
    values: Record<string, unknown>,
    modstamp: string,
    opts: { type?: string; object?: string; uuid?: string; origin?: string } = {}
): ChannelEvent {
    replay += 1;
    return {
        channel: RC,
        data: {
            payload: {
                Object_Api_Name__c: opts.object ?? 'Account',
                Record_Id__c: sfId,
                Change_Type__c: opts.type ?? 'UPDATE',
                Changed_Fields__c: JSON.stringify(Object.keys(values)),
                Values__c: opts.type === 'DELETE' ? '{}' : JSON.stringify(values),
                Modstamp__c: modstamp,
                Origin__c: opts.origin ?? 'salesforce'
            },
            event: { replayId: replay, EventUuid: opts.uuid ?? randomUUID() }
        }
    };
}

const acc = (n: number) => `001000000000${String(n).padStart(3, '0')}AAA`;

async function record(sfId: string) {
    return ctx.repos.records.get(orgId, sfId);
}

beforeAll(async () => {
    ctx = await openTestDataSource();
    const org = await ctx.repos.orgs.create({ name: 'Acme', loginUrl: 'http://127.0.0.1:1', authKind: 'jwt' });
    orgId = org.id;
    await ctx.repos.syncObjects.upsert(orgId, {
        objectApiName: 'Account',
        displayName: 'Accounts',
        kind: 'standard',
        syncToSalesforce: true
    });
    for (const [key, field] of [
        ['Account.Name', 'Name'],
        ['Account.Industry', 'Industry'],
        ['Account.Rating', 'Rating']
    ])
        await ctx.repos.fieldMappings.upsert(orgId, {
            objectApiName: 'Account',
            key,
            displayName: field,
            salesforceField: field,
            origin: 'salesforce',
            editable: true,
            type: 'string'
        });
});

afterAll(async () => {
    await ctx?.close();
});

it('creates records, maps values to field keys and stores the replay id in the same transaction', async () => {
    const r = await applyEventBatch(ctx.dataSource, orgId, names, [
        change(acc(1), { Name: 'Acme', Industry: 'Tech', Rating: null }, '2026-01-01T00:00:00.000+0000', {
            type: 'CREATE'
        })
    ]);
    expect(r).toMatchObject({ events: 1, duplicates: 0, records: 1 });
    const rec = await record(acc(1));
    expect(rec?.fields).toEqual({ 'Account.Name': 'Acme', 'Account.Industry': 'Tech', 'Account.Rating': null });
    expect(rec?.sfValues).toEqual({ Name: 'Acme', Industry: 'Tech', Rating: null });
    expect(await ctx.repos.eventCheckpoints.get(orgId, RC)).toBe(String(replay));
});

it('applies the batched shape: one event carries every record of its trigger chunk; values null asks for a read', async () => {
    replay += 1;
    const batched: ChannelEvent = {
        channel: RC,
        data: {
            payload: {
                Object_Api_Name__c: 'Account',
                Change_Type__c: 'CREATE',
                Origin__c: 'salesforce',
                Records__c: JSON.stringify([
                    {
                        id: acc(50),
                        changedFields: ['Name'],
                        values: { Name: 'Batch A' },
                        modstamp: '2026-01-01T00:00:00.000+0000'
                    },
                    {
                        id: acc(51),
                        changedFields: ['Name'],
                        values: { Name: 'Batch B' },
                        modstamp: '2026-01-01T00:00:00.000+0000'
                    },
                    { id: acc(52), changedFields: ['Name'], values: null, modstamp: '2026-01-01T00:00:00.000+0000' }
                ]),
                Part__c: 1,
                Part_Count__c: 1,
                Record_Id__c: null,
                Changed_Fields__c: null,
                Values__c: null,
                Modstamp__c: null
            },
            event: { replayId: replay, EventUuid: randomUUID() }
        }
    };
    const r = await applyEventBatch(ctx.dataSource, orgId, names, [batched]);
    expect(r).toMatchObject({ events: 1, records: 2, missingValues: [{ objectApiName: 'Account', sfId: acc(52) }] });
    expect((await record(acc(50)))?.fields['Account.Name']).toBe('Batch A');
    expect((await record(acc(51)))?.fields['Account.Name']).toBe('Batch B');
    expect(await ctx.repos.eventCheckpoints.get(orgId, RC)).toBe(String(replay));
});

it('drops a duplicate EventUuid, in the same batch and across batches', async () => {
    const uuid = randomUUID();
    const first = await applyEventBatch(ctx.dataSource, orgId, names, [
        change(acc(1), { Name: 'Acme 2' }, '2026-01-01T00:01:00.000+0000', { uuid }),
        change(acc(1), { Name: 'Acme 2' }, '2026-01-01T00:01:00.000+0000', { uuid })
    ]);
    expect(first.duplicates).toBe(1);
    const again = await applyEventBatch(ctx.dataSource, orgId, names, [
        change(acc(1), { Name: 'Replayed' }, '2026-01-01T00:01:00.000+0000', { uuid })
    ]);
    expect(again).toMatchObject({ duplicates: 1, records: 0 });
    expect((await record(acc(1)))?.fields['Account.Name']).toBe('Acme 2');
});

it('applies changes of one record in Modstamp order, whatever the arrival order, and ignores stale ones', async () => {
    await applyEventBatch(ctx.dataSource, orgId, names, [
        change(acc(2), { Name: 'third' }, '2026-01-02T00:00:03.000+0000', { type: 'CREATE' }),
        change(acc(2), { Name: 'first' }, '2026-01-02T00:00:01.000+0000', { type: 'CREATE' }),
        change(acc(2), { Name: 'second' }, '2026-01-02T00:00:02.000+0000')
    ]);
    expect((await record(acc(2)))?.fields['Account.Name']).toBe('third');
    const late = await applyEventBatch(ctx.dataSource, orgId, names, [
        change(acc(2), { Name: 'old' }, '2026-01-02T00:00:00.000+0000')
    ]);
    expect(late.stale).toBe(1);
    expect((await record(acc(2)))?.fields['Account.Name']).toBe('third');
});

it('treats our own value coming back as an echo while automation changes in the same event still come in', async () => {
    await applyEventBatch(ctx.dataSource, orgId, names, [
        change(acc(3), { Name: 'Before', Industry: 'Retail', Rating: 'Cold' }, '2026-01-03T00:00:00.000+0000', {
            type: 'CREATE'
        })
    ]);
    const { edit } = await ctx.repos.pendingEdits.enqueue(orgId, {
        objectApiName: 'Account',
        sfId: acc(3),
        fieldKey: 'Account.Name',
        salesforceField: 'Name',
        newValue: 'After',
        baseValue: 'Before'
    });
    await ctx.dataSource.query(`UPDATE pending_edits SET status = 'in_flight' WHERE id = $1`, [edit.id]);
    await ctx.repos.records.mergeFields(orgId, acc(3), { 'Account.Name': 'After' });
    const r = await applyEventBatch(ctx.dataSource, orgId, names, [
        change(acc(3), { Name: 'After', Industry: 'Retail', Rating: 'Hot' }, '2026-01-03T00:00:05.000+0000', {
            origin: 'statisfy'
        })
    ]);
    expect(r).toMatchObject({ echoes: 1, fieldsChanged: 1, conflicts: 0 });
    const rec = await record(acc(3));
    expect(rec?.fields).toMatchObject({ 'Account.Name': 'After', 'Account.Rating': 'Hot' });
    expect(rec?.sfValues).toMatchObject({ Name: 'After', Rating: 'Hot' });
    expect((await ctx.repos.pendingEdits.get(orgId, edit.id))?.status).toBe('in_flight');
});

describe('a Salesforce change to a field with a pending Statisfy edit', () => {
    async function scenario(
        n: number,
        policy: 'Latest_Wins' | 'Salesforce_Wins' | 'Statisfy_Wins' | 'Manual',
        sfAt: string
    ) {
        await ctx.repos.syncObjects.update(orgId, 'Account', { conflictPolicy: policy });
        await applyEventBatch(ctx.dataSource, orgId, names, [
            change(acc(n), { Industry: 'Base' }, '2020-01-01T00:00:00.000+0000', { type: 'CREATE' })
        ]);
        const { edit } = await ctx.repos.pendingEdits.enqueue(orgId, {
            objectApiName: 'Account',
            sfId: acc(n),
            fieldKey: 'Account.Industry',
            salesforceField: 'Industry',
            newValue: 'Statisfy',
            baseValue: 'Base'
        });
        await ctx.repos.records.mergeFields(orgId, acc(n), { 'Account.Industry': 'Statisfy' });
        const r = await applyEventBatch(ctx.dataSource, orgId, names, [
            change(acc(n), { Industry: 'Salesforce' }, sfAt)
        ]);
        expect(r.conflicts).toBe(1);
        const [conflict] = (await ctx.repos.conflicts.list(orgId, { limit: 50, offset: 0 })).filter(
            (c) => c.sfId === acc(n)
        );
        return {
            edit: await ctx.repos.pendingEdits.get(orgId, edit.id),
            rec: await record(acc(n)),
            conflict
        };
    }

    it('Salesforce_Wins: the edit ends in conflict, Statisfy takes the Salesforce value, the conflict is recorded', async () => {
        const { edit, rec, conflict } = await scenario(10, 'Salesforce_Wins', '2099-01-01T00:00:00.000+0000');
        expect(edit?.status).toBe('conflict');
        expect(rec?.fields['Account.Industry']).toBe('Salesforce');
        expect(conflict).toMatchObject({
            status: 'resolved',
            resolution: 'salesforce',
            salesforceValue: 'Salesforce',
            statisfyValue: 'Statisfy'
        });
    });

    it('Statisfy_Wins: the edit stays pending, rebased on the Salesforce value, conflict recorded', async () => {
        const { edit, rec, conflict } = await scenario(11, 'Statisfy_Wins', '2099-01-01T00:00:00.000+0000');
        expect(edit).toMatchObject({ status: 'pending', baseValue: 'Salesforce' });
        expect(rec?.fields['Account.Industry']).toBe('Statisfy');
        expect(rec?.sfValues.Industry).toBe('Salesforce');
        expect(conflict).toMatchObject({ status: 'resolved', resolution: 'statisfy' });
    });

    it('Latest_Wins: a Salesforce change older than the edit loses, a newer one wins', async () => {
        const older = await scenario(12, 'Latest_Wins', '2021-01-01T00:00:00.000+0000');
        expect(older.edit?.status).toBe('pending');
        expect(older.conflict.resolution).toBe('statisfy');
        const newer = await scenario(13, 'Latest_Wins', '2099-01-01T00:00:00.000+0000');
        expect(newer.edit?.status).toBe('conflict');
        expect(newer.conflict.resolution).toBe('salesforce');
    });

    it('Manual: the edit is parked and the conflict stays open for a person', async () => {
        const { edit, rec, conflict } = await scenario(14, 'Manual', '2099-01-01T00:00:00.000+0000');
        expect(edit?.status).toBe('conflict');
        expect(rec?.fields['Account.Industry']).toBe('Statisfy');
        expect(conflict).toMatchObject({ status: 'open', editId: edit?.id });
    });
});

it('applies Sync_Object__c and Field_Mapping__c events to the configuration tables, and a Sync_Request__e is returned', async () => {
    const so = 'a00000000000001AAA';
    const r = await applyEventBatch(ctx.dataSource, orgId, names, [
        change(
            'a01000000000001AAA',
            {
                Key__c: 'Success_Plan__c.Stage__c',
                Sync_Object__c: so,
                Salesforce_Field__c: 'Stage__c',
                Display_Name__c: 'Stage',
                Editable__c: true,
                Origin__c: 'Salesforce',
                Active__c: true
            },
            '2026-01-05T00:00:01.000+0000',
            { object: 'Field_Mapping__c', type: 'CREATE' }
        ),
        change(
            so,
            {
                Object_Api_Name__c: 'Success_Plan__c',
                Display_Name__c: 'Success Plans',
                Sync_To_Salesforce__c: false,
                Enabled__c: true,
                Conflict_Policy__c: 'Manual'
            },
            '2026-01-05T00:00:00.000+0000',
            { object: 'Sync_Object__c', type: 'CREATE' }
        ),
        {
            channel: '/event/Sync_Request__e',
            data: {
                payload: { Object_Api_Name__c: 'Account', Kind__c: 'FULL' },
                event: { replayId: 7, EventUuid: randomUUID() }
            }
        }
    ]);
    expect(r.configChanges).toBe(2);
    expect(r.syncRequests).toEqual([{ objectApiName: 'Account', kind: 'FULL', requestedById: null }]);
    expect(await ctx.repos.syncObjects.get(orgId, 'Success_Plan__c')).toMatchObject({
        kind: 'custom',
        syncToSalesforce: false,
        conflictPolicy: 'Manual',
        sfRecordId: so
    });
    expect(await ctx.repos.fieldMappings.get(orgId, 'Success_Plan__c.Stage__c')).toMatchObject({
        objectApiName: 'Success_Plan__c',
        salesforceField: 'Stage__c',
        editable: true,
        origin: 'salesforce'
    });
    expect(await ctx.repos.eventCheckpoints.get(orgId, '/event/Sync_Request__e')).toBe('7');
});
