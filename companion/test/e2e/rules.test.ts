/**
 * The sync rules end to end (ARCHITECTURE §2): Sync to Salesforce per object, Editable, Salesforce field API name,
 * and configuration records synced both ways — through the companion's real HTTP API, the real engine and jsforce,
 * and the emulator as the org.
 */
import { E2E, startE2E, waitFor } from './harness';
import { outboxOf } from '../support/inspect';

jest.setTimeout(120_000);
let e: E2E;

beforeAll(async () => {
    e = await startE2E();
});
afterAll(async () => {
    await e?.stop();
});

async function firstRecord(object: string): Promise<string> {
    const page = await e.api.get(`/api/v1/objects/${object}/records?limit=1`);
    expect(page.status).toBe(200);
    return page.body.items[0].id;
}

async function mappingSfId(key: string): Promise<string> {
    return waitFor(
        async () => (await e.app.repos.fieldMappings.get(e.orgId, key))?.sfRecordId,
        10_000,
        `mapping ${key} in Salesforce`
    );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('edits to Success_Plan__c stay local with the reason until Sync to Salesforce is on; then they flow', async () => {
    await waitFor(
        async () => (await e.app.repos.records.count(e.orgId, 'Success_Plan__c')) > 0,
        20_000,
        'plans imported'
    );
    const made = await e.api.patch('/api/v1/objects/Success_Plan__c/fields/Success_Plan__c.Goal__c', {
        editable: true
    });
    expect(made.status).toBe(200);
    const id = await firstRecord('Success_Plan__c');
    const before = (await e.control.get('Success_Plan__c', id)).Goal__c;

    const local = await e.api.patch(`/api/v1/objects/Success_Plan__c/records/${id}`, {
        fields: { 'Success_Plan__c.Goal__c': 'Kept in Statisfy' }
    });
    expect(local.status).toBe(200);
    expect(JSON.stringify(local.body)).toContain('Sync to Salesforce is off for this object');
    await sleep(400);
    expect((await e.control.get('Success_Plan__c', id)).Goal__c).toBe(before);

    const on = await e.api.patch('/api/v1/objects/Success_Plan__c', { syncToSalesforce: true });
    expect(on.status).toBe(200);
    // The switch is configuration: it reaches the org's Sync_Object__c record.
    const soId = (await e.app.repos.syncObjects.get(e.orgId, 'Success_Plan__c'))!.sfRecordId!;
    await waitFor(
        async () => (await e.control.get('Sync_Object__c', soId)).Sync_To_Salesforce__c === true,
        10_000,
        'Sync_To_Salesforce__c in the org'
    );

    const queued = await e.api.patch(`/api/v1/objects/Success_Plan__c/records/${id}`, {
        fields: { 'Success_Plan__c.Goal__c': 'Now it flows' }
    });
    expect(queued.status).toBe(200);
    expect(JSON.stringify(queued.body)).toContain('queued');
    await waitFor(
        async () => (await e.control.get('Success_Plan__c', id)).Goal__c === 'Now it flows',
        10_000,
        'the plan edit in Salesforce'
    );
});

it('editing a field that is not Editable is refused with a clear error and changes nothing', async () => {
    const id = await firstRecord('Account');
    const sfBefore = await e.control.get('Account', id);
    const localBefore = await e.app.repos.records.get(e.orgId, id);
    const res = await e.api.patch(`/api/v1/objects/Account/records/${id}`, {
        fields: { 'Account.Phone': '+1 555 0100', 'Account.OwnerId': sfBefore.OwnerId }
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toMatch(/not Editable/);
    await sleep(300);
    expect((await e.app.repos.records.get(e.orgId, id))?.fields).toEqual(localBefore?.fields);
    expect((await e.control.get('Account', id)).Phone).toBe(sfBefore.Phone);
    const edits = await outboxOf(e.app.companion.dataSource.manager, e.orgId, id);
    expect(edits.filter((x) => x.fieldKey === 'Account.Phone' && x.newValue === '+1 555 0100')).toHaveLength(0);
});

it('a Statisfy-created field without a Salesforce field API name stays local; with one, it pushes', async () => {
    const created = await e.api.post('/api/v1/objects/Account/fields', {
        key: 'Account.Success_Note',
        displayName: 'Success note',
        type: 'textarea',
        editable: true
    });
    expect(created.status).toBe(201);
    // The new mapping is configuration: it appears in the org as a Field_Mapping__c with Origin Statisfy.
    const fmId = await mappingSfId('Account.Success_Note');
    expect(await e.control.get('Field_Mapping__c', fmId)).toMatchObject({
        Key__c: 'Account.Success_Note',
        Origin__c: 'Statisfy'
    });

    const id = await firstRecord('Account');
    const local = await e.api.patch(`/api/v1/objects/Account/records/${id}`, {
        fields: { 'Account.Success_Note': 'only here' }
    });
    expect(local.status).toBe(200);
    expect(JSON.stringify(local.body)).toContain('No Salesforce field API name: the field stays in Statisfy');

    const mapped = await e.api.patch('/api/v1/objects/Account/fields/Account.Success_Note', {
        salesforceField: 'Description'
    });
    expect(mapped.status).toBe(200);
    await waitFor(
        async () => (await e.control.get('Field_Mapping__c', fmId)).Salesforce_Field__c === 'Description',
        10_000,
        'API name in the org'
    );
    const pushed = await e.api.patch(`/api/v1/objects/Account/records/${id}`, {
        fields: { 'Account.Success_Note': 'pushed to Description' }
    });
    expect(JSON.stringify(pushed.body)).toContain('queued');
    await waitFor(
        async () => (await e.control.get('Account', id)).Description === 'pushed to Description',
        10_000,
        'Description in Salesforce'
    );
});

it('mapping edits made in Salesforce (Field_Mapping__c) appear in the companion, and companion edits appear in Salesforce', async () => {
    const fmId = await mappingSfId('Account.Industry');
    await e.control.update('Field_Mapping__c', fmId, { Display_Name__c: 'Sector (renamed in Salesforce)' });
    await waitFor(
        async () =>
            (await e.app.repos.fieldMappings.get(e.orgId, 'Account.Industry'))?.displayName ===
            'Sector (renamed in Salesforce)',
        10_000,
        'the Salesforce rename in the companion'
    );
    const fields = await e.api.get('/api/v1/objects/Account/fields');
    expect(JSON.stringify(fields.body)).toContain('Sector (renamed in Salesforce)');

    const renamed = await e.api.patch('/api/v1/objects/Account/fields/Account.Industry', {
        displayName: 'Industry (renamed in Statisfy)'
    });
    expect(renamed.status).toBe(200);
    await waitFor(
        async () =>
            (await e.control.get('Field_Mapping__c', fmId)).Display_Name__c === 'Industry (renamed in Statisfy)',
        10_000,
        'the Statisfy rename in the org'
    );
});
