/**
 * SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_MONTH, …) turned into concrete ranges, and helpers for
 * the date and datetime values records hold.
 *
 * **Time zone:** Salesforce evaluates date literals in the querying user's time zone and locale. The
 * emulator evaluates them in **UTC**, with weeks starting on **Sunday** (the en_US locale). Fiscal-period
 * literals (THIS_FISCAL_QUARTER, …) are refused with MALFORMED_QUERY because the emulator has no fiscal
 * year settings.
 */

const DAY_MS = 86_400_000;

type Unit = 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';

/** Literals that name one period relative to the current one. */
const SINGLE: Record<string, [Unit, number]> = {
    YESTERDAY: ['DAY', -1],
    TODAY: ['DAY', 0],
    TOMORROW: ['DAY', 1],
    LAST_WEEK: ['WEEK', -1],
    THIS_WEEK: ['WEEK', 0],
    NEXT_WEEK: ['WEEK', 1],
    LAST_MONTH: ['MONTH', -1],
    THIS_MONTH: ['MONTH', 0],
    NEXT_MONTH: ['MONTH', 1],
    LAST_QUARTER: ['QUARTER', -1],
    THIS_QUARTER: ['QUARTER', 0],
    NEXT_QUARTER: ['QUARTER', 1],
    LAST_YEAR: ['YEAR', -1],
    THIS_YEAR: ['YEAR', 0],
    NEXT_YEAR: ['YEAR', 1]
};

/** Literals that take `:n`: kind and unit. */
const WITH_N: Record<string, ['LAST' | 'NEXT' | 'AGO', Unit]> = {
    LAST_N_DAYS: ['LAST', 'DAY'],
    NEXT_N_DAYS: ['NEXT', 'DAY'],
    N_DAYS_AGO: ['AGO', 'DAY'],
    LAST_N_WEEKS: ['LAST', 'WEEK'],
    NEXT_N_WEEKS: ['NEXT', 'WEEK'],
    N_WEEKS_AGO: ['AGO', 'WEEK'],
    LAST_N_MONTHS: ['LAST', 'MONTH'],
    NEXT_N_MONTHS: ['NEXT', 'MONTH'],
    N_MONTHS_AGO: ['AGO', 'MONTH'],
    LAST_N_QUARTERS: ['LAST', 'QUARTER'],
    NEXT_N_QUARTERS: ['NEXT', 'QUARTER'],
    N_QUARTERS_AGO: ['AGO', 'QUARTER'],
    LAST_N_YEARS: ['LAST', 'YEAR'],
    NEXT_N_YEARS: ['NEXT', 'YEAR'],
    N_YEARS_AGO: ['AGO', 'YEAR']
};

/** Fixed-length literals that are shorthands for a `:n` form. */
const ALIASES: Record<string, [string, number]> = {
    LAST_90_DAYS: ['LAST_N_DAYS', 90],
    NEXT_90_DAYS: ['NEXT_N_DAYS', 90]
};

/** Valid Salesforce date literals the emulator refuses (no fiscal year settings). */
const UNSUPPORTED = new Set([
    'THIS_FISCAL_QUARTER',
    'LAST_FISCAL_QUARTER',
    'NEXT_FISCAL_QUARTER',
    'NEXT_N_FISCAL_QUARTERS',
    'LAST_N_FISCAL_QUARTERS',
    'N_FISCAL_QUARTERS_AGO',
    'THIS_FISCAL_YEAR',
    'LAST_FISCAL_YEAR',
    'NEXT_FISCAL_YEAR',
    'NEXT_N_FISCAL_YEARS',
    'LAST_N_FISCAL_YEARS',
    'N_FISCAL_YEARS_AGO'
]);

/** True for a date literal the emulator evaluates (upper-case name, without `:n`). */
export function isKnownDateLiteral(name: string): boolean {
    return name in SINGLE || name in WITH_N || name in ALIASES;
}

/** True for a date literal that needs `:n`. */
export function dateLiteralTakesNumber(name: string): boolean {
    return name in WITH_N;
}

/** True for a valid Salesforce date literal the emulator does not evaluate. */
export function isUnsupportedDateLiteral(name: string): boolean {
    return UNSUPPORTED.has(name);
}

/**
 * A half-open range [start, end) of whole UTC days, as both `YYYY-MM-DD` strings (for date fields) and
 * epoch milliseconds (for datetime fields).
 */
