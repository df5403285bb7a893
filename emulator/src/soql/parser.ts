/**
 * Recursive-descent SOQL parser. Produces a {@link SoqlQuery} syntax tree; knows nothing about schemas
 * (unknown objects and fields are reported by the executor, which has the describe data).
 *
 * Grammar (the supported subset; anything else valid in Salesforce is refused with MALFORMED_QUERY):
 * ```
 * query      := SELECT selectList FROM ident [WHERE condition] [ORDER BY orderList] [LIMIT int] [OFFSET int]
 * subquery   := '(' query ')'   (a select item: a parent-to-child relationship, one level)
 * selectList := COUNT ( ) | (path | subquery) (, (path | subquery))*
 * path       := ident (. ident)*   (up to five relationships)
 * condition  := NOT simple | simple (AND simple)* | simple (OR simple)*   -- Salesforce requires parentheses
 * simple     := ( condition ) | path op literal | path [NOT] IN (literals) | path INCLUDES|EXCLUDES (literals)
 * orderList  := path [ASC|DESC] [NULLS FIRST|LAST] (, …)*
 * ```
 */
import type {
    ComparisonOperator,
    Condition,
    FieldPath,
    Literal,
    OrderItem,
    SelectItem,
    SetOperator,
    SoqlQuery,
    SoqlSubquery
} from './ast';
import { SoqlError, positionedError } from './errors';
import { isKnownDateLiteral, isUnsupportedDateLiteral, dateLiteralTakesNumber } from './dates';
import { tokenize, type Token } from './lexer';

/** Salesforce's maximum OFFSET. */
export const MAX_OFFSET = 2000;

/** Words that can never be a field or object name (Salesforce's SOQL reserved words). */
const RESERVED = new Set([
    'AND',
    'ASC',
    'DESC',
    'EXCLUDES',
    'FIRST',
    'FROM',
    'GROUP',
    'HAVING',
    'IN',
    'INCLUDES',
    'LAST',
    'LIKE',
    'LIMIT',
    'NOT',
    'NULL',
    'NULLS',
    'OR',
    'SELECT',
    'WHERE',
    'WITH',
    'ORDER',
    'OFFSET',
    'TRUE',
    'FALSE'
]);

const AGGREGATES = new Set(['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX']);

const EMULATOR = 'is not supported by the Statisfy Salesforce emulator';

/**
 * Parses SOQL text into a syntax tree.
 * @throws SoqlError MALFORMED_QUERY for syntax errors and for valid SOQL the emulator does not implement;
 *   NUMBER_OUTSIDE_VALID_RANGE for OFFSET above 2,000.
 */
export function parseSoql(text: string): SoqlQuery {
    if (typeof text !== 'string' || text.trim() === '') {
        throw new SoqlError('MALFORMED_QUERY', 'Query string is empty', 'Query string is empty');
    }
    return new Parser(text).parseQuery();
}

class Parser {
    private readonly tokens: Token[];
    private pos = 0;

    constructor(private readonly text: string) {
        this.tokens = tokenize(text);
    }

    // ----- token helpers -------------------------------------------------------------------------

