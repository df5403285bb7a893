/**
 * Objects and fields through the HTTP API: reading them with writeback reasons, changing them (validated against
 * the org's describe), and the audit log written in the same transaction.
 */
import { apiClient, startTestCompanion, type TestCompanion } from '../support/companion';
import { seedObjects, seedOrg, type SeededOrg } from '../support/factories';
import { FixedSchemaProvider } from '../support/schema';

let t: TestCompanion;
let org: SeededOrg;
const schema = new FixedSchemaProvider();

beforeAll(async () => {
    t = await startTestCompanion({ deps: { schema: () => schema } });
    org = await seedOrg(t.repos);
    await seedObjects(t.repos, org.org.id);
});
afterAll(() => t.stop());

const admin = () => apiClient(t.url, org.tokens.admin);
const audit = (target: string) => t.repos.auditLog.list(org.org.id, { limit: 50, offset: 0, target });

describe('objects', () => {
    it('When objects are listed, then each has the contract fields', async () => {
        const res = await apiClient(t.url, org.tokens.viewer).get('/api/v1/objects');
        expect(res.status).toBe(200);
        expect(res.body.items).toEqual([
            expect.objectContaining({
                objectApiName: 'Account',
                displayName: 'Accounts',
                kind: 'standard',
                syncToSalesforce: true,
                enabled: true
            }),
            expect.objectContaining({
                objectApiName: 'Success_Plan__c',
                displayName: 'Success Plans',
                kind: 'custom',
                syncToSalesforce: false,
                enabled: true,
                conflictPolicy: 'Latest_Wins',
                recordFilter: null
            })
        ]);
    });

    it('When an admin changes an object, then it is saved and audited with before and after', async () => {
        const res = await admin().patch('/api/v1/objects/Success_Plan__c', {
            displayName: 'Plans',
            conflictPolicy: 'Manual',
            recordFilter: "Status__c != 'Done'"
        });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
            object: expect.objectContaining({
                displayName: 'Plans',
                conflictPolicy: 'Manual',
                recordFilter: "Status__c != 'Done'"
            }),
            message: null
        });
        const [entry] = await audit('object:Success_Plan__c');
        expect(entry).toMatchObject({
            actor: 'token:admin',
            action: 'object.update',
            before: expect.objectContaining({ displayName: 'Success Plans', conflictPolicy: 'Latest_Wins' }),
            after: expect.objectContaining({ displayName: 'Plans', conflictPolicy: 'Manual' })
        });
        const unchanged = await admin().patch('/api/v1/objects/Success_Plan__c', { displayName: 'Plans' });
        expect(unchanged.status).toBe(200);
        expect(await audit('object:Success_Plan__c')).toHaveLength(1);
    });

    it("When Sync to Salesforce is switched on, then the answer is the guide's message and the fields list no longer gives that reason", async () => {
        const before = await admin().get('/api/v1/objects/Success_Plan__c/fields');
        expect(before.body.items.map((f: { reason: string }) => f.reason)).toEqual([
            'Sync to Salesforce is off for this object',
            'Sync to Salesforce is off for this object'
        ]);
        const res = await admin().patch('/api/v1/objects/Success_Plan__c', { syncToSalesforce: true });
        expect(res.body.message).toBe('Writeback to Salesforce is enabled for Plans');
        const after = await admin().get('/api/v1/objects/Success_Plan__c/fields');
        expect(after.body.items.map((f: { pushesToSalesforce: boolean }) => f.pushesToSalesforce)).toEqual([
            true,
            true
        ]);
        await admin().patch('/api/v1/objects/Success_Plan__c', { syncToSalesforce: false });
    });

    it.each([
        [{}, 400, 'give at least one of'],
        [{ syncToSalesforce: 'yes' }, 400, 'body.syncToSalesforce'],
        [{ conflictPolicy: 'Coin_Flip' }, 400, 'body.conflictPolicy'],
        [{ colour: 'red' }, 400, 'colour'],
        [{ displayName: '  ' }, 422, 'Display name in Statisfy is required'],
        [{ recordFilter: 'WHERE Type = 1' }, 422, 'leave out the word WHERE'],
        [{ recordFilter: "Name = 'x'; DELETE" }, 422, 'must not contain ";"'],
        [{ recordFilter: "(Name = 'x'" }, 422, 'unmatched "("'],
        [{ recordFilter: 'Id IN (SELECT Id FROM Account)' }, 422, 'not a query']
    ])('When an object patch is %j, then %i names the problem', async (body, status, text) => {
        const res = await admin().patch('/api/v1/objects/Account', body);
        expect(res.status).toBe(status);
        expect(`${res.body.error.message} ${JSON.stringify(res.body.error.details)}`).toContain(text);
    });

    it('When the object is not synced, then 404', async () => {
        expect((await admin().patch('/api/v1/objects/Contact', { enabled: false })).status).toBe(404);
        expect((await admin().get('/api/v1/objects/Contact/fields')).status).toBe(404);
    });
});

