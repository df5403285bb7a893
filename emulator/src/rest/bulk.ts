/**
 * Bulk API 2.0: ingest jobs (CSV upload → UploadComplete → results CSVs with sf__Id / sf__Created /
 * sf__Error) and query jobs (CSV results paged with Sforce-Locator / Sforce-NumberOfRecords).
 * Ingest data is processed in chunks of 200 records, each its own transaction with partial success,
 * as Salesforce does (so each chunk is one trigger invocation and one Record_Change__e publish).
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Org } from '../org';
import { parseSoql, type SoqlQuery } from '../soql';
import { to18 } from '../store/ids';
import { DmlError, formatDateTime, type Rec } from '../store/store';
import { errorReply, type Call, type Reply } from './reply';

type Operation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
type State = 'Open' | 'UploadComplete' | 'InProgress' | 'Aborted' | 'JobComplete' | 'Failed';

interface IngestJob {
    id: string;
    operation: Operation;
    object: string;
    externalIdFieldName: string | null;
    createdById: string;
    createdDate: string;
    systemModstamp: string;
    state: State;
    lineEnding: 'LF' | 'CRLF';
    columnDelimiter: string;
    apiVersion: number;
    data: string[];
    columns: string[];
    successful: Array<{ id: string; created: boolean; row: string[] }>;
    failed: Array<{ id: string; error: string; row: string[] }>;
    unprocessed: string[][];
    errorMessage: string | null;
    processingMs: number;
}

interface QueryJob {
    id: string;
    operation: 'query' | 'queryAll';
    object: string;
    query: string;
    createdById: string;
    createdDate: string;
    systemModstamp: string;
    state: State;
    apiVersion: number;
    columns: string[];
    rows: string[][];
    errorMessage: string | null;
}

const DELIMITERS: Record<string, string> = {
    COMMA: ',',
    TAB: '\t',
    PIPE: '|',
    SEMICOLON: ';',
    CARET: '^',
    BACKQUOTE: '`'
};
const CSV = 'text/csv';

/** Bulk API 2.0 of one org. */
export class BulkApi {
    private ingest = new Map<string, IngestJob>();
    private queries = new Map<string, QueryJob>();
    private queryDay = '';
    private queryCount = 0;

    constructor(private readonly org: Org) {}

    /** Query jobs created today (for /limits). */
    queryJobsToday(): number {
        return this.queryDay === this.org.clock.now().toISOString().slice(0, 10) ? this.queryCount : 0;
    }

    /** Forgets every job. */
    reset(): void {
        this.ingest.clear();
        this.queries.clear();
    }

    handle(call: Call, seg: string[]): Reply {
        if (seg[0] === 'ingest') return this.ingestRoute(call, seg.slice(1));
        if (seg[0] === 'query') return this.queryRoute(call, seg.slice(1));
        return errorReply(404, 'NOT_FOUND', 'The requested resource does not exist');
    }

    private now(): string {
        return formatDateTime(this.org.clock.nowMs());
    }

    /* ------------------------------------------------------------------ ingest */

    private ingestInfo(j: IngestJob, full: boolean): Record<string, unknown> {
        const base: Record<string, unknown> = {
            id: j.id,
            operation: j.operation,
            object: j.object,
            createdById: j.createdById,
            createdDate: j.createdDate,
            systemModstamp: j.systemModstamp,
            state: j.state,
            ...(j.externalIdFieldName ? { externalIdFieldName: j.externalIdFieldName } : {}),
            concurrencyMode: 'Parallel',
            contentType: 'CSV',
            apiVersion: j.apiVersion,
            jobType: 'V2Ingest',
            contentUrl: `services/data/v${j.apiVersion.toFixed(1)}/jobs/ingest/${j.id}/batches`,
            lineEnding: j.lineEnding,
            columnDelimiter: Object.entries(DELIMITERS).find(([, v]) => v === j.columnDelimiter)?.[0] ?? 'COMMA'
        };
        if (!full) return base;
        return {
            ...base,
            retries: 0,
            totalProcessingTime: j.processingMs,
            apiActiveProcessingTime: j.processingMs,
            apexProcessingTime: 0,
            numberRecordsProcessed: j.successful.length + j.failed.length,
            numberRecordsFailed: j.failed.length,
            ...(j.errorMessage ? { errorMessage: j.errorMessage } : {})
        };
    }

