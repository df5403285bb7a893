/**
 * Runs a parsed SOQL query against the org's records. The query is compiled once — field paths resolved
 * against describe data, the WHERE clause turned into closures, ORDER BY into precomputed sort keys —
 * then applied to every record.
 */
import type { FieldSchema, ObjectSchema } from '../schema/types';
import type { Condition, FieldPath, Literal, SoqlQuery } from './ast';
import { dateLiteralRange, datetimeValueMs } from './dates';
import {
    SoqlError,
    positionedError,
    unknownFieldDetail,
    unknownObjectDetail,
    unknownRelationshipDetail,
    type SoqlErrorCode
} from './errors';
import { caseSuffix, idKey, normalizeIdLiteral } from './ids';
import { parseSoql } from './parser';

type Rec = Readonly<Record<string, unknown>>;

/** Where the SOQL engine reads schemas and records. One data source = one org. */
export interface SoqlDataSource {
    /** The object's describe data, looked up case-insensitively; undefined when the org has no such object. */
    describe(objectName: string): ObjectSchema | undefined;
    /** All records of the object (deleted ones only when `includeDeleted`). */
    records(objectName: string, opts: { includeDeleted: boolean }): Iterable<Rec>;
    /** Any record by id (15 or 18 characters), for parent relationship fields. */
    byId(id: string): { objectName: string; record: Rec } | undefined;
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

/** Like {@link executeSoql}, but records are built page by page. Same semantics and errors. */
export function executeSoqlPaged(
    query: SoqlQuery | string,
    source: SoqlDataSource,
    opts: ExecuteSoqlOptions
): SoqlPagedResult {
    const q = typeof query === 'string' ? parseSoql(query) : query;
    return compile(q, source, opts).run();
}

// ===== schema helpers ================================================================================

interface SchemaIndex {
    size: number;
    fields: Map<string, FieldSchema>;
    relationships: Map<string, FieldSchema>;
}

const indexCache = new WeakMap<ObjectSchema, SchemaIndex>();

/** Case-insensitive field and relationship lookup for a schema (rebuilt if fields were added). */
function indexOf(schema: ObjectSchema): SchemaIndex {
    const cached = indexCache.get(schema);
    if (cached && cached.size === schema.fields.size) return cached;
    const fields = new Map<string, FieldSchema>();
    const relationships = new Map<string, FieldSchema>();
    for (const f of schema.fields.values()) {
        fields.set(f.name.toLowerCase(), f);
        if (f.type === 'reference' && f.relationshipName) relationships.set(f.relationshipName.toLowerCase(), f);
    }
    const index = { size: schema.fields.size, fields, relationships };
    indexCache.set(schema, index);
    return index;
}

// ===== field resolution ==============================================================================

type Category = 'id' | 'string' | 'multipicklist' | 'boolean' | 'number' | 'date' | 'datetime';

function categoryOf(f: FieldSchema): Category {
    switch (f.type) {
        case 'id':
        case 'reference':
            return 'id';
        case 'multipicklist':
            return 'multipicklist';
        case 'boolean':
            return 'boolean';
        case 'double':
        case 'int':
        case 'currency':
        case 'percent':
            return 'number';
        case 'date':
            return 'date';
        case 'datetime':
            return 'datetime';
        default:
            return 'string';
    }
}

/** A field path resolved against the schema. */
interface Resolved {
    /** The field's describe data (for relationship paths: on the first parent type that has it). */
    field: FieldSchema;
    /** Path as written, for messages. */
    label: string;
    start: number;
    /** Reads the value from a record of the queried object (null when absent or no parent). */
    get(rec: Rec): unknown;
    /** Set for parent relationship paths. */
    rel: RelationshipRef | null;
}

interface RelationshipRef {
    /** The lookup field on the queried object (e.g. AccountId). */
    lookup: FieldSchema;
    /** Its relationshipName as described (e.g. Account). */
    name: string;
    /** The parent field's canonical name on a given parent object (case-insensitive, cached). */
    fieldOn(objectName: string): string | undefined;
}

class Compiler {
    constructor(
        readonly q: SoqlQuery,
        readonly source: SoqlDataSource,
        readonly schema: ObjectSchema
    ) {}

    error(code: SoqlErrorCode, offset: number, detail: string): SoqlError {
        return positionedError(code, this.q.text, offset, detail);
    }

