/**
 * Sync status and errors, aggregated from the tables (and, when the engine runs in this process, its live view).
 */
import type { DataSource } from 'typeorm';
import { createRepositories, sumCounts } from '../data';
import { notFound } from '../lib/errors';
import type { Actor } from './context';
import type { EngineOrgStatus, SyncEngine } from './ports';
import { syncErrorView, type SyncErrorView } from './views';

/** Per-object figures of the status. */
export interface ObjectStatusView {
    objectApiName: string;
    enabled: boolean;
    syncToSalesforce: boolean;
    pendingCount: number;
    failedCount: number;
    conflictCount: number;
    lastOutboundAt: string | null;
    lastFullSyncAt: string | null;
}

/** GET /api/v1/sync/status. */
export interface SyncStatusView {
    connection: {
        state: string;
        message: string | null;
        orgName: string;
        sfOrgId: string | null;
        instanceUrl: string | null;
    };
    lastInboundAt: string | null;
    lastOutboundAt: string | null;
    lastFullSyncAt: string | null;
    pendingCount: number;
    inFlightCount: number;
    failedCount: number;
    conflictCount: number;
    apiUsage: { callsLast24h: number; used: number | null; max: number | null };
    engine: EngineOrgStatus | null;
    objects: ObjectStatusView[];
}

const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

/** The org's sync status. The engine's part is null when no engine runs in this process. */
export async function syncStatus(
    dataSource: DataSource,
    engine: SyncEngine | undefined,
    actor: Actor
): Promise<SyncStatusView> {
    const repos = createRepositories(dataSource.manager);
    const orgId = actor.orgId;
    const org = await repos.orgs.get(orgId);
    const [countRows, lastInbound, lastOutbound, lastFull, calls, objects, engineStatus] = await Promise.all([
        repos.pendingEdits.countsByObject(orgId),
        repos.eventCheckpoints.lastUpdatedAt(orgId),
        repos.pendingEdits.lastSucceededAt(orgId),
        repos.syncRuns.lastSucceeded(orgId, ['import', 'reconcile']),
        repos.syncRuns.apiCallsSince(orgId, new Date(Date.now() - 24 * 3600_000)),
        repos.syncObjects.list(orgId),
        engine?.isStarted()
            ? engine.status(orgId).catch((e: unknown) => ({ error: String((e as Error)?.message ?? e) }))
            : null
    ]);
    const counts = sumCounts(countRows);
    const lastInboundRun = await repos.syncRuns.lastSucceeded(orgId, ['inbound']);
    const latestInbound =
        [lastInbound, lastInboundRun?.finishedAt ?? null].filter(Boolean).sort((a, b) => +b! - +a!)[0] ?? null;
    const perObject = await Promise.all(
        objects.map(async (o) => {
            const c = sumCounts(countRows.filter((r) => r.objectApiName === o.objectApiName));
            const [out, full] = await Promise.all([
                repos.pendingEdits.lastSucceededAt(orgId, o.objectApiName),
                repos.syncRuns.lastSucceeded(orgId, ['import', 'reconcile'], o.objectApiName)
            ]);
            return {
                objectApiName: o.objectApiName,
                enabled: o.enabled,
                syncToSalesforce: o.syncToSalesforce,
                pendingCount: c.pending + c.inFlight,
                failedCount: c.failed,
                conflictCount: c.openConflicts,
                lastOutboundAt: iso(out),
                lastFullSyncAt: iso(full?.finishedAt)
            };
        })
    );
    const usage = (engineStatus as EngineOrgStatus | null)?.apiUsage ?? null;
    return {
        connection: {
            state: org?.status ?? 'new',
            message: org?.statusMessage ?? null,
            orgName: org?.name ?? '',
            sfOrgId: org?.sfOrgId ?? null,
            instanceUrl: org?.instanceUrl ?? null
        },
        lastInboundAt: iso(latestInbound),
        lastOutboundAt: iso(lastOutbound),
        lastFullSyncAt: iso(lastFull?.finishedAt),
        pendingCount: counts.pending + counts.inFlight,
        inFlightCount: counts.inFlight,
        failedCount: counts.failed,
        conflictCount: counts.openConflicts,
        apiUsage: { callsLast24h: calls, used: usage?.used ?? null, max: usage?.max ?? null },
        engine: engineStatus,
        objects: perObject
    };
}

/** Failed edits, newest first. */
export async function syncErrors(
    dataSource: DataSource,
    actor: Actor,
    page: { limit: number; offset: number }
): Promise<SyncErrorView[]> {
    return (await createRepositories(dataSource.manager).pendingEdits.listFailed(actor.orgId, page)).map(syncErrorView);
}

/** Recent sync runs of the org, newest first. */
export function syncRuns(dataSource: DataSource, actor: Actor, limit: number) {
    return createRepositories(dataSource.manager).syncRuns.list(actor.orgId, limit);
}

/**
 * "Sync now" (`POST /api/v1/sync`, ARCHITECTURE §4): checks the object is synced in the org (404 otherwise) and hands
 * the request to the engine, which records a sync run.
 */
export async function requestSync(
    dataSource: DataSource,
    engine: SyncEngine,
    actor: Actor,
    objectApiName: string | null | undefined,
    kind: Parameters<SyncEngine['requestSync']>[2]
): ReturnType<SyncEngine['requestSync']> {
    if (objectApiName) {
        const object = await createRepositories(dataSource.manager).syncObjects.get(actor.orgId, objectApiName);
        if (!object) throw notFound(`Object ${objectApiName} is not synced in this org`);
    }
    return engine.requestSync(actor.orgId, objectApiName ?? undefined, kind);
}

/** The org's configuration audit log, newest first. */
export function auditEntries(
    dataSource: DataSource,
    actor: Actor,
    query: { limit: number; offset: number; target?: string }
) {
    return createRepositories(dataSource.manager).auditLog.list(actor.orgId, query);
}
