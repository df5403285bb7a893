/**
 * TypeORM EntitySchemas of the companion's tables (no decorators: tsx/esbuild emits no decorator metadata).
 * They describe the tables for TypeORM; the tables themselves come from migrations/ only (never `synchronize`).
 * Property names are camelCase; repositories map rows to the plain types of data/types.ts.
 */
import { EntitySchema, type EntitySchemaColumnOptions } from 'typeorm';
import type {
    ApiToken,
    AuditEntry,
    Conflict,
    FieldMapping,
    Org,
    PendingEdit,
    RecordRow,
    SyncObject,
    SyncRun
} from '../data/types';

type Columns<T> = { [K in keyof T]: EntitySchemaColumnOptions };

const uuidPk: EntitySchemaColumnOptions = { type: 'uuid', primary: true, generated: 'uuid' };
const text = (name: string, nullable = false): EntitySchemaColumnOptions => ({ type: 'text', name, nullable });
const bool = (name: string): EntitySchemaColumnOptions => ({ type: 'boolean', name });
const json = (name: string, nullable = true): EntitySchemaColumnOptions => ({ type: 'jsonb', name, nullable });
const ts = (name: string, nullable = false): EntitySchemaColumnOptions => ({ type: 'timestamptz', name, nullable });
const uuid = (name: string, nullable = false): EntitySchemaColumnOptions => ({ type: 'uuid', name, nullable });

export const OrgEntity = new EntitySchema<Org>({
    name: 'Org',
    tableName: 'orgs',
    columns: {
        id: uuidPk,
        name: text('name'),
        sfOrgId: { type: 'varchar', length: 18, name: 'sf_org_id', nullable: true, unique: true },
        instanceUrl: text('instance_url', true),
        loginUrl: text('login_url'),
        authKind: text('auth_kind'),
        consumerKey: text('consumer_key', true),
        username: text('username', true),
        privateKeyEnc: text('private_key_enc', true),
        refreshTokenEnc: text('refresh_token_enc', true),
        namespace: { type: 'varchar', length: 15, name: 'namespace' },
        status: text('status'),
        statusMessage: text('status_message', true),
        createdAt: ts('created_at'),
        updatedAt: ts('updated_at')
    } satisfies Columns<Org>
});

export const ApiTokenEntity = new EntitySchema<ApiToken & { tokenHash: string }>({
    name: 'ApiToken',
    tableName: 'api_tokens',
    columns: {
        id: uuidPk,
        orgId: uuid('org_id'),
        name: text('name'),
        tokenHash: { type: 'char', length: 64, name: 'token_hash', unique: true },
        role: text('role'),
        createdAt: ts('created_at'),
        lastUsedAt: ts('last_used_at', true),
        revokedAt: ts('revoked_at', true)
    }
});

export const SyncObjectEntity = new EntitySchema<SyncObject>({
    name: 'SyncObject',
    tableName: 'sync_objects',
    uniques: [{ columns: ['orgId', 'objectApiName'] }],
    columns: {
        id: uuidPk,
        orgId: uuid('org_id'),
        objectApiName: text('object_api_name'),
        displayName: text('display_name'),
        kind: text('kind'),
        syncToSalesforce: bool('sync_to_salesforce'),
        enabled: bool('enabled'),
        recordFilter: text('record_filter', true),
        conflictPolicy: text('conflict_policy'),
        sfRecordId: { type: 'varchar', length: 18, name: 'sf_record_id', nullable: true },
        updatedAt: ts('updated_at')
    } satisfies Columns<SyncObject>
});

export const FieldMappingEntity = new EntitySchema<FieldMapping>({
    name: 'FieldMapping',
    tableName: 'field_mappings',
    uniques: [{ columns: ['orgId', 'key'] }],
    columns: {
        id: uuidPk,
        orgId: uuid('org_id'),
        objectApiName: text('object_api_name'),
        key: text('key'),
        displayName: text('display_name'),
        salesforceField: text('salesforce_field', true),
        origin: text('origin'),
        editable: bool('editable'),
        active: bool('active'),
        type: text('type'),
        picklistValues: json('picklist_values'),
        sfRecordId: { type: 'varchar', length: 18, name: 'sf_record_id', nullable: true },
        updatedAt: ts('updated_at')
    } satisfies Columns<FieldMapping>
});

