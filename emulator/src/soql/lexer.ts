/**
 * Hand-written SOQL lexer: turns query text into tokens that carry their offsets, so every error can
 * point at the exact row and column as Salesforce does.
 */
import { positionedError } from './errors';

export type TokenKind =
    | 'ident'
    | 'string'
    | 'number'
    | 'date'
    | 'datetime'
    | 'op' // = != <> < <= > >=
    | 'punct' // ( ) , . :
    | 'eof';

export interface Token {
    kind: TokenKind;
    /** Source text of the token (for strings: including the quotes). */
    text: string;
    /** Decoded value: string contents for strings, the text otherwise. */
    value: string;
    /** Offset of the first character in the query text. */
    start: number;
    end: number;
}

const C_0 = 48;
const C_9 = 57;

function isDigit(c: number): boolean {
    return c >= C_0 && c <= C_9;
}

function isIdentStart(c: number): boolean {
    return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isIdentPart(c: number): boolean {
    return isIdentStart(c) || isDigit(c);
}

function isSpace(c: number): boolean {
    return c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
}

/** Escapes Salesforce accepts inside string literals; `\%` and `\_` stay escaped for LIKE. */
const ESCAPES: Record<string, string> = {
    n: '\n',
    r: '\r',
    t: '\t',
    b: '\b',
    f: '\f',
    '"': '"',
    "'": "'",
    '\\': '\\'
};

/** Splits `text` into tokens, ending with an `eof` token. Throws SoqlError (MALFORMED_QUERY) on bad characters. */
export function tokenize(text: string): Token[] {
    const tokens: Token[] = [];
    const n = text.length;
    let i = 0;
    while (i < n) {
        const c = text.charCodeAt(i);
        if (isSpace(c)) {
            i++;
            continue;
        }
        const start = i;
        if (isIdentStart(c)) {
            while (i < n && isIdentPart(text.charCodeAt(i))) i++;
            const word = text.slice(start, i);
            tokens.push({ kind: 'ident', text: word, value: word, start, end: i });
            continue;
        }
        const signed = (c === 45 || c === 43) && i + 1 < n && (isDigit(text.charCodeAt(i + 1)) || text[i + 1] === '.');
        if (isDigit(c) || signed || (c === 46 && i + 1 < n && isDigit(text.charCodeAt(i + 1)))) {
            tokens.push(lexNumberOrDate(text, start));
            i = tokens[tokens.length - 1].end;
            continue;
        }
        if (c === 39 /* ' */) {
            const tok = lexString(text, start);
            tokens.push(tok);
            i = tok.end;
            continue;
        }
        const two = text.slice(i, i + 2);
        if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
            tokens.push({ kind: 'op', text: two, value: two, start, end: i + 2 });
            i += 2;
            continue;
        }
        const ch = text[i];
        if (ch === '=' || ch === '<' || ch === '>') {
            tokens.push({ kind: 'op', text: ch, value: ch, start, end: i + 1 });
            i++;
            continue;
        }
        if (ch === '(' || ch === ')' || ch === ',' || ch === '.' || ch === ':') {
            tokens.push({ kind: 'punct', text: ch, value: ch, start, end: i + 1 });
            i++;
            continue;
        }
        throw positionedError(
            'MALFORMED_QUERY',
            text,
            start,
            `line ${lineOf(text, start)}:${colOf(text, start)} no viable alternative at character '${ch}'`
        );
    }
    tokens.push({ kind: 'eof', text: '<EOF>', value: '', start: n, end: n });
    return tokens;
}

