/**
 * Salesforce record ids: 15 case-sensitive characters (3-character key prefix, 2-character pod,
 * 1 reserved character, 9-character base-62 counter) plus the 3-character case-safe suffix that
 * makes the 18-character form unique under case-insensitive comparison.
 */

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The 32 characters of the case-safe suffix: each encodes which of 5 characters are upper case. */
export const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID_CHARS = /^[a-zA-Z0-9]{15}$|^[a-zA-Z0-9]{18}$/;

/**
 * The 3-character suffix Salesforce appends to a 15-character id: for each 5-character chunk,
 * bit i is set when character i is an upper-case letter; the 5-bit value indexes `A…Z0…5`.
 */
export function checksumSuffix(id15: string): string {
    let out = '';
    for (let chunk = 0; chunk < 3; chunk++) {
        let bits = 0;
        for (let i = 0; i < 5; i++) {
            const c = id15.charCodeAt(chunk * 5 + i);
            if (c >= 65 && c <= 90) bits |= 1 << i;
        }
        out += SUFFIX_ALPHABET[bits];
    }
    return out;
}

/** Returns the 18-character form of a 15- or 18-character id, or null when `id` is not an id at all. */
export function to18(id: string): string | null {
    if (typeof id !== 'string' || !ID_CHARS.test(id)) return null;
    const id15 = id.slice(0, 15);
    const full = id15 + checksumSuffix(id15);
    if (id.length === 18 && id.slice(15).toUpperCase() !== full.slice(15)) return null;
    return full;
}

/** True when `a` and `b` name the same record (15 vs 18 characters, suffix case-insensitive). */
export function sameId(a: unknown, b: unknown): boolean {
    if (typeof a !== 'string' || typeof b !== 'string') return a === b;
    if (a === b) return true;
    if ((a.length !== 15 && a.length !== 18) || (b.length !== 15 && b.length !== 18)) return false;
    // The first 15 characters are case-sensitive and decide; the suffix only adds case-safety.
    if (a.slice(0, 15) !== b.slice(0, 15)) return false;
    const x = to18(a);
    return x !== null && x === to18(b);
}

/** Encodes `n` in base 62, left-padded with zeros to `width` characters. */
export function base62(n: number, width: number): string {
    let s = '';
    let v = Math.floor(n);
    while (v > 0) {
        s = BASE62[v % 62] + s;
        v = Math.floor(v / 62);
    }
    if (s.length > width) throw new RangeError(`id counter ${n} does not fit in ${width} base-62 digits`);
    return s.padStart(width, '0');
}

/** Builds the 18-character id for key prefix `prefix` and counter `n`. */
export function makeId(prefix: string, n: number, pod = '5g'): string {
    if (!/^[a-zA-Z0-9]{3}$/.test(prefix)) throw new RangeError(`key prefix must be 3 characters, got '${prefix}'`);
    const id15 = prefix + pod + '0' + base62(n, 9);
    return id15 + checksumSuffix(id15);
}

/**
 * Hands out ids per key prefix. Counters start at a prefix-specific offset scattered over the
 * base-62 space so ids mix upper- and lower-case letters as real ones do (and the suffix matters).
 */
export class IdGenerator {
    private counters = new Map<string, number>();

    /** Next id for `prefix`. */
    next(prefix: string): string {
        const n = this.counters.get(prefix) ?? IdGenerator.start(prefix);
        this.counters.set(prefix, n + 1);
        return makeId(prefix, n);
    }

    private static start(prefix: string): number {
        let h = 7;
        for (const c of prefix) h = (h * 31 + c.charCodeAt(0)) % 1_000_003;
        return 62 ** 5 * (3 + (h % 40)) + h * 977;
    }

    snapshot(): Record<string, number> {
        return Object.fromEntries(this.counters);
    }

    restore(s: Record<string, number>): void {
        this.counters = new Map(Object.entries(s));
    }

    reset(): void {
        this.counters.clear();
    }
}
