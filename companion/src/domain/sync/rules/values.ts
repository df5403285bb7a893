/**
 * Value comparison in Salesforce REST JSON form. Used by the echo test, the conflict checks and the
 * crash-recovery "does Salesforce already hold this value" check, so all three agree on what "equal" means.
 */

const DATETIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:?\d{2})?$/;
const SF_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/**
 * Normalises one value so that two encodings of the same Salesforce value compare equal:
 * date/times with `+0000`, `Z` or different millisecond precision become epoch milliseconds;
 * numbers stay numbers (`1` and `1.0` are one JSON number already); `undefined` and `''` become `null`
 * (Salesforce stores a blank text field as null).
 */
export function normalizeValue(value: unknown): unknown {
    if (value === undefined || value === '') return null;
    if (typeof value === 'string') {
        const m = DATETIME.exec(value);
        if (m && m[3] !== undefined) {
            const zone = m[3] === 'Z' ? 'Z' : m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3];
            const t = Date.parse(`${m[1]}T${m[2]}${zone}`);
            if (!Number.isNaN(t)) return t;
        }
    }
    return value;
}

/**
 * True when two Salesforce field values are the same value. Ids compare on their first 15 characters
 * (case-sensitive, as Salesforce's 15-character form is), so a 15- and an 18-character Id of one record match.
 */
export function sameValue(a: unknown, b: unknown): boolean {
    const x = normalizeValue(a);
    const y = normalizeValue(b);
    if (x === y) return true;
    if (typeof x === 'string' && typeof y === 'string') {
        if (SF_ID.test(x) && SF_ID.test(y) && x.length !== y.length) return x.slice(0, 15) === y.slice(0, 15);
        return false;
    }
    if (typeof x === 'number' && typeof y === 'number') return Number.isNaN(x) && Number.isNaN(y);
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return false;
    return JSON.stringify(x) === JSON.stringify(y);
}