    resolve(path: FieldPath): Resolved {
        const idx = indexOf(this.schema);
        const parts = path.parts;
        const label = parts.join('.');
        if (parts.length > 2) {
            throw this.error(
                'MALFORMED_QUERY',
                path.start,
                `Relationship paths deeper than one level ('${label}') are not supported by the Statisfy Salesforce emulator`
            );
        }
        if (parts.length === 2) {
            const lookup = idx.relationships.get(parts[0].toLowerCase());
            if (!lookup) {
                // `SELECT Account.Name FROM Account` — the object's own name may prefix its fields.
                if (parts[0].toLowerCase() === this.schema.name.toLowerCase()) {
                    return this.resolve({ parts: [parts[1]], start: path.start });
                }
                throw this.error('INVALID_FIELD', path.start, unknownRelationshipDetail(parts[0]));
            }
            return this.resolveParent(lookup, parts[1], label, path.start);
        }
        const field = idx.fields.get(parts[0].toLowerCase());
        if (!field) throw this.error('INVALID_FIELD', path.start, unknownFieldDetail(parts[0], this.schema.name));
        const name = field.name;
        return { field, label, start: path.start, get: (rec) => rec[name] ?? null, rel: null };
    }

    private resolveParent(lookup: FieldSchema, fieldName: string, label: string, start: number): Resolved {
        const lower = fieldName.toLowerCase();
        let field: FieldSchema | undefined;
        let firstParent: string | undefined;
        for (const target of lookup.referenceTo) {
            const parentSchema = this.source.describe(target);
            if (!parentSchema) continue;
            firstParent ??= parentSchema.name;
            field = indexOf(parentSchema).fields.get(lower);
            if (field) break;
        }
        if (!field) {
            throw this.error(
                'INVALID_FIELD',
                start,
                unknownFieldDetail(fieldName, firstParent ?? lookup.referenceTo[0] ?? lookup.name)
            );
        }
        const source = this.source;
        const namesByObject = new Map<string, string | undefined>();
        const fieldOn = (objectName: string): string | undefined => {
            let name = namesByObject.get(objectName);
            if (name === undefined && !namesByObject.has(objectName)) {
                const s = source.describe(objectName);
                name = s ? indexOf(s).fields.get(lower)?.name : undefined;
                namesByObject.set(objectName, name);
            }
            return name;
        };
        const lookupName = lookup.name;
        const get = (rec: Rec): unknown => {
            const id = rec[lookupName];
            if (typeof id !== 'string' || id === '') return null;
            const parent = source.byId(id);
            if (!parent) return null;
            const name = fieldOn(parent.objectName);
            return name === undefined ? null : (parent.record[name] ?? null);
        };
        return {
            field,
            label,
            start,
            get,
            rel: { lookup, name: lookup.relationshipName ?? lookup.name, fieldOn }
        };
    }
}

// ===== values and literals ===========================================================================

type Key = string | number;
type LiteralKey = { kind: 'null' } | { kind: 'key'; key: Key } | { kind: 'range'; lo: Key; hi: Key };

/** Comparable key of a record value for a field category (null for blank). */
function keyFn(cat: Category): (v: unknown) => Key | null {
    switch (cat) {
        case 'id':
            return idKey;
        case 'string':
            return (v) => (v === null || v === undefined || v === '' ? null : String(v).toLowerCase());
        case 'multipicklist':
            return (v) => (v === null || v === undefined || v === '' ? null : normalizeMulti(String(v)));
        case 'boolean':
            return (v) => (v === true ? 1 : v === false ? 0 : null);
        case 'number':
            return (v) => {
                if (typeof v === 'number') return v;
                if (typeof v === 'string' && v !== '') {
                    const n = Number(v);
                    return Number.isNaN(n) ? null : n;
                }
                return null;
            };
        case 'date':
            return (v) => (typeof v === 'string' && v.length >= 10 ? v.slice(0, 10) : null);
        case 'datetime':
            return datetimeKey;
    }
}

/**
 * Datetimes compare as canonical `YYYY-MM-DDThh:mm:ss.SSS+0000` strings (fixed width, so string order is
 * time order). Stored values are already canonical; anything else is normalised through its instant.
 */
function datetimeKey(v: unknown): string | null {
    if (typeof v !== 'string') return null;
    if (v.length === 28 && v.endsWith('+0000')) return v;
    const ms = datetimeValueMs(v);
    return Number.isNaN(ms) ? null : canonicalDatetime(ms);
}

/** Epoch ms → `YYYY-MM-DDThh:mm:ss.SSS+0000`. */
function canonicalDatetime(ms: number): string {
    return new Date(ms).toISOString().slice(0, 23) + '+0000';
}

/** `b;A;c` → `a;b;c`: multi-select values compare as sets, case-insensitively. */
function normalizeMulti(s: string): string {
    return s
        .split(';')
        .map((x) => x.trim().toLowerCase())
        .filter((x) => x !== '')
        .sort()
        .join(';');
}

/** The word Salesforce uses for a field type in "must be of type …" messages. */
function typeWord(f: FieldSchema): string {
    switch (categoryOf(f)) {
        case 'date':
            return 'date';
        case 'datetime':
            return 'dateTime';
        case 'boolean':
            return 'boolean';
        case 'number':
            return f.type === 'int' ? 'int' : 'double';
        case 'id':
            return 'id';
        default:
            return 'string';
    }
}

// ===== the plan ======================================================================================

type Predicate = (rec: Rec) => boolean;
const TRUE: Predicate = () => true;
const FALSE: Predicate = () => false;

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

/**
 * When the WHERE clause requires `Id = '…'` or `Id IN (…)` (alone or as one operand of a top-level AND),
 * the 15-character keys of those ids (deduplicated, in the order written), else null. The full WHERE
 * clause is still applied to the records found.
 */
function idSeed(c: Compiler, cond: Condition, now: Date): string[] | null {
    const candidates = cond.kind === 'and' ? cond.operands : [cond];
    for (const part of candidates) {
        if (part.kind !== 'compare' && part.kind !== 'set') continue;
        if (part.kind === 'compare' && part.op !== '=') continue;
        if (part.kind === 'set' && part.op !== 'IN') continue;
        const r = c.resolve(part.field);
        if (r.rel || r.field.type !== 'id') continue;
        const literals = part.kind === 'compare' ? [part.value] : part.values;
        const keys = new Set<string>();
        for (const lit of literals) {
            const lk = literalKey(c, r, lit, now);
            if (lk.kind === 'key') keys.add(String(lk.key));
        }
        return [...keys];
    }
    return null;
}

interface OrderKey {
    key(rec: Rec): Key | null;
    desc: boolean;
    nullsFirst: boolean;
}

/**
 * Dense ranks of one ORDER BY column: direction and null placement folded in, so that comparing ranks
 * as numbers gives the column's order. Keys are computed once per row; numeric keys are ranked with the
 * native typed-array sort, text keys by {@link denseTextRanks}.
 */
function rankColumn(rows: Rec[], o: OrderKey): { ranks: Float64Array; size: number } {
    const n = rows.length;
    const raw = new Array<Key | null>(n);
    let numeric = true;
    for (let i = 0; i < n; i++) {
        const k = o.key(rows[i]);
        raw[i] = k;
        if (k !== null && typeof k !== 'number') numeric = false;
    }
    const ranks = new Float64Array(n);
    const shift = o.nullsFirst ? 1 : 0;
    let unique: number;
    if (numeric) {
        const sorted = new Float64Array(n);
        let m = 0;
        for (let i = 0; i < n; i++) if (raw[i] !== null) sorted[m++] = raw[i] as number;
        sorted.subarray(0, m).sort();
        let u = 0;
        for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[u - 1]) sorted[u++] = sorted[i];
        unique = u;
        for (let i = 0; i < n; i++) {
            const k = raw[i] as number | null;
            if (k === null) {
                ranks[i] = o.nullsFirst ? 0 : unique;
                continue;
            }
            let lo = 0;
            let hi = u - 1;
            while (lo < hi) {
                const mid = (lo + hi) >>> 1;
                if (sorted[mid] < k) lo = mid + 1;
                else hi = mid;
            }
            ranks[i] = (o.desc ? u - 1 - lo : lo) + shift;
        }
    } else {
        const keys = raw as Array<string | null>;
        const dense = denseTextRanks(keys);
        unique = dense.unique;
        for (let i = 0; i < n; i++) {
            const d = dense.ranks[i];
            ranks[i] = d < 0 ? (o.nullsFirst ? 0 : unique) : (o.desc ? unique - 1 - d : d) + shift;
        }
    }
    return { ranks, size: unique + 1 };
}

