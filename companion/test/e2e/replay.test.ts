/**
 * Durable replay across restarts of the companion (same database, same emulator): events published while it was
 * down are replayed from the stored replay id; a stored replay id past the 72 h retention (the emulator's clock
 * moved on) is detected — jsforce's Replay extension alone would fail silently — and triggers a reconcile.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, type RunningEmulator } from '../../../emulator/src/server';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { E2E, startE2E, waitFor, TRANSPORTS } from './harness';

jest.setTimeout(180_000);

describe.each(TRANSPORTS)('over %s', (transport) => {
    let emu: RunningEmulator;
    let db: TestDatabase;
    const encryptionKey = randomBytes(32).toString('hex');
    const adminToken = `stf_test_${randomBytes(12).toString('hex')}`;
    let e: E2E | undefined;

    const start = () => startE2E({ emulator: emu, databaseUrl: db.url, encryptionKey, adminToken, transport });

    async function processedCount(x: E2E): Promise<number> {
        const [row] = await x.app.companion.dataSource.query(
            'SELECT count(*)::int AS n FROM processed_events WHERE org_id = $1',
            [x.orgId]
        );
        return row.n;
    }

    beforeAll(async () => {
        emu = await startEmulator({ seed: 'demo', cometdTimeoutMs: 1000 });
        db = await createTestDatabase();
    });
    afterAll(async () => {
        await e?.stop();
        await emu?.stop();
        await db?.drop();
    });

    it('replays the events published while the companion was down, from the stored replay id', async () => {
        e = await start();
        const page = await e.api.get('/api/v1/objects/Account/records?limit=5');
        const ids: string[] = page.body.items.map((r: { id: string }) => r.id);
        // One change while running, so a replay id is stored.
        await e.control.update('Account', ids[0], { Rating: 'Hot' });
        await waitFor(
            async () => (await e!.app.repos.records.get(e!.orgId, ids[0]))?.fields['Account.Rating'] === 'Hot',
            10_000,
            'first change'
        );
        const before = await processedCount(e);
        await e.stop();
        e = undefined;

        for (const [i, id] of ids.entries()) await fetchUpdate(id, { BillingCity: `While down ${i}` });

        e = await start();
        const x = e;
        await waitFor(
            async () => {
                for (const [i, id] of ids.entries())
                    if (
                        (await x.app.repos.records.get(x.orgId, id))?.fields['Account.BillingCity'] !==
                        `While down ${i}`
                    )
                        return false;
                return true;
            },
            15_000,
            'the changes made while down'
        );
        // They came as events (each EventUuid recorded), not only through the reconcile.
        await waitFor(async () => (await processedCount(x)) >= before + ids.length, 10_000, 'the replayed events');
        expect((await x.engine.status(x.orgId)).totals).toMatchObject({ invalidReplays: 0 });
    });

    it('falls back to -1 and reconciles when the stored replay id is past retention', async () => {
        const x = e!;
        const page = await x.api.get('/api/v1/objects/Account/records?limit=3');
        const ids: string[] = page.body.items.map((r: { id: string }) => r.id);
        const gone = (await x.api.get('/api/v1/objects/Account/records?limit=10')).body.items[9].id as string;
        await x.stop();
        e = undefined;
        for (const [i, id] of ids.entries()) await fetchUpdate(id, { Phone: `+1 555 01${i}0` });
        // A delete while down, too: its event expires with the others, only the reconcile (queryAll) can bring it.
        const del = await fetch(`${emu.url}/__emulator/records/Account/${gone}?as=admin@statisfy.test`, {
            method: 'DELETE'
        });
        expect(del.status).toBe(200);
        await fetch(`${emu.url}/__emulator/clock/advance`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ hours: 73 })
        });

        e = await start();
        const y = e;
        await waitFor(
            async () => ((await y.engine.status(y.orgId)).totals as { invalidReplays: number }).invalidReplays >= 1,
            15_000,
            'the refused replay id'
        );
        await waitFor(
            async () => {
                for (const [i, id] of ids.entries())
                    if ((await y.app.repos.records.get(y.orgId, id))?.fields['Account.Phone'] !== `+1 555 01${i}0`)
                        return false;
                return true;
            },
            15_000,
            'the reconcile to bring the changes'
        );
        await waitFor(
            async () => (await y.app.repos.records.get(y.orgId, gone))?.deleted === true,
            15_000,
            'the delete made while down'
        );
        // Subscribed again (from -1): a new change still arrives as an event.
        await fetchUpdate(ids[0], { Rating: 'Cold' });
        await waitFor(
            async () => (await y.app.repos.records.get(y.orgId, ids[0]))?.fields['Account.Rating'] === 'Cold',
            10_000,
            'a new change after the fallback'
        );
    });

    async function fetchUpdate(id: string, values: Record<string, unknown>): Promise<void> {
        const res = await fetch(`${emu.url}/__emulator/records/Account/${id}`, {
            method: 'PATCH',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ values, as: 'admin@statisfy.test' })
        });
        if (!res.ok) throw new Error(`update ${id}: ${res.status} ${await res.text()}`);
    }
});
