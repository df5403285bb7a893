/**
 * Pacing from the API budget Salesforce reports in `Sforce-Limit-Info: api-usage=used/max`.
 * Below 70 % work runs at full speed; from 70 % it slows down; from 90 % non-urgent work (reconcile, imports,
 * status writes) pauses and only users' edits keep flowing, slowly.
 */
import { parseLimitInfo, type ApiUsage } from '../../../salesforce/wire';

export { parseLimitInfo, type ApiUsage };

/** Pacing mode. */
export type PacingMode = 'normal' | 'slow' | 'paused';

/** The decision for one kind of work. */
export interface PacingDecision {
    mode: PacingMode;
    /** Fraction of the daily allocation used (0..1), null when unknown. */
    ratio: number | null;
    /** Minimum wait before the next call of this kind of work. */
    delayMs: number;
    /** False when this kind of work must not run now. */
    allowed: boolean;
}

export const SLOW_AT = 0.7;
export const PAUSE_AT = 0.9;

/** Decides pacing for urgent (users' edits) or non-urgent work (reconcile, import, status). */
export function pacingFor(usage: ApiUsage | null | undefined, urgent: boolean): PacingDecision {
    if (!usage || !(usage.limit > 0)) return { mode: 'normal', ratio: null, delayMs: 0, allowed: true };
    const ratio = usage.used / usage.limit;
    if (ratio >= PAUSE_AT) {
        return urgent
            ? { mode: 'paused', ratio, delayMs: 5_000, allowed: true }
            : { mode: 'paused', ratio, delayMs: 60_000, allowed: false };
    }
    if (ratio >= SLOW_AT) return { mode: 'slow', ratio, delayMs: urgent ? 1_000 : 10_000, allowed: true };
    return { mode: 'normal', ratio, delayMs: 0, allowed: true };
}
