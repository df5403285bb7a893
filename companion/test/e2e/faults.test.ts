/**
 * Failures against the emulator's fault injection: a validation rule fails an edit for good (the Salesforce message
 * kept, Sync_Error__c and Sync_Status__c written in the org); expired sessions are refreshed (JWT minted again, a new
 * streaming client); a 503 storm opens the circuit and then no more calls are made until the probe time.
 */
import { Connection } from 'jsforce';
import { E2E, startE2E, waitFor } from './harness';
import { outboxOf } from '../support/inspect';

jest.setTimeout(180_000);
let e: E2E;
let admin: Connection;
let ids: string[];

beforeAll(async () => {
    e = await startE2E();
    admin = new Connection({ loginUrl: e.emu.url, version: '60.0' });
    await admin.login('admin@statisfy.test', 'statisfy');
    ids = (await e.api.get('/api/v1/objects/Account/records?limit=10')).body.items.map((r: { id: string }) => r.id);
});
afterAll(async () => {
    await e?.stop();
});

it('a validation rule fails the edit for good with the Salesforce message, shown in Sync_Error__c and Sync_Status__c', async () => {
    await e.control.call('POST', '/validation-rules', {
        object: 'Account',
        name: 'No_Invalid_Website',
        message: 'Website must not say invalid',
        errorField: 'Website',
        condition: { field: 'Website', op: 'contains', value: 'invalid' }
    });
    const res = await e.api.patch(`/api/v1/objects/Account/records/${ids[0]}`, {
        fields: { 'Account.Website': 'an invalid site' }
    });
    expect(res.status).toBe(200);
    const editId = JSON.stringify(res.body).match(/"editId":"(\d+)"/)![1];
    const edit = await waitFor(
        async () => {
            const x = await e.app.repos.pendingEdits.get(e.orgId, editId);
            return x?.status === 'failed' ? x : null;
        },
        10_000,
        'the edit to fail'
    );
    expect(edit).toMatchObject({
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        errorMessage: 'Website must not say invalid',
        attempts: 1
    });
    const err = await waitFor(
        async () => {
            const r = await admin.query<{
                Error_Code__c: string;
                Message__c: string;
                Record_Id__c: string;
                Field__c: string;
            }>(
                `SELECT Error_Code__c, Message__c, Record_Id__c, Field__c FROM Sync_Error__c WHERE Edit_Id__c = '${editId}'`
            );
            return r.records[0];
        },
        10_000,
        'Sync_Error__c in the org'
    );
    expect(err).toMatchObject({
        Error_Code__c: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        Message__c: 'Website must not say invalid',
        Field__c: 'Website'
    });
    const status = await waitFor(
        async () => {
            const r = await admin.query<{ Failed_Count__c: number; Connection_State__c: string }>(
                `SELECT Failed_Count__c, Connection_State__c FROM Sync_Status__c WHERE Object_Api_Name__c = '*'`
            );
            return r.records[0]?.Failed_Count__c >= 1 ? r.records[0] : null;
        },
        10_000,
        'Sync_Status__c in the org'
    );
    expect(status.Connection_State__c).toBe('Connected');
    const errors = await e.api.get('/api/v1/sync/errors');
    expect(JSON.stringify(errors.body)).toContain('Website must not say invalid');
});

it('expired sessions are refreshed: edits still reach Salesforce and Salesforce changes still arrive', async () => {
    await e.control.call('POST', '/faults/expire-sessions');
    const res = await e.api.patch(`/api/v1/objects/Account/records/${ids[1]}`, {
        fields: { 'Account.Phone': '+1 555 7777' }
    });
    expect(res.status).toBe(200);
    await waitFor(
        async () => (await e.control.get('Account', ids[1])).Phone === '+1 555 7777',
        15_000,
        'the edit after refresh'
    );
    await e.control.update('Account', ids[2], { BillingCity: 'After expiry' });
    await waitFor(
        async () => (await e.app.repos.records.get(e.orgId, ids[2]))?.fields['Account.BillingCity'] === 'After expiry',
        30_000,
        'a Salesforce change after expiry'
    );
});

it('reads the API budget from Sforce-Limit-Info; above 90 % users’ edits still flow while background work pauses', async () => {
    const report = await e.control.call('POST', '/api-usage', { max: 10_000, used: 9_500 });
    expect(report.used).toBe(9_500);
    const res = await e.api.patch(`/api/v1/objects/Account/records/${ids[4]}`, {
        fields: { 'Account.Phone': '+1 555 9090' }
    });
    expect(res.status).toBe(200);
    await waitFor(
        async () => (await e.control.get('Account', ids[4])).Phone === '+1 555 9090',
        15_000,
        'the edit near the limit'
    );
    const status = await e.engine.status(e.orgId);
    expect(status.apiUsage?.max).toBe(10_000);
    expect(status.apiUsage!.used / status.apiUsage!.max).toBeGreaterThanOrEqual(0.9);
    // Background work pauses: a companion-side configuration change is not pushed while the budget is nearly spent…
    const fmId = (await e.app.repos.fieldMappings.get(e.orgId, 'Account.Type'))!.sfRecordId!;
    expect(
        (await e.api.patch('/api/v1/objects/Account/fields/Account.Type', { displayName: 'Type (budget)' })).status
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await e.control.get('Field_Mapping__c', fmId)).Display_Name__c).not.toBe('Type (budget)');
    await e.control.call('POST', '/api-usage', { used: 0 });
    const resumed = Date.now();
    // …and goes out once the budget frees up (the engine looks at /limits while paused).
    await waitFor(
        async () => (await e.control.get('Field_Mapping__c', fmId)).Display_Name__c === 'Type (budget)',
        10_000,
        'the push after the pause',
        100
    );
    process.stdout.write(
        `\n[e2e faults] configuration push resumed ${Date.now() - resumed} ms after the budget freed up\n`
    );
});

it('a 503 storm opens the circuit after 5 consecutive failures; then no call is made until the probe', async () => {
    const rule = (await e.control.fault({ method: 'POST', path: '/services/data/*/composite', status: 503 })).rule;
    const res = await e.api.patch(`/api/v1/objects/Account/records/${ids[3]}`, {
        fields: { 'Account.Phone': '+1 555 8888' }
    });
    expect(res.status).toBe(200);
    await waitFor(async () => (await e.engine.status(e.orgId)).circuit === 'open', 60_000, 'the circuit to open', 50);
    const hits = async () =>
        ((await e.control.call('GET', '/faults')).rules as { id: string; hits: number }[]).find(
            (r) => r.id === rule.id
        )!.hits;
    const atOpen = await hits();
    expect(atOpen).toBe(5);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await hits()).toBe(atOpen);
    const edit = (await outboxOf(e.app.companion.dataSource.manager, e.orgId, ids[3])).find(
        (x) => x.newValue === '+1 555 8888'
    );
    expect(edit).toMatchObject({ status: 'pending', errorCode: 'SERVER_UNAVAILABLE' });
    await e.control.clearFaults();
});
