/**
 * `npm start`: the whole product on a laptop, from a fresh clone.
 *
 * 1. builds the web app (companion/web → dist) when its sources are newer than the bundle, in parallel with:
 * 2. the org emulator with demo data on EMULATOR_PORT (default 4455), its state under DATA_DIR/emulator so a
 *    second start keeps every change;
 * 3. the companion on PORT (default 3000) with embedded PostgreSQL under DATA_DIR/pg, connected to the emulator
 *    with the JWT bearer flow and the development key (emulator/fixtures/dev-jwt);
 * 4. follows the first import and prints the URL of the web app and the admin API token
 *    (STATISFY_ADMIN_TOKEN when set, else one generated once and kept in DATA_DIR/admin-token).
 *
 * With SF_LOGIN_URL (and the other SF_* variables, docs/companion-config.md) it connects to that org instead and
 * starts no emulator; with DATABASE_URL it uses that PostgreSQL. Ctrl-C stops everything cleanly.
 *
 * `startDemo()` is the same thing as a function, used by the browser tests.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { createCompanion, type Companion, type CompanionDeps, type CompanionServices } from '../companion/src/app';
import { parseConfig } from '../companion/src/config';
import { onStopSignals } from '../companion/src/lib/signals';
import { createLogger } from '../companion/src/lib/logger';
import { createSyncEngine, type StatisfySyncEngine } from '../companion/src/sync/engine';
import { defaultDeps } from '../companion/src/wiring';
import { startEmulator, type RunningEmulator } from '../emulator/src/server';

const ROOT = path.resolve(__dirname, '..');
const WEB = path.join(ROOT, 'companion', 'web');
const DEV_KEY = path.join(ROOT, 'emulator', 'fixtures', 'dev-jwt', 'server.key');

/** Options of {@link startDemo}. */
export interface DemoOptions {
    /** Companion port (default PORT or 3000; 0 = any free port). */
    port?: number;
    /** Emulator port (default EMULATOR_PORT or 4455; 0 = any). */
    emulatorPort?: number;
    /** Data directory (default DATA_DIR or ./.data). */
    dataDir?: string;
    /** Admin token (default STATISFY_ADMIN_TOKEN, else generated once and kept under dataDir). */
    adminToken?: string;
    /** Progress lines (default: none). */
    progress?: (step: Step, message: string) => void;
    /** Where the companion's JSON log goes (default dataDir/companion.log). */
    logFile?: string;
    /** Log level of the companion (default LOG_LEVEL or info). */
    logLevel?: string;
    /** Extra environment for the companion's configuration. */
    env?: NodeJS.ProcessEnv;
    /** Wait for the first import before resolving (default true). */
    waitForImport?: boolean;
    /** When aborted (Ctrl-C during start), the start stops waiting for the first import. */
    signal?: AbortSignal;
    /** Emulator CometD long-poll hold (ms). */
    cometdTimeoutMs?: number;
}

/** Progress steps. */
export type Step = 'web' | 'database' | 'emulator' | 'companion' | 'import' | 'ready' | 'warn';

/** A running demo stack. */
export interface Demo {
    url: string;
    adminToken: string;
    emulator: RunningEmulator | null;
    companion: Companion;
    /** Milliseconds from the call to the web app answering. */
    readyMs: number;
    /** The data directory in use (embedded PostgreSQL, emulator state, admin token, log). */
    dataDir: string;
    stop(): Promise<void>;
}

/** Newest modification time under a folder (files only), 0 when absent. */
function newestMtime(dir: string): number {
    if (!fs.existsSync(dir)) return 0;
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
    }
    return newest;
}

/**
 * Why companion/web/dist must be built: `missing` (never built, e.g. a fresh clone), `stale` (its sources are newer
 * than the bundle), or null when the bundle is current.
 */
export function webBuildReason(): 'missing' | 'stale' | null {
    const bundle = path.join(WEB, 'dist', 'app.js');
    if (!fs.existsSync(bundle) || !fs.existsSync(path.join(WEB, 'dist', 'index.html'))) return 'missing';
    const built = fs.statSync(bundle).mtimeMs;
    const sources = Math.max(
        newestMtime(path.join(WEB, 'src')),
        newestMtime(path.join(WEB, 'public')),
        fs.statSync(path.join(WEB, 'rollup.config.mjs')).mtimeMs
    );
    return sources > built ? 'stale' : null;
}

