/**
 * WHERE: a condition compiled once into closures over records (Salesforce's semantics: case-insensitive
 * text, `''` is null, `!=`/`NOT IN` match nulls, ids by their 15-character form), and the Id seed that
 * lets `Id = …`/`Id IN (…)` read records by id instead of scanning.
 */
import type { Condition, FieldPath, Literal } from './ast';
import { dateLiteralRange } from './dates';
import { SoqlError } from './errors';
import { normalizeIdLiteral } from './ids';
import type { Compiler, Key, LiteralKey, Resolved } from './resolve';
import { canonicalDatetime, categoryOf, keyFn, normalizeMulti, typeWord } from './resolve';
import type { Rec } from './source';

export type Predicate = (rec: Rec) => boolean;
export const TRUE: Predicate = () => true;
export const FALSE: Predicate = () => false;

/**
 * When the WHERE clause requires `Id = '…'` or `Id IN (…)` (alone or as one operand of a top-level AND),
 * the 15-character keys of those ids (deduplicated, in the order written), else null. The full WHERE
 * clause is still applied to the records found.
 */
export function idSeed(c: Compiler, cond: Condition, now: Date): string[] | null {
    const candidates = cond.kind === 'and' ? cond.operands : [cond];
    for (const part of candidates) {
        if (part.kind !== 'compare' && part.kind !== 'set') continue;
        if (part.kind === 'compare' && part.op !== '=') continue;
        if (part.kind === 'set' && part.op !== 'IN') continue;
        const r = c.resolve(part.field);
        if (r.rels.length > 0 || r.field.type !== 'id') continue;
        const literals = part.kind === 'compare' ? [part.value] : part.values;
        const keys = new Set<string>();
        for (const lit of literals) {
            const lk = literalKey(c, r, lit, now);
            if (lk.kind === 'key') keys.add(String(lk.key));
        }
        return [...keys];
    }
    return null;
}

export function compileCondition(c: Compiler, cond: Condition, now: Date): Predicate {
    switch (cond.kind) {
        case 'and': {
            const parts = cond.operands.map((o) => compileCondition(c, o, now));
            if (parts.length === 2) {
                const [a, b] = parts;
                return (r) => a(r) && b(r);
            }
            return (r) => {
                for (const p of parts) if (!p(r)) return false;
                return true;
            };
        }
        case 'or': {
            const parts = cond.operands.map((o) => compileCondition(c, o, now));
            if (parts.length === 2) {
                const [a, b] = parts;
                return (r) => a(r) || b(r);
            }
            return (r) => {
                for (const p of parts) if (p(r)) return true;
                return false;
            };
        }
        case 'not': {
            const inner = compileCondition(c, cond.operand, now);
            return (r) => !inner(r);
        }
        case 'compare':
            return compileCompare(c, cond, now);
        case 'set':
            return compileSet(c, cond, now);
    }
}

export function resolveFilterField(c: Compiler, path: FieldPath): Resolved {
    const r = c.resolve(path);
    if (!r.field.filterable) {
        throw c.error('INVALID_FIELD', path.start, `field '${r.label}' can not be filtered in a query call`);
    }
    return r;
}

export function invalidOperator(c: Compiler, r: Resolved, at: number): SoqlError {
    return c.error('INVALID_QUERY_FILTER_OPERATOR', at, `invalid operator on ${r.field.type} field`);
}

