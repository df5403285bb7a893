/**
 * The measured stack of `npm run bench` and `npm run soak`, all on loopback: one embedded PostgreSQL (a fresh
 * database per scenario), the org emulator in this process (so the bench can watch records commit in its store),
 * and the companion as a child process (scripts/bench/child.ts) driven only through its REST API, with its RSS read
 * from /proc and its SQL round trips and engine totals asked over IPC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../companion/src/data/db/embedded';
import { waitFor as poll } from '../../companion/test/support/wait';

/** The JWT key the emulator's connected app trusts (a test fixture). */
export const KEY_FILE = join(__dirname, '../../emulator/fixtures/dev-jwt/server.key');

/** A running PostgreSQL cluster for the run. */
export interface Postgres {
    adminUrl: string;
    /** Creates an empty database; returns its URL (the companion migrates it at start). */
    createDatabase(): Promise<string>;
    /** Runs one statement on a database URL. */
    query<T = Record<string, unknown>>(url: string, sql: string, params?: unknown[]): Promise<T[]>;
    stop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
    const u = new URL(url);
    u.pathname = `/${database}`;
    return u.toString();
}

/** Starts a throw-away embedded PostgreSQL (fsync off: the bench measures the companion, not the disk). */
export async function startPostgres(): Promise<Postgres> {
    const dir = await mkdtemp(join(tmpdir(), 'statisfy-bench-pg-'));
    await chmod(dir, 0o755);
    const pg = await startEmbeddedPostgres({
        dir: join(dir, 'pg'),
        ephemeral: true,
        initdbFlags: ['--no-sync'],
        postgresFlags: ['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200']
    });
    const clients = new Map<string, Client>();
    const clientFor = async (url: string) => {
        let c = clients.get(url);
        if (!c) {
            c = new Client({ connectionString: url });
            await c.connect();
            clients.set(url, c);
        }
        return c;
    };
    return {
        adminUrl: pg.adminUrl,
        async createDatabase() {
            const name = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
            await (await clientFor(pg.adminUrl)).query(`CREATE DATABASE ${name}`);
            return withDatabase(pg.adminUrl, name);
        },
        async query<T>(url: string, sql: string, params: unknown[] = []) {
            return (await (await clientFor(url)).query(sql, params)).rows as T[];
        },
        async stop() {
            for (const c of clients.values()) await c.end().catch(() => undefined);
            await pg.stop();
            await rm(dir, { recursive: true, force: true });
        }
    };
}

/** What the child reports over IPC. */
export interface ChildStats {
    sql: { http: number; background: number };
    rss: number;
    orgs: Array<{ state: string; totals: Record<string, number> }>;
}

/** A companion child process. */
export interface ChildCompanion {
    url: string;
    proc: ChildProcess;
    token: string;
    api: ReturnType<typeof apiClient>;
    stats(): Promise<ChildStats>;
    /** Peak resident set size so far (VmHWM from /proc), in bytes. */
    peakRss(): number;
    /** Current resident set size (VmRSS), in bytes. */
    rss(): number;
    /** Waits until the org's sync runs in this process. */
    waitRunning(timeoutMs?: number): Promise<void>;
    /** SIGTERM and wait for the exit. */
    stop(): Promise<void>;
    /** SIGKILL (a crash) and wait for the exit. */
    kill(): Promise<void>;
}

/** Options of {@link startChildCompanion}. */
export interface ChildOptions {
    databaseUrl: string;
    emulatorUrl: string;
    clientId: string;
    encryptionKey: string;
    token: string;
    dataDir: string;
    engine?: Record<string, unknown>;
    env?: Record<string, string>;
}

function procStatus(pid: number, key: string): number {
    try {
        const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return m ? Number(m[1]) * 1024 : 0;
    } catch {
        return 0;
    }
}

/** Starts a companion as a child process on the given database, connected to the emulator by JWT bearer. */
export async function startChildCompanion(o: ChildOptions): Promise<ChildCompanion> {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'child.ts')], {
        env: {
            ...process.env,
            NODE_ENV: 'test',
            HOST: '127.0.0.1',
            PORT: '0',
            DATA_DIR: o.dataDir,
            DATABASE_URL: o.databaseUrl,
            ENCRYPTION_KEY: o.encryptionKey,
            LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
            SF_LOGIN_URL: o.emulatorUrl,
            SF_CONSUMER_KEY: o.clientId,
            SF_USERNAME: 'integration@statisfy.test',
            SF_PRIVATE_KEY_FILE: KEY_FILE,
            SF_API_VERSION: '60.0',
            STATISFY_ADMIN_TOKEN: o.token,
            BENCH_ENGINE: JSON.stringify(o.engine ?? {}),
            ...o.env
        },
        stdio: ['ignore', 'pipe', 'inherit', 'ipc']
    });
    const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        proc.stdout!.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /READY (\S+)/.exec(out);
            if (m) resolve(m[1]);
        });
        proc.once('exit', (code, signal) =>
            reject(new Error(`companion exited (${code ?? signal}) before it was ready`))
        );
    });
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const stats = () =>
        new Promise<ChildStats>((resolve, reject) => {
            const t = setTimeout(() => reject(new Error('the companion did not answer the stats request')), 10_000);
            const on = (m: { type?: string } & ChildStats) => {
                if (m?.type !== 'stats') return;
                clearTimeout(t);
                proc.off('message', on);
                resolve(m);
            };
            proc.on('message', on);
            proc.send({ type: 'stats' });
        });
    const gone = () => proc.exitCode !== null || proc.signalCode !== null;
    return {
        url,
        proc,
        token: o.token,
        api: apiClient(url, o.token),
        stats,
        peakRss: () => procStatus(proc.pid!, 'VmHWM'),
        rss: () => procStatus(proc.pid!, 'VmRSS'),
        async waitRunning(timeoutMs = 60_000) {
            await waitFor(
                async () => (await stats()).orgs.some((x) => x.state === 'running'),
                timeoutMs,
                'the sync to run',
                50
            );
        },
        async stop() {
            if (gone()) return;
            proc.kill('SIGTERM');
            const t = setTimeout(() => proc.kill('SIGKILL'), 20_000);
            await exited;
            clearTimeout(t);
        },
        async kill() {
            if (gone()) return;
            proc.kill('SIGKILL');
            await exited;
        }
    };
}

