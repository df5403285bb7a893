/**
 * Applying a batch of platform events in ONE transaction: dedupe on EventUuid (processed_events), configuration
 * events (Sync_Object__c / Field_Mapping__c) first, then record changes in Modstamp order per record, and the
 * channel's replay id stored in the same transaction, so a crash never loses or double-applies a batch.
 * `Record_Change__e` is read through the shared contract (contracts/record-change.ts `expandRecordChange`): the
 * batched shape (one event per trigger chunk, every record in `Records__c`) and the old one-record shape of older
 * package versions both become per-record changes.
 */
import type { DataSource } from 'typeorm';
import {
    expandRecordChange,
    InvalidRecordChangeError,
    type RecordChangeItem
} from '../../../../contracts/record-change';
import type { PackageNames } from '../../salesforce/names';
import { applyRecordChanges, ApplyStats, loadOrgConfig, RecordChange } from './apply-changes';
import { applyFieldMappingRecord, applySyncObjectRecord, TypeResolver } from './config-sync';
import { createRepositories } from '../../data';

/** An event as the CometD listener receives it (`message.data`), with its channel. */
export interface ChannelEvent {
    channel: string;
    data: {
        schema?: string;
        payload: Record<string, unknown>;
        event: { replayId: number; EventUuid?: string };
    };
}

/** A Sync_Request__e ("Sync now") the engine acts on after the batch commits. */
export interface SyncRequest {
    objectApiName: string | null;
    kind: 'INCREMENTAL' | 'FULL';
    requestedById: string | null;
}

/** A Record_Change__e whose Values__c was too large to carry (R6): the subscriber reads the record itself. */
export interface MissingValues {
    objectApiName: string;
    sfId: string;
}

/** Outcome of one batch. */
export interface BatchResult extends ApplyStats {
    events: number;
    duplicates: number;
    configChanges: number;
    syncRequests: SyncRequest[];
    missingValues: MissingValues[];
    /** Highest replay id stored per channel. */
    replayIds: Record<string, number>;
}

/** The per-record changes of a Record_Change__e payload; a payload that is neither shape is skipped. */
function recordChangesOf(payload: Record<string, unknown>, names: PackageNames): RecordChangeItem[] {
    try {
        return expandRecordChange(payload, { namespace: names.namespace });
    } catch (e) {
        if (e instanceof InvalidRecordChangeError) return [];
        throw e;
    }
}

/** Applies one batch (see the module comment). */
export async function applyEventBatch(
    ds: DataSource,
    orgId: string,
    names: PackageNames,
    events: ChannelEvent[],
    resolveType?: TypeResolver
): Promise<BatchResult> {
    const result: BatchResult = {
        events: events.length,
        duplicates: 0,
        configChanges: 0,
        syncRequests: [],
        missingValues: [],
        replayIds: {},
        records: 0,
        fieldsChanged: 0,
        echoes: 0,
        conflicts: 0,
        stale: 0,
        deleted: 0
    };
    if (events.length === 0) return result;
    const recordChannel = names.channel('Record_Change__e');
    const requestChannel = names.channel('Sync_Request__e');
    await ds.transaction(async (m) => {
        const repos = createRepositories(m);
        const uuids = events.map((e) => e.data.event.EventUuid?.toLowerCase()).filter((u): u is string => !!u);
        const fresh = await repos.processedEvents.markProcessed(orgId, Array.from(new Set(uuids)));
        const seen = new Set<string>();
        const config: { local: string; sfId: string; values: Record<string, unknown>; deleted: boolean; at: number }[] =
            [];
        const changes: RecordChange[] = [];
        for (const e of events) {
            const channel = e.channel;
            const replayId = Number(e.data.event.replayId);
            if (Number.isFinite(replayId))
                result.replayIds[channel] = Math.max(result.replayIds[channel] ?? -Infinity, replayId);
            const uuid = e.data.event.EventUuid?.toLowerCase();
            if (uuid && (!fresh.has(uuid) || seen.has(uuid))) {
                result.duplicates += 1;
                continue;
            }
            if (uuid) seen.add(uuid);
            const p = e.data.payload;
            if (channel === requestChannel) {
                const kind =
                    String(names.get(p, 'Kind__c') ?? 'INCREMENTAL').toUpperCase() === 'FULL' ? 'FULL' : 'INCREMENTAL';
                const obj = names.get<string>(p, 'Object_Api_Name__c');
                result.syncRequests.push({
                    objectApiName: obj ? String(obj) : null,
                    kind,
                    requestedById: (names.get<string>(p, 'Requested_By_Id__c') as string | undefined) ?? null
                });
                continue;
            }
            if (channel !== recordChannel) continue;
            for (const rc of recordChangesOf(p, names)) {
                const { objectApiName, changeType } = rc;
                const sfId = rc.recordId;
                const modstamp = new Date(rc.modstamp);
                const values = rc.values;
                const deleted = changeType === 'DELETE';
                if (
                    names.isPackageObject(objectApiName, 'Sync_Object__c') ||
                    names.isPackageObject(objectApiName, 'Field_Mapping__c')
                ) {
                    if (!values && !deleted) continue;
                    config.push({
                        local: names.local(objectApiName),
                        sfId,
                        values: values ?? {},
                        deleted,
                        at: modstamp.getTime()
                    });
                    continue;
                }
                if (!values && !deleted) {
                    result.missingValues.push({ objectApiName, sfId });
                    continue;
                }
                changes.push({
                    objectApiName,
                    sfId,
                    changeType,
                    values: values ?? {},
                    modstamp
                });
            }
        }
        // Configuration first (objects before their mappings), so record changes see the new mappings.
        config.sort((a, b) => (a.local === b.local ? a.at - b.at : a.local === 'Sync_Object__c' ? -1 : 1));
        for (const c of config) {
            if (c.local === 'Sync_Object__c') await applySyncObjectRecord(m, orgId, names, c.sfId, c.values, c.deleted);
            else await applyFieldMappingRecord(m, orgId, names, c.sfId, c.values, c.deleted, resolveType);
            result.configChanges += 1;
        }
        if (changes.length) {
            const stats = await applyRecordChanges(m, orgId, await loadOrgConfig(m, orgId), changes);
            Object.assign(result, stats);
        }
        for (const [channel, replayId] of Object.entries(result.replayIds))
            await repos.eventCheckpoints.set(orgId, channel, replayId);
    });
    return result;
}