/** Checks a literal against the field's type and turns it into a comparable key or range. */
export function literalKey(c: Compiler, r: Resolved, lit: Literal, now: Date): LiteralKey {
    if (lit.kind === 'null') return { kind: 'null' };
    const cat = categoryOf(r.field);
    const mismatch = (quoted: boolean): SoqlError =>
        c.error(
            'INVALID_FIELD',
            lit.start,
            `value of filter criterion for field '${r.label}' must be of type ${typeWord(r.field)} and should ${quoted ? '' : 'not '}be enclosed in quotes`
        );
    switch (cat) {
        case 'id': {
            if (lit.kind !== 'string') throw mismatch(true);
            if (lit.value === '') return { kind: 'null' };
            const id = normalizeIdLiteral(lit.value);
            if (id === null)
                throw c.error('INVALID_QUERY_FILTER_OPERATOR', lit.start, `invalid ID field: ${lit.value}`);
            return { kind: 'key', key: id };
        }
        case 'string':
            if (lit.kind !== 'string') throw mismatch(true);
            return lit.value === '' ? { kind: 'null' } : { kind: 'key', key: lit.value.toLowerCase() };
        case 'multipicklist':
            if (lit.kind !== 'string') throw mismatch(true);
            return lit.value === '' ? { kind: 'null' } : { kind: 'key', key: normalizeMulti(lit.value) };
        case 'boolean':
            if (lit.kind !== 'boolean') throw mismatch(false);
            return { kind: 'key', key: lit.value ? 1 : 0 };
        case 'number':
            if (lit.kind !== 'number') throw mismatch(false);
            return { kind: 'key', key: lit.value };
        case 'date':
            if (lit.kind === 'date') return { kind: 'key', key: lit.value };
            if (lit.kind === 'dateLiteral') {
                const range = dateLiteralRange(lit.name, lit.n, now);
                return { kind: 'range', lo: range.startDate, hi: range.endDate };
            }
            throw mismatch(false);
        case 'datetime':
            if (lit.kind === 'datetime') return { kind: 'key', key: canonicalDatetime(lit.ms) };
            if (lit.kind === 'dateLiteral') {
                const range = dateLiteralRange(lit.name, lit.n, now);
                return { kind: 'range', lo: canonicalDatetime(range.startMs), hi: canonicalDatetime(range.endMs) };
            }
            throw mismatch(false);
    }
}

export function compileCompare(c: Compiler, cond: Extract<Condition, { kind: 'compare' }>, now: Date): Predicate {
    const r = resolveFilterField(c, cond.field);
    const cat = categoryOf(r.field);
    const get = r.get;

    if (cond.op === 'LIKE') {
        if (cat !== 'string') throw invalidOperator(c, r, cond.opStart);
        if (cond.value.kind === 'null') return FALSE;
        if (cond.value.kind !== 'string') {
            throw c.error(
                'INVALID_FIELD',
                cond.value.start,
                `value of filter criterion for field '${r.label}' must be of type string and should be enclosed in quotes`
            );
        }
        const matcher = likeMatcher(cond.value.value);
        return (rec) => {
            const v = get(rec);
            return v !== null && v !== undefined && matcher(String(v));
        };
    }
    if (cond.op !== '=' && cond.op !== '!=' && (cat === 'multipicklist' || cat === 'boolean')) {
        throw invalidOperator(c, r, cond.opStart);
    }
    const lk = literalKey(c, r, cond.value, now);
    const key = keyFn(cat);
    const eq = equalsPredicate(lk, (rec) => key(get(rec)));
    switch (cond.op) {
        case '=':
            return eq;
        case '!=':
            return (rec) => !eq(rec);
        default:
            return relational(cond.op, lk, (rec) => key(get(rec)));
    }
}

export function equalsPredicate(lk: LiteralKey, k: (rec: Rec) => Key | null): Predicate {
    if (lk.kind === 'null') return (rec) => k(rec) === null;
    if (lk.kind === 'key') {
        const want = lk.key;
        return (rec) => k(rec) === want;
    }
    const { lo, hi } = lk;
    return (rec) => {
        const v = k(rec);
        return v !== null && v >= lo && v < hi;
    };
}