/** True when companion/web/dist is missing or older than its sources. */
export function webBuildNeeded(): boolean {
    return webBuildReason() !== null;
}

/** The progress line announcing a web build, true to why it is needed. */
export function webBuildMessage(reason: 'missing' | 'stale'): string {
    return reason === 'missing'
        ? 'building the web app (first start: no build yet)…'
        : 'building the web app (its sources changed since the last build)…';
}

/** Builds the web app with rollup in a child process (what `npm run build:web` runs). */
export function buildWeb(): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn(
            process.execPath,
            [
                path.join(ROOT, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'),
                '-c',
                path.join(WEB, 'rollup.config.mjs'),
                '--silent'
            ],
            { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] }
        );
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`building the web app failed (rollup exit ${code}):\n${stderr}`))
        );
    });
}

/** The admin token: given, or kept in dataDir/admin-token (created once, mode 600). */
function adminTokenFor(dataDir: string, given?: string): string {
    if (given) return given;
    const file = path.join(dataDir, 'admin-token');
    if (fs.existsSync(file)) {
        const kept = fs.readFileSync(file, 'utf8').trim();
        if (kept.length >= 16) return kept;
    }
    const token = `sty_${randomBytes(24).toString('base64url')}`;
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
    return token;
}

/** A writable that keeps the companion's JSON log in a file and reports notable lines. */
function logSink(file: string, onLine: (entry: Record<string, unknown>) => void): Writable {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const out = fs.createWriteStream(file, { flags: 'a' });
    let partial = '';
    return new Writable({
        write(chunk: Buffer, _enc, done) {
            out.write(chunk);
            partial += chunk.toString();
            let cut = partial.indexOf('\n');
            while (cut >= 0) {
                const line = partial.slice(0, cut);
                partial = partial.slice(cut + 1);
                try {
                    onLine(JSON.parse(line) as Record<string, unknown>);
                } catch {
                    // not JSON: ignore
                }
                cut = partial.indexOf('\n');
            }
            done();
        },
        final(done) {
            out.end(done);
        }
    });
}

/** The production wiring, with the sync engine (also the describe provider) when wiring.ts does not add it yet. */
function withEngine(deps: CompanionDeps): CompanionDeps {
    if (deps.engine) return deps;
    let engine: StatisfySyncEngine | undefined;
    const shared = (services: CompanionServices) => (engine ??= createSyncEngine(services));
    return { ...deps, engine: shared, schema: deps.schema ?? shared };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the companion's database until every synced object holds as many records as the org (or timeout). */
async function followImport(
    companion: Companion,
    emulator: RunningEmulator | null,
    progress: (step: Step, message: string) => void,
    timeoutMs: number,
    signal?: AbortSignal
): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline && !signal?.aborted) {
        const objects: { object_api_name: string; display_name: string }[] = await companion.dataSource.query(
            `SELECT object_api_name, display_name FROM sync_objects WHERE enabled ORDER BY object_api_name`
        );
        const counts: { object_api_name: string; n: string }[] = await companion.dataSource.query(
            `SELECT object_api_name, count(*) AS n FROM records WHERE NOT deleted GROUP BY object_api_name`
        );
        const have = new Map(counts.map((c) => [c.object_api_name, Number(c.n)]));
        const runs: { n: string }[] = await companion.dataSource.query(
            `SELECT count(*) AS n FROM sync_runs WHERE kind IN ('import','reconcile') AND status = 'succeeded'`
        );
        const parts = objects.map((o) => {
            const expected = emulator ? emulator.org.store.count(o.object_api_name) : null;
            const n = have.get(o.object_api_name) ?? 0;
            return { name: o.display_name, n, expected, done: expected === null ? n > 0 : n >= expected };
        });
        const line = parts.length
            ? parts.map((p) => `${p.name} ${p.n}${p.expected === null ? '' : `/${p.expected}`}`).join(', ')
            : 'waiting for the sync configuration';
        if (line !== last) {
            progress('import', line);
            last = line;
        }
        if (parts.length > 0 && (parts.every((p) => p.done) || Number(runs[0]?.n ?? 0) >= parts.length)) return true;
        await sleep(400);
    }
    return false;
}

/** Why `npm start` will not run as asked (a configuration problem; the CLI exits 78). */
export class DemoRefusedError extends Error {
    override readonly name = 'DemoRefusedError';
}