export const RecordEntity = new EntitySchema<RecordRow>({
    name: 'Record',
    tableName: 'records',
    columns: {
        orgId: { type: 'uuid', name: 'org_id', primary: true },
        sfId: { type: 'varchar', length: 18, name: 'sf_id', primary: true },
        objectApiName: text('object_api_name'),
        fields: json('fields', false),
        sfValues: json('sf_values', false),
        systemModstamp: ts('system_modstamp', true),
        deleted: bool('deleted'),
        updatedAt: ts('updated_at')
    } satisfies Columns<RecordRow>
});

export const PendingEditEntity = new EntitySchema<PendingEdit>({
    name: 'PendingEdit',
    tableName: 'pending_edits',
    columns: {
        id: { type: 'bigint', primary: true, generated: 'increment' },
        orgId: uuid('org_id'),
        objectApiName: text('object_api_name'),
        sfId: { type: 'varchar', length: 18, name: 'sf_id' },
        fieldKey: text('field_key'),
        salesforceField: text('salesforce_field'),
        newValue: json('new_value'),
        baseValue: json('base_value'),
        status: text('status'),
        attempts: { type: 'int', name: 'attempts' },
        nextAttemptAt: ts('next_attempt_at'),
        errorCode: text('error_code', true),
        errorMessage: text('error_message', true),
        createdAt: ts('created_at'),
        updatedAt: ts('updated_at'),
        sentAt: ts('sent_at', true)
    } satisfies Columns<PendingEdit>
});

export const ConflictEntity = new EntitySchema<Conflict>({
    name: 'Conflict',
    tableName: 'conflicts',
    columns: {
        id: uuidPk,
        orgId: uuid('org_id'),
        objectApiName: text('object_api_name'),
        sfId: { type: 'varchar', length: 18, name: 'sf_id' },
        fieldKey: text('field_key'),
        salesforceField: text('salesforce_field', true),
        statisfyValue: json('statisfy_value'),
        salesforceValue: json('salesforce_value'),
        baseValue: json('base_value'),
        policy: text('policy'),
        status: text('status'),
        resolution: text('resolution', true),
        editId: { type: 'bigint', name: 'edit_id', nullable: true },
        detectedAt: ts('detected_at'),
        resolvedAt: ts('resolved_at', true),
        resolvedBy: text('resolved_by', true)
    } satisfies Columns<Conflict>
});

export const EventCheckpointEntity = new EntitySchema<{
    orgId: string;
    channel: string;
    replayId: string;
    updatedAt: Date;
}>({
    name: 'EventCheckpoint',
    tableName: 'event_checkpoints',
    columns: {
        orgId: { type: 'uuid', name: 'org_id', primary: true },
        channel: { type: 'text', primary: true },
        replayId: { type: 'bigint', name: 'replay_id' },
        updatedAt: ts('updated_at')
    }
});

export const ProcessedEventEntity = new EntitySchema<{ orgId: string; eventUuid: string; processedAt: Date }>({
    name: 'ProcessedEvent',
    tableName: 'processed_events',
    columns: {
        orgId: { type: 'uuid', name: 'org_id', primary: true },
        eventUuid: { type: 'uuid', name: 'event_uuid', primary: true },
        processedAt: ts('processed_at')
    }
});

export const SyncRunEntity = new EntitySchema<SyncRun>({
    name: 'SyncRun',
    tableName: 'sync_runs',
    columns: {
        id: uuidPk,
        orgId: uuid('org_id'),
        kind: text('kind'),
        objectApiName: text('object_api_name', true),
        startedAt: ts('started_at'),
        finishedAt: ts('finished_at', true),
        status: text('status'),
        recordsIn: { type: 'int', name: 'records_in' },
        recordsOut: { type: 'int', name: 'records_out' },
        apiCalls: { type: 'int', name: 'api_calls' },
        error: text('error', true)
    } satisfies Columns<SyncRun>
});

export const AuditEntryEntity = new EntitySchema<AuditEntry>({
    name: 'AuditEntry',
    tableName: 'audit_log',
    columns: {
        id: { type: 'bigint', primary: true, generated: 'increment' },
        orgId: uuid('org_id'),
        actor: text('actor'),
        action: text('action'),
        target: text('target'),
        before: json('before'),
        after: json('after'),
        at: ts('at')
    } satisfies Columns<AuditEntry>
});

/** Every entity, for the DataSource. */
export const entities = [
    OrgEntity,
    ApiTokenEntity,
    SyncObjectEntity,
    FieldMappingEntity,
    RecordEntity,
    PendingEditEntity,
    ConflictEntity,
    EventCheckpointEntity,
    ProcessedEventEntity,
    SyncRunEntity,
    AuditEntryEntity
];
