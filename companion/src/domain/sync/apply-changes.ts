/**
 * Applying Salesforce's changes to the Statisfy side: the shared core of the inbound subscriber (a batch of
 * Record_Change__e events) and of the import/reconcile poller (pages of SOQL rows). For each record, changes
 * apply in SystemModstamp order; each field is classified by VALUE (unchanged, our echo, a change, a conflict
 * with an open edit) and a conflict ends as the object's policy says, always leaving a conflict row.
 */
import type { EntityManager } from 'typeorm';
import { RecordsRepository } from '../../data/records';
import type { FieldMapping, Json, PendingEdit, RecordRow, SyncObject } from '../../data/types';
import type { ConflictPolicy } from '../../../../contracts/sync-rules';
import { classifyInboundField, decideConflict } from './rules/conflict';
import { findKey } from './rules/keys';
import { sameValue } from './rules/values';
import { createRepositories, type EditUpdate, type NewConflict } from '../../data';

/** One change of one Salesforce record, from an event or a SOQL row. */
export interface RecordChange {
    objectApiName: string;
    sfId: string;
    changeType: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';
    /** Salesforce field API name → current value (REST JSON form). */
    values: Record<string, unknown>;
    modstamp: Date;
}

/** Totals of one apply. */
export interface ApplyStats {
    records: number;
    fieldsChanged: number;
    echoes: number;
    conflicts: number;
    stale: number;
    deleted: number;
}

/** The org's configuration as the apply needs it. */
export interface OrgConfig {
    objects: Map<string, SyncObject>;
    /** object (lower case) → Salesforce field (lower case) → active mappings writing to it. */
    bySalesforceField: Map<string, Map<string, FieldMapping[]>>;
    mappings: FieldMapping[];
}

/** Loads sync objects and field mappings of an org. */
export async function loadOrgConfig(m: EntityManager, orgId: string): Promise<OrgConfig> {
    const repos = createRepositories(m);
    const objects = new Map<string, SyncObject>();
    for (const o of await repos.syncObjects.list(orgId)) objects.set(o.objectApiName.toLowerCase(), o);
    const mappings = await repos.fieldMappings.listForOrg(orgId);
    const bySalesforceField = new Map<string, Map<string, FieldMapping[]>>();
    for (const f of mappings) {
        if (!f.active || !f.salesforceField) continue;
        const o = f.objectApiName.toLowerCase();
        let inner = bySalesforceField.get(o);
        if (!inner) bySalesforceField.set(o, (inner = new Map()));
        const k = f.salesforceField.toLowerCase();
        inner.set(k, [...(inner.get(k) ?? []), f]);
    }
    return { objects, bySalesforceField, mappings };
}

function policyOf(config: OrgConfig, objectApiName: string): ConflictPolicy {
    return config.objects.get(objectApiName.toLowerCase())?.conflictPolicy ?? 'Latest_Wins';
}

/**
 * Applies record changes inside the caller's transaction (records and open edits of those records are locked
 * for it). Returns what happened.
 */
