/**
 * The shapes every REST resource handler shares: one parsed request (`Call`), one reply (`Reply`),
 * and Salesforce's error bodies (always the array shape `[{ message, errorCode, fields? }]`; per-record
 * results of collection calls `{ success: false, errors: [{ statusCode, message, fields }] }`).
 * Handlers are pure `Call → Reply` functions; only `router.ts` touches HTTP.
 */
import { DmlError, type Transaction } from '../store/store';

/** One REST request, after authentication and body parsing. */
export interface Call {
    method: string;
    /** Path after `/services/data/vNN.N` (starts with `/`, or is '' for the version root). */
    path: string;
    query: URLSearchParams;
    /** Parsed JSON body (undefined when none), or the raw text for CSV uploads. */
    body: unknown;
    raw: string;
    headers: Record<string, string | undefined>;
    userId: string;
    /** API version without the `v`, e.g. `60.0`. */
    version: string;
    /** Set inside an allOrNone Composite request: DML joins this transaction and does not commit. */
    tx?: Transaction;
}

/** A REST reply. */
export interface Reply {
    status: number;
    body?: unknown;
    /** A non-JSON body (CSV). */
    text?: string;
    contentType?: string;
    headers?: Record<string, string>;
}

/** A Salesforce REST error reply (always the array shape). */
export function errorReply(status: number, errorCode: string, message: string, fields?: string[]): Reply {
    const e: Record<string, unknown> = { message, errorCode };
    if (fields) e.fields = fields;
    return { status, body: [e] };
}

/** What Salesforce answers for a resource it does not have: 404 `NOT_FOUND`. */
export function notFound(): Reply {
    return errorReply(404, 'NOT_FOUND', 'The requested resource does not exist');
}

/** 405 for a method the resource does not take; `allowed` lists the ones it does. */
export function notAllowed(method: string, allowed: string): Reply {
    return errorReply(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${allowed}`);
}

/** The reply for a failed single-record DML call (300 with the matching record URLs for an ambiguous upsert). */
export function dmlReply(e: DmlError): Reply {
    if (e.statusCode === 'MULTIPLE_CHOICES') return { status: 300, body: e.fields };
    return errorReply(e.httpStatus, e.statusCode, e.message, e.fields);
}

/** Per-record failure result of a collection call. */
export function failure(e: unknown, id?: string): Record<string, unknown> {
    const err =
        e instanceof DmlError
            ? { statusCode: e.statusCode, message: e.message, fields: e.fields }
            : { statusCode: 'UNKNOWN_EXCEPTION', message: String((e as Error)?.message ?? e), fields: [] };
    if (e instanceof DmlError && e.statusCode === 'MULTIPLE_CHOICES')
        return {
            ...(id ? { id } : {}),
            success: false,
            errors: [
                {
                    statusCode: 'DUPLICATE_EXTERNAL_ID',
                    message: `Foreign key external ID: ${e.message} matched multiple records`,
                    fields: []
                }
            ]
        };
    return id ? { id, success: false, errors: [err] } : { success: false, errors: [err] };
}

/** The error other records of a failed allOrNone collection call report. */
export const ROLLED_BACK = {
    statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
    message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
    fields: []
};