    private ingestRoute(call: Call, seg: string[]): Reply {
        const { method } = call;
        if (seg.length === 0) {
            if (method === 'POST') return this.createIngest(call);
            if (method === 'GET')
                return {
                    status: 200,
                    body: {
                        done: true,
                        records: [...this.ingest.values()].map((j) => this.ingestInfo(j, false)),
                        nextRecordsUrl: null
                    }
                };
            return errorReply(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET, POST`);
        }
        const job = this.ingest.get(seg[0]);
        if (!job) return errorReply(404, 'NOT_FOUND', 'The requested resource does not exist');
        if (seg.length === 1) {
            if (method === 'GET') return { status: 200, body: this.ingestInfo(job, true) };
            if (method === 'DELETE') {
                if (job.state === 'Open' || job.state === 'UploadComplete' || job.state === 'InProgress')
                    return errorReply(
                        400,
                        'API_ERROR',
                        'Job is not in a state that can be deleted: the job must be aborted, complete or failed'
                    );
                this.ingest.delete(job.id);
                return { status: 204 };
            }
            if (method === 'PATCH') return this.changeState(call, job);
            return errorReply(
                405,
                'METHOD_NOT_ALLOWED',
                `HTTP Method '${method}' not allowed. Allowed are GET, PATCH, DELETE`
            );
        }
        if (seg.length === 2 && seg[1] === 'batches') {
            if (method !== 'PUT')
                return errorReply(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are PUT`);
            if (job.state !== 'Open')
                return errorReply(409, 'INVALIDJOBSTATE', `Job is not in Open state: ${job.state}`);
            const ct = call.headers['content-type'] ?? '';
            if (!/text\/csv/i.test(ct))
                return errorReply(
                    415,
                    'UNSUPPORTEDCONTENTTYPE',
                    `Unsupported content type: ${ct || '(none)'}; use text/csv`
                );
            if (call.raw.length > 150 * 1024 * 1024)
                return errorReply(400, 'INVALIDBATCH', 'Batch data exceeds 150 MB');
            job.data.push(call.raw);
            return { status: 201 };
        }
        const results = ['successfulResults', 'failedResults', 'unprocessedrecords'];
        if (seg.length === 2 && results.includes(seg[1]) && method === 'GET') {
            if (job.state !== 'JobComplete' && job.state !== 'Failed' && job.state !== 'Aborted')
                return errorReply(409, 'INVALIDJOBSTATE', `Job is not complete: ${job.state}`);
            const cols = job.columns;
            let text: string;
            if (seg[1] === 'successfulResults')
                text = stringify([
                    ['sf__Id', 'sf__Created', ...cols],
                    ...job.successful.map((r) => [r.id, String(r.created), ...r.row])
                ]);
            else if (seg[1] === 'failedResults')
                text = stringify([
                    ['sf__Id', 'sf__Error', ...cols],
                    ...job.failed.map((r) => [r.id, r.error, ...r.row])
                ]);
            else text = cols.length ? stringify([cols, ...job.unprocessed]) : '';
            return { status: 200, text, contentType: CSV };
        }
        return errorReply(404, 'NOT_FOUND', 'The requested resource does not exist');
    }

    private createIngest(call: Call): Reply {
        const b = (call.body ?? {}) as Record<string, unknown>;
        const ops: Operation[] = ['insert', 'update', 'upsert', 'delete', 'hardDelete'];
        if (typeof b.object !== 'string' || !b.object)
            return errorReply(400, 'INVALIDJOB', "Job must specify 'object'");
        if (!ops.includes(b.operation as Operation))
            return errorReply(
                400,
                'INVALIDJOB',
                `InvalidJob : Invalid operation '${String(b.operation)}'; valid operations are ${ops.join(', ')}`
            );
        const obj = this.org.schema.get(b.object);
        if (!obj || obj.isEvent) return errorReply(400, 'INVALIDJOB', `InvalidJob : Invalid object: ${b.object}`);
        if (b.contentType !== undefined && b.contentType !== 'CSV')
            return errorReply(400, 'INVALIDJOB', 'InvalidJob : contentType must be CSV');
        if (b.operation === 'upsert') {
            const f =
                typeof b.externalIdFieldName === 'string'
                    ? this.org.schema.getField(obj, b.externalIdFieldName)
                    : undefined;
            if (!f || !(f.externalId || f.name === 'Id'))
                return errorReply(
                    400,
                    'INVALIDJOB',
                    `InvalidJob : External ID field '${String(b.externalIdFieldName)}' does not exist or is not an external id on ${obj.name}`
                );
        }
        const delim = DELIMITERS[String(b.columnDelimiter ?? 'COMMA')];
        if (!delim)
            return errorReply(400, 'INVALIDJOB', `InvalidJob : Invalid columnDelimiter '${String(b.columnDelimiter)}'`);
        const lineEnding = (b.lineEnding ?? 'LF') as 'LF' | 'CRLF';
        if (lineEnding !== 'LF' && lineEnding !== 'CRLF')
            return errorReply(400, 'INVALIDJOB', `InvalidJob : Invalid lineEnding '${String(b.lineEnding)}'`);
        const now = this.now();
        const job: IngestJob = {
            id: this.org.store.ids.next('750'),
            operation: b.operation as Operation,
            object: obj.name,
            externalIdFieldName: b.operation === 'upsert' ? String(b.externalIdFieldName) : null,
            createdById: call.userId,
            createdDate: now,
            systemModstamp: now,
            state: 'Open',
            lineEnding,
            columnDelimiter: delim,
            apiVersion: Number(call.version),
            data: [],
            columns: [],
            successful: [],
            failed: [],
            unprocessed: [],
            errorMessage: null,
            processingMs: 0
        };
        this.ingest.set(job.id, job);
        return { status: 200, body: this.ingestInfo(job, false) };
    }

