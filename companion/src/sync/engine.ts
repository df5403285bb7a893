/**
 * The sync engine: per org, one leader process (advisory lock) connects to Salesforce, pulls and pushes the
 * configuration records, finishes edits a dead process left in flight, subscribes to Record_Change__e and
 * Sync_Request__e, imports/reconciles every enabled object, and runs the flusher; it also keeps Sync_Status__c and
 * Sync_Error__c current. `POST /api/v1/sync` and a Sync_Request__e from the org both land in {@link requestSync}.
 * It implements the domain's `SyncEngine` and `OrgSchemaProvider` ports (companion/src/domain/ports.ts).
 */
import type { DataSource } from 'typeorm';
import type { CompanionServices } from '../services';
import { resolveEngineOptions, type EngineOptions } from './options';
import { createRepositories } from '../data';
import type { EngineOrgStatus, ObjectSchema, OrgSchemaProvider, SyncEngine, SyncKind } from '../domain/ports';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { SalesforceConnectionFactory } from '../salesforce/connection';
import { DescribeCache, UnknownObjectError } from '../salesforce/describe-cache';
import { OrgSync, toSalesforceOrg, type Deps } from './org-sync';

export type { EngineOptions } from './options';
export { OrgSync };

/** The engine of a companion process (see the module comment). */
export class StatisfySyncEngine implements SyncEngine, OrgSchemaProvider {
    readonly orgs = new Map<string, OrgSync>();
    readonly factory: SalesforceConnectionFactory;
    private started = false;
    private scanTimer: NodeJS.Timeout | null = null;
    private readonly options: Deps['options'];
    private readonly describeConnections = new Map<string, Promise<DescribeCache>>();

    constructor(
        private readonly ds: DataSource,
        private readonly logger: Logger,
        private readonly secretBox: { encrypt(s: string): string; decrypt(s: string): string },
        private readonly metrics?: Metrics,
        options: EngineOptions = {}
    ) {
        this.options = resolveEngineOptions(options);
        const repos = () => createRepositories(ds.manager);
        this.factory = new SalesforceConnectionFactory({
            apiVersion: options.apiVersion,
            oauthClientSecret: options.oauthClientSecret,
            oauthRedirectUri: options.oauthRedirectUri,
            jwtClock: options.jwtClock,
            hooks: {
                encrypt: (s) => secretBox.encrypt(s),
                decrypt: (s) => secretBox.decrypt(s),
                onConnected: async (orgId, info) => {
                    const org = await repos().orgs.get(orgId);
                    await repos().orgs.update(orgId, {
                        sfOrgId: org?.sfOrgId ?? info.sfOrgId,
                        instanceUrl: info.instanceUrl,
                        status: 'connected',
                        statusMessage: null
                    });
                },
                onMismatch: async (orgId, message) => {
                    await repos().orgs.setStatus(orgId, 'org_mismatch', message);
                    const sync = this.orgs.get(orgId);
                    if (sync) void sync.stop().then(() => (sync.state = 'org_mismatch'));
                },
                onRefreshToken: async (orgId, refreshTokenEnc) => {
                    await repos().orgs.update(orgId, { refreshTokenEnc });
                }
            }
        });
    }

    /** Starts every org's sync and watches for new orgs. */
    async start(): Promise<void> {
        this.started = true;
        await this.scanOrgs();
        const loop = () => {
            this.scanTimer = setTimeout(() => {
                void this.scanOrgs().finally(() => this.started && loop());
            }, this.options.orgScanIntervalMs);
            this.scanTimer.unref();
        };
        loop();
    }

    /** Stops every org's sync (in-flight flushes finish, checkpoints commit). */
    async stop(): Promise<void> {
        this.started = false;
        if (this.scanTimer) clearTimeout(this.scanTimer);
        await Promise.all(Array.from(this.orgs.values()).map((o) => o.stop()));
        this.orgs.clear();
    }

    /** True between start() and stop(). */
    isStarted(): boolean {
        return this.started;
    }

    /** Starts syncing one org now (e.g. right after it was connected). */
    async startOrg(orgId: string): Promise<OrgSync> {
        let sync = this.orgs.get(orgId);
        if (!sync) {
            sync = new OrgSync(orgId, {
                ds: this.ds,
                logger: this.logger,
                metrics: this.metrics,
                factory: this.factory,
                options: this.options,
                onSyncRequest: (id, req) =>
                    void this.requestSync(
                        id,
                        req.objectApiName ?? undefined,
                        req.kind === 'FULL' ? 'full' : 'incremental'
                    ).catch((err) => this.logger.warn({ orgId: id, err }, 'sync request failed'))
            });
            this.orgs.set(orgId, sync);
            await sync.start();
        }
        return sync;
    }

    /** Makes the org's flusher look for due edits now (A's domain may call this after an edit). */
    kick(orgId: string): void {
        this.orgs.get(orgId)?.kick();
    }

