/**
 * The plain objects repositories return. No ORM entity leaves data/: callers get these shapes, camelCased.
 */

import type { ConflictPolicy, Json } from '../../../contracts';

/** A JSON value as stored in jsonb columns, and the object's conflict policy: both from the shared contracts. */
export type { ConflictPolicy, Json };

export type OrgStatus = 'new' | 'connected' | 'disconnected' | 'error' | 'org_mismatch';
export type AuthKind = 'jwt' | 'oauth';
export type Role = 'admin' | 'editor' | 'viewer';
export type ObjectKind = 'standard' | 'custom';
export type FieldOrigin = 'salesforce' | 'statisfy';
export type EditStatus = 'pending' | 'in_flight' | 'succeeded' | 'failed' | 'conflict' | 'superseded';
export type SyncRunKind = 'import' | 'reconcile' | 'flush' | 'inbound';
export type SyncRunStatus = 'running' | 'succeeded' | 'failed';

/** A tenant: one Salesforce org. Credentials stay encrypted here; salesforce/ decrypts them with the SecretBox. */
export interface Org {
    id: string;
    name: string;
    sfOrgId: string | null;
    instanceUrl: string | null;
    loginUrl: string;
    authKind: AuthKind;
    consumerKey: string | null;
    username: string | null;
    privateKeyEnc: string | null;
    refreshTokenEnc: string | null;
    namespace: string;
    status: OrgStatus;
    statusMessage: string | null;
    createdAt: Date;
    updatedAt: Date;
}

/** An API token (its hash only). */
export interface ApiToken {
    id: string;
    orgId: string;
    name: string;
    role: Role;
    createdAt: Date;
    lastUsedAt: Date | null;
    revokedAt: Date | null;
}

/** A synced object of an org. */
export interface SyncObject {
    id: string;
    orgId: string;
    objectApiName: string;
    displayName: string;
    kind: ObjectKind;
    syncToSalesforce: boolean;
    enabled: boolean;
    recordFilter: string | null;
    conflictPolicy: ConflictPolicy;
    sfRecordId: string | null;
    updatedAt: Date;
}

/** A field of a synced object: where it comes from, whether users may edit it, where it writes to. */
export interface FieldMapping {
    id: string;
    orgId: string;
    objectApiName: string;
    key: string;
    displayName: string;
    salesforceField: string | null;
    origin: FieldOrigin;
    editable: boolean;
    active: boolean;
    type: string;
    /** Allowed values of a picklist when known (from describe), else null. */
    picklistValues: string[] | null;
    sfRecordId: string | null;
    updatedAt: Date;
}

/** A record as the Statisfy side holds it. */
export interface RecordRow {
    orgId: string;
    objectApiName: string;
    sfId: string;
    /** Statisfy values by field key (`Account.Name`). */
    fields: Record<string, Json>;
    /** Last known Salesforce values by Salesforce field API name (`Name`). */
    sfValues: Record<string, Json>;
    systemModstamp: Date | null;
    deleted: boolean;
    updatedAt: Date;
}

/** One outbox row: one field of one record to write to Salesforce. */
export interface PendingEdit {
    id: string;
    orgId: string;
    objectApiName: string;
    sfId: string;
    fieldKey: string;
    salesforceField: string;
    newValue: Json;
    baseValue: Json;
    status: EditStatus;
    attempts: number;
    nextAttemptAt: Date;
    errorCode: string | null;
    errorMessage: string | null;
    createdAt: Date;
    updatedAt: Date;
    sentAt: Date | null;
}

/** A recorded divergence between the two sides. */
export interface Conflict {
    id: string;
    orgId: string;
    objectApiName: string;
    sfId: string;
    fieldKey: string;
    salesforceField: string | null;
    statisfyValue: Json;
    salesforceValue: Json;
    baseValue: Json;
    policy: ConflictPolicy;
    status: 'open' | 'resolved';
    resolution: string | null;
    editId: string | null;
    detectedAt: Date;
    resolvedAt: Date | null;
    resolvedBy: string | null;
}

/** A run of the sync engine (import, reconcile, flush, inbound batch). */
export interface SyncRun {
    id: string;
    orgId: string;
    kind: SyncRunKind;
    objectApiName: string | null;
    startedAt: Date;
    finishedAt: Date | null;
    status: SyncRunStatus;
    recordsIn: number;
    recordsOut: number;
    apiCalls: number;
    error: string | null;
}

/** One configuration change. */
export interface AuditEntry {
    id: string;
    orgId: string;
    actor: string;
    action: string;
    target: string;
    before: Json;
    after: Json;
    at: Date;
}
