/**
 * Conformance: wire details a real org shows — `//services/data` paths (the sf CLI keeps a trailing slash
 * on the instance URL), retired API versions (410 GONE) and a versions list that matches what is served,
 * the Organization record, sObject Tree, the 300 body of an ambiguous upsert, Bulk API 2.0 query refusals,
 * describe property keys (MasterRecordId, PhotoUrl) and platform-event describe without EventUuid.
 */
import type { RunningEmulator } from '../src/server';
import { VERSION, jsforce, soapLogin, start } from './conformance.helpers';

describe('conformance: wire details', () => {
    let emu: RunningEmulator;
    let conn: jsforce.Connection;
    const raw = (path: string, init: RequestInit = {}) =>
        fetch(`${emu.url}${path}`, {
            ...init,
            headers: {
                authorization: `Bearer ${conn.accessToken}`,
                'content-type': 'application/json',
                ...(init.headers ?? {})
            }
        });

    beforeAll(async () => {
        emu = await start({ seed: 'empty' });
        conn = await soapLogin(emu);
    });
    afterAll(() => emu.stop());

    it('serves //services/data/… as /services/data/…', async () => {
        const r = await raw(`//services/data/v${VERSION}/limits`);
        expect(r.status).toBe(200);
        expect(await r.json()).toHaveProperty('DailyApiRequests');
    });

    it('answers retired versions 7.0–30.0 with 410, unknown ones with 404, and lists exactly what it serves', async () => {
        for (const v of ['30.0', '21.0', '20.0']) expect((await raw(`/services/data/v${v}/limits`)).status).toBe(410);
        const gone = await raw('/services/data/v30.0/sobjects');
        expect((await gone.json()) as unknown[]).toEqual([expect.objectContaining({ errorCode: 'GONE' })]);
        expect((await raw('/services/data/v99.0/limits')).status).toBe(404);
        const list = (await (await fetch(`${emu.url}/services/data`)).json()) as Array<{ version: string }>;
        expect(list[0].version).toBe('31.0');
        for (const { version } of [list[0], list[list.length - 1]])
            expect((await raw(`/services/data/v${version}/limits`)).status).toBe(200);
        const next = `${Number(list[list.length - 1].version) + 1}.0`;
        expect((await raw(`/services/data/v${next}/limits`)).status).toBe(404);
    });

    it('has the Organization record (read-only)', async () => {
        const r = await conn.query<{ Id: string; NamespacePrefix: string | null; IsSandbox: boolean }>(
            'SELECT Id, Name, NamespacePrefix, IsSandbox, OrganizationType FROM Organization'
        );
        expect(r.records).toEqual([
            expect.objectContaining({ Id: emu.orgId, NamespacePrefix: null, IsSandbox: false })
        ]);
        const d = await conn.sobject('Organization').describe();
        expect(d).toMatchObject({ createable: false, updateable: false, deletable: false });
    });

    it('inserts an sObject Tree in one transaction and rolls it all back on one bad record', async () => {
        const tree = (lastName: string) => ({
            records: [
                {
                    attributes: { type: 'Account', referenceId: 'acc1' },
                    Name: 'Tree Co',
                    Contacts: { records: [{ attributes: { type: 'Contact', referenceId: 'c1' }, LastName: lastName }] }
                }
            ]
        });
        const ok = await raw(`/services/data/v${VERSION}/composite/tree/Account`, {
            method: 'POST',
            body: JSON.stringify(tree('Tee'))
        });
        expect(ok.status).toBe(201);
        const body = (await ok.json()) as { hasErrors: boolean; results: Array<{ referenceId: string; id: string }> };
        expect(body.hasErrors).toBe(false);
        expect(body.results.map((r) => r.referenceId)).toEqual(['acc1', 'c1']);
        expect(emu.org.store.get(body.results[1].id)?.rec.AccountId).toBe(body.results[0].id);
        const before = emu.org.store.count('Account');
        const bad = await raw(`/services/data/v${VERSION}/composite/tree/Account`, {
            method: 'POST',
            body: JSON.stringify(tree('x'.repeat(200)))
        });
        expect(bad.status).toBe(400);
        expect(await bad.json()).toEqual({
            hasErrors: true,
            results: [{ referenceId: 'c1', errors: [expect.objectContaining({ statusCode: 'STRING_TOO_LONG' })] }]
        });
        expect(emu.org.store.count('Account')).toBe(before);
        const dup = tree('Dup');
        dup.records[0].Contacts.records[0].attributes.referenceId = 'acc1';
        const d = await raw(`/services/data/v${VERSION}/composite/tree/Account`, {
            method: 'POST',
            body: JSON.stringify(dup)
        });
        expect(d.status).toBe(400);
        const over = {
            records: Array.from({ length: 201 }, (_, i) => ({
                attributes: { type: 'Account', referenceId: `r${i}` },
                Name: `A${i}`
            }))
        };
        const o = await raw(`/services/data/v${VERSION}/composite/tree/Account`, {
            method: 'POST',
            body: JSON.stringify(over)
        });
        expect(o.status).toBe(400);
        expect(emu.org.store.count('Account')).toBe(before);
    });

    it('answers an upsert matching several records with 300 and their record URLs', async () => {
        const ns = await start({ seed: 'empty' });
        try {
            const c = await soapLogin(ns);
            const ext = await fetch(`${ns.url}/__emulator/objects/Account/fields`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ name: 'Ext__c', type: 'string', externalId: true })
            });
            expect(ext.status).toBeLessThan(300);
            const ids = [];
            for (const n of ['One', 'Two'])
                ids.push(((await c.sobject('Account').create({ Name: n, Ext__c: 'same' })) as { id: string }).id);
            const r = await fetch(`${ns.url}/services/data/v${VERSION}/sobjects/Account/Ext__c/same`, {
                method: 'PATCH',
                headers: { authorization: `Bearer ${c.accessToken}`, 'content-type': 'application/json' },
                body: JSON.stringify({ Name: 'Three' })
            });
            expect(r.status).toBe(300);
            expect(await r.json()).toEqual(ids.map((i) => `/services/data/v${VERSION}/sobjects/Account/${i}`));
        } finally {
            await ns.stop();
        }
    });

    it('refuses in Bulk API 2.0 query jobs what Salesforce refuses there', async () => {
        for (const q of [
            'SELECT COUNT() FROM Account',
            'SELECT Id FROM Account LIMIT 5 OFFSET 1',
            'SELECT Id, (SELECT Id FROM Contacts) FROM Account'
        ]) {
            const r = await raw(`/services/data/v${VERSION}/jobs/query`, {
                method: 'POST',
                body: JSON.stringify({ operation: 'query', query: q })
            });
            expect([q, r.status]).toEqual([q, 400]);
            expect((await r.json()) as unknown[]).toEqual([expect.objectContaining({ errorCode: 'INVALIDJOB' })]);
        }
        const fine = await raw(`/services/data/v${VERSION}/jobs/query`, {
            method: 'POST',
            body: JSON.stringify({ operation: 'query', query: 'SELECT Id, Owner.Name FROM Account' })
        });
        expect(fine.status).toBe(200);
    });

    it('describes every field with the full property set, MasterRecordId and PhotoUrl; events without EventUuid', async () => {
        const d = await conn.sobject('Account').describe();
        const names = d.fields.map((f) => f.name);
        expect(names).toEqual(expect.arrayContaining(['MasterRecordId', 'PhotoUrl']));
        const master = d.fields.find((f) => f.name === 'MasterRecordId')!;
        expect(master).toMatchObject({
            type: 'reference',
            referenceTo: ['Account'],
            relationshipName: 'MasterRecord',
            createable: false
        });
        for (const key of [
            'aiPredictionField',
            'displayLocationInDecimal',
            'encrypted',
            'filteredLookupInfo',
            'formulaTreatNullNumberAsZero',
            'highScaleNumber',
            'queryByDistance',
            'searchPrefilterable'
        ])
            expect(master).toHaveProperty(key);
        const evt = await conn.sobject('Record_Change__e').describe();
        expect(evt.fields.map((f) => f.name)).not.toContain('EventUuid');
        expect(evt.fields.map((f) => f.name)).toEqual(
            expect.arrayContaining(['ReplayId', 'CreatedDate', 'CreatedById'])
        );
    });

    it('describes and returns compound address fields; Bulk 2.0 query jobs refuse them', async () => {
        const d = await conn.sobject('Account').describe();
        const field = (n: string) => d.fields.find((f) => f.name === n)!;
        expect(field('BillingAddress')).toMatchObject({
            type: 'address',
            soapType: 'urn:address',
            createable: false,
            filterable: false
        });
        expect(field('BillingStreet').compoundFieldName).toBe('BillingAddress');
        expect(field('Name').compoundFieldName).toBeNull();
        const id = (
            (await conn
                .sobject('Account')
                .create({ Name: 'Addr Co', BillingCity: 'Lyon', BillingCountry: 'France' })) as { id: string }
        ).id;
        const rec = (await conn.sobject('Account').retrieve(id)) as unknown as Record<string, unknown>;
        expect(rec.BillingAddress).toEqual({
            city: 'Lyon',
            country: 'France',
            geocodeAccuracy: null,
            latitude: null,
            longitude: null,
            postalCode: null,
            state: null,
            street: null
        });
        expect(rec.ShippingAddress).toBeNull();
        const q = await conn.query<{ BillingAddress: { city: string } }>(
            `SELECT BillingAddress FROM Account WHERE Id = '${id}'`
        );
        expect(q.records[0].BillingAddress.city).toBe('Lyon');
        const bulk = await raw(`/services/data/v${VERSION}/jobs/query`, {
            method: 'POST',
            body: JSON.stringify({ operation: 'query', query: 'SELECT Id, BillingAddress FROM Account' })
        });
        expect(bulk.status).toBe(400);
    });

    it('answers what it does not emulate exactly as Salesforce answers an unknown resource', async () => {
        const NOT_FOUND = [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }];
        for (const [method, path] of [
            ['GET', `/services/data/v${VERSION}/tooling/executeAnonymous?anonymousBody=x`],
            ['GET', `/services/data/v${VERSION}/tooling/query?q=SELECT+Id+FROM+ApexClass`],
            ['GET', `/services/data/v${VERSION}/search?q=x`],
            ['GET', `/services/data/v${VERSION}/recent`],
            ['GET', `/services/data/v${VERSION}/ui-api/object-info`],
            ['POST', `/services/data/v${VERSION}/composite/graph`],
            ['POST', '/services/async/62.0/job'],
            ['POST', '/services/Soap/m/62.0'],
            ['GET', '/services/apexrest/anything']
        ]) {
            const r = await raw(path, { method, body: method === 'POST' ? '{}' : undefined });
            expect([path, r.status, await r.json()]).toEqual([path, 404, NOT_FOUND]);
        }
    });
});