/**
 * Dense ranks (0 … unique-1, -1 for null) of text keys in UTF-16 code unit order (as `<`). Columns with
 * few distinct values (picklists, dates) sort only the distinct values natively; columns with many
 * (names, ids) are ordered by {@link sortByText}.
 */
function denseTextRanks(keys: Array<string | null>): { ranks: Int32Array; unique: number } {
    const n = keys.length;
    const ranks = new Int32Array(n);
    const slotOf = new Map<string, number>();
    const distinct: string[] = [];
    const maxDistinct = 64 + Math.min(n >>> 3, 2048); // beyond this, treat the column as mostly distinct
    let few = true;
    for (let i = 0; i < n; i++) {
        const k = keys[i];
        if (k === null) {
            ranks[i] = -1;
            continue;
        }
        let slot = slotOf.get(k);
        if (slot === undefined) {
            if (distinct.length >= maxDistinct) {
                few = false;
                break;
            }
            slot = distinct.length;
            distinct.push(k);
            slotOf.set(k, slot);
        }
        ranks[i] = slot;
    }
    if (few) {
        const sorted = distinct.slice().sort(); // native sort: UTF-16 code unit order, as `<`
        const rankOfSlot = new Int32Array(distinct.length);
        for (let r = 0; r < sorted.length; r++) rankOfSlot[slotOf.get(sorted[r])!] = r;
        for (let i = 0; i < n; i++) if (ranks[i] >= 0) ranks[i] = rankOfSlot[ranks[i]];
        return { ranks, unique: distinct.length };
    }
    const idx: number[] = [];
    for (let i = 0; i < n; i++) {
        if (keys[i] === null) ranks[i] = -1;
        else idx.push(i);
    }
    sortByText(idx, keys as string[]);
    let r = -1;
    for (let j = 0; j < idx.length; j++) {
        if (j === 0 || keys[idx[j]] !== keys[idx[j - 1]]) r++;
        ranks[idx[j]] = r;
    }
    return { ranks, unique: r + 1 };
}

