/**
 * The shapes the API answers with (ARCHITECTURE §4 names), built from repository objects.
 */
import type { Conflict, FieldMapping, Json, PendingEdit, SyncObject } from '../data/types';
import { writebackReason, type WritebackReason } from '../../../contracts/sync-rules';

/** GET /objects item. */
export interface ObjectView {
    objectApiName: string;
    displayName: string;
    kind: 'standard' | 'custom';
    syncToSalesforce: boolean;
    enabled: boolean;
    recordFilter: string | null;
    conflictPolicy: string;
    updatedAt: string;
}

/** GET /objects/:object/fields item. */
export interface FieldView {
    key: string;
    displayName: string;
    salesforceField: string | null;
    origin: 'salesforce' | 'statisfy';
    editable: boolean;
    active: boolean;
    type: string;
    picklistValues: string[] | null;
    pushesToSalesforce: boolean;
    reason: WritebackReason | null;
    updatedAt: string;
}

/** A conflict as the API shows it. */
export interface ConflictView {
    id: string;
    objectApiName: string;
    recordId: string;
    field: string;
    salesforceField: string | null;
    statisfyValue: Json;
    salesforceValue: Json;
    baseValue: Json;
    policy: string;
    status: 'open' | 'resolved';
    resolution: string | null;
    editId: string | null;
    detectedAt: string;
    resolvedAt: string | null;
    resolvedBy: string | null;
}

/** A failed edit as GET /sync/errors shows it. */
export interface SyncErrorView {
    editId: string;
    objectApiName: string;
    recordId: string;
    field: string;
    salesforceField: string;
    value: Json;
    errorCode: string | null;
    message: string | null;
    attempts: number;
    occurredAt: string;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export function objectView(o: SyncObject): ObjectView {
    return {
        objectApiName: o.objectApiName,
        displayName: o.displayName,
        kind: o.kind,
        syncToSalesforce: o.syncToSalesforce,
        enabled: o.enabled,
        recordFilter: o.recordFilter,
        conflictPolicy: o.conflictPolicy,
        updatedAt: iso(o.updatedAt) as string
    };
}

export function fieldView(object: SyncObject, m: FieldMapping): FieldView {
    const reason = writebackReason({ object, mapping: m });
    return {
        key: m.key,
        displayName: m.displayName,
        salesforceField: m.salesforceField,
        origin: m.origin,
        editable: m.editable,
        active: m.active,
        type: m.type,
        picklistValues: m.picklistValues,
        pushesToSalesforce: reason === null,
        reason,
        updatedAt: iso(m.updatedAt) as string
    };
}

export function conflictView(c: Conflict): ConflictView {
    return {
        id: c.id,
        objectApiName: c.objectApiName,
        recordId: c.sfId,
        field: c.fieldKey,
        salesforceField: c.salesforceField,
        statisfyValue: c.statisfyValue,
        salesforceValue: c.salesforceValue,
        baseValue: c.baseValue,
        policy: c.policy,
        status: c.status,
        resolution: c.resolution,
        editId: c.editId,
        detectedAt: iso(c.detectedAt) as string,
        resolvedAt: iso(c.resolvedAt),
        resolvedBy: c.resolvedBy
    };
}

export function syncErrorView(e: PendingEdit): SyncErrorView {
    return {
        editId: e.id,
        objectApiName: e.objectApiName,
        recordId: e.sfId,
        field: e.fieldKey,
        salesforceField: e.salesforceField,
        value: e.newValue,
        errorCode: e.errorCode,
        message: e.errorMessage,
        attempts: e.attempts,
        occurredAt: iso(e.updatedAt) as string
    };
}
