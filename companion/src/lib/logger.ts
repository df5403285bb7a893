/**
 * Logging: one pino logger per companion, every entry carrying the request context (request id, org id) taken
 * from AsyncLocalStorage, and secrets redacted wherever they appear in logged objects.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** What every log entry written inside a request or a job carries. */
export interface LogContext {
    requestId?: string;
    orgId?: string;
    job?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` attached to every log entry written inside it (also across awaits). */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
    return storage.run({ ...storage.getStore(), ...context }, fn);
}

/** The current context, or undefined outside a request or job. */
export function currentLogContext(): LogContext | undefined {
    return storage.getStore();
}

/** Adds fields (e.g. the org id once the token is checked) to the current context in place. */
export function extendLogContext(fields: LogContext): void {
    const store = storage.getStore();
    if (store) Object.assign(store, fields);
}

/** A new request id, or the caller's when it sent a sane `X-Request-Id`. */
export function requestIdFrom(header: string | undefined): string {
    return header && /^[A-Za-z0-9._:-]{1,100}$/.test(header) ? header : randomUUID();
}

/**
 * Paths pino replaces with `[redacted]`. Tokens, passwords, keys and encrypted credentials never reach a log,
 * whether logged at the top level, one level down (`*.x`) or in request headers.
 */
export const REDACT_PATHS = [
    'password',
    'token',
    'accessToken',
    'refreshToken',
    'privateKey',
    'clientSecret',
    'encryptionKey',
    'authorization',
    'private_key_enc',
    'refresh_token_enc',
    '*.password',
    '*.token',
    '*.accessToken',
    '*.access_token',
    '*.refreshToken',
    '*.refresh_token',
    '*.privateKey',
    '*.clientSecret',
    '*.client_secret',
    '*.encryptionKey',
    '*.authorization',
    '*.private_key_enc',
    '*.refresh_token_enc',
    '*.sessionId',
    'req.headers.authorization',
    'req.headers.cookie',
    'headers.authorization',
    'headers.cookie'
];

/** Creates the companion's logger. `destination` lets tests capture the output. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
    return pino(
        {
            level,
            base: { service: 'statisfy-companion' },
            timestamp: pino.stdTimeFunctions.isoTime,
            redact: { paths: REDACT_PATHS, censor: '[redacted]' },
            mixin: () => ({ ...storage.getStore() }),
            formatters: { level: (label) => ({ level: label }) }
        },
        destination
    );
}