/** Starts the emulator (unless SF_LOGIN_URL points at a real org) and the companion; resolves when the UI answers. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
    const t0 = Date.now();
    const env = { ...process.env, ...(options.env ?? {}) };
    if (env.NODE_ENV === 'production' && !env.SF_LOGIN_URL) {
        throw new DemoRefusedError(
            'NODE_ENV=production: npm start will not run the demo. The demo connects to the org emulator, whose ' +
                'control API (/__emulator) lets anyone read and change its data, with the public development key.\n' +
                'For production, set SF_LOGIN_URL and the other SF_* variables of your org (docs/companion-config.md) ' +
                'and start the companion as docs/operating.md shows; for the demo, leave NODE_ENV unset.'
        );
    }
    const progress = options.progress ?? (() => undefined);
    const dataDir = path.resolve(options.dataDir ?? env.DATA_DIR ?? path.join(ROOT, '.data'));
    const port = options.port ?? Number(env.PORT ?? 3000);
    const emulatorPort = options.emulatorPort ?? Number(env.EMULATOR_PORT ?? 4455);
    const adminToken = adminTokenFor(dataDir, options.adminToken ?? env.STATISFY_ADMIN_TOKEN);
    const realOrg = Boolean(env.SF_LOGIN_URL);

    const buildReason = webBuildReason();
    const web = buildReason
        ? (progress('web', webBuildMessage(buildReason)), buildWeb().then(() => progress('web', 'web app built')))
        : Promise.resolve();
    web.catch(() => undefined);

    let emulator: RunningEmulator | null = null;
    let companion: Companion | undefined;
    const stopAll = async () => {
        if (companion) await companion.stop();
        if (emulator) await emulator.stop();
    };
    try {
        if (!realOrg) {
            emulator = await startEmulator({
                port: emulatorPort,
                seed: 'demo',
                dataDir: path.join(dataDir, 'emulator'),
                cometdTimeoutMs: options.cometdTimeoutMs,
                // Pub/Sub beside the REST port (4455 → 4456), or any free port when the REST port is 0.
                pubsubPort: emulatorPort === 0 ? 0 : emulatorPort + 1
            });
            const counts = ['Account', 'Contact', 'Opportunity', 'Success_Plan__c']
                .map((o) => `${emulator!.org.store.count(o)} ${o}`)
                .join(', ');
            progress('emulator', `Salesforce org emulator at ${emulator.url} (${counts})`);
        }
        const companionEnv: NodeJS.ProcessEnv = {
            ...env,
            PORT: String(port),
            DATA_DIR: dataDir,
            STATISFY_ADMIN_TOKEN: adminToken
        };
        if (emulator) {
            Object.assign(companionEnv, {
                SF_LOGIN_URL: emulator.url,
                SF_AUTH_KIND: 'jwt',
                SF_CONSUMER_KEY: emulator.clientId,
                SF_USERNAME: 'integration@statisfy.test',
                SF_PRIVATE_KEY_FILE: DEV_KEY,
                SF_ORG_ID: emulator.orgId,
                SF_ORG_NAME: env.SF_ORG_NAME ?? 'Statisfy Demo (emulated org)'
            });
            if (emulator.pubsub) companionEnv.SF_PUBSUB_URL = `grpc://${emulator.pubsub.endpoint}`;
            delete companionEnv.SF_PRIVATE_KEY;
            delete companionEnv.SF_REFRESH_TOKEN;
        }
        const config = parseConfig(companionEnv);
        progress(
            'database',
            config.databaseUrl
                ? 'connecting to DATABASE_URL…'
                : `starting embedded PostgreSQL in ${path.join(dataDir, 'pg')}…`
        );
        const logger = createLogger(
            options.logLevel ?? env.LOG_LEVEL ?? 'info',
            logSink(options.logFile ?? path.join(dataDir, 'companion.log'), (entry) => {
                const msg = String(entry.msg ?? '');
                if (msg === 'org from the environment ready')
                    progress('database', 'database ready, migrations applied');
                else if (Number(entry.level === 'error' ? 50 : entry.level === 'fatal' ? 60 : 0) >= 50)
                    progress(
                        'warn',
                        `${msg}${entry.err ? `: ${JSON.stringify((entry.err as { message?: string }).message ?? entry.err)}` : ''}`
                    );
            })
        );
        companion = createCompanion(config, { ...withEngine(defaultDeps()), logger });
        await companion.start();
        progress('companion', `companion listening on ${companion.url}`);
        await web;
        const url = `http://localhost:${new URL(companion.url).port}`;
        const answer = await fetch(`${companion.url}/`);
        if (!answer.ok) throw new Error(`the web app does not answer at ${url} (HTTP ${answer.status})`);
        const readyMs = Date.now() - t0;
        if (options.waitForImport !== false) {
            const done = await followImport(companion, emulator, progress, 60_000, options.signal);
            if (!done) progress('warn', 'the first import is still running (see the Sync page)');
        }
        const running = companion;
        return { url, adminToken, emulator, companion: running, readyMs, dataDir, stop: stopAll };
    } catch (error) {
        await stopAll().catch(() => undefined);
        throw error;
    }
}

/* ------------------------------------------------------------------------------------------------ CLI */

