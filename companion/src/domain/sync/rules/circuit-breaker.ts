/**
 * A circuit breaker per org: after 5 consecutive throttles or server errors it opens, and while open it
 * lets one probe through per 30 s. A successful probe closes it; a failed one keeps it open for another 30 s.
 */

/** Breaker state as reported in status and metrics. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of {@link CircuitBreaker}. */
export interface CircuitOptions {
    threshold?: number;
    probeIntervalMs?: number;
    now?: () => number;
}

/** See the module comment. */
export class CircuitBreaker {
    private failures = 0;
    private openedAt: number | null = null;
    private probeInFlight = false;
    private lastProbeAt = 0;
    private readonly threshold: number;
    private readonly probeIntervalMs: number;
    private readonly now: () => number;

    constructor(options: CircuitOptions = {}) {
        this.threshold = options.threshold ?? 5;
        this.probeIntervalMs = options.probeIntervalMs ?? 30_000;
        this.now = options.now ?? Date.now;
    }

    /** Current state. */
    get state(): CircuitState {
        if (this.openedAt === null) return 'closed';
        return this.probeInFlight ? 'half-open' : 'open';
    }

    /** Consecutive throttles counted so far. */
    get consecutiveFailures(): number {
        return this.failures;
    }

    /**
     * Asks to make a request. Closed: always yes. Open: yes for one probe once 30 s have passed since
     * the circuit opened or since the last probe; the caller must then report the outcome.
     */
    tryAcquire(): boolean {
        if (this.openedAt === null) return true;
        if (this.probeInFlight) return false;
        const t = this.now();
        if (t - this.lastProbeAt >= this.probeIntervalMs) {
            this.probeInFlight = true;
            this.lastProbeAt = t;
            return true;
        }
        return false;
    }

    /** Milliseconds until a probe may be made (0 when closed). */
    msUntilProbe(): number {
        if (this.openedAt === null) return 0;
        return Math.max(0, this.lastProbeAt + this.probeIntervalMs - this.now());
    }

    /** Reports a request that reached Salesforce and was not throttled. */
    recordSuccess(): void {
        this.failures = 0;
        this.openedAt = null;
        this.probeInFlight = false;
    }

    /** Reports a throttle (`REQUEST_LIMIT_EXCEEDED`) or a 5xx. */
    recordThrottle(): void {
        this.failures += 1;
        this.probeInFlight = false;
        if (this.openedAt !== null) {
            this.lastProbeAt = this.now();
            return;
        }
        if (this.failures >= this.threshold) {
            this.openedAt = this.now();
            this.lastProbeAt = this.openedAt;
        }
    }

    /** Reports a failure that says nothing about throttling (ends a probe without changing the count). */
    recordOther(): void {
        this.probeInFlight = false;
    }
}
