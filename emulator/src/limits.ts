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
    /** Calls by the `client` of their `Sforce-Call-Options` header (`client=statisfy-companion`). */
    private byClient = new Map<string, number>();
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

    /**
     * Counts one API call against `endpoint` (and the client named in its `Sforce-Call-Options` header, if any);
     * returns false when the daily limit was already reached.
     */
    count(endpoint: string, callOptions?: string): boolean {
        this.roll();
        if (this.used >= this.max) return false;
        this.used++;
        this.total++;
        this.byEndpoint.set(endpoint, (this.byEndpoint.get(endpoint) ?? 0) + 1);
        const client = /(?:^|[,\s])client=([^,\s]+)/.exec(callOptions ?? '')?.[1];
        if (client) this.byClient.set(client, (this.byClient.get(client) ?? 0) + 1);
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
    report(): {
        day: string;
        used: number;
        max: number;
        total: number;
        byEndpoint: Record<string, number>;
        byClient: Record<string, number>;
    } {
        const u = this.usage();
        return {
            day: this.day,
            used: u.used,
            max: u.max,
            total: this.total,
            byEndpoint: Object.fromEntries([...this.byEndpoint].sort()),
            byClient: Object.fromEntries([...this.byClient].sort())
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
        this.byClient.clear();
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

/** Default daily platform-event delivery allocation: Enterprise Edition (Unlimited/Performance 50,000; Developer 10,000). */
export const DEFAULT_DAILY_DELIVERY_MAX = 25000;
const WINDOW_MS = 24 * 3600_000;
const BUCKET_MS = 60_000;

/**
 * The org's platform-event delivery allocation (`DailyDeliveredPlatformEvents` in `/limits`), as Salesforce counts
 * it: every event handed to every subscriber counts once per subscriber (a CometD client, a Pub/Sub subscription),
 * replays included, over a ROLLING 24 hours on the emulator clock; Apex triggers and flows do not count. When it is
 * used up, subscribers are disconnected (CometD `403::Organization total events daily limit exceeded` on
 * `/meta/connect`; Pub/Sub `sfdc.platform.eventbus.grpc.subscription.limit.exceeded`) and events stay retained.
 */
export class DeliveryAllocation {
    /** Deliveries per minute bucket (bucket start ms → count), oldest first. */
    private buckets = new Map<number, number>();
    private bySubscriber = new Map<string, number>();
    private total = 0;

    constructor(
        private readonly clock: Clock,
        /** The allocation per rolling 24 h (control API `POST /__emulator/event-deliveries`). */
        public max = DEFAULT_DAILY_DELIVERY_MAX
    ) {}

    private prune(now: number): number {
        let used = 0;
        for (const [start, n] of this.buckets) {
            if (start + BUCKET_MS <= now - WINDOW_MS) this.buckets.delete(start);
            else used += n;
        }
        return used;
    }

    /** Deliveries in the last 24 hours. */
    used(): number {
        return this.prune(this.clock.nowMs());
    }

    /** True when no delivery is left. */
    exhausted(): boolean {
        return this.used() >= this.max;
    }

    /**
     * Asks to deliver `n` events to `subscriber`; returns how many may go (0…n) and counts them. Fewer than `n`
     * means the allocation ran out: the caller delivers those and disconnects the subscriber.
     */
    take(subscriber: string, n: number): number {
        const now = this.clock.nowMs();
        const allowed = Math.max(0, Math.min(n, this.max - this.prune(now)));
        if (allowed > 0) {
            const bucket = now - (now % BUCKET_MS);
            this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + allowed);
            this.bySubscriber.set(subscriber, (this.bySubscriber.get(subscriber) ?? 0) + allowed);
            this.total += allowed;
        }
        return allowed;
    }

    /** Sets the deliveries of the current 24 hours to `n` (control API; tests of an exhausted allocation). */
    setUsed(n: number): void {
        const now = this.clock.nowMs();
        this.buckets.clear();
        if (n > 0) this.buckets.set(now - (now % BUCKET_MS), n);
    }

    /** Usage for `/limits` and the control API. */
    report(): { max: number; used: number; remaining: number; total: number; bySubscriber: Record<string, number> } {
        const used = this.used();
        return {
            max: this.max,
            used,
            remaining: Math.max(0, this.max - used),
            total: this.total,
            bySubscriber: Object.fromEntries(this.bySubscriber)
        };
    }

    reset(): void {
        this.buckets.clear();
        this.bySubscriber.clear();
        this.total = 0;
    }

    snapshot(): unknown {
        return { max: this.max, total: this.total, buckets: [...this.buckets], bySubscriber: [...this.bySubscriber] };
    }

    restore(s: unknown): void {
        const x = s as {
            max?: number;
            total?: number;
            buckets?: [number, number][];
            bySubscriber?: [string, number][];
        };
        if (Number.isInteger(x?.max)) this.max = x.max as number;
        this.total = x?.total ?? 0;
        this.buckets = new Map(x?.buckets ?? []);
        this.bySubscriber = new Map(x?.bySubscriber ?? []);
    }
}