/**
 * Sorts row indices by their text keys (UTF-16 code unit order, ties by index). Most pairs are decided
 * by a number packing the few characters after the keys' common prefix, sorted natively; only rows whose
 * packed characters tie are compared as strings.
 */
function sortByText(idx: number[], keys: string[]): void {
    const m = idx.length;
    if (m < 2) return;
    // Common prefix of all keys: the packed window starts after it.
    const first = keys[idx[0]];
    let lcp = first.length;
    for (let p = 1; p < m && lcp > 0; p++) {
        const k = keys[idx[p]];
        const lim = Math.min(lcp, k.length);
        let j = 0;
        while (j < lim && k.charCodeAt(j) === first.charCodeAt(j)) j++;
        lcp = j;
    }
    const WINDOW = 7;
    let maxCode = 0;
    for (let p = 0; p < m; p++) {
        const k = keys[idx[p]];
        const end = Math.min(k.length, lcp + WINDOW);
        for (let j = lcp; j < end; j++) {
            const c = k.charCodeAt(j);
            if (c > maxCode) maxCode = c;
        }
    }
    // Each character becomes a digit 1 … maxCode+1 (0 = past the end, so shorter keys sort first).
    const base = maxCode + 2;
    let width = 0;
    let cap = 1;
    while (width < WINDOW && cap * base <= Number.MAX_SAFE_INTEGER) {
        cap *= base;
        width++;
    }
    const packed = new Float64Array(m);
    for (let p = 0; p < m; p++) {
        const k = keys[idx[p]];
        let v = 0;
        for (let j = lcp; j < lcp + width; j++) v = v * base + (j < k.length ? k.charCodeAt(j) + 1 : 0);
        packed[p] = v;
    }
    // Dense rank of each packed value, then one native sort of rank * m + position (stable).
    const sorted = packed.slice().sort();
    let u = 0;
    for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[u - 1]) sorted[u++] = sorted[i];
    const composite = new Float64Array(m);
    const rankOf = new Float64Array(m);
    for (let p = 0; p < m; p++) {
        const v = packed[p];
        let lo = 0;
        let hi = u - 1;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) lo = mid + 1;
            else hi = mid;
        }
        rankOf[p] = lo;
        composite[p] = lo * m + p;
    }
    composite.sort();
    const original = idx.slice();
    for (let q = 0; q < m; q++) idx[q] = original[composite[q] % m];
    // Rows whose packed window ties are ordered by the full keys (runs are usually length 1).
    const byText = (a: number, b: number): number => {
        const x = keys[a];
        const y = keys[b];
        return x < y ? -1 : x > y ? 1 : a - b;
    };
    let start = 0;
    for (let q = 1; q <= m; q++) {
        if (q < m && rankOf[composite[q] % m] === rankOf[composite[start] % m]) continue;
        if (q - start > 1) {
            const run = idx.slice(start, q).sort(byText);
            for (let t = 0; t < run.length; t++) idx[start + t] = run[t];
        }
        start = q;
    }
}

