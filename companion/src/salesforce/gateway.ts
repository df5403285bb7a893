/**
 * The Salesforce calls the sync makes, over one org's jsforce connection: SOQL with paging, sObject
 * Collections inside `/composite`, upserts by external id, Bulk API 2.0 ingest and query. Counts every API
 * call it makes and reads `conn.limitInfo` (Sforce-Limit-Info) after each one, for pacing and metrics.
 */
import type { Connection } from 'jsforce';
import { ApiCallCounter, type ApiPurpose } from './call-accounting';
import {
    chunk,
    MAX_COLLECTION_SIZE,
    type ApiUsage,
    type CompositePlan,
    type RecordResult,
    type RecordWrite,
    type SalesforceError
} from './wire';

/** A record as SOQL returns it (attributes dropped by callers). */
export type SfRecord = Record<string, unknown> & { Id?: string };

/** One collection's outcome inside a composite call. */
export type CollectionOutcome =
    | { ok: true; objectApiName: string; records: RecordWrite[]; results: RecordResult[] }
    | { ok: false; objectApiName: string; records: RecordWrite[]; status: number; code: string; message: string };

interface CompositeSubResponse {
    body: unknown;
    httpStatusCode: number;
    referenceId: string;
}

/** Escapes one CSV cell (RFC 4180). */
export function csvCell(value: unknown): string {
    const s =
        value === null
            ? '#N/A'
            : value === undefined
              ? ''
              : typeof value === 'object'
                ? JSON.stringify(value)
                : String(value);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Builds the CSV of a Bulk API 2.0 update: `Id` plus the union of the written fields; a field a record does
 * not write stays empty (Bulk leaves empty cells unchanged) and null becomes `#N/A` (Bulk's "set to null").
 */
export function bulkUpdateCsv(records: readonly RecordWrite[]): string {
    const columns: string[] = [];
    const seen = new Set<string>();
    for (const r of records)
        for (const f of Object.keys(r.values))
            if (!seen.has(f)) {
                seen.add(f);
                columns.push(f);
            }
    const lines = [['Id', ...columns].join(',')];
    for (const r of records)
        lines.push([r.sfId, ...columns.map((c) => (c in r.values ? csvCell(r.values[c]) : ''))].join(','));
    return lines.join('\n') + '\n';
}

/** Parses a Bulk API 2.0 `sf__Error` value (`CODE:message:fields`). */
export function parseBulkError(raw: string): SalesforceError {
    const m = /^([A-Z_]+):(.*?)(?::--)?$/s.exec(raw ?? '');
    return m ? { statusCode: m[1], message: m[2].trim() } : { statusCode: 'UNKNOWN', message: raw };
}

/** See the module comment. */
export class SalesforceGateway {
    private readonly shared: { counter: ApiCallCounter; usage: ApiUsage | null };

    /**
     * `purpose` names what the calls made through this gateway are for; {@link SalesforceGateway.for} makes a view
     * of the same org's gateway (same connection, counter and usage) for another purpose.
     */
    constructor(
        readonly conn: Connection,
        readonly purpose: ApiPurpose = 'other',
        shared?: { counter: ApiCallCounter; usage: ApiUsage | null }
    ) {
        this.shared = shared ?? { counter: new ApiCallCounter(), usage: null };
    }

    /** This gateway, counting its calls for `purpose`. */
    for(purpose: ApiPurpose): SalesforceGateway {
        return new SalesforceGateway(this.conn, purpose, this.shared);
    }

    /** The org's call counter (every view of the gateway counts into it). */
    get counter(): ApiCallCounter {
        return this.shared.counter;
    }

    /** API calls made through this gateway (any view) since it was created. */
    get apiCalls(): number {
        return this.shared.counter.total;
    }

    /** The last API usage Salesforce reported. */
    get apiUsage(): ApiUsage | null {
        return this.shared.usage;
    }

    /** Counts calls made over this gateway's connection by other means (e.g. a describe). */
    count(n = 1): void {
        this.shared.counter.add(this.purpose, n);
    }

    private counted<T>(n = 1): (value: T) => T {
        return (value: T) => {
            this.count(n);
            const usage = (this.conn.limitInfo as { apiUsage?: ApiUsage } | undefined)?.apiUsage;
            if (usage) this.shared.usage = { used: usage.used, limit: usage.limit };
            return value;
        };
    }

    private async call<T>(p: PromiseLike<T>, n = 1): Promise<T> {
        try {
            return this.counted<T>(n)(await p);
        } catch (err) {
            this.counted<unknown>(n)(undefined);
            throw err;
        }
    }

    /** Calls `/limits` (one API call) to refresh {@link apiUsage}. */
    async readLimits(): Promise<void> {
        await this.for('limits').call(this.conn.limits());
    }

    /** Runs a SOQL query and yields its pages (each page one API call) until done. */
    async *queryPages(soql: string, options: { all?: boolean } = {}): AsyncGenerator<SfRecord[]> {
        type Page = { records: SfRecord[]; done: boolean; nextRecordsUrl?: string };
        let page = (await this.call(
            this.conn.query(soql, { autoFetch: false, scanAll: options.all ?? false })
        )) as unknown as Page;
        for (;;) {
            yield page.records.map(strip);
            if (page.done || !page.nextRecordsUrl) return;
            page = (await this.call(
                this.conn.queryMore(page.nextRecordsUrl, { autoFetch: false } as never)
            )) as unknown as Page;
        }
    }

    /** Runs a SOQL query and returns every record. */
    async queryAll(soql: string): Promise<SfRecord[]> {
        const out: SfRecord[] = [];
        for await (const page of this.queryPages(soql)) out.push(...page);
        return out;
    }

    /** Runs a Bulk API 2.0 query and yields its records in batches (for very large reads). */
    async *bulkQuery(soql: string, batchSize = 2000): AsyncGenerator<SfRecord[]> {
        const stream = await this.call(this.conn.bulk2.query(soql, { pollTimeout: 10 * 60_000 }), 4);
        let batch: SfRecord[] = [];
        // The record stream is an object-mode Readable: iterating it applies backpressure, so memory stays flat.
        for await (const r of stream as AsyncIterable<SfRecord>) {
            batch.push(strip(r));
            if (batch.length >= batchSize) {
                yield batch;
                batch = [];
            }
        }
        if (batch.length) yield batch;
    }
    /**
     * Sends one composite call of up to five collection updates (`allOrNone: false` everywhere, so one bad
     * record never holds back the others) and returns each collection's per-record results.
     */
    async compositeUpdate(plan: CompositePlan): Promise<CollectionOutcome[]> {
        const version = this.conn.version;
        const compositeRequest = plan.collections.map((c, i) => ({
            method: 'PATCH',
            url: `/services/data/v${version}/composite/sobjects`,
            referenceId: `c${i}`,
            body: {
                allOrNone: false,
                records: c.records.map((r) => ({ attributes: { type: c.objectApiName }, id: r.sfId, ...r.values }))
            }
        }));
        const res = await this.call(
            this.conn.requestPost<{ compositeResponse: CompositeSubResponse[] }>('/composite', {
                allOrNone: false,
                collateSubrequests: false,
                compositeRequest
            })
        );
        return plan.collections.map((c, i) => {
            const sub = res.compositeResponse.find((s) => s.referenceId === `c${i}`) ?? res.compositeResponse[i];
            if (sub && sub.httpStatusCode < 300 && Array.isArray(sub.body))
                return {
                    ok: true as const,
                    objectApiName: c.objectApiName,
                    records: c.records,
                    results: sub.body as RecordResult[]
                };
            const err = Array.isArray(sub?.body)
                ? (sub.body[0] as { errorCode?: string; message?: string })
                : undefined;
            return {
                ok: false as const,
                objectApiName: c.objectApiName,
                records: c.records,
                status: sub?.httpStatusCode ?? 500,
                code: err?.errorCode ?? `ERROR_HTTP_${sub?.httpStatusCode ?? 500}`,
                message: err?.message ?? 'Salesforce gave no answer for this collection'
            };
        });
    }

    /** Updates records of one object with a Bulk API 2.0 ingest job; results keyed by record id. */
    async bulkUpdate(objectApiName: string, records: RecordWrite[]): Promise<Map<string, RecordResult>> {
        const results = await this.call(
            this.conn.bulk2.loadAndWaitForResults({
                object: objectApiName,
                operation: 'update',
                input: bulkUpdateCsv(records),
                pollTimeout: 10 * 60_000
            }),
            4
        );
        const out = new Map<string, RecordResult>();
        for (const r of results.successfulResults)
            out.set(String(r.sf__Id).slice(0, 15), { id: r.sf__Id, success: true, errors: [] });
        for (const r of results.failedResults) {
            const id = String((r as Record<string, unknown>).Id ?? r.sf__Id ?? '');
            out.set(id.slice(0, 15), { id, success: false, errors: [parseBulkError(r.sf__Error)] });
        }
        return out;
    }

    /**
     * Upserts records by an external id field with sObject Collections (≤200 per call); results in input order.
     */
    async upsertByExternalId(
        objectApiName: string,
        externalIdField: string,
        records: Record<string, unknown>[]
    ): Promise<RecordResult[]> {
        const out: RecordResult[] = [];
        for (const part of chunk(records, MAX_COLLECTION_SIZE)) {
            const res = await this.call(
                this.conn.requestPatch<RecordResult[]>(`/composite/sobjects/${objectApiName}/${externalIdField}`, {
                    allOrNone: false,
                    records: part.map((r) => ({ attributes: { type: objectApiName }, ...r }))
                })
            );
            out.push(...res);
        }
        return out;
    }

    /** Reads the given fields and SystemModstamp of records by id (one SOQL per ≤200 ids). */
    async retrieveByIds(objectApiName: string, ids: string[], fields: string[]): Promise<Map<string, SfRecord>> {
        const out = new Map<string, SfRecord>();
        const cols = Array.from(new Set(['Id', 'SystemModstamp', ...fields]));
        for (const part of chunk(ids, MAX_COLLECTION_SIZE)) {
            const soql = `SELECT ${cols.join(', ')} FROM ${objectApiName} WHERE Id IN (${part.map((id) => `'${soqlEscape(id)}'`).join(', ')})`;
            for await (const page of this.queryPages(soql)) for (const r of page) out.set(String(r.Id).slice(0, 15), r);
        }
        return out;
    }
}

/** Escapes a string literal for SOQL. */
export function soqlEscape(value: string): string {
    return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

function strip(record: SfRecord): SfRecord {
    if (!record || typeof record !== 'object' || !('attributes' in record)) return record;
    const { attributes: _a, ...rest } = record as SfRecord & { attributes?: unknown };
    return rest;
}
