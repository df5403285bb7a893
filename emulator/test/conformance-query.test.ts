/**
 * Conformance: query pagination across 2,500+ records with unmodified jsforce 3 — queryMore with
 * locators (valid under /query and /queryAll), autoFetch, the Sforce-Query-Options batch size — and
 * the time to serve a 2,000-record page.
 */
import type { RunningEmulator } from '../src/server';
import { VERSION, errorOf, jsforce, soapLogin, start } from './conformance.helpers';

describe('conformance: query pagination', () => {
    let emu: RunningEmulator;
    let conn: jsforce.Connection;
    const N = 2600;

    beforeAll(async () => {
        emu = await start({ seed: `bench:${N}` });
        conn = await soapLogin(emu);
    });
    afterAll(() => emu.stop());

    it('pages with queryMore and locators: 2000 per batch by default', async () => {
        const first = await conn.query<{ Id: string; Name: string }>('SELECT Id, Name FROM Account ORDER BY Name');
        expect(first).toMatchObject({ totalSize: N, done: false });
        expect(first.records).toHaveLength(2000);
        expect(first.nextRecordsUrl).toMatch(new RegExp(`/services/data/v${VERSION}/query/01g[A-Za-z0-9]{15}-2000$`));
        const second = await conn.queryMore<{ Id: string; Name: string }>(first.nextRecordsUrl!);
        expect(second).toMatchObject({ totalSize: N, done: true });
        expect(second.nextRecordsUrl).toBeUndefined();
        expect(second.records).toHaveLength(N - 2000);
        const names = [...first.records, ...second.records].map((r) => r.Name);
        expect(new Set(names).size).toBe(N);
        expect(names).toEqual([...names].sort());
        // The same locator is valid under /queryAll.
        const locator = first.nextRecordsUrl!.split('/').pop();
        const viaAll = await conn.request<{ records: unknown[] }>(`/services/data/v${VERSION}/queryAll/${locator}`);
        expect(viaAll.records).toHaveLength(N - 2000);
        const bad = await errorOf(() => conn.queryMore('01gXXXXXXXXXXXXXXX-2000'));
        expect(bad.errorCode).toBe('INVALID_QUERY_LOCATOR');
        // Locators expire after 15 minutes without use (emulator clock).
        const again = await conn.query<{ Id: string }>('SELECT Id FROM Account');
        emu.clock.advance(16 * 60_000);
        const expired = await errorOf(() => conn.queryMore(again.nextRecordsUrl!));
        expect(expired.errorCode).toBe('INVALID_QUERY_LOCATOR');
    });

    it('fetches everything with autoFetch, honouring the batchSize header', async () => {
        const seenBatches: number[] = [];
        const before = emu.org.api.report().byEndpoint;
        const all = await conn.query<{ Id: string }>('SELECT Id FROM Account', {
            autoFetch: true,
            maxFetch: 10000,
            headers: { 'Sforce-Query-Options': 'batchSize=500' }
        });
        expect(all.records).toHaveLength(N);
        expect(new Set(all.records.map((r) => r.Id)).size).toBe(N);
        const after = emu.org.api.report().byEndpoint;
        // 2,600 records in 500-record batches: one query and five queryMore calls.
        expect((after['GET /query/{locator}'] ?? 0) - (before['GET /query/{locator}'] ?? 0)).toBe(5);
        // The batch size reaches the server: 500-record pages.
        const page = await conn.request<{ records: unknown[]; nextRecordsUrl: string }>({
            method: 'GET',
            url: `/services/data/v${VERSION}/query?q=${encodeURIComponent('SELECT Id FROM Account')}`,
            headers: { 'Sforce-Query-Options': 'batchSize=500' }
        });
        seenBatches.push(page.records.length);
        expect(seenBatches).toEqual([500]);
        expect(page.nextRecordsUrl).toMatch(/-500$/);
    });

    it('serves full 2,000-record pages (time logged; the < 100 ms target is measured by npm run bench)', async () => {
        const soql = 'SELECT Id, Name, Industry, AnnualRevenue, NumberOfEmployees, Rating, CreatedDate FROM Account';
        await conn.query(soql); // warm up
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
            const t0 = performance.now();
            const r = await conn.query(soql);
            times.push(performance.now() - t0);
            expect(r.records).toHaveLength(2000);
        }
        times.sort((a, b) => a - b);
        const median = times[2];
        console.log(`2,000-record query page served to jsforce in ${median.toFixed(1)} ms (median of 5)`);
    });

    it('counts with COUNT() and queries relationship fields', async () => {
        const c = await conn.query('SELECT COUNT() FROM Account');
        expect(c).toMatchObject({ totalSize: N, done: true, records: [] });
        const u = await conn.query<{ Owner: { Username: string } }>('SELECT Id, Owner.Username FROM Account LIMIT 1');
        expect(u.records[0].Owner.Username).toBe('admin@statisfy.test');
    });
});
