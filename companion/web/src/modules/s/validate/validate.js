/**
 * Checks a value typed into a record editor before it is sent, with the companion's own rules (checkValue of
 * contracts/field-types, which PATCH /records applies) plus what the org's describe says about the field
 * (`GET /objects/:object/salesforce-fields`: length, precision and scale, required, picklist values), so that a bad
 * value is caught in the page, in plain words, instead of by the API or by Salesforce.
 *
 * `describe` is the field's describe entry or null (a field local to Statisfy has none).
 */
import { checkValue, valueKind } from 'contracts/field-types';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The picklist values a field offers: the org's describe first, else what the mapping carries. */
export function picklistOptions(field, describe) {
    if (describe && Array.isArray(describe.picklistValues) && describe.picklistValues.length) {
        return describe.picklistValues.map((p) => ({ value: p.value, label: p.label || p.value }));
    }
    if (field && Array.isArray(field.picklistValues) && field.picklistValues.length) {
        return field.picklistValues.map((v) => ({ value: v, label: v }));
    }
    return [];
}

/** Which editor fits the field: checkbox, picklist, multipicklist, number, date, datetime, time, textarea, text. */
export function editorKind(field) {
    const type = String(field.type || '').toLowerCase();
    const kind = valueKind(type);
    if (kind === 'boolean') return 'checkbox';
    if (kind === 'text' && type === 'textarea') return 'textarea';
    if (kind === 'text') return 'text';
    return kind;
}

/** The HTML input type of a text-like or date-like editor. */
export function htmlInputType(field) {
    const type = String(field.type || '').toLowerCase();
    const kind = editorKind(field);
    if (kind === 'number') return 'number';
    if (kind === 'date') return 'date';
    if (kind === 'datetime') return 'datetime-local';
    if (kind === 'time') return 'time';
    if (type === 'email') return 'email';
    if (type === 'url') return 'url';
    if (type === 'phone') return 'tel';
    return 'text';
}

/** The `step` of a number input: 1 for whole numbers, 0.01 for two decimals, any when the scale is unknown. */
export function numberStep(describe) {
    if (!describe || describe.scale === null || describe.scale === undefined) return 'any';
    return describe.scale > 0 ? String(10 ** -describe.scale) : '1';
}

/** The most characters a text editor takes (from describe), or null. */
export function maxLength(field, describe) {
    const kind = editorKind(field);
    if ((kind === 'text' || kind === 'textarea') && describe && describe.length > 0) return describe.length;
    return null;
}

/** A short line under the editor naming its limits ("At most 80 characters", "2 decimal places"…), or ''. */
export function limitsText(field, describe) {
    const parts = [];
    const max = maxLength(field, describe);
    if (max) parts.push(`At most ${max.toLocaleString('en-US')} characters`);
    if (editorKind(field) === 'number' && describe && describe.precision) {
        const whole = describe.precision - (describe.scale || 0);
        parts.push(
            describe.scale
                ? `Up to ${whole} digits and ${describe.scale} decimal place${describe.scale === 1 ? '' : 's'}`
                : `A whole number of up to ${whole} digits`
        );
    }
    if (describe && describe.required) parts.push('Required in Salesforce');
    return parts.join(' · ');
}

function datetimeValue(raw) {
    const d = new Date(raw);
    return Number.isNaN(d.getTime()) ? raw : d.toISOString();
}

/**
 * Turns what an editor holds into the value the API takes, or says in plain words why it cannot be sent.
 * `raw` is the input's text (for a multi-select, an array of the chosen values); `checked` a checkbox's state.
 * Resolves `{ ok: true, value }` or `{ ok: false, message }`.
 */
export function validateInput(field, describe, raw, checked) {
    const kind = editorKind(field);
    const name = field.displayName || field.key;
    let value;
    if (kind === 'checkbox') value = !!checked;
    else if (kind === 'multipicklist') value = Array.isArray(raw) && raw.length ? raw.join(';') : null;
    else if (raw === null || raw === undefined || String(raw).trim() === '') value = null;
    else if (kind === 'number') {
        const text = String(raw).trim();
        const n = Number(text);
        if (!Number.isFinite(n)) return { ok: false, message: `${name} must be a number, such as 1250 or 12.5` };
        if (describe && describe.precision) {
            const [whole, decimals = ''] = text.replace(/^[-+]/, '').replace(/e.*$/i, '').split('.');
            const scale = describe.scale || 0;
            if (decimals.replace(/0+$/, '').length > scale) {
                return {
                    ok: false,
                    message: scale
                        ? `${name} takes at most ${scale} decimal place${scale === 1 ? '' : 's'}`
                        : `${name} must be a whole number`
                };
            }
            if (whole.replace(/^0+/, '').length > describe.precision - scale) {
                return { ok: false, message: `${name} takes at most ${describe.precision - scale} digits` };
            }
        }
        value = n;
    } else if (kind === 'datetime') value = datetimeValue(raw);
    else value = String(raw);

    if (value === null && describe && describe.required) {
        return { ok: false, message: `${name} is required in Salesforce: enter a value` };
    }
    if (typeof value === 'string') {
        const max = maxLength(field, describe);
        if (max && value.length > max) {
            return {
                ok: false,
                message: `${name} takes at most ${max} characters (this is ${value.length})`
            };
        }
        if (String(field.type).toLowerCase() === 'email' && !EMAIL.test(value)) {
            return { ok: false, message: `${name} must be an email address, such as name@example.com` };
        }
    }
    const options = picklistOptions(field, describe).map((o) => o.value);
    if (value !== null && kind === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
        return { ok: false, message: `${name} must be a date` };
    }
    const check = checkValue(field.type, value, options.length ? options : null);
    if (!check.ok) return { ok: false, message: `${name}: ${check.message}` };
    return { ok: true, value: check.value };
}
