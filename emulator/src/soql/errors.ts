/**
 * SOQL errors, worded and positioned the way Salesforce reports them in the REST error body
 * (`[{"message": …, "errorCode": …}]`).
 */

/**
 * Error codes the SOQL engine produces. The first three are the ones every query client expects;
 * `INVALID_QUERY_FILTER_OPERATOR` (malformed ids, an operator a field type does not allow) and
 * `NUMBER_OUTSIDE_VALID_RANGE` (OFFSET above 2,000) are what Salesforce itself answers in those cases.
 * All of them are HTTP 400.
 */
export type SoqlErrorCode =
    | 'MALFORMED_QUERY'
    | 'INVALID_FIELD'
    | 'INVALID_TYPE'
    | 'INVALID_QUERY_FILTER_OPERATOR'
    | 'NUMBER_OUTSIDE_VALID_RANGE';

/** Where in the query text an error points (1-based, as Salesforce reports it). */
export interface SoqlErrorLocation {
    row: number;
    column: number;
}

/**
 * A query Salesforce would reject. `message` is the full text Salesforce sends (for positioned errors
 * the `\n<snippet>\n   ^\nERROR at Row:1:Column:N\n<detail>` form); `detail` is the last part alone.
 */
export class SoqlError extends Error {
    override readonly name = 'SoqlError';

    constructor(
        readonly errorCode: SoqlErrorCode,
        message: string,
        /** The explanation without the snippet and position prefix. */
        readonly detail: string = message,
        /** Position the error points at, when it has one. */
        readonly location: SoqlErrorLocation | null = null
    ) {
        super(message);
    }
}

/** Tokens shown after the offending one in the snippet (Salesforce shows a few, then cuts the line). */
const SNIPPET_TOKENS_AFTER = 4;
/** Characters of context kept before the offending token on long lines. */
const SNIPPET_CHARS_BEFORE = 40;

/**
 * Builds an error that points at `offset` in `text`, in Salesforce's form:
 * ```
 * \nSELECT Naem FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Naem' on entity 'Account'. …
 * ```
 * The snippet is the offending line, starting at most ~40 characters before the offending token (at a
 * word boundary) and ending four tokens after it. Salesforce's exact window rule is not documented; this
 * matches the captured examples closely enough that clients parsing row/column and the detail line work.
 */
export function positionedError(code: SoqlErrorCode, text: string, offset: number, detail: string): SoqlError {
    const at = Math.max(0, Math.min(offset, text.length));
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    let lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) lineEnd = text.length;
    const row = countNewlines(text, lineStart) + 1;
    const column = at - lineStart + 1;

    // Window start: the beginning of a word no more than SNIPPET_CHARS_BEFORE characters back.
    let start = lineStart;
    if (at - lineStart > SNIPPET_CHARS_BEFORE) {
        start = at - SNIPPET_CHARS_BEFORE;
        while (start < at && !isSpace(text.charCodeAt(start - 1))) start++;
    }
    // Window end: after the offending token and four more (whitespace-separated chunks approximate tokens).
    let end = at;
    let chunks = 0;
    while (end < lineEnd && chunks <= SNIPPET_TOKENS_AFTER) {
        while (end < lineEnd && isSpace(text.charCodeAt(end))) end++;
        if (end >= lineEnd) break;
        while (end < lineEnd && !isSpace(text.charCodeAt(end))) end++;
        chunks++;
    }
    const snippet = text.slice(start, end).trimEnd();
    const caret = ' '.repeat(at - start) + '^';
    const message = `\n${snippet}\n${caret}\nERROR at Row:${row}:Column:${column}\n${detail}`;
    return new SoqlError(code, message, detail, { row, column });
}

function countNewlines(text: string, until: number): number {
    let n = 0;
    for (let i = 0; i < until; i++) if (text.charCodeAt(i) === 10) n++;
    return n;
}

function isSpace(c: number): boolean {
    return c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
}

/** Salesforce's wording for an unknown sObject type. */
export function unknownObjectDetail(name: string): string {
    return (
        `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to ` +
        `append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`
    );
}

/** Salesforce's wording for an unknown field. */
export function unknownFieldDetail(field: string, entity: string): string {
    return (
        `No such column '${field}' on entity '${entity}'. If you are attempting to use a custom field, be sure to ` +
        `append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`
    );
}

/** Salesforce's wording for an unknown relationship in a field path. */
export function unknownRelationshipDetail(relationship: string): string {
    return (
        `Didn't understand relationship '${relationship}' in field path. If you are attempting to use a custom ` +
        `relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL ` +
        `or the describe call for the appropriate names.`
    );
}
