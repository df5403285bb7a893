/**
 * The Salesforce wire shapes and limits the adapter speaks in: per-record results and errors of sObject
 * Collections, the API usage of `Sforce-Limit-Info`, the Collections and Composite size limits, and the shape of
 * one record write. They belong to the Salesforce adapter, which depends on no sync code; the sync's rules
 * (classification, pacing, planning) import them from here.
 */

/** One error of a per-record result (`statusCode` in collections, `errorCode` elsewhere). */
export interface SalesforceError {
    statusCode?: string;
    errorCode?: string;
    message?: string;
    fields?: string[];
}

/** A per-record result of an sObject Collection. */
export interface RecordResult {
    id?: string | null;
    success: boolean;
    errors?: SalesforceError[];
}

/** API usage as jsforce exposes it in `conn.limitInfo.apiUsage`. */
export interface ApiUsage {
    used: number;
    limit: number;
}

/** Parses a `Sforce-Limit-Info` header value (`api-usage=10018/100000; api-bursts=1/750`). */
export function parseLimitInfo(header: string | null | undefined): ApiUsage | null {
    if (!header) return null;
    const m = /api-usage=(\d+)\/(\d+)/.exec(header);
    return m ? { used: Number(m[1]), limit: Number(m[2]) } : null;
}

/** Salesforce's sObject Collections limit (records per collection). */
export const MAX_COLLECTION_SIZE = 200;
/** Salesforce's limit of collection/query subrequests in one `/composite` request. */
export const MAX_COLLECTIONS_PER_COMPOSITE = 5;

/** One record's merged write: the fields to set and the outbox rows it carries. */
export interface RecordWrite {
    objectApiName: string;
    sfId: string;
    /** Salesforce field API name → value to write. */
    values: Record<string, unknown>;
    /** Salesforce field API name → the outbox row whose value is sent for it. */
    editIdByField: Record<string, string>;
}

/** One sObject Collection (≤200 records of one object). */
export interface CollectionPlan {
    objectApiName: string;
    records: RecordWrite[];
}

/** One `/composite` call holding up to five collections. */
export interface CompositePlan {
    collections: CollectionPlan[];
}

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
    if (!Number.isInteger(size) || size < 1) throw new Error(`Chunk size must be a positive integer, got ${size}`);
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
}
