/**
 * The sync of one org in this process (sync/engine.ts runs one per org): leadership through the advisory lock,
 * connecting to Salesforce, the start-up sequence (configuration pull and push, orphan recovery, subscription,
 * import), the tick (flush, then the due jobs of the job table) and the graceful stop. Entry point: it calls the
 * domain's sync use cases (companion/src/domain/sync) and reaches the database only through the repositories.
 */
import { expandRecordChange } from '../../../contracts/record-change';
import type { DataSource } from 'typeorm';
import { backoffDelay, classifyRequestError } from '../domain/sync/rules/classify';
import { JobTable } from './jobs';
import { type ResolvedEngineOptions } from './options';
import { createRepositories, NOTIFY_CHANNELS } from '../data';
import type { Org, SyncObject } from '../data/types';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { OrgConnection, OrgMismatchError, SalesforceConnectionFactory, SalesforceOrg } from '../salesforce/connection';
import { DescribeCache } from '../salesforce/describe-cache';
import { SalesforceGateway } from '../salesforce/gateway';
import { CircuitBreaker } from '../domain/sync/rules/circuit-breaker';
import { pullConfig, pushConfig } from '../domain/sync/config-sync';
import { Flusher, FlushStats } from '../domain/sync/flush-outbox';
import { applyEventBatch, ChannelEvent, SyncRequest } from '../domain/sync/inbound-batch';
import { OrgLeaderLock } from './leader';
import { pacingFor } from '../domain/sync/rules/pacing';
import { reconcileObject } from '../domain/sync/reconcile';
import { writeSyncErrors, writeSyncStatus } from '../domain/sync/report-status';
import { parsePubSubUrl, PubSubSubscriber } from './pubsub-subscriber';
import { OrgSubscriber } from './subscriber';

/** Salesforce keeps platform events 72 hours: an event id older than that can never be delivered again. */
const EVENT_RETENTION_HOURS = 72;

/** What the engine needs of an inbound subscriber (CometD or Pub/Sub). */
interface InboundSubscriber {
    start(): Promise<void>;
    stop(): Promise<void>;
    drain(): Promise<void>;
    readonly counters: { received: number; batches: number; applied: number; invalidReplays: number };
}

export interface Deps {
    ds: DataSource;
    logger: Logger;
    metrics?: Metrics;
    factory: SalesforceConnectionFactory;
    options: ResolvedEngineOptions;
    onSyncRequest: (orgId: string, req: SyncRequest) => void;
}

export const sleep = (ms: number, unref = false) =>
    new Promise((r) => {
        const t = setTimeout(r, ms);
        if (unref) t.unref();
    });

export function toSalesforceOrg(org: Org): SalesforceOrg {
    return {
        id: org.id,
        name: org.name,
        sfOrgId: org.sfOrgId,
        instanceUrl: org.instanceUrl,
        loginUrl: org.loginUrl,
        authKind: org.authKind,
        consumerKey: org.consumerKey ?? '',
        username: org.username,
        privateKeyEnc: org.privateKeyEnc,
        refreshTokenEnc: org.refreshTokenEnc,
        namespace: org.namespace
    };
}

/** The sync of one org in this process. */
export class OrgSync {
    readonly breaker = new CircuitBreaker();
    readonly leader: OrgLeaderLock;
    connection: OrgConnection | null = null;
    gateway: SalesforceGateway | null = null;
    describe: DescribeCache | null = null;
    subscriber: InboundSubscriber | null = null;
    flusher: Flusher | null = null;
    state: 'following' | 'connecting' | 'running' | 'error' | 'org_mismatch' | 'stopped' = 'stopped';
    message: string | null = null;
    readonly times = {
        lastInboundAt: null as Date | null,
        lastOutboundAt: null as Date | null,
        lastFullSyncAt: null as Date | null
    };
    /** Totals since start (tests, status). */
    readonly totals = {
        eventsApplied: 0,
        batches: 0,
        applyMs: 0,
        editsSent: 0,
        flushes: 0,
        apiCallsFlush: 0,
        reconciles: 0,
        invalidReplays: 0
    };
    private timer: NodeJS.Timeout | null = null;
    private tickRunning: Promise<void> | null = null;
    private stopping = false;
    private statusDirty = true;
    private jobs: JobTable | null = null;
    private failedToReport: import('../data/types').PendingEdit[] = [];
    private reconcileQueue: Promise<unknown> = Promise.resolve();

