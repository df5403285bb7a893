/**
 * Field types and value checks. A mapping's `type` is a Salesforce describe type (`string`, `double`, `currency`,
 * `picklist`, `date`, `datetime`, `boolean`, `reference`, …) or, for fields created in Statisfy, one of the simple
 * names (`text`, `number`, …). Both map to a value kind, which decides what a value must look like and which
 * Salesforce fields a Statisfy field can write to.
 */
import type { Json } from '../data/types';

/** What a value of a field must be. */
export type ValueKind = 'text' | 'number' | 'date' | 'datetime' | 'time' | 'boolean' | 'picklist' | 'multipicklist';

const KINDS: Record<string, ValueKind> = {
    text: 'text',
    string: 'text',
    textarea: 'text',
    email: 'text',
    phone: 'text',
    url: 'text',
    reference: 'text',
    id: 'text',
    combobox: 'text',
    encryptedstring: 'text',
    number: 'number',
    double: 'number',
    currency: 'number',
    percent: 'number',
    int: 'number',
    long: 'number',
    date: 'date',
    datetime: 'datetime',
    time: 'time',
    boolean: 'boolean',
    checkbox: 'boolean',
    picklist: 'picklist',
    multipicklist: 'multipicklist'
};

/** Types a Statisfy field may be created with. */
export const STATISFY_FIELD_TYPES = [
    'text',
    'textarea',
    'email',
    'phone',
    'url',
    'number',
    'currency',
    'percent',
    'date',
    'datetime',
    'boolean',
    'picklist',
    'multipicklist'
] as const;

/** The value kind of a type (unknown types are treated as text). */
export function valueKind(type: string): ValueKind {
    return KINDS[type.toLowerCase()] ?? 'text';
}

/** True when a field of `statisfyType` can be written to a Salesforce field of `salesforceType`. */
export function typesCompatible(statisfyType: string, salesforceType: string): boolean {
    const a = valueKind(statisfyType);
    const b = valueKind(salesforceType);
    if (a === b) return true;
    // A picklist value is text, and text may go into a picklist (Salesforce checks the value itself).
    return (a === 'text' && b === 'picklist') || (a === 'picklist' && b === 'text');
}

/** The outcome of checking one value. */
export type ValueCheck = { ok: true; value: Json } | { ok: false; message: string };

function validDate(value: string): boolean {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!m) return false;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return (
        d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
    );
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * Checks a value against a field's type (and known picklist values) and returns it normalised: datetimes become
 * `YYYY-MM-DDTHH:mm:ss.sssZ`. `null` clears a field (not allowed for booleans, which Salesforce never holds empty).
 */
export function checkValue(type: string, value: unknown, picklistValues: string[] | null = null): ValueCheck {
    const kind = valueKind(type);
    if (value === null) {
        return kind === 'boolean'
            ? { ok: false, message: 'expected true or false (a checkbox cannot be empty)' }
            : { ok: true, value: null };
    }
    switch (kind) {
        case 'number':
            return typeof value === 'number' && Number.isFinite(value)
                ? { ok: true, value }
                : { ok: false, message: `expected a number, got ${JSON.stringify(value)}` };
        case 'boolean':
            return typeof value === 'boolean'
                ? { ok: true, value }
                : { ok: false, message: `expected true or false, got ${JSON.stringify(value)}` };
        case 'date':
            return typeof value === 'string' && validDate(value)
                ? { ok: true, value }
                : { ok: false, message: `expected a date as YYYY-MM-DD, got ${JSON.stringify(value)}` };
        case 'datetime': {
            if (
                typeof value !== 'string' ||
                !DATETIME.test(value) ||
                Number.isNaN(Date.parse(value)) ||
                !validDate(value.slice(0, 10))
            ) {
                return {
                    ok: false,
                    message: `expected a date and time as ISO 8601 with a time zone (2026-01-31T09:30:00Z), got ${JSON.stringify(value)}`
                };
            }
            return { ok: true, value: new Date(value).toISOString() };
        }
        case 'time':
            return typeof value === 'string' && /^\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?Z?$/.test(value)
                ? { ok: true, value }
                : { ok: false, message: `expected a time as HH:mm:ss, got ${JSON.stringify(value)}` };
        case 'picklist':
            if (typeof value !== 'string')
                return { ok: false, message: `expected a picklist value (text), got ${JSON.stringify(value)}` };
            if (picklistValues && !picklistValues.includes(value)) {
                return {
                    ok: false,
                    message: `"${value}" is not a value of this picklist (${picklistValues.join(', ')})`
                };
            }
            return { ok: true, value };
        case 'multipicklist': {
            if (typeof value !== 'string')
                return {
                    ok: false,
                    message: `expected picklist values separated by ";", got ${JSON.stringify(value)}`
                };
            const bad = picklistValues ? value.split(';').filter((v) => v !== '' && !picklistValues.includes(v)) : [];
            return bad.length === 0
                ? { ok: true, value }
                : {
                      ok: false,
                      message: `${bad.map((v) => `"${v}"`).join(', ')} not among the picklist values (${picklistValues?.join(', ')})`
                  };
        }
        default:
            return typeof value === 'string'
                ? { ok: true, value }
                : { ok: false, message: `expected text, got ${JSON.stringify(value)}` };
    }
}
