/**
 * Records: the Statisfy-side copy of every synced record.
 */
import type { EntityManager } from 'typeorm';
import { jsonParam, rows, toRecord } from './rows';
import type { Json, RecordRow } from './types';

/** How a page of records is sorted: by a field key's value or by id. */
export interface RecordSort {
    /** A field key (`Account.Name`) or `id`. */
    key: string;
    direction: 'asc' | 'desc';
    /** Compare as numbers (number-like field types) rather than text. */
    numeric?: boolean;
}

/** Position after the last record of a page (opaque to clients; see encodeCursor). */
export interface RecordCursor {
    /** The sort value of the last record (text or number as compared in SQL). */
    v: string | number | null;
    id: string;
}

/** What a page query takes. */
export interface RecordPageQuery {
    limit: number;
    offset?: number;
    after?: RecordCursor;
    /** Case-insensitive substring of any field value, or an exact record id. */
    q?: string;
    sort?: RecordSort;
}

/** A page of records and where the next one starts. */
export interface RecordPage {
    items: RecordRow[];
    next: RecordCursor | null;
}

/** One record's state as the inbound sync writes it. */
export interface RecordUpsert {
    objectApiName: string;
    sfId: string;
    /** Statisfy values to merge in (by field key). */
    fields?: Record<string, Json>;
    /** Salesforce values to merge in (by Salesforce field API name). */
    sfValues?: Record<string, Json>;
    systemModstamp?: string | Date | null;
    deleted?: boolean;
}

/** Records. */
export class RecordsRepository {
    constructor(private readonly m: EntityManager) {}

    /** One record of the org (deleted ones included), or null; `forUpdate` locks it for the transaction. */
    async get(orgId: string, sfId: string, options: { forUpdate?: boolean } = {}): Promise<RecordRow | null> {
        const [row] = await rows(
            this.m,
            `SELECT * FROM records WHERE org_id = $1 AND sf_id = $2${options.forUpdate ? ' FOR UPDATE' : ''}`,
            [orgId, sfId]
        );
        return row ? toRecord(row) : null;
    }

    /**
     * Several records of the org by id, ordered by id; `forUpdate` locks them for the caller's transaction (the
     * inbound apply and the flusher's result write lock the records they change, always in id order).
     */
    async getMany(
        orgId: string,
        sfIds: readonly string[],
        options: { forUpdate?: boolean } = {}
    ): Promise<RecordRow[]> {
        if (sfIds.length === 0) return [];
        return (
            await rows(
                this.m,
                `SELECT * FROM records WHERE org_id = $1 AND sf_id = ANY($2) ORDER BY sf_id${options.forUpdate ? ' FOR UPDATE' : ''}`,
                [orgId, Array.from(new Set(sfIds))]
            )
        ).map(toRecord);
    }

    /**
     * Records written at or after `since` (database time), oldest first: the live updates' poll. The caller re-reads
     * an overlap window and drops what it has seen, since `now()` is a transaction's start, not its commit.
     */
    async touchedSince(
        orgId: string,
        since: Date,
        limit: number
    ): Promise<{ objectApiName: string; sfId: string; updatedAt: Date }[]> {
        return (
            await rows(
                this.m,
                `SELECT object_api_name, sf_id, updated_at FROM records
                 WHERE org_id = $1 AND updated_at > $2 ORDER BY updated_at LIMIT $3`,
                [orgId, since, limit]
            )
        ).map((r) => ({ objectApiName: r.object_api_name, sfId: r.sf_id, updatedAt: new Date(r.updated_at) }));
    }

    /** Merges Salesforce values (and optionally Statisfy values) into stored records, in one statement. */
    async mergeValues(
        orgId: string,
        updates: readonly { sfId: string; sfValues: Record<string, unknown>; fields?: Record<string, unknown> }[]
    ): Promise<void> {
        if (updates.length === 0) return;
        await rows(
            this.m,
            `UPDATE records r SET sf_values = r.sf_values || x.sf_values, fields = r.fields || COALESCE(x.fields, '{}'::jsonb),
                                  updated_at = now()
             FROM jsonb_to_recordset($2::jsonb) AS x(sf_id text, sf_values jsonb, fields jsonb)
             WHERE r.org_id = $1 AND r.sf_id = x.sf_id`,
            [
                orgId,
                JSON.stringify(updates.map((u) => ({ sf_id: u.sfId, sf_values: u.sfValues, fields: u.fields ?? null })))
            ]
        );
    }

