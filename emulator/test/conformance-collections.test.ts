/**
 * Conformance: sObject Collections and Composite with unmodified jsforce 3 — a 200-record update is
 * one API call, 201 records get EXCEEDED_ID_LIMIT, allOrNone rolls back, per-record results come in
 * input order; Composite resolves references and halts with PROCESSING_HALTED under allOrNone.
 */
import type { RunningEmulator } from '../src/server';
import { VERSION, apiUsed, errorOf, jsforce, soapLogin, start } from './conformance.helpers';

describe('conformance: collections and composite', () => {
    let emu: RunningEmulator;
    let conn: jsforce.Connection;
    let ids: string[];

    beforeAll(async () => {
        emu = await start({ seed: 'bench:250' });
        conn = await soapLogin(emu);
        ids = (await conn.query<{ Id: string }>('SELECT Id FROM Account ORDER BY Name LIMIT 201')).records.map(
            (r) => r.Id
        );
    });
    afterAll(() => emu.stop());

    it('updates 200 records in ONE API call (counter, Sforce-Limit-Info, conn.limitInfo)', async () => {
        const before = apiUsed(emu);
        const byEndpoint = emu.org.api.report().byEndpoint['PATCH /composite/sobjects'] ?? 0;
        const res = await conn
            .sobject('Account')
            .update(ids.slice(0, 200).map((Id, i) => ({ Id, NumberOfEmployees: 1000 + i })));
        expect(res).toHaveLength(200);
        expect(res.every((r) => r.success)).toBe(true);
        expect(res.map((r) => r.id)).toEqual(ids.slice(0, 200));
        expect(apiUsed(emu)).toBe(before + 1);
        expect(emu.org.api.report().byEndpoint['PATCH /composite/sobjects']).toBe(byEndpoint + 1);
        expect(conn.limitInfo.apiUsage?.used).toBe(before + 1);
        const check = await conn.query<{ NumberOfEmployees: number }>(
            `SELECT NumberOfEmployees FROM Account WHERE Id = '${ids[199]}'`
        );
        expect(check.records[0].NumberOfEmployees).toBe(1199);
    });

    it('rejects 201 records with EXCEEDED_ID_LIMIT', async () => {
        const e = await errorOf(() => conn.sobject('Account').update(ids.map((Id) => ({ Id, Rating: 'Hot' }))));
        expect(e.errorCode).toBe('EXCEEDED_ID_LIMIT');
        expect(e.message).toBe('record limit reached. cannot submit more than 200 records into this call');
    });

    it('returns per-record results in input order and keeps the good records without allOrNone', async () => {
        const res = await conn
            .sobject('Account')
            .create([{ Name: 'Good 1' }, { Industry: 'Banking' }, { Name: 'Good 2' }]);
        expect(res[0]).toMatchObject({ success: true });
        expect(res[1]).toEqual({
            success: false,
            errors: [
                {
                    statusCode: 'REQUIRED_FIELD_MISSING',
                    message: 'Required fields are missing: [Name]',
                    fields: ['Name']
                }
            ]
        });
        expect(res[2]).toMatchObject({ success: true });
        const n = await conn.query(`SELECT Id FROM Account WHERE Name IN ('Good 1','Good 2')`);
        expect(n.totalSize).toBe(2);
    });

    it('rolls everything back with allOrNone and reports ALL_OR_NONE_OPERATION_ROLLED_BACK', async () => {
        const res = await conn.sobject('Account').update(
            [
                { Id: ids[0], Name: 'Renamed A' },
                { Id: ids[1], Name: 'x'.repeat(300) },
                { Id: ids[2], Name: 'Renamed C' }
            ],
            { allOrNone: true }
        );
        expect(res[0]).toMatchObject({
            success: false,
            errors: [
                {
                    statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                    message:
                        'Record rolled back because not all records were valid and the request was using AllOrNone header',
                    fields: []
                }
            ]
        });
        expect(res[1]).toMatchObject({
            success: false,
            errors: [expect.objectContaining({ statusCode: 'STRING_TOO_LONG' })]
        });
        expect(res[2]).toMatchObject({
            success: false,
            errors: [expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' })]
        });
        const names = await conn.query(`SELECT Id FROM Account WHERE Name LIKE 'Renamed%'`);
        expect(names.totalSize).toBe(0);
    });

    it('retrieves, upserts and deletes collections', async () => {
        const recs = await conn.sobject('Account').retrieve(ids.slice(0, 3), { fields: ['Id', 'Name'] });
        expect(recs.map((r) => r.Id)).toEqual(ids.slice(0, 3));
        const up = await conn.sobject('Sync_Object__c').upsert(
            [
                { Object_Api_Name__c: 'Lead', Display_Name__c: 'Leads' },
                { Object_Api_Name__c: 'Case', Display_Name__c: 'Cases' }
            ],
            'Object_Api_Name__c'
        );
        expect(up.map((r) => (r as { created: boolean }).created)).toEqual([true, true]);
        const up2 = await conn
            .sobject('Sync_Object__c')
            .upsert([{ Object_Api_Name__c: 'Lead', Display_Name__c: 'All leads' }], 'Object_Api_Name__c');
        expect(up2[0]).toMatchObject({ success: true, created: false, id: up[0].id });
        const del = await conn.sobject('Sync_Object__c').destroy([up[0].id!, up[1].id!]);
        expect(del.map((r) => r.success)).toEqual([true, true]);
    });

    it('runs Composite with @{ref.id} and @{ref.records[0].Id} references as ONE API call', async () => {
        const before = apiUsed(emu);
        const res = await conn.request<{
            compositeResponse: Array<{
                body: unknown;
                httpStatusCode: number;
                referenceId: string;
                httpHeaders: Record<string, string>;
            }>;
        }>({
            method: 'POST',
            url: `/services/data/v${VERSION}/composite`,
            body: JSON.stringify({
                allOrNone: false,
                compositeRequest: [
                    {
                        method: 'POST',
                        url: `/services/data/v${VERSION}/sobjects/Account`,
                        referenceId: 'newAcc',
                        body: { Name: 'Composite Co' }
                    },
                    {
                        method: 'POST',
                        url: `/services/data/v${VERSION}/sobjects/Contact`,
                        referenceId: 'newCon',
                        body: { LastName: 'Ref', AccountId: '@{newAcc.id}' }
                    },
                    {
                        method: 'GET',
                        url: `/services/data/v${VERSION}/query?q=SELECT+Id,AccountId+FROM+Contact+WHERE+LastName='Ref'`,
                        referenceId: 'q'
                    },
                    {
                        method: 'PATCH',
                        url: `/services/data/v${VERSION}/sobjects/Contact/@{q.records[0].Id}`,
                        referenceId: 'upd',
                        body: { Title: 'CTO' }
                    },
                    {
                        method: 'GET',
                        url: `/services/data/v${VERSION}/sobjects/Contact/@{newCon.id}?fields=Title,AccountId`,
                        referenceId: 'get'
                    }
                ]
            }),
            headers: { 'Content-Type': 'application/json' }
        });
        expect(apiUsed(emu)).toBe(before + 1);
        const r = res.compositeResponse;
        expect(r.map((x) => [x.referenceId, x.httpStatusCode])).toEqual([
            ['newAcc', 201],
            ['newCon', 201],
            ['q', 200],
            ['upd', 204],
            ['get', 200]
        ]);
        expect(r[0].httpHeaders.Location).toMatch(/\/sobjects\/Account\/001/);
        const acc = (r[0].body as { id: string }).id;
        expect(r[4].body).toMatchObject({ Title: 'CTO', AccountId: acc });
        expect(r[3].body).toBeNull();
    });

    it('halts Composite with allOrNone: the failing subrequest keeps its error, the others get PROCESSING_HALTED and nothing is saved', async () => {
        const res = await conn.request<{
            compositeResponse: Array<{ body: unknown; httpStatusCode: number; referenceId: string }>;
        }>({
            method: 'POST',
            url: `/services/data/v${VERSION}/composite`,
            body: JSON.stringify({
                allOrNone: true,
                compositeRequest: [
                    {
                        method: 'POST',
                        url: `/services/data/v${VERSION}/sobjects/Account`,
                        referenceId: 'a1',
                        body: { Name: 'Halted Co' }
                    },
                    {
                        method: 'POST',
                        url: `/services/data/v${VERSION}/sobjects/Contact`,
                        referenceId: 'c1',
                        body: { AccountId: '@{a1.id}' }
                    },
                    {
                        method: 'POST',
                        url: `/services/data/v${VERSION}/sobjects/Account`,
                        referenceId: 'a2',
                        body: { Name: 'Never' }
                    }
                ]
            }),
            headers: { 'Content-Type': 'application/json' }
        });
        const halted = [
            {
                errorCode: 'PROCESSING_HALTED',
                message: 'The transaction was rolled back since another operation in the same transaction failed.'
            }
        ];
        expect(res.compositeResponse).toEqual([
            { body: halted, httpHeaders: {}, httpStatusCode: 400, referenceId: 'a1' },
            {
                body: [
                    {
                        message: 'Required fields are missing: [LastName]',
                        errorCode: 'REQUIRED_FIELD_MISSING',
                        fields: ['LastName']
                    }
                ],
                httpHeaders: {},
                httpStatusCode: 400,
                referenceId: 'c1'
            },
            { body: halted, httpHeaders: {}, httpStatusCode: 400, referenceId: 'a2' }
        ]);
        const n = await conn.query(`SELECT Id FROM Account WHERE Name IN ('Halted Co', 'Never')`);
        expect(n.totalSize).toBe(0);
    });

    it('enforces the Composite limits: 25 subrequests, at most 5 queries or collections', async () => {
        const sub = (i: number, url: string) => ({ method: 'GET', url, referenceId: `r${i}` });
        const many = Array.from({ length: 26 }, (_, i) => sub(i, `/services/data/v${VERSION}/limits`));
        const e1 = await errorOf(() =>
            conn.request({
                method: 'POST',
                url: `/services/data/v${VERSION}/composite`,
                body: JSON.stringify({ compositeRequest: many }),
                headers: { 'Content-Type': 'application/json' }
            })
        );
        expect(e1.message).toMatch(/at most 25 subrequests/);
        const queries = Array.from({ length: 6 }, (_, i) =>
            sub(i, `/services/data/v${VERSION}/query?q=SELECT+Id+FROM+Account+LIMIT+1`)
        );
        const e2 = await errorOf(() =>
            conn.request({
                method: 'POST',
                url: `/services/data/v${VERSION}/composite`,
                body: JSON.stringify({ compositeRequest: queries }),
                headers: { 'Content-Type': 'application/json' }
            })
        );
        expect(e2.message).toMatch(/at most 5 query or sObject Collections subrequests/);
    });
});
