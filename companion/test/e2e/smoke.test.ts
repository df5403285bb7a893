/**
 * Both directions against the real emulator: an Account edit made in Statisfy reaches Salesforce, an edit made in
 * Salesforce reaches Statisfy; medians of the edit→other-side time are measured and printed.
 */
import { E2E, median, startE2E, waitFor, TRANSPORTS } from './harness';

jest.setTimeout(120_000);

describe.each(TRANSPORTS)('over %s', (transport) => {
    let e: E2E;

    beforeAll(async () => {
        e = await startE2E({ transport });
    });
    afterAll(async () => {
        await e?.stop();
    });

    async function someAccounts(n: number): Promise<string[]> {
        const page = await e.api.get(`/api/v1/objects/Account/records?limit=${n}`);
        expect(page.status).toBe(200);
        return page.body.items.map((r: { id: string }) => r.id);
    }

    it('imports the demo Accounts at start', async () => {
        await waitFor(
            async () => (await e.app.repos.records.count(e.orgId, 'Account')) >= 50,
            20_000,
            'Accounts imported'
        );
    });

    it('an edit of an editable Account field made in Statisfy reaches Salesforce (median under 1 s)', async () => {
        const ids = await someAccounts(10);
        const times: number[] = [];
        for (const [i, id] of ids.entries()) {
            const value = `Statisfy edit ${i} ${Date.now()}`;
            const t0 = Date.now();
            const res = await e.api.patch(`/api/v1/objects/Account/records/${id}`, {
                fields: { 'Account.Phone': value }
            });
            expect(res.status).toBe(200);
            await waitFor(
                async () => (await e.control.get('Account', id)).Phone === value,
                10_000,
                'the edit in Salesforce',
                2
            );
            times.push(Date.now() - t0);
        }
        const m = median(times);
        process.stdout.write(
            `\n[e2e] Statisfy → Salesforce edit latency: median ${m} ms, all ${JSON.stringify(times)}\n`
        );
        expect(m).toBeLessThan(1000);
    });

    it('an edit made in Salesforce reaches Statisfy (median under 1 s)', async () => {
        const ids = await someAccounts(10);
        const times: number[] = [];
        for (const [i, id] of ids.entries()) {
            const value = `Salesforce edit ${i} ${Date.now()}`;
            const t0 = Date.now();
            await e.control.update('Account', id, { BillingCity: value });
            await waitFor(
                async () => (await e.app.repos.records.get(e.orgId, id))?.fields['Account.BillingCity'] === value,
                10_000,
                'the edit in Statisfy',
                2
            );
            times.push(Date.now() - t0);
        }
        const m = median(times);
        process.stdout.write(
            `\n[e2e] Salesforce → Statisfy edit latency: median ${m} ms, all ${JSON.stringify(times)}\n`
        );
        expect(m).toBeLessThan(1000);
    });

    it("the companion's calls carry Sforce-Call-Options client=statisfy-companion (counted by the emulator)", async () => {
        const usage = (await e.control.apiUsage()) as { used: number; byClient: Record<string, number> };
        expect(usage.byClient['statisfy-companion']).toBeGreaterThanOrEqual(10);
        expect(usage.byClient['statisfy-companion']).toBeLessThanOrEqual(usage.used);
    });

    it('reports sync lag, events applied, flushed edits and API calls in /metrics', async () => {
        const res = await fetch(`${e.app.url}/metrics`);
        expect(res.status).toBe(200);
        const text = await res.text();
        const count = (direction: string) =>
            Number(
                new RegExp(`statisfy_sync_lag_distribution_seconds_count\\{direction="${direction}"\\} (\\d+)`).exec(
                    text
                )?.[1] ?? 0
            );
        expect(count('inbound')).toBeGreaterThanOrEqual(10);
        expect(count('outbound')).toBeGreaterThanOrEqual(10);
        expect(text).toMatch(
            new RegExp(`statisfy_events_applied_total\\{org_id="${e.orgId}",channel="/event/Record_Change__e"\\} \\d+`)
        );
        expect(text).toMatch(
            new RegExp(`statisfy_flushed_edits_total\\{org_id="${e.orgId}",outcome="succeeded"\\} \\d+`)
        );
        expect(text).toMatch(
            new RegExp(`statisfy_salesforce_api_calls_total\\{org_id="${e.orgId}",kind="flush"\\} \\d+`)
        );
    });
});