    /** A page of an object's live records: search, sort, keyset cursor or offset. */
    async page(orgId: string, objectApiName: string, query: RecordPageQuery): Promise<RecordPage> {
        const params: unknown[] = [orgId, objectApiName];
        const where = ['org_id = $1', 'object_api_name = $2', 'NOT deleted'];
        const sort = query.sort ?? { key: 'id', direction: 'asc' };
        let expr: string | null = null;
        if (sort.key !== 'id') {
            params.push(sort.key);
            const k = `$${params.length}`;
            expr = sort.numeric
                ? `COALESCE(CASE WHEN jsonb_typeof(fields->${k}) = 'number' THEN (fields->>${k})::numeric END, '-Infinity'::numeric)`
                : `COALESCE(fields->>${k}, '')`;
        }
        if (query.q) {
            params.push(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, query.q);
            const like = `$${params.length - 1}`;
            where.push(
                `(sf_id = $${params.length} OR EXISTS (SELECT 1 FROM jsonb_each_text(fields) e WHERE e.value ILIKE ${like}))`
            );
        }
        const op = sort.direction === 'desc' ? '<' : '>';
        if (query.after) {
            if (expr) {
                params.push(query.after.v ?? (sort.numeric ? '-Infinity' : ''), query.after.id);
                const cast = sort.numeric ? '::numeric' : '::text';
                where.push(`(${expr}, sf_id) ${op} ($${params.length - 1}${cast}, $${params.length})`);
            } else {
                params.push(query.after.id);
                where.push(`sf_id ${op} $${params.length}`);
            }
        }
        const dir = sort.direction === 'desc' ? 'DESC' : 'ASC';
        const order = expr ? `${expr} ${dir}, sf_id ${dir}` : `sf_id ${dir}`;
        params.push(query.limit + 1, query.offset ?? 0);
        const found = await rows(
            this.m,
            `SELECT *, ${expr ?? 'NULL'} AS sort_value FROM records WHERE ${where.join(' AND ')}
             ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`,
            params
        );
        const more = found.length > query.limit;
        const page = found.slice(0, query.limit);
        const last = page[page.length - 1];
        const v = last?.sort_value;
        return {
            items: page.map(toRecord),
            next:
                more && last
                    ? { v: v === null || v === undefined ? null : sort.numeric ? Number(v) : String(v), id: last.sf_id }
                    : null
        };
    }

    /** Creates a record (tests, imports of one record). */
    async insert(orgId: string, input: RecordUpsert): Promise<RecordRow> {
        const [row] = await rows(
            this.m,
            `INSERT INTO records (org_id, object_api_name, sf_id, fields, sf_values, system_modstamp, deleted)
             VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING *`,
            [
                orgId,
                input.objectApiName,
                input.sfId,
                jsonParam(input.fields ?? {}),
                jsonParam(input.sfValues ?? {}),
                input.systemModstamp ?? null,
                input.deleted ?? false
            ]
        );
        return toRecord(row);
    }

    /** Merges Statisfy values into a record; returns it, or null when the org has no such record. */
    async mergeFields(orgId: string, sfId: string, fields: Record<string, Json>): Promise<RecordRow | null> {
        const [row] = await rows(
            this.m,
            `UPDATE records SET fields = fields || $3::jsonb, updated_at = now()
             WHERE org_id = $1 AND sf_id = $2 RETURNING *`,
            [orgId, sfId, jsonParam(fields)]
        );
        return row ? toRecord(row) : null;
    }

    /**
     * Inserts or merges many records in one statement (inbound batches, imports): `fields` and `sfValues` are
     * merged key by key into what is stored, `systemModstamp` only moves forward, `deleted` (default false) is replaced.
     * Returns how many rows were written.
     */
    async upsertMany(orgId: string, batch: RecordUpsert[]): Promise<number> {
        if (batch.length === 0) return 0;
        const payload = batch.map((r) => ({
            object_api_name: r.objectApiName,
            sf_id: r.sfId,
            fields: r.fields ?? {},
            sf_values: r.sfValues ?? {},
            system_modstamp:
                r.systemModstamp instanceof Date ? r.systemModstamp.toISOString() : (r.systemModstamp ?? null),
            deleted: r.deleted ?? null
        }));
        const written = await rows(
            this.m,
            `INSERT INTO records AS r (org_id, object_api_name, sf_id, fields, sf_values, system_modstamp, deleted)
             SELECT $1, x.object_api_name, x.sf_id, x.fields, x.sf_values, x.system_modstamp, COALESCE(x.deleted, false)
             FROM jsonb_to_recordset($2::jsonb) AS x(object_api_name text, sf_id text, fields jsonb, sf_values jsonb,
                                                     system_modstamp timestamptz, deleted boolean)
             ON CONFLICT (org_id, sf_id) DO UPDATE SET
               object_api_name = EXCLUDED.object_api_name,
               fields = r.fields || EXCLUDED.fields,
               sf_values = r.sf_values || EXCLUDED.sf_values,
               system_modstamp = GREATEST(r.system_modstamp, EXCLUDED.system_modstamp),
               deleted = EXCLUDED.deleted,
               updated_at = now()
             RETURNING 1`,
            [orgId, JSON.stringify(payload)]
        );
        return written.length;
    }

    /** Number of live records of an object. */
    async count(orgId: string, objectApiName: string): Promise<number> {
        const [row] = await rows(
            this.m,
            'SELECT count(*)::int AS n FROM records WHERE org_id = $1 AND object_api_name = $2 AND NOT deleted',
            [orgId, objectApiName]
        );
        return row.n;
    }
}