    private peek(ahead = 0): Token {
        return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)];
    }

    private next(): Token {
        const t = this.tokens[this.pos];
        if (this.pos < this.tokens.length - 1) this.pos++;
        return t;
    }

    private isWord(word: string, ahead = 0): boolean {
        const t = this.peek(ahead);
        return t.kind === 'ident' && t.value.toUpperCase() === word;
    }

    private isPunct(p: string, ahead = 0): boolean {
        const t = this.peek(ahead);
        return t.kind === 'punct' && t.value === p;
    }

    private acceptWord(word: string): Token | null {
        return this.isWord(word) ? this.next() : null;
    }

    private expectWord(word: string): Token {
        if (!this.isWord(word)) throw this.unexpected(this.peek());
        return this.next();
    }

    private expectPunct(p: string): Token {
        if (!this.isPunct(p)) throw this.unexpected(this.peek());
        return this.next();
    }

    private unexpected(t: Token): SoqlError {
        return positionedError('MALFORMED_QUERY', this.text, t.start, `unexpected token: '${t.text}'`);
    }

    private unsupported(t: Token, what: string): SoqlError {
        return positionedError('MALFORMED_QUERY', this.text, t.start, `${what} ${EMULATOR}`);
    }

    // ----- query ---------------------------------------------------------------------------------

    parseQuery(): SoqlQuery {
        const body = this.parseBody(false);
        const end = this.peek();
        if (end.kind !== 'eof') throw this.unexpected(end);
        return { text: this.text, ...body };
    }

    /** `SELECT … FROM … [WHERE] [ORDER BY] [LIMIT] [OFFSET]`, of the query or of a relationship subquery. */
    private parseBody(nested: boolean): SoqlSubquery {
        this.expectWord('SELECT');
        const select = this.parseSelectList(nested);
        this.expectWord('FROM');
        const from = this.parseFrom();

        let where: Condition | null = null;
        const orderBy: OrderItem[] = [];
        let limit: number | null = null;
        let offset: number | null = null;

        this.refuseClauses();
        if (this.acceptWord('WHERE')) where = this.parseCondition();
        this.refuseClauses();
        if (this.isWord('ORDER')) {
            this.next();
            this.expectWord('BY');
            this.parseOrderList(orderBy);
        }
        this.refuseClauses();
        if (this.acceptWord('LIMIT')) limit = this.parseInteger();
        if (this.acceptWord('OFFSET')) {
            const t = this.peek();
            offset = this.parseInteger();
            if (offset > MAX_OFFSET) {
                throw new SoqlError(
                    'NUMBER_OUTSIDE_VALID_RANGE',
                    `Maximum SOQL offset allowed is ${MAX_OFFSET}`,
                    `Maximum SOQL offset allowed is ${MAX_OFFSET}`,
                    positionedError('NUMBER_OUTSIDE_VALID_RANGE', this.text, t.start, '').location
                );
            }
        }
        this.refuseClauses();
        return { select, from, where, orderBy, limit, offset };
    }

    /** Valid Salesforce clauses the emulator does not implement: refused with a clear message. */
    private refuseClauses(): void {
        const t = this.peek();
        if (t.kind !== 'ident') return;
        switch (t.value.toUpperCase()) {
            case 'GROUP':
                throw this.unsupported(t, 'GROUP BY');
            case 'HAVING':
                throw this.unsupported(t, 'HAVING');
            case 'WITH':
                throw this.unsupported(t, 'WITH (SECURITY_ENFORCED, DATA CATEGORY, …)');
            case 'USING':
                throw this.unsupported(t, 'USING SCOPE');
            case 'FOR':
                throw this.unsupported(t, `FOR ${this.peek(1).text.toUpperCase()}`);
            case 'UPDATE':
                throw this.unsupported(t, `UPDATE ${this.peek(1).text.toUpperCase()}`);
            case 'ALL':
                if (this.isWord('ROWS', 1)) throw this.unsupported(t, 'ALL ROWS (use queryAll)');
                return;
            default:
                return;
        }
    }

    private parseSelectList(nested: boolean): SelectItem[] {
        const items: SelectItem[] = [];
        for (;;) {
            items.push(this.parseSelectItem(nested));
            if (!this.isPunct(',')) break;
            this.next();
        }
        const count = items.find((i) => i.kind === 'count');
        if (count && items.length > 1) {
            throw positionedError(
                'MALFORMED_QUERY',
                this.text,
                count.start,
                'COUNT() cannot be combined with other fields in the SELECT list'
            );
        }
        return items;
    }

    private parseSelectItem(nested: boolean): SelectItem {
        const t = this.peek();
        if (this.isPunct('(')) {
            if (!this.isWord('SELECT', 1)) throw this.unexpected(t);
            if (nested) throw this.unsupported(t, 'A relationship subquery inside a subquery');
            this.next();
            const query = this.parseBody(true);
            this.expectPunct(')');
            return { kind: 'subquery', start: t.start, query };
        }
        if (t.kind !== 'ident') throw this.unexpected(t);
        const upper = t.value.toUpperCase();
        if (upper === 'TYPEOF') throw this.unsupported(t, 'TYPEOF');
        if (this.isPunct('(', 1)) {
            if (upper === 'COUNT' && this.isPunct(')', 2)) {
                this.next();
                this.next();
                this.next();
                return { kind: 'count', start: t.start };
            }
            if (AGGREGATES.has(upper))
                throw this.unsupported(t, `The aggregate function ${upper}() (only COUNT() without a field is)`);
            if (upper === 'FIELDS') throw this.unsupported(t, 'FIELDS()');
            throw this.unsupported(t, `The function ${t.value}()`);
        }
        const path = this.parsePath();
        const after = this.peek();
        if (after.kind === 'ident' && !this.isWord('FROM')) {
            throw this.unexpected(after);
        }
        return { kind: 'field', path };
    }

    private parsePath(): FieldPath {
        const first = this.peek();
        if (first.kind !== 'ident' || RESERVED.has(first.value.toUpperCase())) throw this.unexpected(first);
        this.next();
        const parts = [first.value];
        while (this.isPunct('.')) {
            this.next();
            const seg = this.peek();
            if (seg.kind !== 'ident' || RESERVED.has(seg.value.toUpperCase())) throw this.unexpected(seg);
            this.next();
            parts.push(seg.value);
        }
        return { parts, start: first.start };
    }

    private parseFrom(): { name: string; start: number } {
        const t = this.peek();
        // GROUP is reserved, yet Group is also a standard object: `SELECT Id FROM Group` is valid.
        if (t.kind !== 'ident' || (RESERVED.has(t.value.toUpperCase()) && t.value.toUpperCase() !== 'GROUP')) {
            throw this.unexpected(t);
        }
        this.next();
        if (this.isPunct('.') || this.isPunct(',')) {
            throw this.unsupported(this.peek(), 'A relationship or multiple objects in FROM');
        }
        const alias = this.peek();
        if (
            alias.kind === 'ident' &&
            !['WHERE', 'WITH', 'USING', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'FOR', 'UPDATE', 'ALL'].includes(
                alias.value.toUpperCase()
            )
        ) {
            throw this.unsupported(alias, `An object alias ('${alias.value}')`);
        }
        return { name: t.value, start: t.start };
    }

    // ----- WHERE ---------------------------------------------------------------------------------

    /** Salesforce refuses to mix AND and OR (or follow NOT with either) without parentheses. */
    private parseCondition(): Condition {
        if (this.isWord('NOT')) {
            this.next();
            return { kind: 'not', operand: this.parseSimple() };
        }
        const first = this.parseSimple();
        const joiner = this.isWord('AND') ? 'AND' : this.isWord('OR') ? 'OR' : null;
        if (!joiner) return first;
        const operands = [first];
        while (this.isWord(joiner)) {
            this.next();
            if (this.isWord('NOT')) throw this.unexpected(this.peek());
            operands.push(this.parseSimple());
        }
        if (this.isWord('AND') || this.isWord('OR')) throw this.unexpected(this.peek());
        return { kind: joiner === 'AND' ? 'and' : 'or', operands };
    }

    private parseSimple(): Condition {
        if (this.isPunct('(')) {
            const open = this.next();
            if (this.isWord('SELECT')) throw this.unsupported(open, 'A subquery');
            const inner = this.parseCondition();
            this.expectPunct(')');
            return inner;
        }
        const t = this.peek();
        if (t.kind === 'ident' && this.isPunct('(', 1)) {
            throw this.unsupported(t, `The function ${t.value}() in WHERE`);
        }
        const field = this.parsePath();
        const opTok = this.peek();
        if (opTok.kind === 'op') {
            this.next();
            const op = (opTok.value === '<>' ? '!=' : opTok.value) as ComparisonOperator;
            return { kind: 'compare', field, op, value: this.parseLiteral(), opStart: opTok.start };
        }
        if (opTok.kind === 'ident') {
            const word = opTok.value.toUpperCase();
            if (word === 'LIKE') {
                this.next();
                return { kind: 'compare', field, op: 'LIKE', value: this.parseLiteral(), opStart: opTok.start };
            }
            let op: SetOperator | null = null;
            if (word === 'IN') op = 'IN';
            else if (word === 'INCLUDES') op = 'INCLUDES';
            else if (word === 'EXCLUDES') op = 'EXCLUDES';
            else if (word === 'NOT' && this.isWord('IN', 1)) {
                this.next();
                op = 'NOT IN';
            }
            if (op) {
                this.next();
                return { kind: 'set', field, op, values: this.parseLiteralList(), opStart: opTok.start };
            }
        }
        throw this.unexpected(opTok);
    }

    private parseLiteralList(): Literal[] {
        if (this.isPunct(':')) throw this.unsupported(this.peek(), 'An Apex bind variable');
        const open = this.expectPunct('(');
        if (this.isWord('SELECT')) throw this.unsupported(open, 'A semi-join or anti-join subquery (IN (SELECT …))');
        const values: Literal[] = [];
        for (;;) {
            values.push(this.parseLiteral());
            if (this.isPunct(',')) {
                this.next();
                continue;
            }
            this.expectPunct(')');
            return values;
        }
    }

    private parseLiteral(): Literal {
        const t = this.peek();
        switch (t.kind) {
            case 'string':
                this.next();
                return { kind: 'string', value: t.value, start: t.start };
            case 'number':
                this.next();
                return { kind: 'number', value: Number(t.value), text: t.value, start: t.start };
            case 'date':
                this.next();
                if (!isValidDate(t.value))
                    throw positionedError('MALFORMED_QUERY', this.text, t.start, `Invalid date: ${t.value}`);
                return { kind: 'date', value: t.value, start: t.start };
            case 'datetime': {
                this.next();
                const ms = parseDateTimeLiteral(t.value);
                if (ms === null)
                    throw positionedError('MALFORMED_QUERY', this.text, t.start, `Invalid datetime: ${t.value}`);
                return { kind: 'datetime', ms, text: t.value, start: t.start };
            }
            case 'punct':
                if (t.value === ':') throw this.unsupported(t, 'An Apex bind variable');
                throw this.unexpected(t);
            case 'ident':
                return this.parseWordLiteral(t);
            default:
                throw this.unexpected(t);
        }
    }

    private parseWordLiteral(t: Token): Literal {
        const upper = t.value.toUpperCase();
        if (upper === 'NULL') {
            this.next();
            return { kind: 'null', start: t.start };
        }
        if (upper === 'TRUE' || upper === 'FALSE') {
            this.next();
            return { kind: 'boolean', value: upper === 'TRUE', start: t.start };
        }
        if (isKnownDateLiteral(upper)) {
            this.next();
            if (!dateLiteralTakesNumber(upper)) return { kind: 'dateLiteral', name: upper, n: null, start: t.start };
            if (!this.isPunct(':')) {
                throw positionedError(
                    'MALFORMED_QUERY',
                    this.text,
                    t.start,
                    `Date literal ${upper} needs a number, as in ${upper}:7`
                );
            }
            this.next();
            const num = this.peek();
            if (num.kind !== 'number' || !isUnsignedInteger(num.value)) throw this.unexpected(num);
            this.next();
            return { kind: 'dateLiteral', name: upper, n: Number(num.value), start: t.start };
        }
        if (isUnsupportedDateLiteral(upper)) throw this.unsupported(t, `The date literal ${upper}`);
        if (this.isPunct('(', 1)) throw this.unsupported(t, `The function ${t.value}()`);
        throw this.unexpected(t);
    }

    // ----- ORDER BY / LIMIT / OFFSET ---------------------------------------------------------------

    private parseOrderList(into: OrderItem[]): void {
        for (;;) {
            const t = this.peek();
            if (t.kind === 'ident' && this.isPunct('(', 1))
                throw this.unsupported(t, `The function ${t.value}() in ORDER BY`);
            const field = this.parsePath();
            let descending = false;
            if (this.acceptWord('DESC')) descending = true;
            else this.acceptWord('ASC');
            let nullsFirst = !descending;
            if (this.acceptWord('NULLS')) {
                if (this.acceptWord('FIRST')) nullsFirst = true;
                else if (this.acceptWord('LAST')) nullsFirst = false;
                else throw this.unexpected(this.peek());
            }
            into.push({ field, descending, nullsFirst });
            if (!this.isPunct(',')) return;
            this.next();
        }
    }

    private parseInteger(): number {
        const t = this.peek();
        if (t.kind === 'punct' && t.value === ':') throw this.unsupported(t, 'An Apex bind variable');
        if (t.kind !== 'number' || !isUnsignedInteger(t.value)) throw this.unexpected(t);
        this.next();
        const n = Number(t.value);
        if (!Number.isSafeInteger(n) || n > 2147483647) {
            throw positionedError('MALFORMED_QUERY', this.text, t.start, `numeric value out of range: ${t.value}`);
        }
        return n;
    }
}

