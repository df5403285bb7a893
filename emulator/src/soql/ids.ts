/**
 * Salesforce record ids in SOQL filters: 15-character (case-sensitive) and 18-character (case-safe)
 * forms name the same record.
 */

import { SUFFIX_ALPHABET, checksumSuffix } from '../store/ids';

function isAlnum(c: number): boolean {
    return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * The case-sensitive 15-character form of a 15- or 18-character id literal, or null when the text is
 * not an id. For 18-character ids the three suffix characters restore the case of the first fifteen,
 * so `001xx000003dgb2aaa` (all lower case) still names `001xx000003DGb2AAA`.
 */
export function normalizeIdLiteral(text: string): string | null {
    if (text.length !== 15 && text.length !== 18) return null;
    for (let i = 0; i < text.length; i++) if (!isAlnum(text.charCodeAt(i))) return null;
    if (text.length === 15) return text;
    const head = text.slice(0, 15);
    if (caseSuffix(head) === text.slice(15)) return head; // already case-correct
    let out = '';
    for (let chunk = 0; chunk < 3; chunk++) {
        const flags = SUFFIX_ALPHABET.indexOf(text[15 + chunk].toUpperCase());
        if (flags < 0) return null;
        for (let k = 0; k < 5; k++) {
            const ch = text[chunk * 5 + k];
            out += flags & (1 << k) ? ch.toUpperCase() : ch.toLowerCase();
        }
    }
    return out;
}

/** The three-character case-safe suffix Salesforce appends to a 15-character id (the emulator's one checksum). */
export const caseSuffix = checksumSuffix;

/** The 15-character key of an id value held in a record (stored ids are 18 characters). */
export function idKey(value: unknown): string | null {
    if (typeof value !== 'string' || value === '') return null;
    return value.length > 15 ? value.slice(0, 15) : value;
}
