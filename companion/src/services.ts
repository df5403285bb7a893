/**
 * What the engine and the schema provider are built from: the shared services of one companion process. A type
 * module apart from the composition root (app.ts), so workers (the sync engine) depend on it and never on app.ts.
 */
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import type { SecretBox } from './lib/crypto';
import type { ErrorHandler } from './lib/errors';
import type { Logger } from './lib/logger';
import type { Metrics } from './lib/metrics';

/** What the engine and the schema provider are built from. */
export interface CompanionServices {
    config: Config;
    logger: Logger;
    dataSource: DataSource;
    metrics: Metrics;
    secretBox: SecretBox;
    errors: ErrorHandler;
}
