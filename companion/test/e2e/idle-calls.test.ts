/**
 * An idle companion spends no Salesforce API calls beyond its documented schedule (issue 9 A1): after a mapping
 * change is pushed once, nothing is pushed again. The old mechanism compared a microsecond `updated_at` with a
 * millisecond JavaScript Date and re-pushed the configuration every configPushIntervalMs, forever. Counted by the
 * emulator, per endpoint, as Salesforce counts API requests.
 */
import { startE2E, waitFor, type E2E } from './harness';

let e: E2E;

beforeAll(async () => {
    // Status writes and reconciles are the documented schedule; switched off so that any call here is a defect.
    e = await startE2E({ engine: { writeStatus: false, reconcileIntervalMs: 3_600_000, configPushIntervalMs: 100 } });
});
afterAll(() => e.stop());

const used = async (): Promise<{ total: number; byEndpoint: Record<string, number> }> => e.control.apiUsage();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** API calls made during `ms` milliseconds of idling. */
async function callsWhileIdle(ms: number): Promise<{ calls: number; endpoints: Record<string, number> }> {
    const before = await used();
    await sleep(ms);
    const after = await used();
    const endpoints: Record<string, number> = {};
    for (const [k, n] of Object.entries(after.byEndpoint))
        if (n !== (before.byEndpoint[k] ?? 0)) endpoints[k] = n - (before.byEndpoint[k] ?? 0);
    return { calls: after.total - before.total, endpoints };
}

describe('idle API calls', () => {
    it('When nothing changes, then the companion makes no API call', async () => {
        await sleep(1000); // start-up work (import, first pushes) settles
        expect(await callsWhileIdle(2000)).toEqual({ calls: 0, endpoints: {} });
    });

    it('When a field mapping is renamed, then it is pushed once and no call follows in the next seconds', async () => {
        const before = await used();
        const res = await e.api.patch('/api/v1/objects/Account/fields/Account.Name', {
            displayName: 'Account name (renamed)'
        });
        expect(res.status).toBe(200);
        await waitFor(async () => (await used()).total > before.total, 5000, 'the push of the renamed mapping');
        await sleep(500);
        const pushed = (await used()).total - before.total;
        expect(pushed).toBeLessThanOrEqual(2);
        expect(await callsWhileIdle(3000)).toEqual({ calls: 0, endpoints: {} });
    }, 20_000);
});

describe('API calls by purpose', () => {
    it('When edits are written back and configuration is pushed, then the status API and /metrics count each call under its purpose, with a forecast', async () => {
        const ids = (await e.api.get('/api/v1/objects/Account/records?limit=2')).body.items.map(
            (r: { id: string }) => r.id
        );
        const before = (await e.api.get('/api/v1/sync/status')).body.apiUsage;
        expect(
            (
                await e.api.patch(`/api/v1/objects/Account/records/${ids[0]}`, {
                    fields: { 'Account.Phone': '+1 555 7777' }
                })
            ).status
        ).toBe(200);
        await waitFor(async () => (await e.control.get('Account', ids[0])).Phone === '+1 555 7777', 10_000, 'the edit');
        const status = await waitFor(
            async () => {
                const u = (await e.api.get('/api/v1/sync/status')).body.apiUsage;
                return (u.today.byPurpose.flush ?? 0) > (before.today.byPurpose.flush ?? 0) ? u : null;
            },
            10_000,
            'the flush call to be counted'
        );
        expect(status.today.total).toBe(
            Object.values(status.today.byPurpose as Record<string, number>).reduce((n, c) => n + c, 0)
        );
        // Every call the emulator saw from the companion is attributed (start-up import, config, flush, …).
        expect(status.today.byPurpose.import).toBeGreaterThan(0);
        expect(status.forecastToday).toBeGreaterThanOrEqual(status.today.total);
        const metrics = await fetch(`${e.app.url}/metrics`).then((r) => r.text());
        expect(metrics).toMatch(/statisfy_salesforce_api_calls_total\{org_id="[^"]+",kind="flush"\} [1-9]/);
    }, 30_000);
});

describe('configuration push during a 503 storm', () => {
    it('When every Salesforce call answers 503, then a mapping change is retried with backoff until the circuit breaker opens, then not at all', async () => {
        await e.control.fault({ path: '/services/data/**', status: 503 });
        try {
            const res = await e.api.patch('/api/v1/objects/Account/fields/Account.Name', {
                displayName: 'Account name (storm)'
            });
            expect(res.status).toBe(200);
            // Answered by the fault rule, these requests never reach the API counter: count the rule's hits.
            const hits = async (): Promise<number> =>
                ((await e.control.call('GET', '/faults')) as { rules: { hits: number }[] }).rules.reduce(
                    (n, r) => n + r.hits,
                    0
                );
            // The first attempts back off (1 s, 2 s, 4 s … with jitter); after 5 throttles the circuit opens and only a
            // probe every 30 s is made. Retrying every tick (the old behaviour: once a second) keeps calling.
            await waitFor(
                async () => (await e.engine.status(e.orgId)).circuit === 'open',
                30_000,
                'the circuit to open',
                50
            );
            const before = await hits();
            await sleep(5000);
            const calls = (await hits()) - before;
            console.log(`[storm] calls in the 5 s after the circuit opened: ${calls}`);
            expect(calls).toBe(0);
        } finally {
            await e.control.clearFaults();
        }
    }, 60_000);
});