export interface DateRange {
    startDate: string;
    endDate: string;
    startMs: number;
    endMs: number;
}

/**
 * The range a date literal covers at `now` (UTC). Follows Salesforce's observed behaviour:
 * LAST_N_DAYS:n includes today (n+1 calendar days, today-n … today); NEXT_N_DAYS:n starts tomorrow;
 * LAST_N_WEEKS/MONTHS/QUARTERS/YEARS:n are the n whole periods before the current one; NEXT_N_… the n
 * after it; N_…_AGO:n the single period n back.
 */
export function dateLiteralRange(name: string, n: number | null, now: Date): DateRange {
    const today = Math.floor(now.getTime() / DAY_MS);
    const alias = ALIASES[name];
    if (alias) return dateLiteralRange(alias[0], alias[1], now);
    const single = SINGLE[name];
    if (single) return periodRange(today, single[0], single[1], single[1] + 1);
    const withN = WITH_N[name];
    if (!withN || n === null) throw new Error(`not a date literal: ${name}`);
    const [kind, unit] = withN;
    if (kind === 'AGO') return periodRange(today, unit, -n, -n + 1);
    if (kind === 'NEXT') return periodRange(today, unit, 1, 1 + n);
    // LAST: days include today; other units stop at the start of the current period.
    return unit === 'DAY' ? periodRange(today, unit, -n, 1) : periodRange(today, unit, -n, 0);
}

/** [start of the period `from` units away, start of the period `to` units away). */
function periodRange(today: number, unit: Unit, from: number, to: number): DateRange {
    const start = periodStart(today, unit, from);
    const end = periodStart(today, unit, to);
    return { startDate: dayToDate(start), endDate: dayToDate(end), startMs: start * DAY_MS, endMs: end * DAY_MS };
}

/** Epoch day on which the period `k` units from the current one starts. */
function periodStart(today: number, unit: Unit, k: number): number {
    const d = new Date(today * DAY_MS);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth();
    switch (unit) {
        case 'DAY':
            return today + k;
        case 'WEEK':
            return today - d.getUTCDay() + 7 * k; // weeks start on Sunday
        case 'MONTH':
            return Date.UTC(y, m + k, 1) / DAY_MS;
        case 'QUARTER':
            return Date.UTC(y, Math.floor(m / 3) * 3 + 3 * k, 1) / DAY_MS;
        case 'YEAR':
            return Date.UTC(y + k, 0, 1) / DAY_MS;
    }
}

/** `YYYY-MM-DD` of an epoch day. */
function dayToDate(day: number): string {
    return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Epoch milliseconds of a datetime value as records hold it (`2024-01-31T10:00:00.000+0000`; also
 * accepts `Z` and `±hh:mm`), or NaN when it is not a datetime. The canonical `+0000` form takes a fast path.
 */
export function datetimeValueMs(value: unknown): number {
    if (typeof value !== 'string') return NaN;
    const s = value;
    if (s.length < 19 || s.charCodeAt(10) !== 84 /* T */) return NaN;
    const base = Date.UTC(num(s, 0, 4), num(s, 5, 2) - 1, num(s, 8, 2), num(s, 11, 2), num(s, 14, 2), num(s, 17, 2));
    let i = 19;
    let ms = 0;
    if (s[i] === '.') {
        let digits = 0;
        i++;
        while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
            if (digits < 3) ms = ms * 10 + (s.charCodeAt(i) - 48);
            digits++;
            i++;
        }
        for (; digits < 3; digits++) ms *= 10;
    }
    let offsetMin = 0;
    const sign = s[i];
    if (sign === '+' || sign === '-') {
        const hh = num(s, i + 1, 2);
        const mm = s[i + 3] === ':' ? num(s, i + 4, 2) : num(s, i + 3, 2);
        offsetMin = (sign === '-' ? -1 : 1) * (hh * 60 + mm);
    } else if (sign !== 'Z' && sign !== undefined) {
        return NaN;
    }
    return base + ms - offsetMin * 60_000;
}

function num(s: string, at: number, len: number): number {
    let v = 0;
    for (let k = at; k < at + len; k++) {
        const c = s.charCodeAt(k) - 48;
        if (c < 0 || c > 9) return NaN;
        v = v * 10 + c;
    }
    return v;
}