/** A fresh data directory and the secrets one companion database keeps across restarts. */
export async function companionIdentity(): Promise<{
    dataDir: string;
    encryptionKey: string;
    token: string;
    cleanup(): Promise<void>;
}> {
    const dataDir = await mkdtemp(join(tmpdir(), 'statisfy-bench-data-'));
    return {
        dataDir,
        encryptionKey: randomBytes(32).toString('hex'),
        token: `stf_bench_${randomBytes(12).toString('hex')}`,
        cleanup: () => rm(dataDir, { recursive: true, force: true })
    };
}

/** An HTTP JSON answer. */
export interface Answer {
    status: number;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are checked field by field
    body: any;
}

/** A fetch-based JSON client bound to a base URL and (optionally) a bearer token. */
export function apiClient(baseUrl: string, token?: string) {
    const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
        const res = await fetch(`${baseUrl}${path}`, {
            method,
            headers: {
                ...(token ? { Authorization: `Bearer ${token}` } : {}),
                ...(body !== undefined ? { 'Content-Type': 'application/json' } : {})
            },
            body: body === undefined ? undefined : JSON.stringify(body)
        });
        const text = await res.text();
        let parsed: unknown = text;
        try {
            parsed = text ? JSON.parse(text) : null;
        } catch {
            /* not JSON */
        }
        return { status: res.status, body: parsed };
    };
    return {
        call,
        get: (path: string) => call('GET', path),
        post: (path: string, body: unknown = {}) => call('POST', path, body),
        patch: (path: string, body: unknown) => call('PATCH', path, body),
        delete: (path: string) => call('DELETE', path)
    };
}

/** A client of the emulator's `/__emulator` control API; throws on a non-2xx answer. */
export function controlClient(emulatorUrl: string) {
    const c = apiClient(`${emulatorUrl}/__emulator`);
    const ok = async (p: Promise<Answer>, what: string) => {
        const a = await p;
        if (a.status >= 300) throw new Error(`emulator ${what}: ${a.status} ${JSON.stringify(a.body)}`);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answer
        return a.body as any;
    };
    return {
        fault: (rule: Record<string, unknown>) => ok(c.post('/faults', rule), 'POST /faults'),
        clearFaults: () => ok(c.delete('/faults'), 'DELETE /faults'),
        dropStreams: () => ok(c.post('/faults/drop-cometd'), 'drop-cometd'),
        expireSessions: () => ok(c.post('/faults/expire-sessions'), 'expire-sessions'),
        advance: (by: Record<string, number>) => ok(c.post('/clock/advance', by), 'clock/advance'),
        seed: (seed: string, reset = false) => ok(c.post('/seed', { seed, reset }), 'seed'),
        apiUsage: () =>
            ok(c.get('/api-usage'), 'api-usage') as Promise<{ total: number; byEndpoint: Record<string, number> }>,
        events: () => ok(c.get('/events'), 'events'),
        update: (object: string, id: string, values: Record<string, unknown>, as = 'sales@statisfy.test') =>
            ok(c.patch(`/records/${object}/${id}`, { values, as }), 'PATCH record'),
        get: (object: string, id: string) => ok(c.get(`/records/${object}/${id}`), 'GET record')
    };
}

/** Polls until `check` is truthy (or throws after `timeoutMs`); every 10 ms by default. */
export function waitFor<T>(
    check: () => T | Promise<T>,
    timeoutMs = 10_000,
    what = 'a condition',
    everyMs = 10
): Promise<NonNullable<T>> {
    return poll(check, timeoutMs, what, everyMs);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The p-th percentile (0–100) of numbers, nearest rank. */
export function percentile(xs: number[], p: number): number {
    if (xs.length === 0) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Median of numbers. */
export function median(xs: number[]): number {
    return percentile(xs, 50);
}

/** Runs `fn` over items with at most `n` at once. */
export async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(
        Array.from({ length: Math.min(n, items.length) }, async () => {
            while (next < items.length) {
                const i = next++;
                await fn(items[i], i);
            }
        })
    );
}