/** Numbers (`42`, `-1.5`), dates (`2024-01-31`) and datetimes (`2024-01-31T10:00:00.000+01:00`). */
function lexNumberOrDate(text: string, start: number): Token {
    const n = text.length;
    let i = start;
    // Date: exactly YYYY-MM-DD at the start.
    if (
        isDigits(text, i, 4) &&
        text[i + 4] === '-' &&
        isDigits(text, i + 5, 2) &&
        text[i + 7] === '-' &&
        isDigits(text, i + 8, 2)
    ) {
        i += 10;
        if (text[i] !== 'T' && text[i] !== 't') {
            if (i < n && isIdentPart(text.charCodeAt(i))) throw badLiteral(text, start, i);
            const t = text.slice(start, i);
            return { kind: 'date', text: t, value: t, start, end: i };
        }
        // Datetime: THH:MM:SS[.fff](Z|+HH:MM|-HH:MM)
        i++;
        if (!(
            isDigits(text, i, 2) &&
            text[i + 2] === ':' &&
            isDigits(text, i + 3, 2) &&
            text[i + 5] === ':' &&
            isDigits(text, i + 6, 2)
        )) {
            throw badLiteral(text, start, i);
        }
        i += 8;
        if (text[i] === '.') {
            i++;
            const f = i;
            while (i < n && isDigit(text.charCodeAt(i))) i++;
            if (i === f) throw badLiteral(text, start, i);
        }
        if (text[i] === 'Z' || text[i] === 'z') {
            i++;
        } else if (
            (text[i] === '+' || text[i] === '-') &&
            isDigits(text, i + 1, 2) &&
            text[i + 3] === ':' &&
            isDigits(text, i + 4, 2)
        ) {
            i += 6;
        } else {
            throw badLiteral(text, start, i);
        }
        if (i < n && isIdentPart(text.charCodeAt(i))) throw badLiteral(text, start, i);
        const t = text.slice(start, i);
        return { kind: 'datetime', text: t, value: t, start, end: i };
    }
    if (text[i] === '-' || text[i] === '+') i++;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (text[i] === '.') {
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
    if (i < n && (isIdentPart(text.charCodeAt(i)) || text[i] === '.')) throw badLiteral(text, start, i);
    const t = text.slice(start, i);
    return { kind: 'number', text: t, value: t, start, end: i };
}

function isDigits(text: string, at: number, count: number): boolean {
    if (at + count > text.length) return false;
    for (let k = 0; k < count; k++) if (!isDigit(text.charCodeAt(at + k))) return false;
    return true;
}

function badLiteral(text: string, start: number, at: number): Error {
    let end = at;
    while (end < text.length && !isSpace(text.charCodeAt(end)) && text[end] !== ')' && text[end] !== ',') end++;
    return positionedError(
        'MALFORMED_QUERY',
        text,
        start,
        `unexpected token: '${text.slice(start, Math.max(end, at + 1))}'`
    );
}

function lexString(text: string, start: number): Token {
    const n = text.length;
    let i = start + 1;
    let out = '';
    while (i < n) {
        const ch = text[i];
        if (ch === "'") {
            return { kind: 'string', text: text.slice(start, i + 1), value: out, start, end: i + 1 };
        }
        if (ch === '\\') {
            const next = text[i + 1];
            if (next === undefined) break;
            if (next === '%' || next === '_') {
                out += '\\' + next; // kept escaped: only meaningful to LIKE
            } else if (next === 'u' && isHex4(text, i + 2)) {
                out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
                i += 4;
            } else if (ESCAPES[next] !== undefined) {
                out += ESCAPES[next];
            } else {
                throw positionedError(
                    'MALFORMED_QUERY',
                    text,
                    start,
                    `Invalid string literal '${text.slice(start + 1, i + 2)}'. Illegal character sequence '\\${next}' in string literal.`
                );
            }
            i += 2;
            continue;
        }
        out += ch;
        i++;
    }
    throw positionedError(
        'MALFORMED_QUERY',
        text,
        start,
        `line ${lineOf(text, n)}:${colOf(text, n)} mismatched character '<EOF>' expecting '''`
    );
}

function isHex4(text: string, at: number): boolean {
    if (at + 4 > text.length) return false;
    for (let k = 0; k < 4; k++) {
        const c = text.charCodeAt(at + k);
        if (!(isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
    }
    return true;
}

/** 1-based line of an offset. */
function lineOf(text: string, offset: number): number {
    let line = 1;
    for (let k = 0; k < offset; k++) if (text.charCodeAt(k) === 10) line++;
    return line;
}

/** 0-based column of an offset (ANTLR-style, as in Salesforce's "line 1:34 no viable alternative" messages). */
function colOf(text: string, offset: number): number {
    return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}
