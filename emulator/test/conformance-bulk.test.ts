/**
 * Conformance: Bulk API 2.0 ingest and query jobs through jsforce's `conn.bulk2`.
 */
import type { RunningEmulator } from '../src/server';
import { VERSION, jsforce, soapLogin, start } from './conformance.helpers';

jest.setTimeout(20000);

describe('conformance: Bulk API 2.0', () => {
    let emu: RunningEmulator;
    let conn: jsforce.Connection;

    beforeAll(async () => {
        emu = await start({ seed: 'bench:2500' });
        conn = await soapLogin(emu);
        conn.bulk2.pollInterval = 50;
    });
    afterAll(() => emu.stop());

    it('ingests CSV: insert with per-row successes and failures (sf__Id, sf__Created, sf__Error)', async () => {
        const input = 'Name,Industry,NumberOfEmployees\nBulk One,Banking,\n,Retail,\nBulk Three,,many\n';
        const res = await conn.bulk2.loadAndWaitForResults({
            object: 'Account',
            operation: 'insert',
            input,
            pollInterval: 50,
            pollTimeout: 10000
        });
        expect(res.successfulResults).toHaveLength(1);
        expect(res.successfulResults[0]).toMatchObject({ sf__Created: 'true', Name: 'Bulk One', Industry: 'Banking' });
        expect(res.successfulResults[0].sf__Id).toMatch(/^001[A-Za-z0-9]{15}$/);
        expect(res.failedResults).toHaveLength(2);
        expect(res.failedResults[0].sf__Error).toBe(
            'REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --'
        );
        expect(res.failedResults[1].sf__Error).toMatch(/^JSON_PARSER_ERROR:Cannot deserialize instance of int/);
        expect(res.unprocessedRecords).toHaveLength(0);
        const got = await conn.sobject('Account').retrieve(res.successfulResults[0].sf__Id as string);
        expect(got.Industry).toBe('Banking');
    });

    it('ingests updates and upserts by external id', async () => {
        const [a] = (await conn.query<{ Id: string }>("SELECT Id FROM Account WHERE Name = 'Bulk One'")).records;
        const up = await conn.bulk2.loadAndWaitForResults({
            object: 'Account',
            operation: 'update',
            input: [{ Id: a.Id, Rating: 'Warm' }],
            pollInterval: 50,
            pollTimeout: 10000
        });
        expect(up.successfulResults).toEqual([expect.objectContaining({ sf__Id: a.Id, sf__Created: 'false' })]);
        const ups = await conn.bulk2.loadAndWaitForResults({
            object: 'Sync_Object__c',
            operation: 'upsert',
            externalIdFieldName: 'Object_Api_Name__c',
            input: [
                { Object_Api_Name__c: 'Lead', Display_Name__c: 'Leads' },
                { Object_Api_Name__c: 'Case', Display_Name__c: 'Cases' }
            ],
            pollInterval: 50,
            pollTimeout: 10000
        });
        expect(ups.successfulResults.map((r) => r.sf__Created)).toEqual(['true', 'true']);
        const again = await conn.bulk2.loadAndWaitForResults({
            object: 'Sync_Object__c',
            operation: 'upsert',
            externalIdFieldName: 'Object_Api_Name__c',
            input: [{ Object_Api_Name__c: 'Lead', Display_Name__c: 'All leads' }],
            pollInterval: 50,
            pollTimeout: 10000
        });
        expect(again.successfulResults[0]).toMatchObject({
            sf__Created: 'false',
            sf__Id: ups.successfulResults[0].sf__Id
        });
    });

    it('deletes to the recycle bin and hard-deletes past it', async () => {
        const made = await conn.sobject('Account').create([{ Name: 'Soft' }, { Name: 'Hard' }]);
        const [soft, hard] = made.map((r) => r.id!);
        const d = await conn.bulk2.loadAndWaitForResults({
            object: 'Account',
            operation: 'delete',
            input: [{ Id: soft }],
            pollInterval: 50,
            pollTimeout: 10000
        });
        expect(d.successfulResults).toEqual([expect.objectContaining({ sf__Id: soft })]);
        const h = await conn.bulk2.loadAndWaitForResults({
            object: 'Account',
            operation: 'hardDelete',
            input: [{ Id: hard }],
            pollInterval: 50,
            pollTimeout: 10000
        });
        expect(h.successfulResults).toEqual([expect.objectContaining({ sf__Id: hard })]);
        const bin = await conn.query<{ Id: string }>(`SELECT Id FROM Account WHERE Id IN ('${soft}', '${hard}')`, {
            scanAll: true
        });
        expect(bin.records.map((r) => r.Id)).toEqual([soft]);
    });

    it('runs query jobs with paged CSV results (Sforce-Locator, Sforce-NumberOfRecords)', async () => {
        const rows: Array<Record<string, string>> = [];
        const stream = await conn.bulk2.query('SELECT Id, Name, Owner.Username FROM Account', {
            pollInterval: 50,
            pollTimeout: 10000
        });
        await new Promise<void>((resolve, reject) => {
            stream.on('record', (r: Record<string, string>) => rows.push(r));
            stream.on('end', () => resolve());
            stream.on('error', reject);
        });
        expect(rows.length).toBe(2501);
        expect(rows[0]).toEqual({
            Id: expect.stringMatching(/^001/),
            Name: expect.any(String),
            'Owner.Username': 'admin@statisfy.test'
        });
        // Paging headers, read raw.
        const job = await conn.request<{ id: string }>({
            method: 'POST',
            url: `/services/data/v${VERSION}/jobs/query`,
            body: JSON.stringify({ operation: 'query', query: 'SELECT Id FROM Account' }),
            headers: { 'Content-Type': 'application/json' }
        });
        const auth = { Authorization: `Bearer ${conn.accessToken}` };
        const info = await fetch(`${emu.url}/services/data/v${VERSION}/jobs/query/${job.id}`, { headers: auth }).then(
            (r) => r.json()
        );
        expect(info.state).toBe('JobComplete');
        const page1 = await fetch(`${emu.url}/services/data/v${VERSION}/jobs/query/${job.id}/results?maxRecords=2000`, {
            headers: auth
        });
        expect(page1.headers.get('sforce-numberofrecords')).toBe('2000');
        const loc = page1.headers.get('sforce-locator')!;
        expect(loc).not.toBe('null');
        expect((await page1.text()).trim().split('\n')).toHaveLength(2001);
        const page2 = await fetch(
            `${emu.url}/services/data/v${VERSION}/jobs/query/${job.id}/results?maxRecords=2000&locator=${loc}`,
            { headers: auth }
        );
        expect(page2.headers.get('sforce-locator')).toBe('null');
        expect(page2.headers.get('sforce-numberofrecords')).toBe('501');
    });

    it('reports job errors in Salesforce shape', async () => {
        const res = await fetch(`${emu.url}/services/data/v${VERSION}/jobs/ingest`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${conn.accessToken}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ object: 'NoSuch__c', operation: 'insert' })
        });
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual([
            { errorCode: 'INVALIDJOB', message: 'InvalidJob : Invalid object: NoSuch__c' }
        ]);
    });
});
