/**
 * One embedded PostgreSQL per test run, one fresh database per test file.
 *
 * Jest's `globalSetup` (global-setup.ts) calls {@link startTestCluster}: a throw-away cluster in a temp dir
 * (fsync off), plus a template database migrated once. Each test file then calls {@link createTestDatabase}, which
 * copies the template (`CREATE DATABASE … TEMPLATE`, tens of milliseconds) and drops it at the end.
 *
 * Reusable by any Jest project: point its `globalSetup`/`globalTeardown` at global-setup.ts / global-teardown.ts.
 * With `STATISFY_TEST_DATABASE_URL` set (a server you run yourself, URL of a database the user may create databases
 * from), no cluster is started and that server is used instead.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '../../src/data/db/datasource';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/data/db/embedded';

/** Environment variable carrying the admin URL from globalSetup to the test workers. */
export const ADMIN_URL_ENV = 'STATISFY_TEST_PG_ADMIN_URL';
/** Environment variable naming the migrated template database. */
export const TEMPLATE_ENV = 'STATISFY_TEST_PG_TEMPLATE';

/** The cluster started by globalSetup. */
export interface TestCluster {
    adminUrl: string;
    template: string;
    stop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
    const u = new URL(url);
    u.pathname = `/${database}`;
    return u.toString();
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
        await client.query(sql);
    } finally {
        await client.end();
    }
}

/** Starts the run's cluster (or uses STATISFY_TEST_DATABASE_URL) and migrates the template database. */
export async function startTestCluster(): Promise<TestCluster> {
    let embedded: EmbeddedDatabase | undefined;
    let dir: string | undefined;
    let adminUrl = process.env.STATISFY_TEST_DATABASE_URL;
    if (!adminUrl) {
        dir = await mkdtemp(join(tmpdir(), 'statisfy-test-pg-'));
        await chmod(dir, 0o755); // the cluster may run as the `postgres` user (we may be root)
        embedded = await startEmbeddedPostgres({
            dir: join(dir, 'pg'),
            ephemeral: true,
            initdbFlags: ['--no-sync'],
            postgresFlags: [
                '-c',
                'fsync=off',
                '-c',
                'synchronous_commit=off',
                '-c',
                'full_page_writes=off',
                '-c',
                'max_connections=400',
                '-c',
                'shared_buffers=64MB'
            ]
        });
        adminUrl = embedded.adminUrl;
    }
    const template = `statisfy_template_${randomBytes(4).toString('hex')}`;
    await adminQuery(adminUrl, `CREATE DATABASE ${template}`);
    const dataSource = createDataSource({ url: withDatabase(adminUrl, template), migrationsRun: true, poolSize: 1 });
    await dataSource.initialize();
    await dataSource.destroy();
    return {
        adminUrl,
        template,
        async stop() {
            if (embedded) await embedded.stop();
            else await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
            if (dir) await rm(dir, { recursive: true, force: true });
        }
    };
}

/** A database of one test file. */
export interface TestDatabase {
    name: string;
    url: string;
    /** Drops the database (closing what still uses it). */
    drop(): Promise<void>;
}

/**
 * Creates a fresh database for the calling test file: migrated (a copy of the template) by default, or empty with
 * `{ migrated: false }` (to test migrations themselves).
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
    const adminUrl = process.env[ADMIN_URL_ENV];
    const template = process.env[TEMPLATE_ENV];
    if (!adminUrl || !template) {
        throw new Error(
            `${ADMIN_URL_ENV} is not set: run through Jest with companion/test/support/global-setup.ts as globalSetup`
        );
    }
    const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const sql = `CREATE DATABASE ${name}${options.migrated === false ? '' : ` TEMPLATE ${template}`}`;
    for (let attempt = 0; ; attempt++) {
        try {
            await adminQuery(adminUrl, sql);
            break;
        } catch (error) {
            // 55006: the template is briefly in use by a concurrent CREATE DATABASE of another worker.
            if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
            await new Promise((r) => setTimeout(r, 20 + Math.random() * 50));
        }
    }
    return {
        name,
        url: withDatabase(adminUrl, name),
        drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    };
}
