/**
 * Field values on write: a JSON value turned into the field's stored REST form (strings trimmed to
 * null, numbers rounded to scale, dates and datetimes normalised, ids to 18 characters), or
 * Salesforce's error code and wording (STRING_TOO_LONG, JSON_PARSER_ERROR, MALFORMED_ID, …).
 */
import type { SchemaRegistry } from '../schema/registry';
import type { FieldSchema } from '../schema/types';
import { to18 } from './ids';
import { DmlError, type Rec } from './transaction';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Formats epoch milliseconds as Salesforce's REST datetime `YYYY-MM-DDThh:mm:ss.SSS+0000`. */
export function formatDateTime(ms: number): string {
    return new Date(ms).toISOString().replace('Z', '+0000');
}

function jsonParserError(type: string, value: unknown): DmlError {
    const kind =
        typeof value === 'string'
            ? 'VALUE_STRING'
            : typeof value === 'boolean'
              ? 'VALUE_' + String(value).toUpperCase()
              : typeof value === 'number'
                ? 'VALUE_NUMBER_INT'
                : 'START_OBJECT';
    return new DmlError(
        'JSON_PARSER_ERROR',
        `Cannot deserialize instance of ${type} from ${kind} value ${typeof value === 'object' ? JSON.stringify(value) : String(value)} or request may be missing a required field at [line:1, column:1]`
    );
}

/** Converts a JSON value to the field's REST JSON form, or throws Salesforce's error. */
export function coerceValue(
    schema: SchemaRegistry,
    lookup: (id18: string) => { rec: Rec } | undefined,
    f: FieldSchema,
    v: unknown
): unknown {
    if (v === null || v === undefined) return null;
    switch (f.type) {
        case 'string':
        case 'textarea':
        case 'phone':
        case 'url':
        case 'email':
        case 'picklist':
        case 'multipicklist': {
            if (typeof v === 'object') throw jsonParserError('String', v);
            const s = String(v);
            if (s === '') return null;
            if (s.length > f.length)
                throw new DmlError(
                    'STRING_TOO_LONG',
                    `${f.label}: data value too large: ${s.length > 80 ? s.slice(0, 80) + '...' : s} (max length=${f.length})`,
                    [f.name]
                );
            if (f.type === 'email' && !EMAIL.test(s))
                throw new DmlError('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${s}`, [f.name]);
            if (f.type === 'picklist' && f.restrictedPicklist && !f.picklistValues.some((p) => p.value === s))
                throw new DmlError(
                    'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
                    `${f.label}: bad value for restricted picklist field: ${s}`,
                    [f.name]
                );
            if (f.type === 'multipicklist') {
                const parts = s
                    .split(';')
                    .map((p) => p.trim())
                    .filter((p) => p !== '');
                if (f.restrictedPicklist)
                    for (const p of parts)
                        if (!f.picklistValues.some((x) => x.value === p))
                            throw new DmlError(
                                'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
                                `${f.label}: bad value for restricted picklist field: ${p}`,
                                [f.name]
                            );
                return parts.length ? parts.join(';') : null;
            }
            return s;
        }
        case 'boolean':
            if (typeof v === 'boolean') return v;
            if (v === 'true' || v === 'false') return v === 'true';
            throw jsonParserError('boolean', v);
        case 'int':
        case 'double':
        case 'currency':
        case 'percent': {
            const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
            if (!Number.isFinite(n)) throw jsonParserError(f.type === 'int' ? 'int' : 'double', v);
            if (f.type === 'int' && !Number.isInteger(n)) throw jsonParserError('int', v);
            const factor = 10 ** f.scale;
            const rounded = f.type === 'int' ? n : Math.round(n * factor) / factor;
            if (Math.abs(Math.trunc(rounded)).toString().length > Math.max(1, f.precision - f.scale))
                throw new DmlError(
                    'NUMBER_OUTSIDE_VALID_RANGE',
                    `${f.label}: value outside of valid range on numeric field: ${n}`,
                    [f.name]
                );
            return rounded;
        }
        case 'date': {
            if (typeof v !== 'string') throw jsonParserError('date', v);
            const m = DATE.exec(v.slice(0, 10));
            if (!m || (v.length > 10 && v[10] !== 'T') || Number.isNaN(Date.parse(`${v.slice(0, 10)}T00:00:00Z`)))
                throw jsonParserError('date', v);
            return v.slice(0, 10);
        }
        case 'datetime': {
            if (typeof v !== 'string') throw jsonParserError('datetime', v);
            const iso = v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
            const ms = Date.parse(/T/.test(iso) ? iso : `${iso}T00:00:00Z`);
            if (Number.isNaN(ms)) throw jsonParserError('datetime', v);
            return formatDateTime(ms);
        }
        case 'reference': {
            if (typeof v !== 'string') throw jsonParserError('String', v);
            if (v === '') return null;
            const id18 = to18(v);
            if (!id18) throw new DmlError('MALFORMED_ID', `${f.label}: id value of incorrect type: ${v}`, [f.name]);
            if (f.referenceTo.some((r) => r === 'Organization' || r === 'Profile')) return id18;
            const target = lookup(id18);
            const targetType = schema.byPrefix(id18);
            if (!targetType || !f.referenceTo.some((r) => r.toLowerCase() === targetType.name.toLowerCase()))
                throw new DmlError('FIELD_INTEGRITY_EXCEPTION', `${f.label}: id value of incorrect type: ${v}`, [
                    f.name
                ]);
            if (!target)
                throw new DmlError('INVALID_CROSS_REFERENCE_KEY', `${f.label}: invalid cross reference id`, [f.name]);
            if (target.rec.IsDeleted === true) throw new DmlError('ENTITY_IS_DELETED', 'entity is deleted', [f.name]);
            return id18;
        }
        case 'id':
            return to18(String(v)) ?? v;
    }
}
