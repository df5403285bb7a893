/**
 * Field API names compared as Salesforce compares them: case-insensitively (`Phone`, `phone`). The one place the
 * sync looks a field up in a record's values by name.
 */

/** The key of `obj` that names `field` (exact first, then case-insensitive), or undefined. */
export function findKey(obj: Record<string, unknown>, field: string): string | undefined {
    if (field in obj) return field;
    const lower = field.toLowerCase();
    return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

/** True when `obj` holds a value for `field`. */
export function hasKey(obj: Record<string, unknown>, field: string): boolean {
    return findKey(obj, field) !== undefined;
}

/** The value `obj` holds for `field`, or null. */
export function pick(obj: Record<string, unknown>, field: string): unknown {
    const k = findKey(obj, field);
    return k === undefined ? null : obj[k];
}