    /** "Sync now": reconcile one object or all (full ignores checkpoints); answers the sync run to follow. */
    async requestSync(
        orgId: string,
        objectApiName?: string,
        kind: SyncKind = 'incremental'
    ): Promise<{ runId: string | null }> {
        const sync = this.orgs.get(orgId);
        if (!sync || sync.state !== 'running') return { runId: null };
        const run = await createRepositories(this.ds.manager).syncRuns.start(
            orgId,
            kind === 'full' ? 'import' : 'reconcile',
            objectApiName ?? null
        );
        sync.kick();
        void sync.reconcileAll(kind === 'full', objectApiName ?? null, run.id);
        return { runId: run.id };
    }

    /** The engine's live view of one org. */
    async status(orgId: string): Promise<EngineOrgStatus> {
        const sync = this.orgs.get(orgId);
        if (!sync) return { subscribed: false, state: 'not running here' };
        const usage = sync.gateway?.apiUsage;
        return {
            subscribed: sync.state === 'running',
            leader: sync.leader.isLeader,
            state: sync.state,
            message: sync.message,
            circuit: sync.breaker.state === 'half-open' ? 'half_open' : sync.breaker.state,
            apiUsage: usage ? { used: usage.used, max: usage.limit } : null,
            lastInboundAt: sync.times.lastInboundAt,
            lastOutboundAt: sync.times.lastOutboundAt,
            lastFullSyncAt: sync.times.lastFullSyncAt,
            totals: { ...sync.totals }
        };
    }

    /** OrgSchemaProvider: the org's describe of an object (cached), null when the org has no such object. */
    async describe(orgId: string, objectApiName: string): Promise<ObjectSchema | null> {
        const cache = this.orgs.get(orgId)?.describe ?? (await this.describeCacheFor(orgId));
        try {
            const info = await cache.describe(objectApiName);
            return { name: info.name, label: info.label, custom: info.custom, fields: info.fields };
        } catch (err) {
            if (err instanceof UnknownObjectError) return null;
            throw err;
        }
    }

    /** The URL of Salesforce's consent page for an OAuth org ("Connect Salesforce"). */
    async authorizeUrl(orgId: string, state: string): Promise<string> {
        const org = await createRepositories(this.ds.manager).orgs.get(orgId);
        if (!org) throw new Error(`Org ${orgId} does not exist`);
        return this.factory.authorizeUrl(toSalesforceOrg(org), state);
    }

    /** Completes the OAuth web-server flow with the callback's code, then starts the org's sync. */
    async completeOAuth(orgId: string, code: string): Promise<void> {
        const org = await createRepositories(this.ds.manager).orgs.get(orgId);
        if (!org) throw new Error(`Org ${orgId} does not exist`);
        await this.factory.exchangeCode(toSalesforceOrg(org), code);
        if (this.started) await this.startOrg(orgId);
    }

    private describeCacheFor(orgId: string): Promise<DescribeCache> {
        let p = this.describeConnections.get(orgId);
        if (!p) {
            p = (async () => {
                const org = await createRepositories(this.ds.manager).orgs.get(orgId);
                if (!org) throw new Error(`Org ${orgId} does not exist`);
                const c = await this.factory.connect(toSalesforceOrg(org));
                return new DescribeCache(() => c.conn);
            })();
            p.catch(() => this.describeConnections.delete(orgId));
            this.describeConnections.set(orgId, p);
        }
        return p;
    }

    private async scanOrgs(): Promise<void> {
        try {
            const orgs = await createRepositories(this.ds.manager).orgs.listAll();
            for (const org of orgs) {
                if (!this.started) return;
                const existing = this.orgs.get(org.id);
                // An org that was stopped as org_mismatch and has since been reconnected (status reset) starts again.
                if (existing && existing.state === 'org_mismatch' && org.status !== 'org_mismatch') {
                    await existing.stop();
                    this.orgs.delete(org.id);
                } else if (existing || org.status === 'org_mismatch') continue;
                const ready = org.authKind === 'jwt' ? !!org.privateKeyEnc : !!org.refreshTokenEnc;
                if (ready) await this.startOrg(org.id);
            }
        } catch (err) {
            this.logger.warn({ err }, 'could not read the orgs to sync');
        }
    }
}

/** Builds the engine from the companion's services (the composition root's `engine` dependency). */
export function createSyncEngine(services: CompanionServices, options: EngineOptions = {}): StatisfySyncEngine {
    const publicUrl = services.config.publicUrl;
    return new StatisfySyncEngine(services.dataSource, services.logger, services.secretBox, services.metrics, {
        apiVersion: services.config.salesforceApiVersion,
        eventTransport: services.config.eventTransport,
        pubsubUrl: services.config.pubsubUrl,
        oauthClientSecret: services.config.salesforce?.clientSecret,
        oauthRedirectUri: publicUrl ? `${publicUrl.replace(/\/+$/, '')}/oauth/callback` : undefined,
        ...options
    });
}
