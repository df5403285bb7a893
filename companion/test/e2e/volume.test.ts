/**
 * Volume figures against the emulator: 1,000 edited records flushed in ONE API call (a /composite of five sObject
 * Collections of 200), and the inbound apply rate when a backlog of events is replayed after a restart.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, type RunningEmulator } from '../../../emulator/src/server';
import { createRepositories } from '../../src/data';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { controlClient, E2E, startE2E, waitFor } from './harness';

jest.setTimeout(300_000);
let emu: RunningEmulator;
let db: TestDatabase;
let e: E2E | undefined;
const encryptionKey = randomBytes(32).toString('hex');
const adminToken = `stf_test_${randomBytes(12).toString('hex')}`;
const start = () =>
    startE2E({ emulator: emu, databaseUrl: db.url, encryptionKey, adminToken, engine: { writeStatus: false } });

beforeAll(async () => {
    emu = await startEmulator({ seed: 'demo', cometdTimeoutMs: 1000 });
    db = await createTestDatabase();
    const control = controlClient(emu.url);
    for (let i = 0; i < 950; i++)
        await control.create('Account', { Name: `Volume Account ${i}`, Phone: '+1 555 0000' });
});
afterAll(async () => {
    await e?.stop();
    await emu?.stop();
    await db?.drop();
});

it('flushes 1,000 edited records in ONE API call (composite of five collections of 200)', async () => {
    e = await start();
    const x = e;
    await waitFor(
        async () => (await x.app.repos.records.count(x.orgId, 'Account')) >= 1000,
        60_000,
        '1,000 Accounts imported'
    );
    const records = (await x.app.companion.dataSource.query(
        `SELECT sf_id, sf_values->'Phone' AS phone FROM records WHERE org_id = $1 AND object_api_name = 'Account' ORDER BY sf_id LIMIT 1000`,
        [x.orgId]
    )) as { sf_id: string; phone: unknown }[];
    expect(records).toHaveLength(1000);
    // Let the import's echo and any start-up calls settle, then count the org's API calls around the flush.
    await new Promise((r) => setTimeout(r, 1500));
    const before = (await x.control.apiUsage()).total;
    const sync = x.engine.orgs.get(x.orgId)!;
    const flushCallsBefore = sync.totals.apiCallsFlush;
    const t0 = Date.now();
    await x.app.companion.dataSource.transaction(async (m) => {
        const repos = createRepositories(m);
        for (const [i, r] of records.entries()) {
            const value = `+1 555 ${String(i).padStart(4, '0')}`;
            await repos.records.mergeFields(x.orgId, r.sf_id, { 'Account.Phone': value });
            await repos.pendingEdits.enqueue(x.orgId, {
                objectApiName: 'Account',
                sfId: r.sf_id,
                fieldKey: 'Account.Phone',
                salesforceField: 'Phone',
                newValue: value,
                baseValue: (r.phone ?? null) as string | null
            });
        }
    });
    const committed = Date.now();
    await waitFor(
        async () => {
            const [row] = await x.app.companion.dataSource.query(
                `SELECT count(*)::int AS n FROM pending_edits WHERE org_id = $1 AND status = 'succeeded' AND field_key = 'Account.Phone' AND new_value::text LIKE '"+1 555 %'`,
                [x.orgId]
            );
            return row.n >= 1000;
        },
        60_000,
        '1,000 edits to succeed'
    );
    const ms = Date.now() - committed;
    const enqueueMs = committed - t0;
    const after = (await x.control.apiUsage()).total;
    const flushCalls = sync.totals.apiCallsFlush - flushCallsBefore;
    process.stdout.write(
        `\n[e2e volume] 1,000 edited records: ${flushCalls} flush API call(s), org saw ${after - before} call(s); enqueue of 1,000 edits ${enqueueMs} ms, then ${ms} ms until all were committed in Salesforce and written back\n`
    );
    expect(flushCalls).toBe(1);
    expect(after - before).toBe(1);
    const sample = records[777];
    expect((await x.control.get('Account', sample.sf_id)).Phone).toBe('+1 555 0777');
});

it('applies a replayed backlog of events in batches (events/s measured)', async () => {
    const x = e!;
    const ids = (
        (await x.app.companion.dataSource.query(
            `SELECT sf_id FROM records WHERE org_id = $1 AND object_api_name = 'Account' ORDER BY sf_id LIMIT 1000`,
            [x.orgId]
        )) as { sf_id: string }[]
    ).map((r) => r.sf_id);
    await x.stop();
    e = undefined;
    const control = controlClient(emu.url);
    for (const [i, id] of ids.entries()) await control.update('Account', id, { BillingCity: `Backlog ${i}` });

    const t0 = Date.now();
    e = await start();
    const y = e;
    // Every replayed event applied (the start-up reconcile may bring the values first; the events still count).
    await waitFor(
        async () => ((await y.engine.status(y.orgId)).totals as { eventsApplied: number }).eventsApplied >= ids.length,
        60_000,
        'the backlog'
    );
    const [row] = await y.app.companion.dataSource.query(
        `SELECT count(*)::int AS n FROM records WHERE org_id = $1 AND fields->>'Account.BillingCity' LIKE 'Backlog %'`,
        [y.orgId]
    );
    expect(row.n).toBe(ids.length);
    const ms = Date.now() - t0;
    const totals = (await y.engine.status(y.orgId)).totals as {
        eventsApplied: number;
        batches: number;
        applyMs: number;
    };
    process.stdout.write(
        `\n[e2e volume] backlog of ${ids.length} events: companion start → all applied in ${ms} ms ` +
            `(${totals.eventsApplied} events in ${totals.batches} batches; apply ${Math.round(totals.applyMs)} ms = ` +
            `${Math.round((totals.eventsApplied / totals.applyMs) * 1000)} events/s applied)\n`
    );
    expect(totals.eventsApplied).toBeGreaterThanOrEqual(ids.length);
});
