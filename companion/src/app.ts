/**
 * The composition root: `createCompanion(config)` wires configuration, logging, errors, PostgreSQL, repositories,
 * the domain, the sync engine and the HTTP server, and gives one `start()` / `stop()` pair. Tests run it in-process
 * (PORT 0); main.ts runs it as a process.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createExpressApp } from './api/server';
import type { ApiContext } from './api/route';
import type { Config } from './config';
import { createRepositories, sumCounts } from './data';
import { createDataSource, ensureDatabase, migrateWithLock, migrationsDone, pingDatabase } from './data/db/datasource';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './data/db/embedded';
import type { OrgSchemaProvider, SyncEngine } from './domain/ports';
import { bootstrapOrgFromConfig } from './domain/tenants';
import { SecretBox } from './lib/crypto';
import { AppError, ErrorHandler } from './lib/errors';
import { resolveEncryptionKey } from './lib/keys';
import { createLogger, type Logger } from './lib/logger';
import { createMetrics, type Metrics } from './lib/metrics';
import { createWebApp, type WebApp } from './web';

import type { CompanionServices } from './services';
export type { CompanionServices };

/** Replaceable parts (tests; other deployments). */
export interface CompanionDeps {
    logger?: Logger;
    /** Builds the sync engine; when absent no engine runs and the sync routes answer 503. */
    engine?: (services: CompanionServices) => SyncEngine | undefined;
    /** Builds the org schema provider; when absent field checks against describe answer 503. */
    schema?: (services: CompanionServices) => OrgSchemaProvider | undefined;
}

/** A companion instance. */
export interface Companion {
    readonly config: Config;
    readonly logger: Logger;
    readonly metrics: Metrics;
    readonly errors: ErrorHandler;
    /** Available after start(). */
    readonly dataSource: DataSource;
    readonly secretBox: SecretBox;
    readonly engine: SyncEngine | undefined;
    /** Base URL of the HTTP server (after start()). */
    readonly url: string;
    /** Registers work to do at stop(), after the engine stopped and before the database closes. */
    onShutdown(name: string, hook: () => Promise<void>): void;
    start(): Promise<void>;
    /** Graceful stop: stop accepting, finish requests, stop the engine (flushes finish, checkpoints commit), close the DB. */
    stop(): Promise<void>;
}