describe('fields', () => {
    it('When fields are listed, then each says whether it pushes and, if not, why (rules in order)', async () => {
        const res = await apiClient(t.url, org.tokens.viewer).get('/api/v1/objects/Account/fields');
        const byKey = Object.fromEntries(res.body.items.map((f: { key: string }) => [f.key, f]));
        expect(byKey['Account.Name']).toMatchObject({
            displayName: 'Account name',
            salesforceField: 'Name',
            origin: 'salesforce',
            editable: true,
            type: 'string',
            pushesToSalesforce: true,
            reason: null
        });
        expect(byKey['Account.Rating']).toMatchObject({ pushesToSalesforce: false, reason: 'Field is not Editable' });
        expect(byKey['Account.Health']).toMatchObject({
            origin: 'statisfy',
            salesforceField: null,
            reason: 'No Salesforce field API name: the field stays in Statisfy'
        });
        expect(byKey['Account.Website']).toMatchObject({ active: false, reason: 'Mapping is inactive' });
    });

    it('When a Statisfy field is created without a Salesforce field, then it stays local and is audited', async () => {
        const res = await admin().post('/api/v1/objects/Account/fields', {
            key: 'Segment',
            displayName: 'Segment',
            type: 'text',
            editable: true
        });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({
            key: 'Account.Segment',
            origin: 'statisfy',
            salesforceField: null,
            pushesToSalesforce: false,
            reason: 'No Salesforce field API name: the field stays in Statisfy'
        });
        const [entry] = await audit('field:Account.Segment');
        expect(entry).toMatchObject({
            action: 'field.create',
            before: null,
            after: expect.objectContaining({ key: 'Account.Segment' })
        });
        const again = await admin().post('/api/v1/objects/Account/fields', {
            key: 'Account.Segment',
            displayName: 'Dup',
            type: 'text',
            editable: true
        });
        expect(again.status).toBe(409);
    });

    it('When a Statisfy field is created with a Salesforce field, then describe is checked, the exact API name and picklist values kept, and it pushes', async () => {
        const res = await admin().post('/api/v1/objects/Account/fields', {
            key: 'Account.Score',
            displayName: 'Score',
            type: 'number',
            editable: true,
            salesforceField: 'health_score__c'
        });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({ salesforceField: 'Health_Score__c', pushesToSalesforce: true, reason: null });
        expect(schema.calls.at(-1)).toEqual({ orgId: org.org.id, objectApiName: 'Account' });
    });

    it.each([
        [{ salesforceField: 'Nope__c', type: 'text' }, 'Field Nope__c does not exist on Account'],
        [
            { salesforceField: 'CreatedDate', type: 'datetime' },
            'Field CreatedDate is not updateable in Salesforce, so it cannot be Editable'
        ],
        [
            { salesforceField: 'NumberOfEmployees', type: 'date' },
            'Type date of New field does not fit Salesforce field NumberOfEmployees of type int'
        ],
        [{ salesforceField: 'AnnualRevenue', type: 'number' }, 'Field AnnualRevenue is already mapped to "ARR"']
    ])('When a field is created with %j, then 422 says: %s', async (extra, message) => {
        const res = await admin().post('/api/v1/objects/Account/fields', {
            key: `F${Math.random().toString(36).slice(2, 8)}`,
            displayName: 'New field',
            editable: true,
            ...extra
        });
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe('INVALID_CONFIGURATION');
        expect(res.body.error.message).toBe(message);
    });

    it('When a field body is malformed, then 400 names each problem', async () => {
        const res = await admin().post('/api/v1/objects/Account/fields', { key: 'X', type: 'colour', editable: 'yes' });
        expect(res.status).toBe(400);
        const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
        expect(paths).toEqual(['body.displayName', 'body.editable', 'body.type']);
        const badKey = await admin().post('/api/v1/objects/Account/fields', {
            key: '9lives',
            displayName: 'x',
            type: 'text',
            editable: false
        });
        expect(badKey.status).toBe(422);
        expect(badKey.body.error.message).toContain('Key "9lives" must be a name');
    });

    it('When a Statisfy field gets a Salesforce field API name, then it starts to push; cleared, it stays local again', async () => {
        const set = await admin().patch('/api/v1/objects/Account/fields/Account.Health', {
            salesforceField: 'Health_Score__c',
            displayName: 'Health score'
        });
        // Health_Score__c is already used by Account.Score created above.
        expect(set.status).toBe(422);
        expect(set.body.error.message).toBe('Field Health_Score__c is already mapped to "Score"');
        const churn = await admin().patch('/api/v1/objects/Account/fields/Account.Segment', {
            salesforceField: 'Description'
        });
        expect(churn.status).toBe(200);
        expect(churn.body).toMatchObject({ salesforceField: 'Description', pushesToSalesforce: true });
        const cleared = await admin().patch('/api/v1/objects/Account/fields/Segment', { salesforceField: null });
        expect(cleared.body).toMatchObject({
            salesforceField: null,
            pushesToSalesforce: false,
            reason: 'No Salesforce field API name: the field stays in Statisfy'
        });
        const entries = await audit('field:Account.Segment');
        expect(entries.map((e) => e.action)).toEqual(['field.update', 'field.update', 'field.create']);
        expect(entries[0].before).toMatchObject({ salesforceField: 'Description' });
        expect(entries[0].after).toMatchObject({ salesforceField: null });
    });

    it('When a Salesforce field is made Editable but Salesforce does not allow updates, then it is refused and nothing changes', async () => {
        await t.repos.fieldMappings.create(org.org.id, {
            objectApiName: 'Account',
            key: 'Account.Created',
            displayName: 'Created',
            salesforceField: 'CreatedDate',
            origin: 'salesforce',
            editable: false,
            type: 'datetime'
        });
        const res = await admin().patch('/api/v1/objects/Account/fields/Account.Created', { editable: true });
        expect(res.status).toBe(422);
        expect(res.body.error.message).toBe(
            'Field CreatedDate is not updateable in Salesforce, so it cannot be Editable'
        );
        expect((await t.repos.fieldMappings.get(org.org.id, 'Account.Created'))!.editable).toBe(false);
        expect(await audit('field:Account.Created')).toHaveLength(0);
        const noSf = await admin().patch('/api/v1/objects/Account/fields/Account.Created', { salesforceField: null });
        expect(noSf.body.error.message).toBe(
            'Salesforce field API name is required for fields that came from Salesforce'
        );
    });

    it('When only the display name changes, then no describe is needed; when describe is unreachable, changes needing it answer 503', async () => {
        schema.unreachable = new Error('connect ECONNREFUSED');
        try {
            const rename = await admin().patch('/api/v1/objects/Account/fields/Account.Name', {
                displayName: 'Company'
            });
            expect(rename.status).toBe(200);
            expect(rename.body.displayName).toBe('Company');
            const res = await admin().patch('/api/v1/objects/Account/fields/Account.Health', {
                salesforceField: 'Renewal_Date__c'
            });
            expect(res.status).toBe(503);
            expect(res.body.error).toEqual({
                code: 'SCHEMA_UNAVAILABLE',
                message: 'Cannot check field Renewal_Date__c against the org: connect ECONNREFUSED'
            });
        } finally {
            schema.unreachable = null;
        }
    });

    it('When the field does not exist on the object, then 404', async () => {
        expect((await admin().patch('/api/v1/objects/Account/fields/Account.Nope', { displayName: 'x' })).status).toBe(
            404
        );
        expect(
            (await admin().patch('/api/v1/objects/Account/fields/Success_Plan__c.Name', { displayName: 'x' })).status
        ).toBe(404);
    });
});

describe('without a Salesforce side wired', () => {
    it('When a field needs a describe check and no schema provider exists, then 503 SCHEMA_UNAVAILABLE (no stand-in)', async () => {
        const bare = await startTestCompanion();
        try {
            const o = await seedOrg(bare.repos);
            await seedObjects(bare.repos, o.org.id);
            const res = await apiClient(bare.url, o.tokens.admin).post('/api/v1/objects/Account/fields', {
                key: 'X',
                displayName: 'X',
                type: 'text',
                editable: true,
                salesforceField: 'Description'
            });
            expect(res.status).toBe(503);
            expect(res.body.error.code).toBe('SCHEMA_UNAVAILABLE');
        } finally {
            await bare.stop();
        }
    });
});