    private changeState(call: Call, job: IngestJob): Reply {
        const state = (call.body as { state?: unknown } | undefined)?.state;
        if (state === 'Aborted') {
            if (job.state === 'JobComplete' || job.state === 'Failed')
                return errorReply(409, 'INVALIDJOBSTATE', `Job is already ${job.state}`);
            job.state = 'Aborted';
            job.systemModstamp = this.now();
            return { status: 200, body: this.ingestInfo(job, false) };
        }
        if (state !== 'UploadComplete')
            return errorReply(
                400,
                'INVALIDJOBSTATE',
                `Invalid state '${String(state)}': use UploadComplete or Aborted`
            );
        if (job.state !== 'Open') return errorReply(409, 'INVALIDJOBSTATE', `Job is not in Open state: ${job.state}`);
        job.state = 'UploadComplete';
        job.systemModstamp = this.now();
        const reply = { status: 200, body: this.ingestInfo(job, false) };
        this.process(job);
        return reply;
    }

    /** Processes an uploaded job in chunks of 200 records, each chunk its own transaction. */
    private process(job: IngestJob): void {
        const started = Date.now();
        let rows: string[][] = [];
        try {
            for (const [i, part] of job.data.entries()) {
                const parsed = parse(part, {
                    delimiter: job.columnDelimiter,
                    relax_column_count: false,
                    bom: true
                }) as string[][];
                if (parsed.length === 0) continue;
                const header = parsed[0];
                if (i === 0) job.columns = header;
                else if (header.join('\u0000') !== job.columns.join('\u0000'))
                    throw new Error('ClientInputError : all uploaded batches must have the same header row');
                rows = rows.concat(parsed.slice(1));
            }
        } catch (e) {
            job.state = 'Failed';
            job.errorMessage = (e as Error).message.startsWith('ClientInputError')
                ? (e as Error).message
                : `InvalidBatch : ${(e as Error).message}`;
            return;
        }
        const obj = this.org.schema.get(job.object)!;
        const cols = job.columns;
        const unknown = cols.filter((c) => !this.org.schema.getField(obj, c) && !c.includes('.'));
        if (unknown.length) {
            job.state = 'Failed';
            job.errorMessage = `InvalidBatch : Field name not found : ${unknown[0]}`;
            job.unprocessed = rows;
            return;
        }
        const store = this.org.store;
        for (let start = 0; start < rows.length; start += 200) {
            const chunk = rows.slice(start, start + 200);
            const tx = store.begin(job.createdById);
            tx.nextOp();
            for (const row of chunk) {
                const sp = tx.savepoint();
                const values: Rec = {};
                cols.forEach((c, k) => {
                    const v = row[k];
                    if (c.includes('.') || v === undefined || v === '') return; // blank = leave as is
                    values[c] = v === '#N/A' ? null : v;
                });
                const idCol = cols.findIndex((c) => c.toLowerCase() === 'id');
                const rowId = idCol >= 0 ? row[idCol] : '';
                try {
                    if (job.operation === 'insert') {
                        if (idCol >= 0 && rowId)
                            throw new DmlError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
                        const id = store.insert(tx, obj.name, values);
                        job.successful.push({ id, created: true, row });
                    } else if (job.operation === 'update') {
                        if (!rowId) throw new DmlError('MISSING_ARGUMENT', 'Id not specified in an update call', []);
                        delete values[cols[idCol]];
                        store.update(tx, obj.name, rowId, values);
                        job.successful.push({ id: to18(rowId) ?? rowId, created: false, row });
                    } else if (job.operation === 'upsert') {
                        const ext = job.externalIdFieldName!;
                        const key = cols.find((c) => c.toLowerCase() === ext.toLowerCase());
                        const extValue = key ? values[key] : undefined;
                        const r = store.upsert(tx, obj.name, ext, extValue ?? null, values);
                        job.successful.push({ id: r.id, created: r.created, row });
                    } else {
                        if (!rowId) throw new DmlError('MISSING_ARGUMENT', 'Id not specified in a delete call', []);
                        if (job.operation === 'hardDelete') store.hardDelete(tx, obj.name, rowId);
                        else store.delete(tx, obj.name, rowId);
                        job.successful.push({ id: to18(rowId) ?? rowId, created: false, row });
                    }
                } catch (e) {
                    store.rollbackTo(tx, sp);
                    const err =
                        e instanceof DmlError
                            ? e
                            : new DmlError('UNKNOWN_EXCEPTION', String((e as Error).message ?? e));
                    job.failed.push({
                        id: to18(rowId) ?? '',
                        error: `${err.statusCode}:${err.message}:${err.fields.join(',')} --`,
                        row
                    });
                }
            }
            store.commit(tx);
        }
        job.state = 'JobComplete';
        job.systemModstamp = this.now();
        job.processingMs = Date.now() - started;
    }

