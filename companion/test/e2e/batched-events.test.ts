/**
 * Issue 11's target, counted through the emulator: 1,000 Salesforce changes made in chunks of 200 (sObject
 * Collections by unmodified jsforce, as a data load would) reach Statisfy with at most 10 event deliveries, over the
 * Pub/Sub API and over CometD. The emulator's delivery allocation counts every event handed to every subscriber
 * (`/__emulator/event-deliveries`, `DailyDeliveredPlatformEvents` in `/limits`).
 */
import * as jsforce from 'jsforce';
import { E2E, startE2E, TRANSPORTS, waitFor } from './harness';

jest.setTimeout(120_000);

describe.each(TRANSPORTS)('over %s', (transport) => {
    let e: E2E;
    beforeAll(async () => {
        e = await startE2E({ transport });
    });
    afterAll(async () => {
        await e?.stop();
    });

    it('1,000 changes in chunks of 200 reach Statisfy with at most 10 deliveries', async () => {
        const conn = new jsforce.Connection({ loginUrl: e.emu.url, version: '60.0' });
        await conn.login('admin@statisfy.test', 'statisfy');
        const before = (await e.control.call('GET', '/event-deliveries')) as { used: number };
        const ids: string[] = [];
        for (let k = 0; k < 5; k++) {
            const res = await conn
                .sobject('Account')
                .create(Array.from({ length: 200 }, (_, i) => ({ Name: `Load ${transport} ${k}-${i}` })));
            for (const r of res) if (r.success) ids.push(r.id!);
        }
        expect(ids).toHaveLength(1000);
        await waitFor(
            async () => (await e.app.repos.records.get(e.orgId, ids[ids.length - 1])) !== null,
            30_000,
            'the last record in Statisfy'
        );
        for (const id of ids) expect(await e.app.repos.records.get(e.orgId, id)).not.toBeNull();
        const after = (await e.control.call('GET', '/event-deliveries')) as { used: number };
        const deliveries = after.used - before.used;
        process.stdout.write(`\n[e2e] ${transport}: 1,000 Salesforce changes → ${deliveries} event deliveries\n`);
        expect(deliveries).toBeLessThanOrEqual(10);
        expect(deliveries).toBeGreaterThanOrEqual(5);
        const limits =
            await conn.request<Record<string, { Max: number; Remaining: number }>>('/services/data/v60.0/limits');
        expect(limits.DailyDeliveredPlatformEvents.Max - limits.DailyDeliveredPlatformEvents.Remaining).toBe(
            after.used
        );
    });
});
