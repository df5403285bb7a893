/**
 * The Bulk API 2.0 paths, with thresholds lowered so the demo data crosses them: the first import streams a Bulk
 * query, and a flush with more records of one object than the threshold goes as one Bulk ingest job.
 */
import { createRepositories } from '../../src/data';
import { E2E, startE2E, waitFor } from './harness';

jest.setTimeout(120_000);
let e: E2E;

beforeAll(async () => {
    e = await startE2E({ engine: { importBulkThreshold: 10, bulkThreshold: 20, writeStatus: false } });
});
afterAll(async () => {
    await e?.stop();
});

it('imports through a Bulk API 2.0 query past the threshold, with JSON types kept for the mapped fields', async () => {
    await waitFor(
        async () => (await e.app.repos.records.count(e.orgId, 'Contact')) >= 150,
        30_000,
        'Contacts imported'
    );
    expect(await e.app.repos.records.count(e.orgId, 'Account')).toBe(50);
    const id = (await e.api.get('/api/v1/objects/Account/records?limit=1')).body.items[0].id;
    const rec = await e.app.repos.records.get(e.orgId, id);
    const sf = await e.control.get('Account', id);
    expect(rec?.sfValues.Name).toBe(sf.Name);
    expect(rec?.fields['Account.Name']).toBe(sf.Name);
    expect(rec?.sfValues.AnnualRevenue).toBe(sf.AnnualRevenue ?? null);
    const usage = Object.keys((await e.control.apiUsage()).byEndpoint as Record<string, number>);
    expect(usage.some((k) => /jobs\/query/i.test(k))).toBe(true);
});

it('flushes more records of one object than the threshold as one Bulk ingest job', async () => {
    const rows = (await e.app.companion.dataSource.query(
        `SELECT sf_id, sf_values->'Website' AS website FROM records WHERE org_id = $1 AND object_api_name = 'Account' ORDER BY sf_id LIMIT 30`,
        [e.orgId]
    )) as { sf_id: string; website: string | null }[];
    await e.app.companion.dataSource.transaction(async (m) => {
        const repos = createRepositories(m);
        for (const [i, r] of rows.entries()) {
            const value = `https://bulk-${i}.example.com`;
            await repos.records.mergeFields(e.orgId, r.sf_id, { 'Account.Website': value });
            await repos.pendingEdits.enqueue(e.orgId, {
                objectApiName: 'Account',
                sfId: r.sf_id,
                fieldKey: 'Account.Website',
                salesforceField: 'Website',
                newValue: value,
                baseValue: r.website ?? null
            });
        }
    });
    await waitFor(
        async () => {
            const [row] = await e.app.companion.dataSource.query(
                `SELECT count(*)::int AS n FROM pending_edits WHERE org_id = $1 AND status = 'succeeded' AND new_value::text LIKE '"https://bulk-%'`,
                [e.orgId]
            );
            return row.n === rows.length;
        },
        60_000,
        'the Bulk job'
    );
    for (const [i, r] of rows.entries())
        expect((await e.control.get('Account', r.sf_id)).Website).toBe(`https://bulk-${i}.example.com`);
    const usage = (await e.control.apiUsage()).byEndpoint as Record<string, number>;
    expect(Object.keys(usage).some((k) => /jobs\/ingest/i.test(k))).toBe(true);
});
