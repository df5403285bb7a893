/**
 * ORDER BY: each column ranked once (numbers with a typed-array sort, text by dense ranks), rows then
 * sorted by their rank tuples; ties keep the source order, as Salesforce's do in practice.
 */
import type { Key } from './resolve';
import type { Rec } from './source';

export interface OrderKey {
    key(rec: Rec): Key | null;
    desc: boolean;
    nullsFirst: boolean;
}

/**
 * Dense ranks of one ORDER BY column: direction and null placement folded in, so that comparing ranks
 * as numbers gives the column's order. Keys are computed once per row; numeric keys are ranked with the
 * native typed-array sort, text keys by {@link denseTextRanks}.
 */
export function rankColumn(rows: Rec[], o: OrderKey): { ranks: Float64Array; size: number } {
    const n = rows.length;
    const raw = new Array<Key | null>(n);
    let numeric = true;
    for (let i = 0; i < n; i++) {
        const k = o.key(rows[i]);
        raw[i] = k;
        if (k !== null && typeof k !== 'number') numeric = false;
    }
    const ranks = new Float64Array(n);
    const shift = o.nullsFirst ? 1 : 0;
    let unique: number;
    if (numeric) {
        const sorted = new Float64Array(n);
        let m = 0;
        for (let i = 0; i < n; i++) if (raw[i] !== null) sorted[m++] = raw[i] as number;
        sorted.subarray(0, m).sort();
        let u = 0;
        for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[u - 1]) sorted[u++] = sorted[i];
        unique = u;
        for (let i = 0; i < n; i++) {
            const k = raw[i] as number | null;
            if (k === null) {
                ranks[i] = o.nullsFirst ? 0 : unique;
                continue;
            }
            let lo = 0;
            let hi = u - 1;
            while (lo < hi) {
                const mid = (lo + hi) >>> 1;
                if (sorted[mid] < k) lo = mid + 1;
                else hi = mid;
            }
            ranks[i] = (o.desc ? u - 1 - lo : lo) + shift;
        }
    } else {
        const keys = raw as Array<string | null>;
        const dense = denseTextRanks(keys);
        unique = dense.unique;
        for (let i = 0; i < n; i++) {
            const d = dense.ranks[i];
            ranks[i] = d < 0 ? (o.nullsFirst ? 0 : unique) : (o.desc ? unique - 1 - d : d) + shift;
        }
    }
    return { ranks, size: unique + 1 };
}

/**
 * Dense ranks (0 … unique-1, -1 for null) of text keys in UTF-16 code unit order (as `<`). Columns with
 * few distinct values (picklists, dates) sort only the distinct values natively; columns with many
 * (names, ids) are ordered by {@link sortByText}.
 */
export function denseTextRanks(keys: Array<string | null>): { ranks: Int32Array; unique: number } {
    const n = keys.length;
    const ranks = new Int32Array(n);
    const slotOf = new Map<string, number>();
    const distinct: string[] = [];
    const maxDistinct = 64 + Math.min(n >>> 3, 2048); // beyond this, treat the column as mostly distinct
    let few = true;
    for (let i = 0; i < n; i++) {
        const k = keys[i];
        if (k === null) {
            ranks[i] = -1;
            continue;
        }
        let slot = slotOf.get(k);
        if (slot === undefined) {
            if (distinct.length >= maxDistinct) {
                few = false;
                break;
            }
            slot = distinct.length;
            distinct.push(k);
            slotOf.set(k, slot);
        }
        ranks[i] = slot;
    }
    if (few) {
        const sorted = distinct.slice().sort(); // native sort: UTF-16 code unit order, as `<`
        const rankOfSlot = new Int32Array(distinct.length);
        for (let r = 0; r < sorted.length; r++) rankOfSlot[slotOf.get(sorted[r])!] = r;
        for (let i = 0; i < n; i++) if (ranks[i] >= 0) ranks[i] = rankOfSlot[ranks[i]];
        return { ranks, unique: distinct.length };
    }
    const idx: number[] = [];
    for (let i = 0; i < n; i++) {
        if (keys[i] === null) ranks[i] = -1;
        else idx.push(i);
    }
    sortByText(idx, keys as string[]);
    let r = -1;
    for (let j = 0; j < idx.length; j++) {
        if (j === 0 || keys[idx[j]] !== keys[idx[j - 1]]) r++;
        ranks[idx[j]] = r;
    }
    return { ranks, unique: r + 1 };
}

/**
 * Sorts row indices by their text keys (UTF-16 code unit order, ties by index). Most pairs are decided
 * by a number packing the few characters after the keys' common prefix, sorted natively; only rows whose
 * packed characters tie are compared as strings.
 */
