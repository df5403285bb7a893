/**
 * Prometheus metrics of one companion instance, on its own registry (several instances can live in one test
 * process). The API and the domain record theirs here; the sync engine (companion/src/sync) increments the
 * sync ones: `apiCalls`, `eventsApplied`, `syncLagSeconds`, `flushedEdits`.
 *
 * Pending, failed and conflict counts are read from PostgreSQL at scrape time (through `setGaugeSource`), so they
 * are right even when another process did the work.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Per-org counts read from the database when /metrics is scraped. */
export interface OutboxCounts {
    orgId: string;
    pending: number;
    failed: number;
    openConflicts: number;
}

/** The metrics of one companion instance. */
export interface Metrics {
    registry: Registry;
    /** Seconds between a change in one system and its application in the other. Labels: org_id, direction (inbound|outbound). */
    syncLagSeconds: Gauge<'org_id' | 'direction'>;
    /** Distribution of the same lag. Labels: direction. */
    syncLagHistogram: Histogram<'direction'>;
    /** Edits waiting in the outbox (pending or in flight). Label: org_id. Read at scrape time. */
    pendingEdits: Gauge<'org_id'>;
    /** Edits that failed permanently. Label: org_id. Read at scrape time. */
    failedEdits: Gauge<'org_id'>;
    /** Open conflicts. Label: org_id. Read at scrape time. */
    openConflicts: Gauge<'org_id'>;
    /** Salesforce API calls made. Labels: org_id, kind (query, collections, composite, bulk2, describe, auth, other). */
    apiCalls: Counter<'org_id' | 'kind'>;
    /** Platform events applied to the Statisfy side. Labels: org_id, channel. */
    eventsApplied: Counter<'org_id' | 'channel'>;
    /** Outbox rows finished by the flusher. Labels: org_id, outcome (succeeded, failed, conflict, retry). */
    flushedEdits: Counter<'org_id' | 'outcome'>;
    /** Record edits accepted by the API, per field. Labels: org_id, outcome (queued, local). */
    editsAccepted: Counter<'org_id' | 'outcome'>;
    /** HTTP requests answered. Labels: method, route, status. */
    httpRequests: Counter<'method' | 'route' | 'status'>;
    /** HTTP latency. Labels: method, route. */
    httpDuration: Histogram<'method' | 'route'>;
    /** Errors through the one error handler. Label: code. */
    errors: Counter<'code'>;
    /** Installs the function that reads the outbox counts at scrape time. */
    setGaugeSource(source: () => Promise<OutboxCounts[]>): void;
}

/** Creates a registry with the companion's metrics and Node's default process metrics. */
export function createMetrics(): Metrics {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'statisfy_' });
    let source: (() => Promise<OutboxCounts[]>) | undefined;
    let snapshot: Promise<OutboxCounts[]> | undefined;
    // One database read per scrape, shared by the three gauges.
    const read = async (): Promise<OutboxCounts[]> => {
        if (!source) return [];
        snapshot ??= source().finally(() => setTimeout(() => (snapshot = undefined), 0));
        return snapshot;
    };
    const dbGauge = (name: string, help: string, pick: (c: OutboxCounts) => number) =>
        new Gauge({
            name,
            help,
            labelNames: ['org_id'] as const,
            registers: [registry],
            async collect() {
                this.reset();
                for (const counts of await read()) this.set({ org_id: counts.orgId }, pick(counts));
            }
        });

    return {
        registry,
        syncLagSeconds: new Gauge({
            name: 'statisfy_sync_lag_seconds',
            help: 'Seconds between a change in one system and its application in the other (last observed)',
            labelNames: ['org_id', 'direction'] as const,
            registers: [registry]
        }),
        syncLagHistogram: new Histogram({
            name: 'statisfy_sync_lag_distribution_seconds',
            help: 'Distribution of the time between a change in one system and its application in the other',
            labelNames: ['direction'] as const,
            buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
            registers: [registry]
        }),
        pendingEdits: dbGauge(
            'statisfy_pending_edits',
            'Edits waiting in the outbox (pending or in flight)',
            (c) => c.pending
        ),
        failedEdits: dbGauge('statisfy_failed_edits', 'Edits that failed permanently', (c) => c.failed),
        openConflicts: dbGauge('statisfy_open_conflicts', 'Conflicts waiting for a decision', (c) => c.openConflicts),
        apiCalls: new Counter({
            name: 'statisfy_salesforce_api_calls_total',
            help: 'Salesforce API calls made',
            labelNames: ['org_id', 'kind'] as const,
            registers: [registry]
        }),
        eventsApplied: new Counter({
            name: 'statisfy_events_applied_total',
            help: 'Platform events applied to the Statisfy side',
            labelNames: ['org_id', 'channel'] as const,
            registers: [registry]
        }),
        flushedEdits: new Counter({
            name: 'statisfy_flushed_edits_total',
            help: 'Outbox rows finished by the flusher',
            labelNames: ['org_id', 'outcome'] as const,
            registers: [registry]
        }),
        editsAccepted: new Counter({
            name: 'statisfy_edits_accepted_total',
            help: 'Field edits accepted through the API',
            labelNames: ['org_id', 'outcome'] as const,
            registers: [registry]
        }),
        httpRequests: new Counter({
            name: 'statisfy_http_requests_total',
            help: 'HTTP requests answered',
            labelNames: ['method', 'route', 'status'] as const,
            registers: [registry]
        }),
        httpDuration: new Histogram({
            name: 'statisfy_http_request_duration_seconds',
            help: 'HTTP request latency',
            labelNames: ['method', 'route'] as const,
            buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
            registers: [registry]
        }),
        errors: new Counter({
            name: 'statisfy_errors_total',
            help: 'Errors handled by the error handler',
            labelNames: ['code'] as const,
            registers: [registry]
        }),
        setGaugeSource(next) {
            source = next;
        }
    };
}