/** Order of two keys of one ORDER BY column (null placement and direction applied). */
function compareKeys(x: Key | null, y: Key | null, o: OrderKey): number {
    if (x === y) return 0;
    if (x === null) return o.nullsFirst ? -1 : 1;
    if (y === null) return o.nullsFirst ? 1 : -1;
    const c = x < y ? -1 : 1;
    return o.desc ? -c : c;
}

/** Groups this small are ordered with a plain comparator rather than ranked. */
const SMALL_GROUP = 16;

/**
 * Sorts rows by the ORDER BY columns; ties keep the source order (Salesforce's order for equal keys is
 * unspecified; stable is the least surprising). The first column orders all rows; each further column
 * is evaluated only inside the groups the previous columns left tied, so `ORDER BY CreatedDate, Name`
 * does not rank every Name.
 */
function sortRows(rows: Rec[], order: OrderKey[]): Rec[] {
    const n = rows.length;
    const current = rows.slice();
    if (n < 2) return current;
    // Tied groups as flat [start, end) pairs over `current`.
    let groups: number[] = [0, n];
    for (const o of order) {
        const next: number[] = [];
        for (let g = 0; g < groups.length; g += 2) {
            const start = groups[g];
            const end = groups[g + 1];
            const len = end - start;
            const sub = current.slice(start, end);
            if (len <= SMALL_GROUP) {
                const keys = sub.map((r) => o.key(r));
                const pos = keys.map((_, i) => i);
                pos.sort((a, b) => compareKeys(keys[a], keys[b], o) || a - b);
                let run = 0;
                for (let i = 0; i < len; i++) {
                    current[start + i] = sub[pos[i]];
                    if (i > 0 && keys[pos[i]] !== keys[pos[i - 1]]) {
                        if (i - run > 1) next.push(start + run, start + i);
                        run = i;
                    }
                }
                if (len - run > 1) next.push(start + run, end);
                continue;
            }
            const { ranks } = rankColumn(sub, o);
            const composite = new Float64Array(len);
            for (let i = 0; i < len; i++) composite[i] = ranks[i] * len + i;
            composite.sort();
            let run = 0;
            let prev = -1;
            for (let i = 0; i < len; i++) {
                const p = composite[i] % len;
                current[start + i] = sub[p];
                if (i > 0 && ranks[p] !== prev) {
                    if (i - run > 1) next.push(start + run, start + i);
                    run = i;
                }
                prev = ranks[p];
            }
            if (len - run > 1) next.push(start + run, end);
        }
        groups = next;
        if (groups.length === 0) break;
    }
    return current;
}

// ===== WHERE =========================================================================================

function compileCondition(c: Compiler, cond: Condition, now: Date): Predicate {
    switch (cond.kind) {
        case 'and': {
            const parts = cond.operands.map((o) => compileCondition(c, o, now));
            if (parts.length === 2) {
                const [a, b] = parts;
                return (r) => a(r) && b(r);
            }
            return (r) => {
                for (const p of parts) if (!p(r)) return false;
                return true;
            };
        }
        case 'or': {
            const parts = cond.operands.map((o) => compileCondition(c, o, now));
            if (parts.length === 2) {
                const [a, b] = parts;
                return (r) => a(r) || b(r);
            }
            return (r) => {
                for (const p of parts) if (p(r)) return true;
                return false;
            };
        }
        case 'not': {
            const inner = compileCondition(c, cond.operand, now);
            return (r) => !inner(r);
        }
        case 'compare':
            return compileCompare(c, cond, now);
        case 'set':
            return compileSet(c, cond, now);
    }
}