    constructor(
        readonly orgId: string,
        private readonly deps: Deps
    ) {
        this.leader = new OrgLeaderLock({
            url: (deps.ds.options as { url?: string }).url ?? '',
            orgId,
            retryMs: deps.options.leaderRetryMs,
            onAcquired: () => void this.lead(),
            listen: [NOTIFY_CHANNELS.outbox, NOTIFY_CHANNELS.config],
            onNotify: (channel) => {
                if (channel === NOTIFY_CHANNELS.config) this.jobs?.makeDue('configPush');
                this.kick();
            },
            onLost: async (err) => {
                deps.logger.warn({ orgId, err }, 'lost the org leader lock; stopping its sync here');
                await this.stopWork();
                this.state = 'following';
            }
        });
    }

    /** Starts competing for the org's leadership. */
    async start(): Promise<void> {
        this.stopping = false;
        this.state = 'following';
        await this.leader.start();
    }

    /** Graceful stop: the in-flight flush finishes, queued events are applied, the lock is released. */
    async stop(): Promise<void> {
        this.stopping = true;
        await this.stopWork();
        await this.leader.stop();
        this.state = 'stopped';
    }

    /** Makes the flusher look for due edits now. */
    kick(): void {
        if (this.state !== 'running' || this.stopping) return;
        if (!this.tickRunning) this.schedule(0);
    }

    private async lead(): Promise<void> {
        for (let attempt = 1; !this.stopping && this.leader.isLeader; attempt++) {
            try {
                await this.connectAndRun();
                return;
            } catch (err) {
                if (err instanceof OrgMismatchError) {
                    this.state = 'org_mismatch';
                    this.message = err.message;
                    this.deps.logger.error({ orgId: this.orgId }, err.message);
                    await this.stopWork();
                    return;
                }
                this.state = 'error';
                this.message = (err as Error).message;
                this.deps.logger.warn({ orgId: this.orgId, err, attempt }, 'org sync could not start; retrying');
                await this.stopWork();
                await sleep(Math.max(1000, backoffDelay(attempt)));
            }
        }
    }

