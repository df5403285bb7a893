/**
 * Declarative validation rules registered through the control API, compiled to the schema's
 * `ValidationRule` (the record is INVALID when the condition is true, as in a Salesforce error
 * condition formula).
 */
import type { ValidationRule } from '../schema/types';

/** A condition: a comparison, or all/any/not of conditions. */
export type Condition =
    | { field: string; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: unknown }
    | { field: string; op: 'isBlank' | 'notBlank' }
    | { field: string; op: 'contains' | 'startsWith' | 'matches'; value: string }
    | { all: Condition[] }
    | { any: Condition[] }
    | { not: Condition };

/** A rule as the control API accepts it. */
export interface ValidationRuleInput {
    object: string;
    name: string;
    message: string;
    errorField?: string | null;
    condition: Condition;
}

const OPS = ['=', '!=', '<', '<=', '>', '>=', 'isBlank', 'notBlank', 'contains', 'startsWith', 'matches'];

/** Compiles a condition; throws an Error naming the bad part. `resolve` maps a field name to its API name or null. */
export function compileCondition(
    c: unknown,
    resolve: (f: string) => string | null,
    where = 'condition'
): (r: Readonly<Record<string, unknown>>) => boolean {
    if (!c || typeof c !== 'object' || Array.isArray(c)) throw new Error(`${where} must be an object`);
    const x = c as Record<string, unknown>;
    if ('all' in x || 'any' in x) {
        const key = 'all' in x ? 'all' : 'any';
        const list = x[key];
        if (!Array.isArray(list) || list.length === 0) throw new Error(`${where}.${key} must be a non-empty array`);
        const fns = list.map((y, i) => compileCondition(y, resolve, `${where}.${key}[${i}]`));
        return key === 'all' ? (r) => fns.every((f) => f(r)) : (r) => fns.some((f) => f(r));
    }
    if ('not' in x) {
        const f = compileCondition(x.not, resolve, `${where}.not`);
        return (r) => !f(r);
    }
    if (typeof x.field !== 'string') throw new Error(`${where}.field must be a field API name`);
    const field = resolve(x.field);
    if (!field) throw new Error(`${where}.field: no field '${x.field}' on the object`);
    if (typeof x.op !== 'string' || !OPS.includes(x.op))
        throw new Error(`${where}.op must be one of ${OPS.join(', ')}, got ${JSON.stringify(x.op)}`);
    const op = x.op;
    const value = x.value;
    if (op !== 'isBlank' && op !== 'notBlank' && !('value' in x))
        throw new Error(`${where}.value is required for op '${op}'`);
    const blank = (v: unknown) => v === null || v === undefined || v === '';
    switch (op) {
        case 'isBlank':
            return (r) => blank(r[field]);
        case 'notBlank':
            return (r) => !blank(r[field]);
        case 'contains':
            return (r) =>
                typeof r[field] === 'string' &&
                (r[field] as string).toLowerCase().includes(String(value).toLowerCase());
        case 'startsWith':
            return (r) =>
                typeof r[field] === 'string' &&
                (r[field] as string).toLowerCase().startsWith(String(value).toLowerCase());
        case 'matches': {
            let re: RegExp;
            try {
                re = new RegExp(String(value));
            } catch (e) {
                throw new Error(`${where}.value is not a valid regular expression: ${(e as Error).message}`);
            }
            return (r) => typeof r[field] === 'string' && re.test(r[field] as string);
        }
        case '=':
            return (r) => (blank(r[field]) && blank(value)) || r[field] === value;
        case '!=':
            return (r) => !((blank(r[field]) && blank(value)) || r[field] === value);
        default: {
            const cmp = (a: unknown, b: unknown): number | null => {
                if (blank(a)) return null;
                if (typeof a === 'number' && typeof b === 'number') return a - b;
                return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
            };
            return (r) => {
                const d = cmp(r[field], value);
                if (d === null) return false;
                return op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0;
            };
        }
    }
}

/** Builds a ValidationRule from control-API input (the object must already be resolved). */
export function buildRule(input: ValidationRuleInput, resolve: (f: string) => string | null): ValidationRule {
    if (typeof input.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(input.name))
        throw new Error(`name must be a developer name, got ${JSON.stringify(input.name)}`);
    if (typeof input.message !== 'string' || input.message === '')
        throw new Error('message must be a non-empty string');
    let errorField: string | null = null;
    if (input.errorField !== undefined && input.errorField !== null) {
        errorField = resolve(String(input.errorField));
        if (!errorField) throw new Error(`errorField: no field '${input.errorField}' on the object`);
    }
    return {
        name: input.name,
        message: input.message,
        errorField,
        condition: compileCondition(input.condition, resolve)
    };
}
