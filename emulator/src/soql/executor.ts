/**
 * Runs a parsed SOQL query against the org's records. The query is compiled once — field paths resolved
 * against describe data, the WHERE clause turned into closures, ORDER BY into precomputed sort keys —
 * then applied to every record.
 */
import type { SoqlQuery } from './ast';
import { positionedError, unknownObjectDetail } from './errors';
import { caseSuffix } from './ids';
import { sortRows } from './order';
import { parseSoql } from './parser';
import { Compiler, categoryOf, keyFn } from './resolve';
import type { ExecuteSoqlOptions, Rec, SoqlDataSource, SoqlPagedResult, SoqlResult } from './source';
import { TRUE, compileCondition, idSeed } from './where';

export type { ExecuteSoqlOptions, SoqlDataSource, SoqlPagedResult, SoqlResult } from './source';

/**
 * Executes a SOQL query (text or a tree from {@link parseSoql}).
 *
 * Semantics follow Salesforce: text comparisons are case-insensitive and `''` equals null; `!=` and
 * `NOT IN` match null values; ids compare by their 15-character form, so 15- and 18-character literals
 * both work; date literals are evaluated in UTC (see `dates.ts`); ORDER BY defaults to ASC NULLS FIRST
 * and DESC NULLS LAST; rows without ORDER BY come in the data source's order.
 *
 * @throws SoqlError with Salesforce's error code and wording (INVALID_TYPE, INVALID_FIELD,
 *   MALFORMED_QUERY, INVALID_QUERY_FILTER_OPERATOR, NUMBER_OUTSIDE_VALID_RANGE).
 */
export function executeSoql(query: SoqlQuery | string, source: SoqlDataSource, opts: ExecuteSoqlOptions): SoqlResult {
    const r = executeSoqlPaged(query, source, opts);
    return { totalSize: r.totalSize, records: r.page(0, r.totalSize), objectName: r.objectName };
}

/** Like {@link executeSoql}, but records are built page by page. Same semantics and errors. */
export function executeSoqlPaged(
    query: SoqlQuery | string,
    source: SoqlDataSource,
    opts: ExecuteSoqlOptions
): SoqlPagedResult {
    const q = typeof query === 'string' ? parseSoql(query) : query;
    return compile(q, source, opts).run();
}

// ===== the plan ======================================================================================

interface OutputTop {
    kind: 'top';
    key: string;
}
interface OutputRel {
    kind: 'rel';
    key: string;
    lookup: string;
    fields: Array<{ lower: string; fieldOn(objectName: string): string | undefined }>;
}

function compile(q: SoqlQuery, source: SoqlDataSource, opts: ExecuteSoqlOptions): { run(): SoqlPagedResult } {
    const schema = source.describe(q.from.name);
    if (!schema || !schema.queryable || schema.isEvent) {
        throw positionedError('INVALID_TYPE', q.text, q.from.start, unknownObjectDetail(q.from.name));
    }
    const c = new Compiler(q, source, schema);
    const version = opts.apiVersion.replace(/^v/i, '');
    const base = `/services/data/v${version}/sobjects/`;

    // SELECT
    const countOnly = q.select.length === 1 && q.select[0].kind === 'count';
    const output: Array<OutputTop | OutputRel> = [];
    const seen = new Set<string>();
    if (!countOnly) {
        const rels = new Map<string, OutputRel>();
        for (const item of q.select) {
            if (item.kind !== 'field') continue;
            const r = c.resolve(item.path);
            const dupKey = (r.rel ? r.rel.name + '.' : '') + r.field.name;
            if (seen.has(dupKey.toLowerCase())) {
                throw c.error('INVALID_FIELD', item.path.start, `duplicate field selected: ${r.label}`);
            }
            seen.add(dupKey.toLowerCase());
            if (!r.rel) {
                output.push({ kind: 'top', key: r.field.name });
                continue;
            }
            let group = rels.get(r.rel.name);
            if (!group) {
                group = { kind: 'rel', key: r.rel.name, lookup: r.rel.lookup.name, fields: [] };
                rels.set(r.rel.name, group);
                output.push(group);
            }
            group.fields.push({ lower: r.field.name.toLowerCase(), fieldOn: r.rel.fieldOn });
        }
    }

    // WHERE
    const where = q.where ? compileCondition(c, q.where, source.now()) : TRUE;
    const seedIds = q.where ? idSeed(c, q.where, source.now()) : null;

    // ORDER BY
    const order = q.orderBy.map((o) => {
        const r = c.resolve(o.field);
        if (!r.field.sortable || r.field.type === 'multipicklist') {
            throw c.error('INVALID_FIELD', o.field.start, `field '${r.label}' can not be sorted in a query call`);
        }
        const key = keyFn(categoryOf(r.field));
        const get = r.get;
        return { key: (rec: Rec) => key(get(rec)), desc: o.descending, nullsFirst: o.nullsFirst };
    });

    const objectName = schema.name;
    const includeDeleted = opts.includeDeleted;
    const offset = q.offset ?? 0;
    const limit = q.limit ?? Infinity;

    const run = (): SoqlPagedResult => {
        // Filter (stops early when unordered and enough rows are found).
        const stopAt = order.length === 0 ? offset + limit : Infinity;
        const matched: Rec[] = [];
        for (const rec of seedIds ? recordsById(seedIds) : source.records(objectName, { includeDeleted })) {
            if (!includeDeleted && rec.IsDeleted === true) continue;
            if (!where(rec)) continue;
            matched.push(rec);
            if (matched.length >= stopAt) break;
        }
        if (countOnly) {
            const total = Math.max(0, Math.min(matched.length - offset, limit));
            return { totalSize: total, objectName, page: () => [] };
        }
        let rows = matched;
        if (order.length > 0) rows = sortRows(matched, order);
        const selected = rows.slice(offset, limit === Infinity ? undefined : offset + limit);
        return {
            totalSize: selected.length,
            objectName,
            page: (start, end) => selected.slice(Math.max(0, start), Math.min(selected.length, end)).map(shape)
        };
    };

    /** Records named by the Id filter, fetched by id instead of scanning the object (Salesforce uses the index too). */
    const recordsById = (keys: string[]): Rec[] => {
        const out: Rec[] = [];
        for (const key of keys) {
            const found = source.byId(key + caseSuffix(key));
            if (found && canonicalType(found.objectName) === objectName) out.push(found.record);
        }
        return out;
    };

    const typeNames = new Map<string, string>();
    const canonicalType = (name: string): string => {
        let t = typeNames.get(name);
        if (t === undefined) {
            t = source.describe(name)?.name ?? name;
            typeNames.set(name, t);
        }
        return t;
    };

    const shape = (rec: Rec): Record<string, unknown> => {
        const out: Record<string, unknown> = {
            attributes: { type: objectName, url: base + objectName + '/' + String(rec.Id) }
        };
        for (const o of output) {
            if (o.kind === 'top') {
                out[o.key] = rec[o.key] ?? null;
                continue;
            }
            const id = rec[o.lookup];
            const parent = typeof id === 'string' && id !== '' ? source.byId(id) : undefined;
            if (!parent) {
                out[o.key] = null;
                continue;
            }
            const type = canonicalType(parent.objectName);
            const nested: Record<string, unknown> = {
                attributes: { type, url: base + type + '/' + String(parent.record.Id) }
            };
            for (const f of o.fields) {
                const name = f.fieldOn(parent.objectName);
                if (name !== undefined) nested[name] = parent.record[name] ?? null;
            }
            out[o.key] = nested;
        }
        return out;
    };

    return { run };
}
