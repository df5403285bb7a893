/**
 * Which fields a record list shows: the record's name first, then the fields an admin marked Editable (fields
 * from Salesforce before fields created in Statisfy, each in mapping order), then the others, up to
 * {@link DEFAULT_COLUMN_COUNT}; or the user's own choice (s/prefs). Every other mapped field stays one click away,
 * in the column chooser and on the record page.
 */
import { valueKind } from 'contracts/field-types';

/** Columns shown by default, name included. */
export const DEFAULT_COLUMN_COUNT = 6;

const ID_TYPES = new Set(['id']);

/** True for the field(s) that name a record: Name, or FirstName/LastName of People. */
export function isNameField(field) {
    const sf = field.salesforceField || '';
    return sf === 'Name' || sf === 'FirstName' || sf === 'LastName' || /\.Name$/.test(field.key);
}

/** A record's title: its Name, or First + Last name, else its id. */
export function recordTitle(fields, record) {
    const values = record.fields || {};
    const name = fields.find((f) => f.salesforceField === 'Name' || /\.Name$/.test(f.key));
    if (name && values[name.key]) return String(values[name.key]);
    const first = fields.find((f) => f.salesforceField === 'FirstName');
    const last = fields.find((f) => f.salesforceField === 'LastName');
    const parts = [first && values[first.key], last && values[last.key]].filter(Boolean);
    return parts.length ? parts.join(' ') : record.id;
}

/** The fields a list can show (active, not raw ids), sorted by display name for the chooser. */
export function choosableFields(fields) {
    return fields
        .filter((f) => f.active !== false && !ID_TYPES.has(String(f.type).toLowerCase()))
        .sort((a, b) => a.displayName.localeCompare(b.displayName));
}

function rank(field) {
    if (isNameField(field)) return 0;
    const lookup = valueKind(field.type) === 'text' && String(field.type).toLowerCase() === 'reference';
    if (field.editable && !lookup) return field.origin === 'statisfy' ? 2 : 1;
    return lookup ? 4 : 3;
}

/** The default columns of an object's list (field keys, in order). */
export function defaultColumns(fields) {
    const active = fields.filter((f) => f.active !== false && !ID_TYPES.has(String(f.type).toLowerCase()));
    return active
        .map((f, i) => ({ f, i }))
        .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
        .slice(0, DEFAULT_COLUMN_COUNT)
        .map(({ f }) => f.key);
}

/** The columns to show: the saved choice (fields that still exist; name fields always first) or the defaults. */
export function shownColumns(fields, saved) {
    const known = new Set(fields.filter((f) => f.active !== false).map((f) => f.key));
    const names = fields.filter((f) => f.active !== false && isNameField(f)).map((f) => f.key);
    if (!saved) return defaultColumns(fields);
    const chosen = saved.filter((k) => known.has(k) && !names.includes(k));
    return [...names, ...chosen];
}
