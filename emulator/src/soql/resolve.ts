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
    /** Set for parent relationship paths. */
    rel: RelationshipRef | null;
}

export interface RelationshipRef {
    /** The lookup field on the queried object (e.g. AccountId). */
    lookup: FieldSchema;
    /** Its relationshipName as described (e.g. Account). */
    name: string;
    /** The parent field's canonical name on a given parent object (case-insensitive, cached). */
    fieldOn(objectName: string): string | undefined;
}

export class Compiler {
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