    private async connectAndRun(): Promise<void> {
        const { ds, factory, options, logger } = this.deps;
        const repos = createRepositories(ds.manager);
        const org = await repos.orgs.get(this.orgId);
        if (!org) throw new Error(`Org ${this.orgId} does not exist`);
        if (org.status === 'org_mismatch') {
            this.state = 'org_mismatch';
            this.message = org.statusMessage;
            return;
        }
        this.state = 'connecting';
        const connection = await factory.connect(toSalesforceOrg(org));
        this.connection = connection;
        const gateway = new SalesforceGateway(connection.conn);
        this.gateway = gateway;
        this.describe = new DescribeCache(
            () => connection.conn,
            undefined,
            undefined,
            () => gateway.for('describe').count(1)
        );
        const names = connection.names;
        const resolveType = async (object: string, field: string) =>
            (await this.describe?.field(object, field))?.type ?? null;

        await pullConfig(ds, this.orgId, gateway.for('config'), names, resolveType);
        await pushConfig(ds, this.orgId, gateway.for('config'), names);
        this.flusher = new Flusher(ds, this.orgId, () => gateway.for('flush'), this.breaker, {
            claimLimit: options.claimLimit,
            bulkThreshold: options.bulkThreshold,
            preWriteCheck: options.preWriteCheck
        });
        this.report(await this.flusher.recoverOrphans());

        const channels = [names.channel('Record_Change__e'), names.channel('Sync_Request__e')];
        const common = {
            channels,
            storedReplayId: async (channel: string) => {
                const stored = await createRepositories(ds.manager).eventCheckpoints.get(this.orgId, channel);
                return stored === null ? null : Number(stored);
            },
            batchSize: options.batchSize,
            batchWindowMs: options.batchWindowMs,
            applyBatch: (events: ChannelEvent[]) => this.applyBatch(events),
            onInvalidReplay: (channel: string, error: string) => {
                this.totals.invalidReplays += 1;
                logger.warn(
                    { orgId: this.orgId, channel, error },
                    'stored replay id refused (past retention): resubscribed from -1, reconciling'
                );
                void this.reconcileAll(false, null);
            },
            refreshSession: () => connection.refresh(),
            onError: (err: unknown, context: string) =>
                logger.warn({ orgId: this.orgId, err, context }, 'streaming problem')
        };
        // Salesforce's Pub/Sub endpoint serves only Salesforce orgs (https instance URLs): an org elsewhere (the
        // emulator) without SF_PUBSUB_URL has no Pub/Sub endpoint to reach, so it falls back to CometD.
        const cometd =
            options.eventTransport === 'cometd' ||
            (!options.pubsubUrl && !/^https:\/\//i.test(connection.conn.instanceUrl ?? ''));
        if (cometd && options.eventTransport !== 'cometd')
            logger.warn(
                { orgId: this.orgId, instanceUrl: connection.conn.instanceUrl },
                'no Pub/Sub endpoint for this org (set SF_PUBSUB_URL): inbound events over CometD'
            );
        this.subscriber = cometd
            ? new OrgSubscriber({ conn: () => connection.conn, ...common })
            : new PubSubSubscriber({
                  ...common,
                  endpoint: parsePubSubUrl(options.pubsubUrl),
                  // Flow control sized to the batch apply; Salesforce serves at most 100 per request.
                  batchSize: Math.min(100, options.batchSize),
                  session: () => ({
                      accessToken: connection.conn.accessToken ?? '',
                      instanceUrl: connection.conn.instanceUrl,
                      orgId: connection.sfOrgId
                  })
              });
        await this.subscriber.start();
        await this.reconcileAll(false, null);
        this.jobs = this.periodicJobs();
        this.state = 'running';
        this.message = null;
        this.statusDirty = true;
        logger.info({ orgId: this.orgId, sfOrgId: connection.sfOrgId }, 'org sync running');
        this.schedule(0);
    }

    private async applyBatch(events: ChannelEvent[]): Promise<void> {
        const names = this.connection!.names;
        const resolveType = async (object: string, field: string) =>
            (await this.describe?.field(object, field))?.type ?? null;
        const t0 = performance.now();
        const result = await applyEventBatch(this.deps.ds, this.orgId, names, events, resolveType);
        this.totals.applyMs += performance.now() - t0;
        this.totals.eventsApplied += result.events - result.duplicates;
        this.totals.batches += 1;
        this.times.lastInboundAt = new Date();
        this.statusDirty = true;
        const now = Date.now();
        const recordChannel = names.channel('Record_Change__e');
        for (const e of events) {
            this.deps.metrics?.eventsApplied.inc({ org_id: this.orgId, channel: e.channel });
            if (e.channel !== recordChannel) continue;
            // One lag per record: a batched event carries every record of its trigger chunk.
            for (const stamp of recordModstamps(e.data.payload, names.namespace)) {
                const lag = (now - stamp) / 1000;
                if (Number.isFinite(lag) && lag >= 0 && lag < 3600) {
                    this.deps.metrics?.syncLagHistogram.observe({ direction: 'inbound' }, lag);
                    this.deps.metrics?.syncLagSeconds.set({ org_id: this.orgId, direction: 'inbound' }, lag);
                }
            }
        }
        for (const req of result.syncRequests) this.deps.onSyncRequest(this.orgId, req);
        if (result.missingValues.length) void this.reconcileAll(false, null);
        if (result.echoes || result.conflicts) this.kick();
    }

    /** Reconciles every enabled object (or one); `full` ignores checkpoints. */
    reconcileAll(full: boolean, objectApiName: string | null, runId?: string): Promise<unknown> {
        const run = async () => {
            const { ds } = this.deps;
            const gateway = this.gateway;
            if (!gateway) return;
            const repos = createRepositories(ds.manager);
            let objects: SyncObject[] = (await repos.syncObjects.list(this.orgId)).filter((o) => o.enabled);
            if (objectApiName)
                objects = objects.filter((o) => o.objectApiName.toLowerCase() === objectApiName.toLowerCase());
            const before = gateway.apiCalls;
            let records = 0;
            try {
                if (full && this.connection)
                    await pullConfig(ds, this.orgId, gateway.for('config'), this.connection.names);
                for (const o of objects) {
                    const r = await reconcileObject(ds, this.orgId, gateway.for(full ? 'import' : 'reconcile'), o, {
                        full,
                        bulkThreshold: this.deps.options.importBulkThreshold
                    });
                    records += r.records;
                }
                this.totals.reconciles += 1;
                if (full || !objectApiName) this.times.lastFullSyncAt = new Date();
                this.statusDirty = true;
                if (runId)
                    await repos.syncRuns.finish(this.orgId, runId, {
                        status: 'succeeded',
                        recordsIn: records,
                        apiCalls: gateway.apiCalls - before
                    });
            } catch (err) {
                this.deps.logger.warn({ orgId: this.orgId, err }, 'reconcile failed');
                if (runId)
                    await repos.syncRuns.finish(this.orgId, runId, {
                        status: 'failed',
                        recordsIn: records,
                        apiCalls: gateway.apiCalls - before,
                        error: (err as Error).message
                    });
            }
        };
        this.reconcileQueue = this.reconcileQueue.then(run, run);
        return this.reconcileQueue;
    }

    private schedule(ms: number): void {
        if (this.stopping || this.state !== 'running') return;
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => {
            this.timer = null;
            this.tickRunning = this.tick().finally(() => {
                this.tickRunning = null;
            });
        }, ms);
    }