export function sortByText(idx: number[], keys: string[]): void {
    const m = idx.length;
    if (m < 2) return;
    // Common prefix of all keys: the packed window starts after it.
    const first = keys[idx[0]];
    let lcp = first.length;
    for (let p = 1; p < m && lcp > 0; p++) {
        const k = keys[idx[p]];
        const lim = Math.min(lcp, k.length);
        let j = 0;
        while (j < lim && k.charCodeAt(j) === first.charCodeAt(j)) j++;
        lcp = j;
    }
    const WINDOW = 7;
    let maxCode = 0;
    for (let p = 0; p < m; p++) {
        const k = keys[idx[p]];
        const end = Math.min(k.length, lcp + WINDOW);
        for (let j = lcp; j < end; j++) {
            const c = k.charCodeAt(j);
            if (c > maxCode) maxCode = c;
        }
    }
    // Each character becomes a digit 1 … maxCode+1 (0 = past the end, so shorter keys sort first).
    const base = maxCode + 2;
    let width = 0;
    let cap = 1;
    while (width < WINDOW && cap * base <= Number.MAX_SAFE_INTEGER) {
        cap *= base;
        width++;
    }
    const packed = new Float64Array(m);
    for (let p = 0; p < m; p++) {
        const k = keys[idx[p]];
        let v = 0;
        for (let j = lcp; j < lcp + width; j++) v = v * base + (j < k.length ? k.charCodeAt(j) + 1 : 0);
        packed[p] = v;
    }
    // Dense rank of each packed value, then one native sort of rank * m + position (stable).
    const sorted = packed.slice().sort();
    let u = 0;
    for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[u - 1]) sorted[u++] = sorted[i];
    const composite = new Float64Array(m);
    const rankOf = new Float64Array(m);
    for (let p = 0; p < m; p++) {
        const v = packed[p];
        let lo = 0;
        let hi = u - 1;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) lo = mid + 1;
            else hi = mid;
        }
        rankOf[p] = lo;
        composite[p] = lo * m + p;
    }
    composite.sort();
    const original = idx.slice();
    for (let q = 0; q < m; q++) idx[q] = original[composite[q] % m];
    // Rows whose packed window ties are ordered by the full keys (runs are usually length 1).
    const byText = (a: number, b: number): number => {
        const x = keys[a];
        const y = keys[b];
        return x < y ? -1 : x > y ? 1 : a - b;
    };
    let start = 0;
    for (let q = 1; q <= m; q++) {
        if (q < m && rankOf[composite[q] % m] === rankOf[composite[start] % m]) continue;
        if (q - start > 1) {
            const run = idx.slice(start, q).sort(byText);
            for (let t = 0; t < run.length; t++) idx[start + t] = run[t];
        }
        start = q;
    }
}

/** Order of two keys of one ORDER BY column (null placement and direction applied). */
export function compareKeys(x: Key | null, y: Key | null, o: OrderKey): number {
    if (x === y) return 0;
    if (x === null) return o.nullsFirst ? -1 : 1;
    if (y === null) return o.nullsFirst ? 1 : -1;
    const c = x < y ? -1 : 1;
    return o.desc ? -c : c;
}

/** Groups this small are ordered with a plain comparator rather than ranked. */
export const SMALL_GROUP = 16;

/**
 * Sorts rows by the ORDER BY columns; ties keep the source order (Salesforce's order for equal keys is
 * unspecified; stable is the least surprising). The first column orders all rows; each further column
 * is evaluated only inside the groups the previous columns left tied, so `ORDER BY CreatedDate, Name`
 * does not rank every Name.
 */
export function sortRows(rows: Rec[], order: OrderKey[]): Rec[] {
    const n = rows.length;
    const current = rows.slice();
    if (n < 2) return current;
    // Tied groups as flat [start, end) pairs over `current`.
    let groups: number[] = [0, n];
    for (const o of order) {
        const next: number[] = [];
        for (let g = 0; g < groups.length; g += 2) {
            const start = groups[g];
            const end = groups[g + 1];
            const len = end - start;
            const sub = current.slice(start, end);
            if (len <= SMALL_GROUP) {
                const keys = sub.map((r) => o.key(r));
                const pos = keys.map((_, i) => i);
                pos.sort((a, b) => compareKeys(keys[a], keys[b], o) || a - b);
                let run = 0;
                for (let i = 0; i < len; i++) {
                    current[start + i] = sub[pos[i]];
                    if (i > 0 && keys[pos[i]] !== keys[pos[i - 1]]) {
                        if (i - run > 1) next.push(start + run, start + i);
                        run = i;
                    }
                }
                if (len - run > 1) next.push(start + run, end);
                continue;
            }
            const { ranks } = rankColumn(sub, o);
            const composite = new Float64Array(len);
            for (let i = 0; i < len; i++) composite[i] = ranks[i] * len + i;
            composite.sort();
            let run = 0;
            let prev = -1;
            for (let i = 0; i < len; i++) {
                const p = composite[i] % len;
                current[start + i] = sub[p];
                if (i > 0 && ranks[p] !== prev) {
                    if (i - run > 1) next.push(start + run, start + i);
                    run = i;
                }
                prev = ranks[p];
            }
            if (len - run > 1) next.push(start + run, end);
        }
        groups = next;
        if (groups.length === 0) break;
    }
    return current;
}