/** True for a run of decimal digits (no sign, no point). */
function isUnsignedInteger(s: string): boolean {
    if (s.length === 0) return false;
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c < 48 || c > 57) return false;
    }
    return true;
}

/** True for a real calendar date in `YYYY-MM-DD` form. */
function isValidDate(s: string): boolean {
    const y = Number(s.slice(0, 4));
    const m = Number(s.slice(5, 7));
    const d = Number(s.slice(8, 10));
    if (m < 1 || m > 12 || d < 1) return false;
    return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Epoch ms of a SOQL datetime literal (`2024-01-31T10:00:00Z`, `…+01:00`, `….000Z`), or null if invalid. */
export function parseDateTimeLiteral(s: string): number | null {
    const date = s.slice(0, 10);
    if (!isValidDate(date)) return null;
    const hh = Number(s.slice(11, 13));
    const mi = Number(s.slice(14, 16));
    const ss = Number(s.slice(17, 19));
    if (hh > 23 || mi > 59 || ss > 59) return null;
    let i = 19;
    let ms = 0;
    if (s[i] === '.') {
        let j = i + 1;
        while (j < s.length && s[j] >= '0' && s[j] <= '9') j++;
        ms = Math.floor(Number('0.' + s.slice(i + 1, j)) * 1000);
        i = j;
    }
    let offsetMin = 0;
    if (s[i] === '+' || s[i] === '-') {
        const oh = Number(s.slice(i + 1, i + 3));
        const om = Number(s.slice(i + 4, i + 6));
        if (oh > 14 || om > 59) return null;
        offsetMin = (s[i] === '-' ? -1 : 1) * (oh * 60 + om);
    }
    const utc = Date.UTC(
        Number(date.slice(0, 4)),
        Number(date.slice(5, 7)) - 1,
        Number(date.slice(8, 10)),
        hh,
        mi,
        ss,
        ms
    );
    return utc - offsetMin * 60_000;
}
