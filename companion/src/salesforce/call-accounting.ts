/**
 * Every Salesforce API call the companion makes, attributed to a purpose (issue 9 A3, ARCHITECTURE §7): the
 * gateway of an org counts into one {@link ApiCallCounter}, each use of it through a view named for its purpose
 * (`gateway.for('reconcile')`). The engine persists the counts per org and UTC day (data/api-usage.ts), so the
 * status API, the Sync page and /metrics show today's use by purpose beside the org's allowance and a forecast.
 */

/** Why a call was made. */
export type ApiPurpose = 'flush' | 'config' | 'reconcile' | 'import' | 'status' | 'describe' | 'limits' | 'other';

/** Every purpose, in the order the status lists them. */
export const API_PURPOSES: readonly ApiPurpose[] = [
    'flush',
    'config',
    'reconcile',
    'import',
    'status',
    'describe',
    'limits',
    'other'
];

/** Calls counted since the counter was made, in total and by purpose. */
export class ApiCallCounter {
    total = 0;
    readonly byPurpose = new Map<ApiPurpose, number>();

    /** Counts `n` calls made for `purpose`. */
    add(purpose: ApiPurpose, n = 1): void {
        this.total += n;
        this.byPurpose.set(purpose, (this.byPurpose.get(purpose) ?? 0) + n);
    }

    /** The counts since the last call of `drain` (the engine persists them), and forgets them. */
    drain(): Map<ApiPurpose, number> {
        const out = new Map(this.byPurpose);
        this.byPurpose.clear();
        return out;
    }
}

/**
 * The day's forecast at the current rate: calls so far scaled to the whole UTC day. `now` is injected; before the
 * first minute of the day the forecast is the count itself (no rate to speak of yet).
 */
export function forecastForDay(callsToday: number, now: Date): number {
    const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const elapsed = now.getTime() - start;
    if (elapsed < 60_000) return callsToday;
    return Math.round((callsToday * 86_400_000) / elapsed);
}
