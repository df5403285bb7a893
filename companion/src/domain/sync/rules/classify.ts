/**
 * Classification of Salesforce results and the retry schedule. Retryable failures back off with full
 * jitter (base 1 s, cap 60 s, at most 8 attempts); permanent ones fail at once with Salesforce's message kept.
 */
import type { RecordResult, SalesforceError } from '../../../salesforce/wire';

export type { RecordResult, SalesforceError };

/** Outcome of one record write. */
export type Outcome =
    | { kind: 'succeeded' }
    | { kind: 'retryable'; code: string; message: string }
    | { kind: 'permanent'; code: string; message: string; fields: string[] };

/** Codes that mean "try again later": locks, throttling, a sibling's rollback, an expired session, timeouts. */
export const RETRYABLE_CODES = new Set([
    'UNABLE_TO_LOCK_ROW',
    'REQUEST_LIMIT_EXCEEDED',
    'ALL_OR_NONE_OPERATION_ROLLED_BACK',
    'PROCESSING_HALTED',
    'SERVER_UNAVAILABLE',
    'INVALID_SESSION_ID',
    'QUERY_TIMEOUT',
    'TIMEOUT',
    'ETIMEDOUT',
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'CIRCUIT_OPEN'
]);

/** Codes that count as throttling/server trouble for the circuit breaker. */
export const THROTTLE_CODES = new Set(['REQUEST_LIMIT_EXCEEDED', 'SERVER_UNAVAILABLE']);

/** Well-known permanent codes (listed for documentation; any code that is not retryable is permanent). */
export const PERMANENT_CODES = new Set([
    'FIELD_CUSTOM_VALIDATION_EXCEPTION',
    'INVALID_FIELD',
    'INVALID_FIELD_FOR_INSERT_UPDATE',
    'INVALID_FIELD_WHEN_USING_TEMPLATE',
    'ENTITY_IS_DELETED',
    'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    'INVALID_CROSS_REFERENCE_KEY',
    'INVALID_TYPE',
    'INVALID_ID_FIELD',
    'MALFORMED_ID',
    'NOT_FOUND',
    'STRING_TOO_LONG',
    'NUMBER_OUTSIDE_VALID_RANGE',
    'REQUIRED_FIELD_MISSING',
    'INSUFFICIENT_ACCESS_OR_READONLY',
    'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
    'FIELD_INTEGRITY_EXCEPTION',
    'DUPLICATE_VALUE',
    'ENTITY_IS_LOCKED',
    'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY'
]);

/** True when a Salesforce error code (or HTTP status) should be retried. */
export function isRetryableCode(code: string, httpStatus?: number): boolean {
    if (httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429 || httpStatus === 420)) return true;
    if (/^ERROR_HTTP_5\d\d$/.test(code)) return true;
    return RETRYABLE_CODES.has(code);
}

/** True when the failure is throttling or server trouble (counts toward opening the circuit). */
export function isThrottle(code: string, httpStatus?: number): boolean {
    if (httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429)) return true;
    if (/^ERROR_HTTP_5\d\d$/.test(code)) return true;
    return THROTTLE_CODES.has(code);
}

/** Classifies one per-record result of a collection. */
export function classifyRecordResult(result: RecordResult): Outcome {
    if (result.success) return { kind: 'succeeded' };
    const errors = result.errors ?? [];
    if (errors.length === 0)
        return { kind: 'retryable', code: 'UNKNOWN', message: 'Salesforce reported a failure without errors' };
    // A record is retryable only when every error on it is retryable.
    const codes = errors.map((e) => e.statusCode ?? e.errorCode ?? 'UNKNOWN');
    const message =
        errors
            .map((e) => e.message ?? '')
            .filter(Boolean)
            .join('; ') || codes.join(', ');
    const permanentIndex = codes.findIndex((c) => !isRetryableCode(c));
    if (permanentIndex >= 0) {
        const fields = errors.flatMap((e) => e.fields ?? []);
        return { kind: 'permanent', code: codes[permanentIndex], message, fields };
    }
    return { kind: 'retryable', code: codes[0], message };
}

/** Classifies a failure of a whole request (an exception thrown by jsforce or fetch). */
export function classifyRequestError(err: unknown): Outcome & { throttle: boolean } {
    const e = err as { errorCode?: string; name?: string; code?: string; message?: string; statusCode?: number };
    const code = e?.errorCode ?? (e?.code && typeof e.code === 'string' ? e.code : undefined) ?? e?.name ?? 'UNKNOWN';
    const message = e?.message ?? String(err);
    const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
    const timeout = /timed? ?out|ETIMEDOUT|socket hang up|fetch failed|ECONNRESET|ECONNREFUSED/i.test(message);
    if (timeout || isRetryableCode(code, status) || code === 'Error' || code === 'FetchError' || code === 'TypeError')
        return {
            kind: 'retryable',
            code: timeout && code === 'Error' ? 'TIMEOUT' : code,
            message,
            throttle: isThrottle(code, status)
        };
    return { kind: 'permanent', code, message, fields: [], throttle: false };
}

/** Retry schedule parameters. */
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 60_000;
export const MAX_ATTEMPTS = 8;

/**
 * Full-jitter exponential backoff: a uniform delay in [0, min(cap, base·2^(attempt−1))].
 * `attempt` is the number of attempts already made (1 after the first failure).
 */
export function backoffDelay(
    attempt: number,
    random: () => number = Math.random,
    base = BACKOFF_BASE_MS,
    cap = BACKOFF_CAP_MS
): number {
    if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`attempt must be ≥ 1, got ${attempt}`);
    const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
    return Math.floor(random() * ceiling);
}

/** What to do with an edit after a retryable failure: retry at a time, or give up after the last attempt. */
export function nextRetry(
    attempts: number,
    now: Date,
    random: () => number = Math.random
): { retry: true; at: Date } | { retry: false } {
    if (attempts >= MAX_ATTEMPTS) return { retry: false };
    return { retry: true, at: new Date(now.getTime() + backoffDelay(attempts, random)) };
}