function resolveFilterField(c: Compiler, path: FieldPath): Resolved {
    const r = c.resolve(path);
    if (!r.field.filterable) {
        throw c.error('INVALID_FIELD', path.start, `field '${r.label}' can not be filtered in a query call`);
    }
    return r;
}

function invalidOperator(c: Compiler, r: Resolved, at: number): SoqlError {
    return c.error('INVALID_QUERY_FILTER_OPERATOR', at, `invalid operator on ${r.field.type} field`);
}

/** Checks a literal against the field's type and turns it into a comparable key or range. */
function literalKey(c: Compiler, r: Resolved, lit: Literal, now: Date): LiteralKey {
    if (lit.kind === 'null') return { kind: 'null' };
    const cat = categoryOf(r.field);
    const mismatch = (quoted: boolean): SoqlError =>
        c.error(
            'INVALID_FIELD',
            lit.start,
            `value of filter criterion for field '${r.label}' must be of type ${typeWord(r.field)} and should ${quoted ? '' : 'not '}be enclosed in quotes`
        );
    switch (cat) {
        case 'id': {
            if (lit.kind !== 'string') throw mismatch(true);
            if (lit.value === '') return { kind: 'null' };
            const id = normalizeIdLiteral(lit.value);
            if (id === null)
                throw c.error('INVALID_QUERY_FILTER_OPERATOR', lit.start, `invalid ID field: ${lit.value}`);
            return { kind: 'key', key: id };
        }
        case 'string':
            if (lit.kind !== 'string') throw mismatch(true);
            return lit.value === '' ? { kind: 'null' } : { kind: 'key', key: lit.value.toLowerCase() };
        case 'multipicklist':
            if (lit.kind !== 'string') throw mismatch(true);
            return lit.value === '' ? { kind: 'null' } : { kind: 'key', key: normalizeMulti(lit.value) };
        case 'boolean':
            if (lit.kind !== 'boolean') throw mismatch(false);
            return { kind: 'key', key: lit.value ? 1 : 0 };
        case 'number':
            if (lit.kind !== 'number') throw mismatch(false);
            return { kind: 'key', key: lit.value };
        case 'date':
            if (lit.kind === 'date') return { kind: 'key', key: lit.value };
            if (lit.kind === 'dateLiteral') {
                const range = dateLiteralRange(lit.name, lit.n, now);
                return { kind: 'range', lo: range.startDate, hi: range.endDate };
            }
            throw mismatch(false);
        case 'datetime':
            if (lit.kind === 'datetime') return { kind: 'key', key: canonicalDatetime(lit.ms) };
            if (lit.kind === 'dateLiteral') {
                const range = dateLiteralRange(lit.name, lit.n, now);
                return { kind: 'range', lo: canonicalDatetime(range.startMs), hi: canonicalDatetime(range.endMs) };
            }
            throw mismatch(false);
    }
}

function compileCompare(c: Compiler, cond: Extract<Condition, { kind: 'compare' }>, now: Date): Predicate {
    const r = resolveFilterField(c, cond.field);
    const cat = categoryOf(r.field);
    const get = r.get;

    if (cond.op === 'LIKE') {
        if (cat !== 'string') throw invalidOperator(c, r, cond.opStart);
        if (cond.value.kind === 'null') return FALSE;
        if (cond.value.kind !== 'string') {
            throw c.error(
                'INVALID_FIELD',
                cond.value.start,
                `value of filter criterion for field '${r.label}' must be of type string and should be enclosed in quotes`
            );
        }
        const matcher = likeMatcher(cond.value.value);
        return (rec) => {
            const v = get(rec);
            return v !== null && v !== undefined && matcher(String(v));
        };
    }
    if (cond.op !== '=' && cond.op !== '!=' && (cat === 'multipicklist' || cat === 'boolean')) {
        throw invalidOperator(c, r, cond.opStart);
    }
    const lk = literalKey(c, r, cond.value, now);
    const key = keyFn(cat);
    const eq = equalsPredicate(lk, (rec) => key(get(rec)));
    switch (cond.op) {
        case '=':
            return eq;
        case '!=':
            return (rec) => !eq(rec);
        default:
            return relational(cond.op, lk, (rec) => key(get(rec)));
    }
}

function equalsPredicate(lk: LiteralKey, k: (rec: Rec) => Key | null): Predicate {
    if (lk.kind === 'null') return (rec) => k(rec) === null;
    if (lk.kind === 'key') {
        const want = lk.key;
        return (rec) => k(rec) === want;
    }
    const { lo, hi } = lk;
    return (rec) => {
        const v = k(rec);
        return v !== null && v >= lo && v < hi;
    };
}

