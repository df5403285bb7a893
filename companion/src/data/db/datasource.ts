/**
 * The TypeORM DataSource: EntitySchemas, migrations run at start (`migrationsRun`), never `synchronize`.
 */
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import type { Logger } from 'pino';
import { migrations } from './migrations';

/** Options of {@link createDataSource}. */
export interface DataSourceOptions {
    url: string;
    poolSize?: number;
    logger?: Logger;
    /** Run pending migrations on initialize (default true). */
    migrationsRun?: boolean;
    /** application_name shown in pg_stat_activity. */
    applicationName?: string;
}

/** Routes TypeORM's own messages (slow queries, migrations, errors) to pino. */
class PinoTypeOrmLogger implements TypeOrmLogger {
    constructor(private readonly logger: Logger) {}
    logQuery(): void {}
    logQueryError(error: string | Error, query: string): void {
        this.logger.debug({ err: error, query: query.slice(0, 500) }, 'query failed');
    }
    logQuerySlow(time: number, query: string): void {
        this.logger.warn({ ms: time, query: query.slice(0, 500) }, 'slow query');
    }
    logSchemaBuild(message: string): void {
        this.logger.debug(message);
    }
    logMigration(message: string): void {
        this.logger.info(message);
    }
    log(level: 'log' | 'info' | 'warn', message: unknown): void {
        if (level === 'warn') this.logger.warn(String(message));
        else this.logger.debug(String(message));
    }
}

/** Creates (does not initialize) the companion's DataSource. */
export function createDataSource(options: DataSourceOptions): DataSource {
    return new DataSource({
        type: 'postgres',
        url: options.url,
        migrations,
        migrationsRun: options.migrationsRun ?? true,
        migrationsTransactionMode: 'each',
        synchronize: false,
        logging: ['error', 'warn', 'migration'],
        logger: options.logger ? new PinoTypeOrmLogger(options.logger) : undefined,
        maxQueryExecutionTime: 1000,
        applicationName: options.applicationName ?? 'statisfy-companion',
        extra: { max: options.poolSize ?? 10 }
    });
}

/** True when every migration known to the code has been applied. */
export async function migrationsDone(dataSource: DataSource): Promise<boolean> {
    return !(await dataSource.showMigrations());
}

/** Advisory lock key serialising migrations between companion processes (any constant shared by all). */
const MIGRATION_LOCK = 7_304_118_203;

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock, so several processes starting at once against
 * one database (ROLE=web + ROLE=worker) never run the same migration twice; the later ones find nothing to do.
 * Returns the names of the migrations this process applied.
 */
export async function migrateWithLock(dataSource: DataSource, logger?: Logger): Promise<string[]> {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
        await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
        try {
            const applied = await dataSource.runMigrations({ transaction: 'each' });
            if (applied.length) logger?.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
            return applied.map((m) => m.name);
        } finally {
            await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
        }
    } finally {
        await runner.release();
    }
}

/** One round trip to the database (readiness). */
export async function pingDatabase(dataSource: DataSource): Promise<void> {
    await dataSource.query('SELECT 1');
}

/** Creates database `name` on the server `adminUrl` points at, unless it exists (the embedded PostgreSQL). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Not a plain database name: ${name}`);
    const admin = createDataSource({ url: adminUrl, migrationsRun: false, poolSize: 1 });
    await admin.initialize();
    try {
        const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.length === 0) await admin.query(`CREATE DATABASE ${name}`);
    } finally {
        await admin.destroy();
    }
}
