/**
 * One active subscriber per org across processes: two companions share one database; only the holder of the org's
 * advisory lock syncs; when the holder's lock session dies the other takes over. And a refreshed sandbox (the
 * credentials now lead to another org id) is reported as org_mismatch and never synced.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, type RunningEmulator } from '../../../emulator/src/server';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { E2E, E2EOptions, startE2E, waitFor } from './harness';

jest.setTimeout(180_000);
let emu: RunningEmulator;
let db: TestDatabase;
const started: E2E[] = [];
const encryptionKey = randomBytes(32).toString('hex');
const adminToken = `stf_test_${randomBytes(12).toString('hex')}`;

async function start(options: E2EOptions = {}): Promise<E2E> {
    const x = await startE2E({ emulator: emu, databaseUrl: db.url, encryptionKey, adminToken, ...options });
    started.push(x);
    return x;
}

beforeAll(async () => {
    emu = await startEmulator({ seed: 'demo', cometdTimeoutMs: 1000 });
    db = await createTestDatabase();
});
afterAll(async () => {
    for (const x of started.reverse()) await x.stop().catch(() => undefined);
    await emu?.stop();
    await db?.drop();
});

const state = (x: E2E) => x.engine.orgs.get(x.orgId)?.state;

it('only the lock holder syncs; the other takes over when the holder dies', async () => {
    const a = await start();
    const b = await start({ waitRunning: false });
    await new Promise((r) => setTimeout(r, 1500));
    expect(state(a)).toBe('running');
    expect(state(b)).toBe('following');
    // One subscriber: two streams (one per channel; Pub/Sub subscriptions or CometD clients), not four.
    const ev = await a.control.events();
    expect(ev.clients + ev.pubsubSubscriptions).toBe(2);

    const id = (await a.api.get('/api/v1/objects/Account/records?limit=1')).body.items[0].id;
    await a.control.update('Account', id, { BillingCity: 'Seen by A' });
    await waitFor(
        async () => (await b.app.repos.records.get(b.orgId, id))?.fields['Account.BillingCity'] === 'Seen by A',
        10_000,
        'A to apply'
    );

    // The holder's lock session dies (as when its process is killed): PostgreSQL releases the lock.
    await a.app.companion.dataSource.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND s.application_name = 'statisfy-sync-leader'`
    );
    await waitFor(() => state(b) === 'running', 20_000, 'B to take over');
    await waitFor(() => state(a) !== 'running', 10_000, 'A to step down');
    await a.control.update('Account', id, { BillingCity: 'Seen by B' });
    await waitFor(
        async () => (await b.app.repos.records.get(b.orgId, id))?.fields['Account.BillingCity'] === 'Seen by B',
        10_000,
        'B to apply'
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect([state(a), state(b)].filter((s) => s === 'running')).toHaveLength(1);
});

it('credentials leading to another org (a refreshed sandbox) mark the org org_mismatch and nothing is synced', async () => {
    const other = await createTestDatabase();
    try {
        const x = await startE2E({
            emulator: emu,
            databaseUrl: other.url,
            waitRunning: false,
            env: { SF_ORG_ID: '00D000000000042AAA' }
        });
        started.push(x);
        const org = await waitFor(
            async () => {
                const o = await x.app.repos.orgs.get(x.orgId);
                return o?.status === 'org_mismatch' ? o : null;
            },
            15_000,
            'org_mismatch'
        );
        expect(org.statusMessage).toMatch(/00D000000000042AAA.*refreshed sandbox/);
        expect(await x.app.repos.records.count(x.orgId, 'Account')).toBe(0);
        expect(state(x)).toBe('org_mismatch');
        // The admin reconnects the org to the right Salesforce org: the engine starts syncing it.
        await x.app.repos.orgs.update(x.orgId, { sfOrgId: emu.orgId, status: 'new', statusMessage: null });
        await waitFor(() => state(x) === 'running', 20_000, 'the reconnected org to sync');
        await waitFor(async () => (await x.app.repos.records.count(x.orgId, 'Account')) >= 50, 20_000, 'the import');
        await x.stop();
        started.pop();
    } finally {
        await other.drop();
    }
});