function relational(op: '<' | '<=' | '>' | '>=', lk: LiteralKey, k: (rec: Rec) => Key | null): Predicate {
    if (lk.kind === 'null') return FALSE;
    // For a range [lo, hi): < means before lo, <= before hi, > at or after hi, >= at or after lo.
    const bound = lk.kind === 'key' ? lk.key : op === '<' || op === '>=' ? lk.lo : lk.hi;
    const exclusiveRange = lk.kind === 'range';
    switch (op) {
        case '<':
            return (rec) => {
                const v = k(rec);
                return v !== null && v < bound;
            };
        case '<=':
            return exclusiveRange
                ? (rec) => {
                      const v = k(rec);
                      return v !== null && v < bound;
                  }
                : (rec) => {
                      const v = k(rec);
                      return v !== null && v <= bound;
                  };
        case '>':
            return exclusiveRange
                ? (rec) => {
                      const v = k(rec);
                      return v !== null && v >= bound;
                  }
                : (rec) => {
                      const v = k(rec);
                      return v !== null && v > bound;
                  };
        case '>=':
            return (rec) => {
                const v = k(rec);
                return v !== null && v >= bound;
            };
    }
}

function compileSet(c: Compiler, cond: Extract<Condition, { kind: 'set' }>, now: Date): Predicate {
    const r = resolveFilterField(c, cond.field);
    const cat = categoryOf(r.field);
    const get = r.get;

    if (cond.op === 'INCLUDES' || cond.op === 'EXCLUDES') {
        if (cat !== 'multipicklist') {
            throw c.error(
                'INVALID_QUERY_FILTER_OPERATOR',
                cond.opStart,
                'includes or excludes operator only valid on multipicklist field'
            );
        }
        const groups: string[][] = [];
        for (const lit of cond.values) {
            if (lit.kind === 'null') continue;
            if (lit.kind !== 'string') {
                throw c.error(
                    'INVALID_FIELD',
                    lit.start,
                    `value of filter criterion for field '${r.label}' must be of type string and should be enclosed in quotes`
                );
            }
            const g = normalizeMulti(lit.value);
            if (g !== '') groups.push(g.split(';'));
        }
        const includes = (rec: Rec): boolean => {
            const v = get(rec);
            if (v === null || v === undefined || v === '') return false;
            const have = String(v).toLowerCase().split(';');
            for (let i = 0; i < have.length; i++) have[i] = have[i].trim();
            for (const g of groups) {
                let all = true;
                for (const x of g) {
                    if (!have.includes(x)) {
                        all = false;
                        break;
                    }
                }
                if (all) return true;
            }
            return false;
        };
        return cond.op === 'INCLUDES' ? includes : (rec) => !includes(rec);
    }

    const key = keyFn(cat);
    const k = (rec: Rec): Key | null => key(get(rec));
    const keys = new Set<Key>();
    let matchNull = false;
    const ranges: Predicate[] = [];
    for (const lit of cond.values) {
        const lk = literalKey(c, r, lit, now);
        if (lk.kind === 'null') matchNull = true;
        else if (lk.kind === 'key') keys.add(lk.key);
        else ranges.push(equalsPredicate(lk, k));
    }
    const isIn = (rec: Rec): boolean => {
        const v = k(rec);
        if (v === null) return matchNull;
        if (keys.has(v)) return true;
        for (const p of ranges) if (p(rec)) return true;
        return false;
    };
    return cond.op === 'IN' ? isIn : (rec) => !isIn(rec);
}

/**
 * LIKE pattern → matcher. `%` is any run of characters, `_` one character, `\%` and `\_` the characters
 * themselves; matching is case-insensitive. The pattern is compiled to a RegExp once per query.
 */
function likeMatcher(pattern: string): (s: string) => boolean {
    let re = '';
    for (let i = 0; i < pattern.length; i++) {
        const ch = pattern[i];
        if (ch === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
            re += pattern[i + 1];
            i++;
        } else if (ch === '%') re += '[\\s\\S]*';
        else if (ch === '_') re += '[\\s\\S]';
        else re += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
    const rx = new RegExp('^' + re + '$', 'i');
    return (s) => rx.test(s);
}
