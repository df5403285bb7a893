/**
 * The TypeORM DataSource: EntitySchemas, migrations run at start (`migrationsRun`), never `synchronize`.
 */
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import type { Logger } from 'pino';
import { entities } from './entities';
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
        entities,
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
