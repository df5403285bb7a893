/**
 * Runs a parsed SOQL query against the org's records. The query is compiled once — field paths resolved
 * against describe data, the WHERE clause turned into closures, ORDER BY into precomputed sort keys —
 * then applied to every record.
 */
import type { SoqlQuery, SoqlSubquery } from './ast';
import { positionedError, unknownObjectDetail } from './errors';
import { caseSuffix, idKey } from './ids';
import { sortRows } from './order';
import { parseSoql } from './parser';
import { Compiler, categoryOf, keyFn } from './resolve';
import { OutputTree, type ChildOutput } from './shape';
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

/** A compiled query (or relationship subquery): rows selected, then shaped into REST records. */
interface Plan {
    run(): SoqlPagedResult;
    /** Every matching row in ORDER BY order, before LIMIT and OFFSET (a subquery's rows for all parents). */
    selectAll(): Rec[];
    shape(rec: Rec): Record<string, unknown>;
}

/** Salesforce's limit on parent-to-child relationship subqueries in one query. */
export const MAX_SUBQUERIES = 20;

function compile(q: SoqlQuery, source: SoqlDataSource, opts: ExecuteSoqlOptions): Plan {
    const schema = source.describe(q.from.name);
    if (!schema || !schema.queryable || schema.isEvent) {
        throw positionedError('INVALID_TYPE', q.text, q.from.start, unknownObjectDetail(q.from.name));
    }
    const c = new Compiler(q, source, schema);
    const version = opts.apiVersion.replace(/^v/i, '');
    const base = `/services/data/v${version}/sobjects/`;

    // SELECT
    const countOnly = q.select.length === 1 && q.select[0].kind === 'count';
    const output = new OutputTree(c);
    const subqueries = q.select.filter((i) => i.kind === 'subquery');
    if (subqueries.length > MAX_SUBQUERIES)
        throw c.error(
            'MALFORMED_QUERY',
            subqueries[MAX_SUBQUERIES].start,
            `SOQL statements cannot query more than ${MAX_SUBQUERIES} parent-to-child relationships.`
        );
    if (!countOnly)
        for (const item of q.select) {
            if (item.kind === 'field') output.addField(item.path);
            else if (item.kind === 'subquery') output.addChildren(subquery(c, item.query, opts, source));
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

    /** Records named by the Id filter, fetched by id instead of scanning the object (Salesforce uses the index too). */
    const recordsById = (keys: string[]): Rec[] => {
        const out: Rec[] = [];
        for (const key of keys) {
            const found = source.byId(key + caseSuffix(key));
            if (found && output.canonicalType(found.objectName) === objectName) out.push(found.record);
        }
        return out;
    };

    const filter = (stopAt: number): Rec[] => {
        const matched: Rec[] = [];
        for (const rec of seedIds ? recordsById(seedIds) : source.records(objectName, { includeDeleted })) {
            if (!includeDeleted && rec.IsDeleted === true) continue;
            if (!where(rec)) continue;
            matched.push(rec);
            if (matched.length >= stopAt) break;
        }
        return matched;
    };

    const shape = (rec: Rec): Record<string, unknown> => {
        const out: Record<string, unknown> = {
            attributes: { type: objectName, url: base + objectName + '/' + String(rec.Id) }
        };
        output.shapeInto(out, rec, objectName, base);
        return out;
    };

    const selectAll = (): Rec[] => {
        const matched = filter(Infinity);
        return order.length > 0 ? sortRows(matched, order) : matched;
    };

    const run = (): SoqlPagedResult => {
        output.newRun();
        // Filter (stops early when unordered and enough rows are found).
        const matched = filter(order.length === 0 ? offset + limit : Infinity);
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

    return { run, selectAll, shape };
}

/**
 * A relationship subquery compiled against the child object: its rows for every parent are selected
 * once per run and grouped by the child's lookup to the parent; LIMIT and OFFSET apply per parent.
 */
function subquery(c: Compiler, sub: SoqlSubquery, opts: ExecuteSoqlOptions, source: SoqlDataSource): ChildOutput {
    const lower = sub.from.name.toLowerCase();
    const rel = (source.childRelationships?.(c.schema.name) ?? []).find(
        (r) => r.relationshipName.toLowerCase() === lower
    );
    if (!rel)
        throw c.error(
            'INVALID_TYPE',
            sub.from.start,
            `Didn't understand relationship '${sub.from.name}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`
        );
    if (sub.select.some((i) => i.kind === 'count'))
        throw c.error('MALFORMED_QUERY', sub.from.start, 'COUNT() is not supported in a relationship subquery');
    const plan = compile({ text: c.q.text, ...sub, from: { name: rel.childObject, start: sub.from.start } }, source, {
        ...opts,
        includeDeleted: false
    });
    const field = rel.field;
    const offset = sub.offset ?? 0;
    const limit = sub.limit ?? Infinity;
    let byParent: Map<string, Rec[]> | null = null;
    return {
        key: rel.relationshipName,
        reset: () => {
            byParent = null;
        },
        of: (parent: Rec) => {
            if (!byParent) {
                byParent = new Map();
                for (const r of plan.selectAll()) {
                    const k = idKey(r[field]);
                    if (k === null) continue;
                    let list = byParent.get(k);
                    if (!list) byParent.set(k, (list = []));
                    list.push(r);
                }
            }
            const key = idKey(parent.Id);
            const rows = (key === null ? undefined : byParent.get(key)) ?? [];
            const page = rows.slice(offset, limit === Infinity ? undefined : offset + limit);
            if (page.length === 0) return null;
            return { totalSize: page.length, done: true, records: page.map(plan.shape) };
        }
    };
}
