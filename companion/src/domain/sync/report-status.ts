/**
 * Keeps the org's Sync_Status__c (one record per object plus `*` for the connection) and Sync_Error__c (one per
 * failed edit, external id = outbox row id) current, by upsert on their external ids. Status writes are
 * non-urgent work: they pause when the API budget is nearly spent.
 */
import type { DataSource } from 'typeorm';
import { createRepositories, sumCounts, type PendingEdit } from '../../data';
import type { SalesforceGateway } from '../../salesforce/gateway';
import type { PackageNames } from '../../salesforce/names';

/** Connection_State__c picklist values. */
export type ConnectionState = 'Connected' | 'Disconnected' | 'Error' | 'Paused';

/** The times the status reports. */
export interface StatusTimes {
    lastInboundAt: Date | null;
    lastOutboundAt: Date | null;
    lastFullSyncAt: Date | null;
}

/** Upserts Sync_Status__c for the org (`*`) and every enabled object; returns the records written. */
export async function writeSyncStatus(
    ds: DataSource,
    orgId: string,
    gateway: SalesforceGateway,
    names: PackageNames,
    state: ConnectionState,
    times: StatusTimes,
    message: string | null
): Promise<number> {
    const repos = createRepositories(ds.manager);
    const countRows = await repos.pendingEdits.countsByObject(orgId);
    const objects = (await repos.syncObjects.list(orgId)).filter((o) => o.enabled).map((o) => o.objectApiName);
    const countsOf = (rows: typeof countRows) => {
        const c = sumCounts(rows);
        return { pending: c.pending + c.inFlight, failed: c.failed, conflicts: c.openConflicts };
    };
    const usage = gateway.apiUsage ? `${gateway.apiUsage.used}/${gateway.apiUsage.limit}`.slice(0, 64) : null;
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    const rec = (object: string, c: { pending: number; failed: number; conflicts: number }) => ({
        Name: object.slice(0, 80),
        [names.n('Object_Api_Name__c')]: object,
        [names.n('Connection_State__c')]: state,
        [names.n('Last_Inbound_At__c')]: iso(times.lastInboundAt),
        [names.n('Last_Outbound_At__c')]: iso(times.lastOutboundAt),
        [names.n('Last_Full_Sync_At__c')]: iso(times.lastFullSyncAt),
        [names.n('Pending_Count__c')]: c.pending,
        [names.n('Failed_Count__c')]: c.failed,
        [names.n('Conflict_Count__c')]: c.conflicts,
        [names.n('Api_Usage__c')]: usage,
        [names.n('Message__c')]: message ? message.slice(0, 255) : null
    });
    const records = [
        rec('*', countsOf(countRows)),
        ...objects.map((o) => rec(o, countsOf(countRows.filter((r) => r.objectApiName === o))))
    ];
    await gateway.upsertByExternalId(names.n('Sync_Status__c'), names.n('Object_Api_Name__c'), records);
    return records.length;
}

/** Upserts one Sync_Error__c per failed edit (external id Edit_Id__c = the outbox row id). */
export async function writeSyncErrors(
    gateway: SalesforceGateway,
    names: PackageNames,
    edits: PendingEdit[],
    at = new Date()
): Promise<number> {
    if (edits.length === 0) return 0;
    const records = edits.map((e) => ({
        [names.n('Edit_Id__c')]: e.id,
        [names.n('Object_Api_Name__c')]: e.objectApiName,
        [names.n('Record_Id__c')]: e.sfId,
        [names.n('Field__c')]: e.salesforceField,
        [names.n('Error_Code__c')]: (e.errorCode ?? 'UNKNOWN').slice(0, 80),
        [names.n('Message__c')]: (e.errorMessage ?? '').slice(0, 32768),
        [names.n('Occurred_At__c')]: at.toISOString(),
        [names.n('Resolved__c')]: false
    }));
    await gateway.upsertByExternalId(names.n('Sync_Error__c'), names.n('Edit_Id__c'), records);
    return records.length;
}
