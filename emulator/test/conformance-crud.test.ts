/**
 * Conformance: login, sObject CRUD, describe, error bodies, upsert, delete/undelete/queryAll —
 * driven by unmodified jsforce 3 against the emulator.
 */
import * as jwt from 'jsonwebtoken';
import { devJwtPrivateKeyPem } from '../src/auth/dev-jwt';
import type { RunningEmulator } from '../src/server';
import {
    ADMIN,
    PASSWORD,
    VERSION,
    apiUsed,
    errorOf,
    jsforce,
    oauthLogin,
    soapLogin,
    start
} from './conformance.helpers';

describe('conformance: login, CRUD, describe, errors', () => {
    let emu: RunningEmulator;
    let conn: jsforce.Connection;

    beforeAll(async () => {
        emu = await start({ seed: 'demo' });
        conn = await soapLogin(emu);
    });
    afterAll(() => emu.stop());

    it('logs in through SOAP login() and the OAuth password grant; both reach the REST API', async () => {
        expect(conn.instanceUrl).toBe(emu.url);
        expect(conn.userInfo?.organizationId.slice(0, 15)).toBe(emu.orgId.slice(0, 15));
        expect(conn.userInfo?.id).toBe(emu.users[0].id);
        const o = await oauthLogin(emu);
        expect(o.accessToken).toBeTruthy();
        const r = await o.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1');
        expect(r.records).toHaveLength(1);
        const bad = new jsforce.Connection({ loginUrl: emu.url, version: VERSION });
        await expect(bad.login(ADMIN, 'wrong' + PASSWORD)).rejects.toThrow(/INVALID_LOGIN|Invalid username/);
    });

    it('logs in with the JWT bearer grant signed by the development key (as the companion does)', async () => {
        const assertion = jwt.sign(
            { iss: emu.clientId, sub: 'integration@statisfy.test', aud: 'https://login.salesforce.com' },
            devJwtPrivateKeyPem(),
            {
                algorithm: 'RS256',
                expiresIn: 180
            }
        );
        const c = new jsforce.Connection({ oauth2: { loginUrl: emu.url, clientId: emu.clientId }, version: VERSION });
        await c.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
        expect(c.userInfo?.id).toBe(emu.users[1].id);
        const r = await c.query('SELECT Id FROM User');
        expect(r.totalSize).toBe(3);
    });

    it('creates, retrieves, updates and deletes a record; system fields move on every write', async () => {
        const created = await conn
            .sobject('Account')
            .create({ Name: 'Conformance Co', Industry: 'Banking', AnnualRevenue: 1200000.5 });
        expect(created).toEqual({ id: expect.stringMatching(/^001[A-Za-z0-9]{15}$/), success: true, errors: [] });
        const a = await conn.sobject('Account').retrieve(created.id!);
        expect(a).toMatchObject({
            attributes: { type: 'Account', url: `/services/data/v${VERSION}/sobjects/Account/${created.id}` },
            Id: created.id,
            Name: 'Conformance Co',
            Industry: 'Banking',
            AnnualRevenue: 1200001, // currency(18,0): rounded to the field's scale
            IsDeleted: false,
            OwnerId: conn.userInfo!.id,
            CreatedById: conn.userInfo!.id,
            Phone: null
        });
        expect(a.SystemModstamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
        const upd = await conn.sobject('Account').update({ Id: created.id!, Rating: 'Hot' });
        expect(upd).toMatchObject({ id: created.id, success: true });
        const b = await conn.sobject('Account').retrieve(created.id!);
        expect(b.Rating).toBe('Hot');
        expect(b.SystemModstamp > a.SystemModstamp).toBe(true);
        expect(b.LastModifiedDate > a.LastModifiedDate).toBe(true);
        const del = await conn.sobject('Account').destroy(created.id!);
        expect(del).toMatchObject({ id: created.id, success: true });
        const gone = await errorOf(() => conn.sobject('Account').retrieve(created.id!));
        expect(gone.errorCode).toBe('ENTITY_IS_DELETED');
    });

    it('retrieves selected fields with ?fields=', async () => {
        const [acc] = (await conn.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1')).records;
        const r = await conn.request<Record<string, unknown>>(
            `/services/data/v${VERSION}/sobjects/Account/${acc.Id}?fields=Name,Industry`
        );
        expect(Object.keys(r)).toEqual(['attributes', 'Name', 'Industry']);
    });

    it('describes objects with realistic field metadata', async () => {
        const g = await conn.describeGlobal();
        const names = g.sobjects.map((s) => s.name);
        for (const n of [
            'Account',
            'Contact',
            'Lead',
            'Opportunity',
            'User',
            'Sync_Object__c',
            'Field_Mapping__c',
            'Record_Change__e',
            'Success_Plan__c'
        ])
            expect(names).toContain(n);
        const d = await conn.sobject('Opportunity').describe();
        const f = (n: string) => d.fields.find((x) => x.name === n)!;
        expect(d.keyPrefix).toBe('006');
        expect(f('StageName')).toMatchObject({ type: 'picklist', nillable: false, createable: true });
        expect(f('StageName').picklistValues!.map((p) => p.value)).toContain('Closed Won');
        expect(f('Amount')).toMatchObject({ type: 'currency', precision: 18, scale: 2 });
        expect(f('Probability').type).toBe('percent');
        expect(f('CloseDate').type).toBe('date');
        expect(f('IsWon')).toMatchObject({ type: 'boolean', createable: false, updateable: false });
        expect(f('AccountId')).toMatchObject({
            type: 'reference',
            referenceTo: ['Account'],
            relationshipName: 'Account'
        });
        expect(f('Id')).toMatchObject({ type: 'id', length: 18 });
        const fm = await conn.sobject('Field_Mapping__c').describe();
        const so = fm.fields.find((x) => x.name === 'Sync_Object__c')!;
        expect(so).toMatchObject({
            type: 'reference',
            referenceTo: ['Sync_Object__c'],
            cascadeDelete: true,
            relationshipName: 'Sync_Object__r'
        });
        const sod = await conn.sobject('Sync_Object__c').describe();
        expect(sod.childRelationships).toContainEqual(
            expect.objectContaining({
                childSObject: 'Field_Mapping__c',
                field: 'Sync_Object__c',
                relationshipName: 'Field_Mappings__r',
                cascadeDelete: true
            })
        );
        const acct = await conn.sobject('Account').describe();
        expect(acct.fields.find((x) => x.name === 'Industry')!.picklistValues!.map((p) => p.value)).toContain(
            'Technology'
        );
        expect(acct.fields.find((x) => x.name === 'NumberOfEmployees')!.type).toBe('int');
    });

    it('returns Salesforce error bodies: array of {message, errorCode, fields}', async () => {
        const res = await fetch(`${emu.url}/services/data/v${VERSION}/sobjects/Account`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${conn.accessToken}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ Name: 'x'.repeat(256) })
        });
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
        expect(res.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/100000$/);
        expect(await res.json()).toEqual([
            {
                message: `Account Name: data value too large: ${'x'.repeat(80)}... (max length=255)`,
                errorCode: 'STRING_TOO_LONG',
                fields: ['Name']
            }
        ]);
        const cases: Array<[Record<string, unknown>, string, string, string[]]> = [
            [{ Name: 'a', Foo__c: 1 }, 'INVALID_FIELD', "No such column 'Foo__c' on sobject of type Account", []],
            [{ Industry: 'Banking' }, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Name]', ['Name']],
            [
                { Name: 'a', CreatedDate: '2020-01-01T00:00:00Z' },
                'INVALID_FIELD_FOR_INSERT_UPDATE',
                'Unable to create/update fields: CreatedDate. Please check the security settings of this field and verify that it is read/write for your profile or permission set.',
                ['CreatedDate']
            ],
            [
                { Name: 'a', ParentId: 'not-an-id' },
                'MALFORMED_ID',
                'Parent Account ID: id value of incorrect type: not-an-id',
                ['ParentId']
            ]
        ];
        for (const [body, code, message, fields] of cases) {
            const e = await errorOf(() => conn.sobject('Account').create(body));
            expect({ code: e.errorCode, message: e.message, data: e.data }).toEqual({
                code,
                message,
                data: { errorCode: code, message, fields }
            });
        }
        const so = await errorOf(() =>
            conn.sobject('Sync_Object__c').create({ Object_Api_Name__c: 'Lead', Conflict_Policy__c: 'Whatever' })
        );
        expect(so.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
        expect(so.message).toBe('Conflict Policy: bad value for restricted picklist field: Whatever');
        const badJson = await fetch(`${emu.url}/services/data/v${VERSION}/sobjects/Account`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${conn.accessToken}`, 'Content-Type': 'application/json' },
            body: '{"Name": '
        });
        expect(badJson.status).toBe(400);
        expect((await badJson.json())[0].errorCode).toBe('JSON_PARSER_ERROR');
        const unknown = await errorOf(() => conn.sobject('NoSuch__c').create({ Name: 'x' }));
        expect(unknown.errorCode).toBe('NOT_FOUND');
        const soql = await errorOf(() => conn.query('SELECT Id FROM NoSuch__c'));
        expect(soql.errorCode).toBe('INVALID_TYPE');
        const unauth = await fetch(`${emu.url}/services/data/v${VERSION}/limits`, {
            headers: { Authorization: 'Bearer nope' }
        });
        expect(unauth.status).toBe(401);
        expect(await unauth.json()).toEqual([
            { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }
        ]);
    });

    it('upserts by external id: 201 created, 200 updated, 300 MULTIPLE_CHOICES', async () => {
        const r1 = await conn
            .sobject('Sync_Object__c')
            .upsert({ Object_Api_Name__c: 'Lead', Display_Name__c: 'Leads', Enabled__c: false }, 'Object_Api_Name__c');
        expect(r1).toMatchObject({ success: true, created: true });
        const r2 = await conn
            .sobject('Sync_Object__c')
            .upsert({ Object_Api_Name__c: 'lead', Display_Name__c: 'All Leads' }, 'Object_Api_Name__c');
        expect(r2).toMatchObject({ id: (r1 as { id: string }).id, success: true, created: false });
        const rec = await conn.sobject('Sync_Object__c').retrieve((r1 as { id: string }).id);
        expect(rec.Display_Name__c).toBe('All Leads');
        // Two Success plans share a non-unique external id field added at run time.
        emu.org.addField('Success_Plan__c', { name: 'Plan_Code__c', type: 'string', length: 20, externalId: true });
        await conn.sobject('Success_Plan__c').create([
            { Name: 'A', Plan_Code__c: 'DUP' },
            { Name: 'B', Plan_Code__c: 'DUP' }
        ]);
        const multi = await errorOf(() =>
            conn.sobject('Success_Plan__c').upsert({ Plan_Code__c: 'DUP', Goal__c: 'x' }, 'Plan_Code__c')
        );
        expect(multi.errorCode).toBe('MULTIPLE_CHOICES');
        const notExt = await errorOf(() => conn.sobject('Account').upsert({ Name: 'x' }, 'Name'));
        expect(notExt.errorCode).toBe('NOT_FOUND');
    });

    it('deletes to the recycle bin: queryAll sees IsDeleted, SOAP undelete restores, with cascade to details', async () => {
        const so = await conn
            .sobject('Sync_Object__c')
            .create({ Object_Api_Name__c: 'Case', Display_Name__c: 'Cases' });
        const fm = await conn.sobject('Field_Mapping__c').create({
            Sync_Object__c: so.id,
            Key__c: 'Case.Subject',
            Display_Name__c: 'Subject',
            Salesforce_Field__c: 'Subject'
        });
        await conn.sobject('Sync_Object__c').destroy(so.id!);
        const live = await conn.query(`SELECT Id FROM Field_Mapping__c WHERE Id = '${fm.id}'`);
        expect(live.totalSize).toBe(0);
        const all = await conn.query<{ Id: string; IsDeleted: boolean }>(
            `SELECT Id, IsDeleted FROM Field_Mapping__c WHERE Id = '${fm.id}'`,
            { scanAll: true }
        );
        expect(all.records).toEqual([expect.objectContaining({ Id: fm.id, IsDeleted: true })]);
        const again = await errorOf(() => conn.sobject('Sync_Object__c').destroy(so.id!));
        expect(again.errorCode).toBe('ENTITY_IS_DELETED');
        const und = await conn.soap.undelete([so.id!]);
        expect(und).toEqual([expect.objectContaining({ id: so.id, success: true })]);
        const back = await conn.query(`SELECT Id FROM Field_Mapping__c WHERE Id = '${fm.id}'`);
        expect(back.totalSize).toBe(1);
        const notInBin = await conn.soap.undelete([so.id!]);
        expect(notInBin[0]).toMatchObject({
            success: false,
            errors: [expect.objectContaining({ statusCode: 'UNDELETE_FAILED' })]
        });
    });

    it('lists records updated and deleted in a window (replication API)', async () => {
        const start = new Date(emu.clock.nowMs() - 60_000);
        const a = await conn.sobject('Account').create({ Name: 'Replicated' });
        const b = await conn.sobject('Account').create({ Name: 'Gone soon' });
        await conn.sobject('Account').destroy(b.id!);
        const end = new Date(emu.clock.nowMs() + 60_000);
        const updated = await conn.sobject('Account').updated(start.toISOString(), end.toISOString());
        expect(updated.ids).toContain(a.id);
        expect(updated.ids).not.toContain(b.id);
        const deleted = await conn.sobject('Account').deleted(start.toISOString(), end.toISOString());
        expect(deleted.deletedRecords).toContainEqual({ id: b.id, deletedDate: expect.stringMatching(/\+0000$/) });
        expect(deleted.deletedRecords.map((r) => r.id)).not.toContain(a.id);
        const tooOld = await errorOf(() =>
            conn.sobject('Account').updated(new Date(Date.now() - 40 * 86400_000).toISOString(), end.toISOString())
        );
        expect(tooOld.errorCode).toBe('INVALID_REPLICATION_DATE');
    });

    it('serves /limits and Sforce-Limit-Info that jsforce reads into conn.limitInfo', async () => {
        const before = apiUsed(emu);
        const limits = await conn.limits();
        expect(limits.DailyApiRequests.Max).toBe(100000);
        expect(limits.DailyApiRequests.Remaining).toBe(100000 - before - 1);
        expect(conn.limitInfo.apiUsage).toEqual({ used: before + 1, limit: 100000 });
        const versions = await fetch(`${emu.url}/services/data`).then((r) => r.json());
        expect(versions).toContainEqual({ label: "Spring '24", url: '/services/data/v60.0', version: '60.0' });
    });

    it('publishes platform events over REST with the OPERATION_ENQUEUED result', async () => {
        const r = await conn
            .sobject('Sync_Request__e')
            .create({ Object_Api_Name__c: 'Account', Kind__c: 'FULL', Requested_By_Id__c: conn.userInfo!.id });
        expect(r).toMatchObject({
            success: true,
            errors: [
                { statusCode: 'OPERATION_ENQUEUED', message: expect.stringMatching(/^[0-9a-f-]{36}$/), fields: [] }
            ]
        });
        const schema = await conn.request<{ name: string }>(
            `/services/data/v${VERSION}/sobjects/Sync_Request__e/eventSchema`
        );
        expect(schema.name).toBe('Sync_Request__e');
        const schemaId = emu.org.bus.schemaIdFor('Sync_Request__e');
        const byId = await conn.request<{ name: string }>(`/services/data/v${VERSION}/event/eventSchema/${schemaId}`);
        expect(byId.name).toBe('Sync_Request__e');
        expect(JSON.stringify(byId)).toContain('Requested_By_Id__c');
        const missing = await errorOf(() => conn.request(`/services/data/v${VERSION}/event/eventSchema/nope`));
        expect(missing.errorCode).toBe('NOT_FOUND');
    });
});
