/**
 * Field types and value checks — the one field-type table of the product (contract, ARCHITECTURE §4 "contracts
 * written once"). The companion validates edits and mappings with it, the web app's build imports it for the same
 * checks before a request is sent, and `force-app/test/checks/field-types.test.ts` holds the package's
 * `StatisfyFieldTypes.cls` to it.
 *
 * A mapping's `type` is a Salesforce describe type (`string`, `double`, `currency`, `picklist`, `date`, `datetime`,
 * `boolean`, `reference`, …) or, for fields created in Statisfy, one of the simple names (`text`, `number`, …).
 * Both map to a value kind, which decides what a value must look like and which Salesforce fields a Statisfy field
 * can write to. No imports: this file is bundled into the browser as it is.
 */

/** A JSON value as the API carries it. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** What a value of a field must be. */
export type ValueKind = 'text' | 'number' | 'date' | 'datetime' | 'time' | 'boolean' | 'picklist' | 'multipicklist';

/** Describe type (or Statisfy type) → value kind. Types not listed are treated as text. */
export const VALUE_KINDS: Readonly<Record<string, ValueKind>> = {
    text: 'text',
    string: 'text',
    textarea: 'text',
    longtext: 'text',
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

/** The label Salesforce Setup shows for each type a Statisfy field may be created with. */
export const FIELD_TYPE_LABELS: Readonly<Record<(typeof STATISFY_FIELD_TYPES)[number], string>> = {
    text: 'Text',
    textarea: 'Text Area',
    email: 'Email',
    phone: 'Phone',
    url: 'URL',
    number: 'Number',
    currency: 'Currency',
    percent: 'Percent',
    date: 'Date',
    datetime: 'Date/Time',
    boolean: 'Checkbox',
    picklist: 'Picklist',
    multipicklist: 'Picklist (Multi-Select)'
};

/**
 * The Statisfy type a new field takes from the Salesforce field it maps to (New field in the Object Manager), or
 * null when none fits.
 */
export function statisfyTypeFor(salesforceType: string): (typeof STATISFY_FIELD_TYPES)[number] | null {
    const t = salesforceType.toLowerCase();
    if ((STATISFY_FIELD_TYPES as readonly string[]).includes(t)) return t as (typeof STATISFY_FIELD_TYPES)[number];
    switch (valueKind(t)) {
        case 'number':
            return 'number';
        case 'text':
            return t === 'string' || t === 'reference' || t === 'id' || t === 'combobox' || t === 'encryptedstring'
                ? 'text'
                : null;
        case 'boolean':
            return 'boolean';
        default:
            return null;
    }
}

/** The value kind of a type (unknown types are treated as text). */
export function valueKind(type: string): ValueKind {
    return VALUE_KINDS[type.toLowerCase()] ?? 'text';
}

/** Types that hold a record Id: a reference fits only a reference (text is not an Id), and text does not fit one. */
const REFERENCE_TYPES: ReadonlySet<string> = new Set(['reference', 'id']);

/**
 * True when a field of `statisfyType` can be written to a Salesforce field of `salesforceType`: Salesforce accepts
 * values of that kind in the field (text of any text type into any text or picklist field, a number of any kind into
 * any number field, a reference only into a reference). What Salesforce checks per value (length, email format,
 * restricted picklist values) it refuses per edit. A type this table does not know (`base64`, `address`, `location`,
 * …) fits only itself. `StatisfyFieldTypes.cls` answers the same for every pair
 * (`force-app/test/checks/field-types.test.ts`).
 */
export function typesCompatible(statisfyType: string, salesforceType: string): boolean {
    const s = statisfyType.toLowerCase();
    const f = salesforceType.toLowerCase();
    if (s === f) return true;
    if (!(s in VALUE_KINDS) || !(f in VALUE_KINDS)) return false;
    if (REFERENCE_TYPES.has(s) || REFERENCE_TYPES.has(f)) return REFERENCE_TYPES.has(s) && REFERENCE_TYPES.has(f);
    const a = valueKind(s);
    const b = valueKind(f);
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
