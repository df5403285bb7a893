/**
 * Row mapping shared by the repositories: snake_case rows from `manager.query()` to the plain types.
 */
import type { EntityManager } from 'typeorm';
import type {
    ApiToken,
    AuditEntry,
    Conflict,
    FieldMapping,
    Json,
    Org,
    PendingEdit,
    RecordRow,
    SyncObject,
    SyncRun
} from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Row = Record<string, any>;

/** Runs SQL on the manager (inside its transaction when it has one) and returns the rows. */
export async function rows(manager: EntityManager, sql: string, params: unknown[] = []): Promise<Row[]> {
    const result: unknown = await manager.query(sql, params);
    // UPDATE/DELETE ... RETURNING answer [rows, count] through TypeORM's postgres driver.
    if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
        return result[0] as Row[];
    }
    return result as Row[];
}

/** jsonb parameter: pg sends JS values as text, so JSON values go through JSON.stringify. */
export const jsonParam = (value: Json | undefined): string | null =>
    value === undefined ? null : JSON.stringify(value);

export const toOrg = (r: Row): Org => ({
    id: r.id,
    name: r.name,
    sfOrgId: r.sf_org_id,
    instanceUrl: r.instance_url,
    loginUrl: r.login_url,
    authKind: r.auth_kind,
    consumerKey: r.consumer_key,
    username: r.username,
    privateKeyEnc: r.private_key_enc,
    refreshTokenEnc: r.refresh_token_enc,
    namespace: r.namespace,
    status: r.status,
    statusMessage: r.status_message,
    createdAt: r.created_at,
    updatedAt: r.updated_at
});

export const toApiToken = (r: Row): ApiToken => ({
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    role: r.role,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at
});

export const toSyncObject = (r: Row): SyncObject => ({
    id: r.id,
    orgId: r.org_id,
    objectApiName: r.object_api_name,
    displayName: r.display_name,
    kind: r.kind,
    syncToSalesforce: r.sync_to_salesforce,
    enabled: r.enabled,
    recordFilter: r.record_filter,
    conflictPolicy: r.conflict_policy,
    sfRecordId: r.sf_record_id,
    updatedAt: r.updated_at
});

export const toFieldMapping = (r: Row): FieldMapping => ({
    id: r.id,
    orgId: r.org_id,
    objectApiName: r.object_api_name,
    key: r.key,
    displayName: r.display_name,
    salesforceField: r.salesforce_field,
    origin: r.origin,
    editable: r.editable,
    active: r.active,
    type: r.type,
    picklistValues: r.picklist_values,
    sfRecordId: r.sf_record_id,
    updatedAt: r.updated_at
});

export const toRecord = (r: Row): RecordRow => ({
    orgId: r.org_id,
    objectApiName: r.object_api_name,
    sfId: r.sf_id,
    fields: r.fields,
    sfValues: r.sf_values,
    systemModstamp: r.system_modstamp,
    deleted: r.deleted,
    updatedAt: r.updated_at
});

export const toPendingEdit = (r: Row): PendingEdit => ({
    id: String(r.id),
    orgId: r.org_id,
    objectApiName: r.object_api_name,
    sfId: r.sf_id,
    fieldKey: r.field_key,
    salesforceField: r.salesforce_field,
    newValue: r.new_value,
    baseValue: r.base_value,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sentAt: r.sent_at
});

export const toConflict = (r: Row): Conflict => ({
    id: r.id,
    orgId: r.org_id,
    objectApiName: r.object_api_name,
    sfId: r.sf_id,
    fieldKey: r.field_key,
    salesforceField: r.salesforce_field,
    statisfyValue: r.statisfy_value,
    salesforceValue: r.salesforce_value,
    baseValue: r.base_value,
    policy: r.policy,
    status: r.status,
    resolution: r.resolution,
    editId: r.edit_id === null || r.edit_id === undefined ? null : String(r.edit_id),
    detectedAt: r.detected_at,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by
});

export const toSyncRun = (r: Row): SyncRun => ({
    id: r.id,
    orgId: r.org_id,
    kind: r.kind,
    objectApiName: r.object_api_name,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
    recordsIn: r.records_in,
    recordsOut: r.records_out,
    apiCalls: r.api_calls,
    error: r.error
});

export const toAuditEntry = (r: Row): AuditEntry => ({
    id: String(r.id),
    orgId: r.org_id,
    actor: r.actor,
    action: r.action,
    target: r.target,
    before: r.before,
    after: r.after,
    at: r.at
});
