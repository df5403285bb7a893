/**
 * Data access: repositories over one EntityManager (the DataSource's, or a transaction's), returning plain objects.
 *
 * ```ts
 * await dataSource.transaction(async (m) => {
 *     const repos = createRepositories(m);
 *     await repos.records.mergeFields(orgId, sfId, { 'Account.Name': 'Acme' });
 *     await repos.pendingEdits.enqueue(orgId, edit);
 * });
 * ```
 */
import type { DataSource, EntityManager } from 'typeorm';
import { ApiUsageRepository } from './api-usage';
import { FieldMappingsRepository, SyncObjectsRepository } from './configuration';
import { ConflictsRepository, PendingEditsRepository } from './outbox';
import { RecordsRepository } from './records';
import { rows } from './rows';
import {
    AuditLogRepository,
    EventCheckpointsRepository,
    ProcessedEventsRepository,
    SyncRunsRepository
} from './sync-state';
import { ApiTokensRepository, OrgsRepository } from './tenants';

export * from './types';
export type { NewOrg, OrgPatch, TokenIdentity } from './tenants';
export type { SyncObjectInput, SyncObjectPatch, FieldMappingInput, FieldMappingPatch } from './configuration';
export type { RecordUpsert, RecordPage, RecordPageQuery, RecordSort, RecordCursor } from './records';
export type { NewPendingEdit, NewConflict, OutboxCountsRow, LatestEditState, EditUpdate } from './outbox';
export { sumCounts } from './outbox';
export {
    OrgsRepository,
    ApiTokensRepository,
    SyncObjectsRepository,
    FieldMappingsRepository,
    RecordsRepository,
    PendingEditsRepository,
    ConflictsRepository,
    EventCheckpointsRepository,
    ProcessedEventsRepository,
    SyncRunsRepository,
    AuditLogRepository,
    ApiUsageRepository
};

/** Every repository bound to one manager. */
export interface Repositories {
    orgs: OrgsRepository;
    apiTokens: ApiTokensRepository;
    syncObjects: SyncObjectsRepository;
    fieldMappings: FieldMappingsRepository;
    records: RecordsRepository;
    pendingEdits: PendingEditsRepository;
    conflicts: ConflictsRepository;
    eventCheckpoints: EventCheckpointsRepository;
    processedEvents: ProcessedEventsRepository;
    syncRuns: SyncRunsRepository;
    auditLog: AuditLogRepository;
    apiUsage: ApiUsageRepository;
}

/** Binds every repository to `manager` (pass a transaction's manager to work inside it). */
export function createRepositories(manager: EntityManager): Repositories {
    return {
        orgs: new OrgsRepository(manager),
        apiTokens: new ApiTokensRepository(manager),
        syncObjects: new SyncObjectsRepository(manager),
        fieldMappings: new FieldMappingsRepository(manager),
        records: new RecordsRepository(manager),
        pendingEdits: new PendingEditsRepository(manager),
        conflicts: new ConflictsRepository(manager),
        eventCheckpoints: new EventCheckpointsRepository(manager),
        processedEvents: new ProcessedEventsRepository(manager),
        syncRuns: new SyncRunsRepository(manager),
        auditLog: new AuditLogRepository(manager),
        apiUsage: new ApiUsageRepository(manager)
    };
}

/** Runs `work` in one transaction with repositories bound to it. */
export function inTransaction<T>(
    dataSource: DataSource,
    work: (repos: Repositories, manager: EntityManager) => Promise<T>
): Promise<T> {
    return dataSource.transaction((manager) => work(createRepositories(manager), manager));
}

/** Channels of the NOTIFY messages sent on commit (the engine LISTENs; payload = org id). */
export const NOTIFY_CHANNELS = {
    /** New rows in the outbox. */
    outbox: 'statisfy_outbox',
    /** Configuration (objects, mappings) changed in the companion. */
    config: 'statisfy_config'
} as const;

/** Queues a NOTIFY delivered when the current transaction commits (nothing if it rolls back). */
export async function notifyOnCommit(manager: EntityManager, channel: string, orgId: string): Promise<void> {
    await rows(manager, 'SELECT pg_notify($1, $2)', [channel, orgId]);
}