    /* ------------------------------------------------------------------ query */

    private queryInfo(j: QueryJob, full: boolean): Record<string, unknown> {
        const base: Record<string, unknown> = {
            id: j.id,
            operation: j.operation,
            object: j.object,
            createdById: j.createdById,
            createdDate: j.createdDate,
            systemModstamp: j.systemModstamp,
            state: j.state,
            concurrencyMode: 'Parallel',
            contentType: 'CSV',
            apiVersion: j.apiVersion,
            jobType: 'V2Query',
            lineEnding: 'LF',
            columnDelimiter: 'COMMA'
        };
        if (!full) return base;
        return {
            ...base,
            numberRecordsProcessed: j.rows.length,
            retries: 0,
            totalProcessingTime: 0,
            ...(j.errorMessage ? { errorMessage: j.errorMessage } : {})
        };
    }

    private queryRoute(call: Call, seg: string[]): Reply {
        const { method } = call;
        if (seg.length === 0) {
            if (method === 'POST') return this.createQuery(call);
            if (method === 'GET')
                return {
                    status: 200,
                    body: {
                        done: true,
                        records: [...this.queries.values()].map((j) => this.queryInfo(j, false)),
                        nextRecordsUrl: null
                    }
                };
            return errorReply(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET, POST`);
        }
        const job = this.queries.get(seg[0]);
        if (!job) return errorReply(404, 'NOT_FOUND', 'The requested resource does not exist');
        if (seg.length === 1) {
            if (method === 'GET') {
                if (job.state === 'UploadComplete') {
                    job.state = 'JobComplete';
                    job.systemModstamp = this.now();
                    return { status: 200, body: this.queryInfo(job, true) };
                }
                return { status: 200, body: this.queryInfo(job, true) };
            }
            if (method === 'DELETE') {
                this.queries.delete(job.id);
                return { status: 204 };
            }
            if (method === 'PATCH') {
                if ((call.body as { state?: unknown })?.state !== 'Aborted')
                    return errorReply(400, 'INVALIDJOBSTATE', 'Only Aborted can be set on a query job');
                job.state = 'Aborted';
                return { status: 200, body: this.queryInfo(job, false) };
            }
            return errorReply(
                405,
                'METHOD_NOT_ALLOWED',
                `HTTP Method '${method}' not allowed. Allowed are GET, PATCH, DELETE`
            );
        }
        if (seg.length === 2 && seg[1] === 'results' && method === 'GET') {
            if (job.state !== 'JobComplete')
                return errorReply(409, 'INVALIDJOBSTATE', `Job is not complete: ${job.state}`);
            const loc = call.query.get('locator');
            const offset = loc && loc !== 'null' ? Number(Buffer.from(loc, 'base64url').toString('utf8')) : 0;
            if (!Number.isInteger(offset) || offset < 0 || offset > job.rows.length)
                return errorReply(400, 'INVALID_LOCATOR', `Invalid locator: ${loc}`);
            const maxParam = call.query.get('maxRecords');
            const max = maxParam ? Number(maxParam) : 50000;
            if (!Number.isInteger(max) || max < 1)
                return errorReply(400, 'INVALIDPARAMETER', `maxRecords must be a positive integer, got ${maxParam}`);
            const end = Math.min(job.rows.length, offset + max);
            const text = stringify([job.columns, ...job.rows.slice(offset, end)]);
            const next = end < job.rows.length ? Buffer.from(String(end)).toString('base64url') : 'null';
            return {
                status: 200,
                text,
                contentType: CSV,
                headers: { 'Sforce-Locator': next, 'Sforce-NumberOfRecords': String(end - offset) }
            };
        }
        return errorReply(404, 'NOT_FOUND', 'The requested resource does not exist');
    }

    private createQuery(call: Call): Reply {
        const b = (call.body ?? {}) as Record<string, unknown>;
        if (b.operation !== 'query' && b.operation !== 'queryAll')
            return errorReply(
                400,
                'INVALIDJOB',
                `InvalidJob : Invalid operation '${String(b.operation)}'; use query or queryAll`
            );
        if (typeof b.query !== 'string' || !b.query.trim())
            return errorReply(400, 'INVALIDJOB', "InvalidJob : Job must specify 'query'");
        // Errors in the query are reported when the job is created, as Salesforce does.
        const refused = bulkQueryRefusal(parseSoql(b.query), (o, f) => {
            const obj = this.org.schema.get(o);
            return obj ? this.org.schema.getField(obj, f)?.type : undefined;
        });
        if (refused) return errorReply(400, 'INVALIDJOB', `InvalidJob : ${refused}`);
        const result = this.org.query(b.query, b.operation === 'queryAll', call.version);
        const { columns, rows } = flatten(result.records);
        const now = this.now();
        const today = this.org.clock.now().toISOString().slice(0, 10);
        if (today !== this.queryDay) {
            this.queryDay = today;
            this.queryCount = 0;
        }
        this.queryCount++;
        const job: QueryJob = {
            id: this.org.store.ids.next('750'),
            operation: b.operation,
            object: result.objectName,
            query: b.query,
            createdById: call.userId,
            createdDate: now,
            systemModstamp: now,
            state: 'UploadComplete',
            apiVersion: Number(call.version),
            columns: columns.length ? columns : this.selectColumns(b.query),
            rows,
            errorMessage: null
        };
        this.queries.set(job.id, job);
        return { status: 200, body: this.queryInfo(job, false) };
    }

    private selectColumns(soql: string): string[] {
        const m = /^\s*select\s+(.*?)\s+from\s/is.exec(soql);
        return m ? m[1].split(',').map((s) => s.trim()) : [];
    }
}

/**
 * What Bulk API 2.0 query jobs refuse that REST queries accept (Salesforce documents: aggregate functions
 * such as COUNT(), OFFSET, parent-to-child relationship subqueries, compound address fields; GROUP BY and TYPEOF the SOQL engine
 * already refuses), or null.
 */
export function bulkQueryRefusal(
    q: SoqlQuery,
    typeOf: (objectName: string, field: string) => string | undefined
): string | null {
    if (q.select.some((i) => i.kind === 'count'))
        return 'Aggregate functions such as COUNT() are not supported by Bulk API 2.0 query jobs';
    if (q.offset !== null) return 'OFFSET is not supported by Bulk API 2.0 query jobs';
    if (q.select.some((i) => i.kind === 'subquery'))
        return 'Parent-to-child relationship subqueries are not supported by Bulk API 2.0 query jobs';
    for (const i of q.select)
        if (i.kind === 'field' && i.path.parts.length === 1 && typeOf(q.from.name, i.path.parts[0]) === 'address')
            return `Compound address fields are not supported by Bulk API 2.0 query jobs: ${i.path.parts[0]}`;
    return null;
}

/** REST records → CSV columns (relationship fields as `Account.Name`) and rows. */
function flatten(records: Array<Record<string, unknown>>): { columns: string[]; rows: string[][] } {
    const columns: string[] = [];
    const flat = records.map((r) => {
        const out: Record<string, string> = {};
        const walk = (o: Record<string, unknown>, prefix: string) => {
            for (const [k, v] of Object.entries(o)) {
                if (k === 'attributes') continue;
                if (v && typeof v === 'object' && !Array.isArray(v))
                    walk(v as Record<string, unknown>, `${prefix}${k}.`);
                else {
                    const key = prefix + k;
                    if (!columns.includes(key)) columns.push(key);
                    out[key] = v === null || v === undefined ? '' : String(v);
                }
            }
        };
        walk(r, '');
        return out;
    });
    // A parent that is null in some rows appears as a bare column: keep only its dotted columns.
    const kept = columns.filter((c) => !columns.some((d) => d.startsWith(`${c}.`)));
    return { columns: kept, rows: flat.map((o) => kept.map((c) => o[c] ?? '')) };
}