export async function applyRecordChanges(
    m: EntityManager,
    orgId: string,
    config: OrgConfig,
    changes: RecordChange[]
): Promise<ApplyStats> {
    const stats: ApplyStats = { records: 0, fieldsChanged: 0, echoes: 0, conflicts: 0, stale: 0, deleted: 0 };
    if (changes.length === 0) return stats;
    const ids = Array.from(new Set(changes.map((c) => c.sfId)));
    const existing = new Map<string, RecordRow>();
    for (const r of await createRepositories(m).records.getMany(orgId, ids, { forUpdate: true }))
        existing.set(r.sfId, r);
    const openEdits = new Map<string, PendingEdit>(); // sfId/field(lower) → newest open edit
    const sentValues = new Map<string, unknown[]>(); // sfId/field(lower) → values of edits being sent right now
    for (const e of await createRepositories(m).pendingEdits.openForRecords(orgId, ids)) {
        const k = `${e.sfId}/${e.salesforceField.toLowerCase()}`;
        const prev = openEdits.get(k);
        if (!prev || BigInt(e.id) > BigInt(prev.id)) openEdits.set(k, e);
        if (e.status === 'in_flight') sentValues.set(k, [...(sentValues.get(k) ?? []), e.newValue]);
    }

    const ordered = [...changes].sort((a, b) =>
        a.sfId < b.sfId ? -1 : a.sfId > b.sfId ? 1 : a.modstamp.getTime() - b.modstamp.getTime()
    );
    const touched = new Map<string, RecordRow>();
    const editUpdates = new Map<string, EditUpdate>();
    const conflicts: NewConflict[] = [];

    for (const ch of ordered) {
        const rec: RecordRow = touched.get(ch.sfId) ??
            existing.get(ch.sfId) ?? {
                orgId,
                objectApiName: ch.objectApiName,
                sfId: ch.sfId,
                fields: {},
                sfValues: {},
                systemModstamp: null,
                deleted: false,
                updatedAt: new Date()
            };
        if (rec.systemModstamp && ch.modstamp.getTime() < rec.systemModstamp.getTime()) {
            stats.stale += 1;
            continue;
        }
        const next: RecordRow = { ...rec, fields: { ...rec.fields }, sfValues: { ...rec.sfValues } };
        next.systemModstamp = ch.modstamp;
        if (ch.changeType === 'DELETE') {
            if (!existing.has(ch.sfId) && !touched.has(ch.sfId)) continue; // a delete of a record we never held
            next.deleted = true;
            stats.deleted += 1;
            touched.set(ch.sfId, next);
            continue;
        }
        next.deleted = false;
        const mapped = config.bySalesforceField.get(ch.objectApiName.toLowerCase());
        const policy = policyOf(config, ch.objectApiName);
        for (const [field, value] of Object.entries(ch.values)) {
            const storedField = findKey(next.sfValues, field) ?? field;
            const has = storedField in next.sfValues;
            const lastKnown = next.sfValues[storedField];
            const editKey = `${ch.sfId}/${field.toLowerCase()}`;
            const candidate = openEdits.get(editKey);
            const earlier = candidate ? editUpdates.get(candidate.id) : undefined;
            const edit =
                candidate && (!earlier || earlier.status === 'pending')
                    ? {
                          ...candidate,
                          status: candidate.status as 'pending' | 'in_flight',
                          baseValue:
                              earlier?.baseValue !== undefined ? (earlier.baseValue as Json) : candidate.baseValue
                      }
                    : undefined;
            const keys = (mapped?.get(field.toLowerCase()) ?? []).map((f) => f.key);
            const kind = classifyInboundField(value, lastKnown, edit, has);
            if (storedField !== field) delete next.sfValues[storedField];
            next.sfValues[field] = (value ?? null) as Json;
            // Our own write of an older edit coming back while a newer edit of the field waits (issue 9 B4): an
            // echo, not a Salesforce change — the newer edit stays, based on the value that just landed.
            if (
                (kind === 'conflict' || kind === 'change') &&
                (sentValues.get(editKey) ?? []).some((v) => sameValue(v, value))
            ) {
                if (edit && edit.status === 'pending' && !sameValue(edit.baseValue, value))
                    editUpdates.set(edit.id, { id: edit.id, status: 'pending', baseValue: value ?? null });
                stats.echoes += 1;
                continue;
            }
            if (kind === 'unchanged') {
                for (const k of keys) if (!(k in next.fields)) next.fields[k] = (value ?? null) as Json;
                continue;
            }
            if (kind === 'echo') {
                stats.echoes += 1;
                // A pending (not yet sent) edit whose value Salesforce now holds needs no sending.
                if (edit && edit.status === 'pending')
                    editUpdates.set(edit.id, { id: edit.id, status: 'succeeded', errorCode: null, errorMessage: null });
                continue;
            }
            if (kind === 'change' || !edit) {
                stats.fieldsChanged += 1;
                for (const k of keys) next.fields[k] = (value ?? null) as Json;
                continue;
            }
            // A Salesforce change to a field with an open Statisfy edit of another value. An edit being sent right
            // now is decided when its result comes back (the flusher compares then); only its base is known here.
            if (edit.status === 'in_flight') continue;
            const decision = decideConflict({
                policy,
                baseValue: edit.baseValue,
                statisfyValue: edit.newValue,
                salesforceValue: value,
                salesforceModstamp: ch.modstamp,
                editedAt: edit.createdAt
            });
            if (decision === 'send') continue; // Salesforce moved back to the base value: the edit still applies
            stats.conflicts += 1;
            const base: NewConflict = {
                objectApiName: ch.objectApiName,
                sfId: ch.sfId,
                fieldKey: edit.fieldKey,
                salesforceField: edit.salesforceField,
                statisfyValue: edit.newValue,
                salesforceValue: value,
                baseValue: edit.baseValue,
                policy,
                status: 'resolved',
                resolution: null,
                editId: edit.id
            };
            if (decision === 'salesforce_wins' && edit.status === 'pending') {
                conflicts.push({ ...base, resolution: 'salesforce' });
                editUpdates.set(edit.id, {
                    id: edit.id,
                    status: 'conflict',
                    errorCode: 'CONFLICT',
                    errorMessage: `Salesforce changed ${edit.salesforceField} to ${JSON.stringify(value)} after this edit; policy ${policy} kept Salesforce's value`
                });
                for (const k of keys) next.fields[k] = (value ?? null) as Json;
            } else if (decision === 'park' && edit.status === 'pending') {
                conflicts.push({ ...base, status: 'open' });
                editUpdates.set(edit.id, {
                    id: edit.id,
                    status: 'conflict',
                    errorCode: 'CONFLICT',
                    errorMessage: `Salesforce changed ${edit.salesforceField} to ${JSON.stringify(value)}; waiting for a person to resolve (policy Manual)`
                });
            } else {
                // Statisfy wins (or the edit is already on its way and will land after this change): the edit is
                // now based on Salesforce's new value, so the pre-write check lets it through.
                conflicts.push({ ...base, resolution: 'statisfy' });
                if (edit.status === 'pending')
                    editUpdates.set(edit.id, { id: edit.id, status: 'pending', baseValue: value ?? null });
            }
        }
        touched.set(ch.sfId, next);
    }

    const repo = new RecordsRepository(m);
    await repo.upsertMany(
        orgId,
        Array.from(touched.values()).map((r) => ({
            objectApiName: r.objectApiName,
            sfId: r.sfId,
            fields: r.fields,
            sfValues: r.sfValues,
            systemModstamp: r.systemModstamp,
            deleted: r.deleted
        }))
    );
    const repos = createRepositories(m);
    await repos.pendingEdits.applyUpdates(orgId, Array.from(editUpdates.values()));
    await repos.conflicts.insertMany(orgId, conflicts);
    stats.records = touched.size;
    return stats;
}
