/**
 * Killing the companion (SIGKILL, a separate process) in the middle of a flush and starting it again loses no edit
 * and sends none twice. The emulator holds the /composite request with injected latency so the kill lands while
 * the write is on its way:
 * 1. the held request then fails (503): the edit never reached Salesforce → after restart it is sent;
 * 2. the held request then succeeds: Salesforce holds the value → after restart it is NOT sent again
 *    (SystemModstamp unchanged), yet the edit ends succeeded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { startEmulator, type RunningEmulator } from '../../../emulator/src/server';
import { createRepositories, type Repositories } from '../../src/data';
import { createDataSource } from '../../src/data/db/datasource';
import { apiClient } from '../support/companion';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { controlClient, KEY_FILE, TEST_ENGINE, waitFor } from './harness';
import { outboxOf } from '../support/inspect';

jest.setTimeout(240_000);
let emu: RunningEmulator;
let db: TestDatabase;
let ds: DataSource;
let repos: Repositories;
let dataDir: string;
let child: ChildProcess | null = null;
const token = `stf_test_${randomBytes(12).toString('hex')}`;
const encryptionKey = randomBytes(32).toString('hex');

async function startChild(): Promise<{ url: string; proc: ChildProcess }> {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'child-companion.ts')], {
        env: {
            ...process.env,
            NODE_ENV: 'test',
            HOST: '127.0.0.1',
            PORT: '0',
            DATA_DIR: dataDir,
            DATABASE_URL: db.url,
            ENCRYPTION_KEY: encryptionKey,
            LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
            SF_LOGIN_URL: emu.url,
            SF_CONSUMER_KEY: emu.clientId,
            SF_USERNAME: 'integration@statisfy.test',
            SF_PRIVATE_KEY_FILE: KEY_FILE,
            SF_API_VERSION: '60.0',
            STATISFY_ADMIN_TOKEN: token,
            E2E_ENGINE: JSON.stringify({ ...TEST_ENGINE, writeStatus: false })
        },
        stdio: ['ignore', 'pipe', 'inherit']
    });
    child = proc;
    const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        proc.stdout!.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /READY (\S+)/.exec(out);
            if (m) resolve(m[1]);
        });
        proc.on('exit', (code) => reject(new Error(`child exited with ${code} before it was ready`)));
    });
    return { url, proc };
}

function kill(proc: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
    });
}

async function orgId(): Promise<string> {
    return waitFor(async () => (await repos.orgs.listAll())[0]?.id, 20_000, 'the org');
}

async function edits(org: string, ids: string[]) {
    const out = [];
    for (const id of ids) out.push(...(await outboxOf(ds.manager, org, id)));
    return out.filter((e) => e.fieldKey === 'Account.Phone');
}

beforeAll(async () => {
    emu = await startEmulator({ seed: 'demo', cometdTimeoutMs: 1000 });
    db = await createTestDatabase();
    ds = createDataSource({ url: db.url, poolSize: 3, migrationsRun: false });
    await ds.initialize();
    repos = createRepositories(ds.manager);
    dataDir = await mkdtemp(join(tmpdir(), 'statisfy-crash-'));
});
afterAll(async () => {
    if (child) await kill(child);
    await ds?.destroy();
    await emu?.stop();
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('loses no edit and sends none twice when killed mid-flush, twice', async () => {
    const control = controlClient(emu.url);
    // Run 1: import, then edits whose first flush is held 2.5 s and then refused with a 503.
    let run = await startChild();
    const org = await orgId();
    await waitFor(async () => (await repos.records.count(org, 'Account')) >= 50, 30_000, 'the import');
    const api = apiClient(run.url, token);
    const ids: string[] = (await api.get('/api/v1/objects/Account/records?limit=12')).body.items.map(
        (r: { id: string }) => r.id
    );
    await control.fault({ method: 'POST', path: '/services/data/*/composite', latencyMs: 2500, status: 503, count: 1 });
    for (const [i, id] of ids.entries()) {
        const res = await api.patch(`/api/v1/objects/Account/records/${id}`, {
            fields: { 'Account.Phone': `+44 20 7946 0${String(i).padStart(3, '0')}` }
        });
        expect(res.status).toBe(200);
    }
    await waitFor(
        async () => (await edits(org, ids)).some((e) => e.status === 'in_flight'),
        10_000,
        'a flush in flight'
    );
    await kill(run.proc);
    const afterKill1 = await edits(org, ids);
    const inFlight1 = afterKill1.filter((e) => e.status === 'in_flight').length;
    expect(inFlight1).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 3000)); // the held request is answered (503) to nobody
    for (const e of afterKill1.filter((x) => x.status === 'in_flight'))
        expect((await control.get('Account', e.sfId)).Phone).not.toBe(e.newValue);

    // Run 2: the recovery re-sends what Salesforce does not hold; that request is held 2.5 s and then succeeds.
    await control.fault({ method: 'POST', path: '/services/data/*/composite', latencyMs: 2500, count: 1 });
    run = await startChild();
    await waitFor(
        async () => (await control.call('GET', '/faults')).rules.length === 0,
        20_000,
        'the recovery request to reach the emulator'
    );
    await kill(run.proc);
    const afterKill2 = await edits(org, ids);
    await new Promise((r) => setTimeout(r, 3500)); // the held request is applied by the org
    const landed = new Map<string, string>();
    for (const e of afterKill2) {
        const rec = await control.get('Account', e.sfId);
        if (rec.Phone === e.newValue) landed.set(e.sfId, rec.SystemModstamp);
    }
    expect(landed.size).toBeGreaterThan(0);

    // Run 3: everything ends succeeded; the ones Salesforce already held were not written again.
    run = await startChild();
    await waitFor(
        async () => (await edits(org, ids)).every((e) => e.status === 'succeeded'),
        30_000,
        'every edit to succeed'
    );
    for (const e of await edits(org, ids)) {
        const rec = await control.get('Account', e.sfId);
        expect(rec.Phone).toBe(e.newValue);
        if (landed.has(e.sfId)) expect(rec.SystemModstamp).toBe(landed.get(e.sfId));
    }
    process.stdout.write(
        `\n[e2e crash] run 1 killed with ${inFlight1} edits in flight (never reached Salesforce, re-sent); run 2 killed with ` +
            `${afterKill2.filter((e) => e.status === 'in_flight').length} in flight, ${landed.size} already held by Salesforce and not re-sent\n`
    );
    await kill(run.proc);
});