    private async tick(): Promise<void> {
        const { options, logger } = this.deps;
        let next = options.flushIntervalMs;
        try {
            const gateway = this.gateway!;
            // Users' edits first (urgent work, slowed near the API limit).
            const pace = pacingFor(gateway.apiUsage, true);
            const stats = await this.flusher!.flushOnce();
            this.report(stats);
            if (stats.claimed >= options.claimLimit) next = 0;
            if (pace.delayMs > 0) next = Math.max(next, pace.delayMs);
            if (stats.circuitOpen) next = Math.max(next, this.breaker.msUntilProbe());
            const background = pacingFor(gateway.apiUsage, false);
            await this.jobs!.runDue(background.allowed, (job, err) =>
                logger.warn(
                    { orgId: this.orgId, job, err, failures: this.jobs?.failures(job) },
                    `sync job ${job} failed; backing off`
                )
            );
            await this.recordApiCalls(gateway);
        } catch (err) {
            logger.warn({ orgId: this.orgId, err }, 'sync tick failed');
            next = Math.max(next, 1000);
            // A flush that failed after its claim (e.g. the database went away while writing results back) left its
            // edits in_flight; this process is the org's only flusher, so finish them now, without double sends.
            if (this.flusher)
                this.report(
                    await this.flusher.recoverOrphans().catch((e: unknown) => {
                        logger.warn(
                            { orgId: this.orgId, err: e },
                            'recovery of in-flight edits failed; retrying next tick'
                        );
                        return { claimed: 0 } as FlushStats;
                    })
                );
        }
        this.schedule(next);
    }

    /**
     * The org's periodic work (the documented schedule of an idle org's API calls): configuration push (no call
     * unless something changed), reconcile, Sync_Status__c / Sync_Error__c writes when something changed, the
     * budget check while paused, and pruning of processed event ids (no call). Every job that calls Salesforce
     * goes through the circuit breaker the flusher uses, and a failing job backs off (JobTable).
     */
    private periodicJobs(): JobTable {
        const { ds, options, logger } = this.deps;
        const gateway = this.gateway!;
        const names = this.connection!.names;
        const guarded = (work: () => Promise<void>) => () => this.throughBreaker(work);
        return new JobTable([
            {
                name: 'configPush',
                intervalMs: options.configPushIntervalMs,
                budget: 'background',
                run: guarded(async () => {
                    const pushed = await pushConfig(ds, this.orgId, gateway.for('config'), names);
                    if (pushed.errors.length) {
                        logger.warn({ orgId: this.orgId, errors: pushed.errors }, 'configuration push refused');
                        throw new Error(`configuration push refused: ${pushed.errors.join('; ')}`);
                    }
                })
            },
            {
                name: 'reconcile',
                intervalMs: options.reconcileIntervalMs,
                budget: 'background',
                run: async () => {
                    if (this.breaker.state !== 'closed')
                        throw new Error('circuit open: reconcile waits for Salesforce');
                    void this.reconcileAll(false, null);
                }
            },
            {
                name: 'status',
                intervalMs: options.statusIntervalMs,
                budget: 'background',
                wanted: () => options.writeStatus && (this.failedToReport.length > 0 || this.statusDirty),
                run: guarded(async () => {
                    this.statusDirty = false;
                    const failed = this.failedToReport.splice(0);
                    try {
                        await writeSyncErrors(gateway.for('status'), names, failed);
                    } catch (err) {
                        this.failedToReport.unshift(...failed);
                        this.statusDirty = true;
                        throw err;
                    }
                    await writeSyncStatus(
                        ds,
                        this.orgId,
                        gateway.for('status'),
                        names,
                        'Connected',
                        this.times,
                        this.message
                    );
                })
            },
            {
                // Paused on a nearly spent budget: look again now and then (one call to /limits), so the pause ends
                // when the rolling 24 h window frees calls even if no edit is flowing.
                name: 'budgetCheck',
                intervalMs: options.budgetCheckMs,
                budget: 'urgent',
                wanted: () => !pacingFor(gateway.apiUsage, false).allowed,
                run: guarded(() => gateway.readLimits())
            },
            {
                name: 'pruneProcessedEvents',
                intervalMs: options.pruneIntervalMs,
                budget: 'background',
                run: async () => {
                    await createRepositories(ds.manager).processedEvents.prune(this.orgId, EVENT_RETENTION_HOURS + 1);
                }
            }
        ]);
    }