function within<T>(ms: number, what: string, work: Promise<T>): Promise<T | void> {
    let timer: NodeJS.Timeout;
    const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => resolve(), ms);
        timer.unref();
    }).then(() => {
        throw new Error(`${what} did not finish within ${ms} ms`);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Creates (does not start) a companion. */
export function createCompanion(config: Config, deps: CompanionDeps = {}): Companion {
    const logger = deps.logger ?? createLogger(config.logLevel);
    const metrics = createMetrics();
    let starting: Promise<void> | undefined;
    let stopping: Promise<void> | undefined;
    const errors = new ErrorHandler(logger, (error) => {
        logger.fatal({ code: error.code }, 'catastrophic error: shutting down');
        void companion.stop().finally(() => {
            process.exitCode = 1;
        });
    });
    errors.observe((error) => metrics.errors.inc({ code: error.code }));

    let embedded: EmbeddedDatabase | undefined;
    let dataSource: DataSource | undefined;
    let secretBox: SecretBox | undefined;
    let engine: SyncEngine | undefined;
    let server: Server | undefined;
    let web: WebApp | undefined;
    let url = '';
    let started = false;
    const hooks: { name: string; hook: () => Promise<void> }[] = [];

    const readiness: ApiContext['readiness'] = async () => {
        const checks: Record<string, { ok: boolean; detail?: string }> = {};
        try {
            await pingDatabase(dataSource!);
            checks.database = { ok: true };
            checks.migrations = (await migrationsDone(dataSource!))
                ? { ok: true }
                : { ok: false, detail: 'migrations pending' };
        } catch (error) {
            checks.database = { ok: false, detail: (error as Error).message };
        }
        if (config.engineEnabled && engine) {
            checks.engine = engine.isStarted() ? { ok: true } : { ok: false, detail: 'sync engine not started' };
        }
        if (stopping) checks.shutdown = { ok: false, detail: 'shutting down' };
        return { ready: started && Object.values(checks).every((c) => c.ok), checks };
    };

    const companion: Companion = {
        config,
        logger,
        metrics,
        errors,
        get dataSource() {
            if (!dataSource) throw new Error('companion not started');
            return dataSource;
        },
        get secretBox() {
            if (!secretBox) throw new Error('companion not started');
            return secretBox;
        },
        get engine() {
            return engine;
        },
        get url() {
            return url;
        },
        onShutdown(name, hook) {
            hooks.push({ name, hook });
        },

        start() {
            starting ??= doStart();
            return starting;
        },

        stop() {
            stopping ??= (async () => {
                // A stop during start waits for start to finish, so nothing it opens is left behind.
                await starting?.catch(() => undefined);
                await doStop();
            })();
            return stopping;
        }
    };

    async function doStart(): Promise<void> {
        const t0 = Date.now();
        secretBox = new SecretBox(await resolveEncryptionKey(config, logger));
        let databaseUrl = config.databaseUrl;
        if (!databaseUrl) {
            embedded = await startEmbeddedPostgres({
                dir: join(config.dataDir, 'pg'),
                port: config.embeddedPgPort,
                logger: logger.child({ component: 'postgres' })
            });
            await ensureDatabase(embedded.adminUrl, 'statisfy');
            databaseUrl = embedded.urlFor('statisfy');
        }
        dataSource = createDataSource({
            url: databaseUrl,
            poolSize: config.dbPoolSize,
            logger: logger.child({ component: 'db' }),
            // Migrations run right below, under an advisory lock (several processes may start at once).
            migrationsRun: false,
            applicationName: `statisfy-companion-${config.role}`
        });
        await dataSource.initialize();
        await migrateWithLock(dataSource, logger);
        const ds = dataSource;
        metrics.setGaugeSource(async () => {
            const rows = await createRepositories(ds.manager).pendingEdits.countsByObject(null);
            return Array.from(new Set(rows.map((r) => r.orgId))).map((orgId) => {
                const c = sumCounts(rows.filter((r) => r.orgId === orgId));
                return { orgId, pending: c.pending + c.inFlight, failed: c.failed, openConflicts: c.openConflicts };
            });
        });
        await bootstrapOrgFromConfig(dataSource, secretBox, config, logger);

        const services: CompanionServices = { config, logger, dataSource, metrics, secretBox, errors };
        const schema = deps.schema?.(services);
        engine = deps.engine?.(services);
        if (engine && config.engineEnabled) await engine.start();

        web = createWebApp({ dataSource, logger, secretBox });
        const app = createExpressApp({ dataSource, metrics, logger, errors, schema, engine, readiness }, errors, {
            api: config.role !== 'worker',
            web,
            security: {
                env: config.env,
                metricsToken: config.metricsToken,
                authFailureLimit: config.authFailureLimit,
                authFailureWindowMs: config.authFailureWindowMs
            }
        });
        await new Promise<void>((resolve, reject) => {
            server = app.listen(config.port, config.host, () => resolve());
            server.once('error', reject);
        });
        server!.keepAliveTimeout = 5000;
        const address = server!.address() as AddressInfo;
        const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
        started = true;
        logger.info(
            { url, role: config.role, engine: Boolean(engine && config.engineEnabled), ms: Date.now() - t0 },
            'companion started'
        );
    }

    async function doStop(): Promise<void> {
        const timeout = config.shutdownTimeoutMs;
        const step = async (what: string, work: () => Promise<unknown>) => {
            try {
                await within(timeout, what, work());
            } catch (error) {
                errors.handle(
                    new AppError('SHUTDOWN_STEP_FAILED', `${what}: ${(error as Error).message}`, 500, {
                        cause: error
                    }),
                    'shutdown'
                );
            }
        };
        logger.info('companion stopping');
        web?.close();
        if (server) {
            const s = server;
            await step('closing the HTTP server', () => {
                const closed = new Promise<void>((resolve) => s.close(() => resolve()));
                // Keep-alive connections that finish their last request become idle later: close them as they do.
                const sweep = setInterval(() => s.closeIdleConnections(), 25);
                s.closeIdleConnections();
                return closed.finally(() => clearInterval(sweep));
            });
        }
        if (engine?.isStarted()) await step('stopping the sync engine', () => engine!.stop());
        for (const { name, hook } of hooks.reverse()) await step(name, hook);
        if (dataSource?.isInitialized) await step('closing the database pool', () => dataSource!.destroy());
        if (embedded) await step('stopping embedded PostgreSQL', () => embedded!.stop());
        started = false;
        logger.info('companion stopped');
    }
    return companion;
}

/** Repositories on a started companion's DataSource (scripts, tests). */
export function repositoriesOf(companion: Companion) {
    return createRepositories(companion.dataSource.manager);
}