/** The data directory the CLI uses when none was given (DATA_DIR, else ./.data). */
function defaultDataDir(): string {
    return path.resolve(process.env.DATA_DIR ?? path.join(ROOT, '.data'));
}

/** The last line after Ctrl-C: where the data stays. */
export function stopMessage(dataDir: string): string {
    return `Stopped. Your data is kept in ${dataDir} for the next start (delete that folder to start afresh).`;
}

const ICON: Record<Step, string> = {
    web: '◆',
    database: '◆',
    emulator: '◆',
    companion: '◆',
    import: '↻',
    ready: '✔',
    warn: '!'
};

async function main(): Promise<void> {
    const t0 = Date.now();
    const tty = process.stdout.isTTY;
    const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
    const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
    const stamp = () => dim(`${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s`);
    process.stdout.write(`${bold('Statisfy for Salesforce')} — starting the demo (Ctrl-C stops it)\n`);
    let demo: Demo | undefined;
    let stopping = false;
    const stop = async (signal: string) => {
        stopping = true;
        process.stdout.write(`\n${signal}: stopping the companion, the database and the emulator…\n`);
        try {
            // A stop during start lets the start finish (it skips waiting for the import), so nothing it opened
            // is left behind.
            aborted.abort();
            if (!demo) demo = await starting.catch(() => undefined);
            await demo?.stop();
            process.stdout.write(`${stopMessage(demo?.dataDir ?? defaultDataDir())}\n`);
            process.exit(0);
        } catch (error) {
            process.stderr.write(`Stopping failed: ${(error as Error).message}\n`);
            process.exit(1);
        }
    };
    // One Ctrl-C reaches this process twice (the terminal signals the group, npm forwards its own): one request.
    onStopSignals({
        stop: (signal) => void stop(signal === 'SIGINT' ? 'Ctrl-C' : signal),
        force: () => {
            process.stdout.write('\nSecond signal: exiting now.\n');
            process.exit(130);
        }
    });
    const aborted = new AbortController();
    const starting = startDemo({
        signal: aborted.signal,
        progress: (step, message) => process.stdout.write(`${stamp()} ${ICON[step]} ${step.padEnd(9)} ${message}\n`)
    });
    try {
        demo = await starting;
    } catch (error) {
        if (stopping) return;
        if (error instanceof DemoRefusedError) {
            process.stderr.write(`\n${error.message}\n`);
            process.exit(78); // EX_CONFIG, as the companion's configuration check
        }
        process.stderr.write(`\nCould not start: ${(error as Error).message}\n`);
        process.stderr.write('See docs/operating.md (Troubleshooting) and the log in DATA_DIR/companion.log.\n');
        process.exit(1);
    }
    if (stopping) return;
    const lines = [
        '',
        `${bold('Statisfy is running')} ${dim(`(web app answered ${(demo.readyMs / 1000).toFixed(1)} s after start)`)}`,
        '',
        `  Web app            ${bold(demo.url)}`,
        `  Admin API token    ${bold(demo.adminToken)}`
    ];
    if (demo.emulator) {
        lines.push(
            `  Salesforce side    ${demo.emulator.url}/__emulator/ui/  (edit a record as a Salesforce user)`,
            `  Emulator login     admin@statisfy.test / statisfy`
        );
    }
    lines.push(
        `  API                ${demo.url}/api/v1/openapi.json`,
        `  Log                ${path.join(demo.dataDir, 'companion.log')}`,
        '',
        'Sign in to the web app with the admin token. Ctrl-C stops everything.',
        ''
    );
    process.stdout.write(lines.join('\n'));
}

if (require.main === module) void main();