    /**
     * Runs a Salesforce call of a background job through the org's circuit breaker (the one the flusher uses): no
     * call while the circuit is open (a probe when it is due), throttles and 5xx counted toward opening it.
     */
    private async throughBreaker(work: () => Promise<void>): Promise<void> {
        if (!this.breaker.tryAcquire())
            throw new Error(
                `circuit open: Salesforce is refusing calls; next probe in ${this.breaker.msUntilProbe()} ms`
            );
        // Only a probe's success closes the circuit: a background call that succeeds while the flush's calls are being
        // throttled (another endpoint) must not reset the count of consecutive throttles.
        const probing = this.breaker.state !== 'closed';
        try {
            await work();
            if (probing) this.breaker.recordSuccess();
        } catch (err) {
            if (classifyRequestError(err).throttle) this.breaker.recordThrottle();
            else this.breaker.recordOther();
            throw err;
        }
    }

    /**
     * Adds the API calls made since the last tick, by purpose, to the org's daily counts (one statement, only when
     * there were calls) and to /metrics. A failed write keeps them for the next tick.
     */
    private async recordApiCalls(gateway: SalesforceGateway): Promise<void> {
        const calls = gateway.counter.drain();
        if (calls.size === 0) return;
        try {
            await createRepositories(this.deps.ds.manager).apiUsage.add(this.orgId, calls);
        } catch (err) {
            for (const [purpose, n] of calls)
                gateway.counter.byPurpose.set(purpose, (gateway.counter.byPurpose.get(purpose) ?? 0) + n);
            throw err;
        }
        for (const [purpose, n] of calls) this.deps.metrics?.apiCalls.inc({ org_id: this.orgId, kind: purpose }, n);
    }

    private report(stats: FlushStats): void {
        if (stats.claimed === 0) return;
        this.totals.flushes += 1;
        this.totals.editsSent += stats.sent;
        this.totals.apiCallsFlush += stats.apiCalls;
        if (stats.succeeded) this.times.lastOutboundAt = new Date();
        this.statusDirty = true;
        this.failedToReport.push(...stats.failedEdits);
        // A field Salesforce no longer knows: the cached describe is stale (configuration checks must see it).
        for (const e of stats.failedEdits)
            if (/^INVALID_FIELD/.test(e.errorCode ?? '')) this.describe?.invalidate(e.objectApiName);
        for (const ms of stats.lagsMs) {
            this.deps.metrics?.syncLagHistogram.observe({ direction: 'outbound' }, ms / 1000);
            this.deps.metrics?.syncLagSeconds.set({ org_id: this.orgId, direction: 'outbound' }, ms / 1000);
        }
        const m = this.deps.metrics?.flushedEdits;
        if (m) {
            if (stats.succeeded + stats.already)
                m.inc({ org_id: this.orgId, outcome: 'succeeded' }, stats.succeeded + stats.already);
            if (stats.failed) m.inc({ org_id: this.orgId, outcome: 'failed' }, stats.failed);
            if (stats.conflicts) m.inc({ org_id: this.orgId, outcome: 'conflict' }, stats.conflicts);
            if (stats.retried) m.inc({ org_id: this.orgId, outcome: 'retry' }, stats.retried);
        }
    }

    private async stopWork(): Promise<void> {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        const wasRunning = this.state === 'running';
        this.state = this.state === 'org_mismatch' ? 'org_mismatch' : 'following';
        if (this.tickRunning) await this.tickRunning.catch(() => undefined);
        if (this.subscriber) await this.subscriber.stop().catch(() => undefined);
        this.subscriber = null;
        await this.reconcileQueue.catch(() => undefined);
        if (wasRunning && this.gateway && this.connection && this.deps.options.writeStatus)
            await Promise.race([
                writeSyncStatus(
                    this.deps.ds,
                    this.orgId,
                    this.gateway.for('status'),
                    this.connection.names,
                    'Disconnected',
                    this.times,
                    'Companion stopped'
                ).catch(() => undefined),
                sleep(2000, true)
            ]);
        this.flusher = null;
    }
}

/** The modstamps (epoch ms) of the records a Record_Change__e carries, either shape; none when it is malformed. */
function recordModstamps(payload: Record<string, unknown>, namespace: string): number[] {
    try {
        return expandRecordChange(payload, { namespace }).map((c) => Date.parse(c.modstamp));
    } catch {
        return [];
    }
}
