/**
 * API usage accounting as Salesforce does it: one call per REST request (a 200-record Collections
 * request is one call, a Composite request is one call), counted per org per day on the emulator
 * clock, reported in `Sforce-Limit-Info: api-usage=N/M` and `GET /limits`; plus per-endpoint
 * counters for the control API.
 */
import type { Clock } from './clock';

/** Default DailyApiRequests allocation (Enterprise Edition baseline). */
export const DEFAULT_DAILY_API_MAX = 100000;

export class ApiCounter {
    private day = '';
    private used = 0;
    private byEndpoint = new Map<string, number>();
    private total = 0;

    constructor(
        private readonly clock: Clock,
        public max = DEFAULT_DAILY_API_MAX
    ) {}

    private roll(): void {
        const today = this.clock.now().toISOString().slice(0, 10);
        if (today !== this.day) {
            this.day = today;
            this.used = 0;
        }
    }

    /** Counts one API call against `endpoint`; returns false when the daily limit was already reached. */
    count(endpoint: string): boolean {
        this.roll();
        if (this.used >= this.max) return false;
        this.used++;
        this.total++;
        this.byEndpoint.set(endpoint, (this.byEndpoint.get(endpoint) ?? 0) + 1);
        return true;
    }

    /** Calls used today. */
    usage(): { used: number; max: number } {
        this.roll();
        return { used: this.used, max: this.max };
    }

    /** `api-usage=N/M` for the Sforce-Limit-Info header. */
    header(): string {
        const u = this.usage();
        return `api-usage=${u.used}/${u.max}`;
    }

    /** Counters by endpoint (e.g. `PATCH /composite/sobjects`), plus today's usage. */
    report(): { day: string; used: number; max: number; total: number; byEndpoint: Record<string, number> } {
        const u = this.usage();
        return {
            day: this.day,
            used: u.used,
            max: u.max,
            total: this.total,
            byEndpoint: Object.fromEntries([...this.byEndpoint].sort())
        };
    }

    /** Sets today's usage (control API; tests of REQUEST_LIMIT_EXCEEDED). */
    setUsed(n: number): void {
        this.roll();
        this.used = n;
    }

    reset(): void {
        this.used = 0;
        this.total = 0;
        this.byEndpoint.clear();
    }

    snapshot(): unknown {
        return {
            day: this.day,
            used: this.used,
            total: this.total,
            max: this.max,
            byEndpoint: Object.fromEntries(this.byEndpoint)
        };
    }

    restore(s: unknown): void {
        const x = s as { day: string; used: number; total: number; max: number; byEndpoint: Record<string, number> };
        this.day = x.day ?? '';
        this.used = x.used ?? 0;
        this.total = x.total ?? 0;
        this.max = x.max ?? this.max;
        this.byEndpoint = new Map(Object.entries(x.byEndpoint ?? {}));
    }
}
