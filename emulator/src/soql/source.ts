/**
 * The contract between the SOQL engine and the org that runs it: where schemas and records come from
 * (`SoqlDataSource`), the options of a run, and the result shapes in the REST API's record form.
 */
import type { ObjectSchema } from '../schema/types';

export type Rec = Readonly<Record<string, unknown>>;

/** Where the SOQL engine reads schemas and records. One data source = one org. */
export interface SoqlDataSource {
    /** The object's describe data, looked up case-insensitively; undefined when the org has no such object. */
    describe(objectName: string): ObjectSchema | undefined;
    /** All records of the object (deleted ones only when `includeDeleted`). */
    records(objectName: string, opts: { includeDeleted: boolean }): Iterable<Rec>;
    /** Any record by id (15 or 18 characters), for parent relationship fields. */
    byId(id: string): { objectName: string; record: Rec } | undefined;
    /**
     * The object's child relationships (`Contacts` on Account: Contact.AccountId), for relationship
     * subqueries. Optional: a source without it has none.
     */
    childRelationships?(objectName: string): Array<{ relationshipName: string; childObject: string; field: string }>;
    /** Current time, for date literals (TODAY, LAST_N_DAYS:n, …). */
    now(): Date;
}

/** A query result in REST shape (before paging into batches). */
export interface SoqlResult {
    /** Number of rows, or the count for `SELECT COUNT()`. */
    totalSize: number;
    /** Records as the REST API returns them: `{attributes:{type,url}, Field: value, Rel: {attributes, …} | null}`. Empty for COUNT(). */
    records: Array<Record<string, unknown>>;
    /** The queried object, spelled as in describe. */
    objectName: string;
}

/** Options for {@link executeSoql}. */
export interface ExecuteSoqlOptions {
    /** true for queryAll: deleted (recycle-bin) records are included. */
    includeDeleted: boolean;
    /** API version for `attributes.url`, e.g. `"60.0"` (a leading `v` is accepted). */
    apiVersion: string;
}

/**
 * A query result whose rows are selected (filtered, ordered, LIMIT/OFFSET applied) but turned into REST
 * records only when a page is read. Lets the REST layer answer the first 2,000-record batch of a
 * 100,000-row result without building the other 98,000 records up front.
 */
export interface SoqlPagedResult {
    /** Number of rows, or the count for `SELECT COUNT()`. */
    totalSize: number;
    /** The queried object, spelled as in describe. */
    objectName: string;
    /**
     * Rows `start` (inclusive) to `end` (exclusive) in REST shape. Field values are read when the page
     * is built, so a later page shows later edits of its rows (the row set itself is fixed). Always
     * empty for COUNT().
     */
    page(start: number, end: number): Array<Record<string, unknown>>;
}