export function relational(op: '<' | '<=' | '>' | '>=', lk: LiteralKey, k: (rec: Rec) => Key | null): Predicate {
    if (lk.kind === 'null') return FALSE;
    // For a range [lo, hi): < means before lo, <= before hi, > at or after hi, >= at or after lo.
    const bound = lk.kind === 'key' ? lk.key : op === '<' || op === '>=' ? lk.lo : lk.hi;
    const exclusiveRange = lk.kind === 'range';
    switch (op) {
        case '<':
            return (rec) => {
                const v = k(rec);
                return v !== null && v < bound;
            };
        case '<=':
            return exclusiveRange
                ? (rec) => {
                      const v = k(rec);
                      return v !== null && v < bound;
                  }
                : (rec) => {
                      const v = k(rec);
                      return v !== null && v <= bound;
                  };
        case '>':
            return exclusiveRange
                ? (rec) => {
                      const v = k(rec);
                      return v !== null && v >= bound;
                  }
                : (rec) => {
                      const v = k(rec);
                      return v !== null && v > bound;
                  };
        case '>=':
            return (rec) => {
                const v = k(rec);
                return v !== null && v >= bound;
            };
    }
}

export function compileSet(c: Compiler, cond: Extract<Condition, { kind: 'set' }>, now: Date): Predicate {
    const r = resolveFilterField(c, cond.field);
    const cat = categoryOf(r.field);
    const get = r.get;

    if (cond.op === 'INCLUDES' || cond.op === 'EXCLUDES') {
        if (cat !== 'multipicklist') {
            throw c.error(
                'INVALID_QUERY_FILTER_OPERATOR',
                cond.opStart,
                'includes or excludes operator only valid on multipicklist field'
            );
        }
        const groups: string[][] = [];
        for (const lit of cond.values) {
            if (lit.kind === 'null') continue;
            if (lit.kind !== 'string') {
                throw c.error(
                    'INVALID_FIELD',
                    lit.start,
                    `value of filter criterion for field '${r.label}' must be of type string and should be enclosed in quotes`
                );
            }
            const g = normalizeMulti(lit.value);
            if (g !== '') groups.push(g.split(';'));
        }
        const includes = (rec: Rec): boolean => {
            const v = get(rec);
            if (v === null || v === undefined || v === '') return false;
            const have = String(v).toLowerCase().split(';');
            for (let i = 0; i < have.length; i++) have[i] = have[i].trim();
            for (const g of groups) {
                let all = true;
                for (const x of g) {
                    if (!have.includes(x)) {
                        all = false;
                        break;
                    }
                }
                if (all) return true;
            }
            return false;
        };
        return cond.op === 'INCLUDES' ? includes : (rec) => !includes(rec);
    }

    const key = keyFn(cat);
    const k = (rec: Rec): Key | null => key(get(rec));
    const keys = new Set<Key>();
    let matchNull = false;
    const ranges: Predicate[] = [];
    for (const lit of cond.values) {
        const lk = literalKey(c, r, lit, now);
        if (lk.kind === 'null') matchNull = true;
        else if (lk.kind === 'key') keys.add(lk.key);
        else ranges.push(equalsPredicate(lk, k));
    }
    const isIn = (rec: Rec): boolean => {
        const v = k(rec);
        if (v === null) return matchNull;
        if (keys.has(v)) return true;
        for (const p of ranges) if (p(rec)) return true;
        return false;
    };
    return cond.op === 'IN' ? isIn : (rec) => !isIn(rec);
}

/**
 * LIKE pattern → matcher. `%` is any run of characters, `_` one character, `\%` and `\_` the characters
 * themselves; matching is case-insensitive. The pattern is compiled to a RegExp once per query.
 */
export function likeMatcher(pattern: string): (s: string) => boolean {
    let re = '';
    for (let i = 0; i < pattern.length; i++) {
        const ch = pattern[i];
        if (ch === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
            re += pattern[i + 1];
            i++;
        } else if (ch === '%') re += '[\\s\\S]*';
        else if (ch === '_') re += '[\\s\\S]';
        else re += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
    const rx = new RegExp('^' + re + '$', 'i');
    return (s) => rx.test(s);
}
