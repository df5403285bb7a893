/**
 * First import and periodic reconcile of one synced object: SOQL on `SystemModstamp > checkpoint − skew`
 * (paged with queryMore; a Bulk API 2.0 query for a first import past a size threshold), each page applied in one
 * transaction through the same code as inbound events (so echo and conflicts behave alike) with the object's
 * checkpoint stored in that transaction. It covers objects without triggers, events lost past retention, and
 * anything a replay could not bring back.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { SyncObject } from '../../data/types';
import type { SalesforceGateway, SfRecord } from '../../salesforce/gateway';
import { applyRecordChanges, loadOrgConfig, RecordChange } from './apply-changes';
import { createRepositories } from '../../data';

/** The reconcile cursor of an object (the newest SystemModstamp applied, epoch ms), or null. */
async function readCursor(m: EntityManager, orgId: string, channel: string): Promise<number | null> {
    const stored = await createRepositories(m).eventCheckpoints.get(orgId, channel);
    return stored === null ? null : Number(stored);
}

/** Checkpoint channel name of an object's reconcile cursor (epoch ms of the last SystemModstamp applied). */
export const reconcileChannel = (objectApiName: string): string => `reconcile:${objectApiName}`;

/** Options of {@link reconcileObject}. */
export interface ReconcileOptions {
    /** Ignore the checkpoint and read every record (FULL sync, first import). */
    full?: boolean;
    /** Overlap with the previous run, for clock skew and in-flight transactions (default 5 min). */
    skewMs?: number;
    /** Records above which a first import uses Bulk API 2.0 (default 10,000). */
    bulkThreshold?: number;
}

/** What one reconcile did. */
export interface ReconcileResult {
    objectApiName: string;
    records: number;
    changed: number;
    conflicts: number;
    bulk: boolean;
    since: Date | null;
}

/** SOQL datetime literal (seconds precision, UTC). */
export function soqlDateTime(d: Date): string {
    return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Builds the reconcile query of one object. */
export function reconcileQuery(
    objectApiName: string,
    fields: string[],
    since: Date | null,
    recordFilter: string | null
): string {
    const cols = Array.from(new Set(['Id', 'SystemModstamp', ...fields]));
    const where: string[] = [];
    if (since) where.push(`SystemModstamp > ${soqlDateTime(since)}`);
    if (recordFilter && recordFilter.trim()) where.push(`(${recordFilter.trim()})`);
    return `SELECT ${cols.join(', ')} FROM ${objectApiName}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY SystemModstamp, Id`;
}

/** Reconciles (or first imports) one object. */
export async function reconcileObject(
    ds: DataSource,
    orgId: string,
    gateway: SalesforceGateway,
    object: SyncObject,
    options: ReconcileOptions = {}
): Promise<ReconcileResult> {
    const channel = reconcileChannel(object.objectApiName);
    const stored = options.full ? null : await readCursor(ds.manager, orgId, channel);
    const since = stored === null ? null : new Date(stored - (options.skewMs ?? 5 * 60_000));
    // A first import (no cursor yet) is counted as `import`, an incremental pass as the caller's purpose.
    if (since === null) gateway = gateway.for('import');
    const config = await loadOrgConfig(ds.manager, orgId);
    const fields = Array.from(
        new Set(
            config.mappings
                .filter(
                    (f) =>
                        f.active &&
                        f.salesforceField &&
                        f.objectApiName.toLowerCase() === object.objectApiName.toLowerCase()
                )
                .map((f) => f.salesforceField as string)
        )
    );
    const soql = reconcileQuery(object.objectApiName, fields, since, object.recordFilter);
    const result: ReconcileResult = {
        objectApiName: object.objectApiName,
        records: 0,
        changed: 0,
        conflicts: 0,
        bulk: false,
        since
    };

    // Incremental runs read the recycle bin too (queryAll with IsDeleted), so deletes missed as events are applied.
    let pages: AsyncGenerator<SfRecord[]> =
        since === null
            ? gateway.queryPages(soql)
            : gateway.queryPages(soql.replace(/^SELECT Id, SystemModstamp/, 'SELECT Id, SystemModstamp, IsDeleted'), {
                  all: true
              });
    if (since === null) {
        const threshold = options.bulkThreshold ?? 10_000;
        const total = await countRecords(gateway, object, soql).catch(() => 0);
        if (total > threshold) {
            result.bulk = true;
            // Bulk results are CSV text: bring numbers and checkboxes back to their JSON types, as SOQL and events give them.
            const describe = await gateway.conn.sobject(object.objectApiName).describe();
            gateway.for('describe').count(1);
            const types = new Map(describe.fields.map((f) => [f.name.toLowerCase(), f.type]));
            pages = typed(gateway.bulkQuery(soql.replace(/ ORDER BY .*$/, '')), types);
        }
    }
    for await (const page of pages) {
        if (page.length === 0) continue;
        const changes: RecordChange[] = page.map((r) => {
            const { Id, SystemModstamp, IsDeleted, ...values } = r;
            return {
                objectApiName: object.objectApiName,
                sfId: String(Id),
                changeType: IsDeleted === true ? 'DELETE' : 'UPDATE',
                values: normalizeRow(values),
                modstamp: new Date(String(SystemModstamp))
            };
        });
        const max = Math.max(...changes.map((c) => c.modstamp.getTime()));
        await ds.transaction(async (m) => {
            const stats = await applyRecordChanges(m, orgId, await loadOrgConfig(m, orgId), changes);
            result.changed += stats.fieldsChanged;
            result.conflicts += stats.conflicts;
            const current = await readCursor(m, orgId, channel);
            if (Number.isFinite(max) && (current === null || max > current))
                await createRepositories(m).eventCheckpoints.set(orgId, channel, max);
        });
        result.records += page.length;
    }
    if (result.records === 0 && stored === null)
        await createRepositories(ds.manager).eventCheckpoints.set(orgId, channel, 0);
    return result;
}

async function countRecords(gateway: SalesforceGateway, object: SyncObject, soql: string): Promise<number> {
    const where = / WHERE (.*) ORDER BY /.exec(soql)?.[1];
    const res = (await gateway.conn.query(
        `SELECT COUNT() FROM ${object.objectApiName}${where ? ` WHERE ${where}` : ''}`
    )) as {
        totalSize: number;
    };
    gateway.count(1);
    return res.totalSize;
}

const NUMBER_TYPES = new Set(['double', 'currency', 'percent', 'int', 'long']);

async function* typed(pages: AsyncGenerator<SfRecord[]>, types: Map<string, string>): AsyncGenerator<SfRecord[]> {
    for await (const page of pages)
        yield page.map((r) => {
            const out: SfRecord = {};
            for (const [k, v] of Object.entries(r)) {
                const t = types.get(k.toLowerCase());
                if (v === '' || v === null || v === undefined) out[k] = null;
                else if (t && NUMBER_TYPES.has(t)) out[k] = Number(v);
                else if (t === 'boolean') out[k] = v === true || v === 'true';
                else out[k] = v;
            }
            return out;
        });
}

/** Bulk CSV rows carry strings; SOQL rows carry JSON types. Keep JSON types, turn Bulk's empty strings into null. */
function normalizeRow(values: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) out[k] = v === '' ? null : v;
    return out;
}
