/**
 * Field paths of a query resolved against describe data (case-insensitive, relationship names, Salesforce's
 * error texts), and the comparable keys of values per field category that WHERE and ORDER BY share.
 */
import type { FieldSchema, ObjectSchema } from '../schema/types';
import type { FieldPath, SoqlQuery } from './ast';
import { datetimeValueMs } from './dates';
import {
    SoqlError,
    positionedError,
    unknownFieldDetail,
    unknownRelationshipDetail,
    type SoqlErrorCode
} from './errors';
import { idKey } from './ids';
import type { Rec, SoqlDataSource } from './source';

export interface SchemaIndex {
    size: number;
    fields: Map<string, FieldSchema>;
    relationships: Map<string, FieldSchema>;
}

export const indexCache = new WeakMap<ObjectSchema, SchemaIndex>();

/** Case-insensitive field and relationship lookup for a schema (rebuilt if fields were added). */
export function indexOf(schema: ObjectSchema): SchemaIndex {
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

export type Category = 'id' | 'string' | 'multipicklist' | 'boolean' | 'number' | 'date' | 'datetime';

export function categoryOf(f: FieldSchema): Category {
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
export interface Resolved {
    /** The field's describe data (for relationship paths: on the first parent type that has it). */
    field: FieldSchema;
    /** Path as written, for messages. */
    label: string;
    start: number;
    /** Reads the value from a record of the queried object (null when absent or no parent). */
    get(rec: Rec): unknown;
    /** The parent relationships walked, outermost first (empty for a field of the queried object). */
    rels: RelationshipStep[];
    /** The field's canonical name on a given object (the last parent's type, resolved per record). */
    fieldOn(objectName: string): string | undefined;
}

/** One child-to-parent step of a field path (`Account` in `Account.Owner.Name`). */
export interface RelationshipStep {
    /** The relationship name as described on the first object that has it (e.g. `Account`, `Owner`). */
    name: string;
    /** Lower-case name as written, for lookups on other (polymorphic) parent types. */
    lower: string;
    /** The lookup field's name on a given object (e.g. `AccountId`), resolved per record. */
    lookupOn(objectName: string): string | undefined;
    /** The lookup field on the first object that has it (for column metadata). */
    lookup: FieldSchema;
}

/** Salesforce's limit on child-to-parent relationships in one field path (`Contact.Account.Owner.FirstName` is three). */
export const MAX_PARENT_LEVELS = 5;

export class Compiler {
    private readonly names = new Map<string, Map<string, string | undefined>>();

    constructor(
        readonly q: SoqlQuery,
        readonly source: SoqlDataSource,
        readonly schema: ObjectSchema
    ) {}

    error(code: SoqlErrorCode, offset: number, detail: string): SoqlError {
        return positionedError(code, this.q.text, offset, detail);
    }

    /** Canonical name of a field (`kind` f) or of a relationship's lookup field (`kind` r) on an object, cached. */
    private nameOn(kind: 'f' | 'r', lower: string, objectName: string): string | undefined {
        const key = `${kind}:${lower}`;
        let byObject = this.names.get(key);
        if (!byObject) this.names.set(key, (byObject = new Map()));
        if (byObject.has(objectName)) return byObject.get(objectName);
        const s = this.source.describe(objectName);
        const idx = s ? indexOf(s) : undefined;
        const name = kind === 'f' ? idx?.fields.get(lower)?.name : idx?.relationships.get(lower)?.name;
        byObject.set(objectName, name);
        return name;
    }

    resolve(path: FieldPath): Resolved {
        let parts = path.parts;
        // `SELECT Account.Name FROM Account` — the object's own name may prefix its fields.
        if (
            parts.length > 1 &&
            parts[0].toLowerCase() === this.schema.name.toLowerCase() &&
            !indexOf(this.schema).relationships.has(parts[0].toLowerCase())
        )
            parts = parts.slice(1);
        const label = path.parts.join('.');
        if (parts.length - 1 > MAX_PARENT_LEVELS)
            throw this.error(
                'MALFORMED_QUERY',
                path.start,
                `SOQL statements cannot query relationships that are more than ${MAX_PARENT_LEVELS} levels away from the root entity object.`
            );
        const rels: RelationshipStep[] = [];
        let schemas: ObjectSchema[] = [this.schema];
        for (const part of parts.slice(0, -1)) {
            const lower = part.toLowerCase();
            let lookup: FieldSchema | undefined;
            const next: ObjectSchema[] = [];
            for (const s of schemas) {
                const l = indexOf(s).relationships.get(lower);
                if (!l) continue;
                lookup ??= l;
                for (const target of l.referenceTo) {
                    const t = this.source.describe(target);
                    if (t && !next.includes(t)) next.push(t);
                }
            }
            if (!lookup) throw this.error('INVALID_FIELD', path.start, unknownRelationshipDetail(part));
            rels.push({
                name: lookup.relationshipName ?? lookup.name,
                lower,
                lookup,
                lookupOn: (objectName) => this.nameOn('r', lower, objectName)
            });
            schemas = next;
        }
        const fieldName = parts[parts.length - 1];
        const lower = fieldName.toLowerCase();
        let field: FieldSchema | undefined;
        for (const s of schemas) {
            field = indexOf(s).fields.get(lower);
            if (field) break;
        }
        if (!field) {
            const entity = schemas[0]?.name ?? rels[rels.length - 1]?.lookup.referenceTo[0] ?? this.schema.name;
            throw this.error('INVALID_FIELD', path.start, unknownFieldDetail(fieldName, entity));
        }
        const fieldOn = (objectName: string): string | undefined => this.nameOn('f', lower, objectName);
        if (rels.length === 0) {
            const name = field.name;
            return { field, label, start: path.start, get: (rec) => rec[name] ?? null, rels, fieldOn };
        }
        const source = this.source;
        const rootName = this.schema.name;
        const get = (rec: Rec): unknown => {
            let cur = rec;
            let type = rootName;
            for (const step of rels) {
                const lookupName = step.lookupOn(type);
                const id = lookupName === undefined ? undefined : cur[lookupName];
                if (typeof id !== 'string' || id === '') return null;
                const parent = source.byId(id);
                if (!parent) return null;
                cur = parent.record;
                type = parent.objectName;
            }
            const name = fieldOn(type);
            return name === undefined ? null : (cur[name] ?? null);
        };
        return { field, label, start: path.start, get, rels, fieldOn };
    }
}

export type Key = string | number;
export type LiteralKey = { kind: 'null' } | { kind: 'key'; key: Key } | { kind: 'range'; lo: Key; hi: Key };

/** Comparable key of a record value for a field category (null for blank). */
export function keyFn(cat: Category): (v: unknown) => Key | null {
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
export function datetimeKey(v: unknown): string | null {
    if (typeof v !== 'string') return null;
    if (v.length === 28 && v.endsWith('+0000')) return v;
    const ms = datetimeValueMs(v);
    return Number.isNaN(ms) ? null : canonicalDatetime(ms);
}

/** Epoch ms → `YYYY-MM-DDThh:mm:ss.SSS+0000`. */
export function canonicalDatetime(ms: number): string {
    return new Date(ms).toISOString().slice(0, 23) + '+0000';
}

/** `b;A;c` → `a;b;c`: multi-select values compare as sets, case-insensitively. */
export function normalizeMulti(s: string): string {
    return s
        .split(';')
        .map((x) => x.trim().toLowerCase())
        .filter((x) => x !== '')
        .sort()
        .join(';');
}

/** The word Salesforce uses for a field type in "must be of type …" messages. */
export function typeWord(f: FieldSchema): string {
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
