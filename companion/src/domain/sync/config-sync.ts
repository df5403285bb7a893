/**
 * The configuration records synced both ways: `Sync_Object__c` / `Field_Mapping__c` in the org ⇄ the
 * `sync_objects` / `field_mappings` tables. Inbound (events and the pull at start) writes the tables and stamps
 * `sf_synced_at = updated_at`; a companion-side edit (A's domain, audited) leaves `updated_at > sf_synced_at`,
 * and {@link pushConfig} upserts those rows into the org by external id (Object_Api_Name__c / Key__c).
 */
import type { DataSource, EntityManager } from 'typeorm';
import { rows, toFieldMapping, toSyncObject } from '../../data/rows';
import type { ConflictPolicy, FieldMapping, SyncObject } from '../../data/types';
import type { SalesforceGateway, SfRecord } from '../../salesforce/gateway';
import type { RecordResult } from './rules/classify';
import type { PackageNames } from '../../salesforce/names';
import { DEFAULT_CONFLICT_POLICY, isConflictPolicy } from '../../../../contracts/sync-rules';

/** Resolves the Statisfy type of a Salesforce field (from describe), or null when unknown. */
export type TypeResolver = (objectApiName: string, salesforceField: string) => Promise<string | null>;

/** Sync_Object__c fields the companion reads and writes. */
export const SYNC_OBJECT_FIELDS = [
    'Name',
    'Object_Api_Name__c',
    'Display_Name__c',
    'Sync_To_Salesforce__c',
    'Enabled__c',
    'Record_Filter__c',
    'Conflict_Policy__c'
] as const;
/** Field_Mapping__c fields the companion reads and writes. */
export const FIELD_MAPPING_FIELDS = [
    'Name',
    'Sync_Object__c',
    'Key__c',
    'Salesforce_Field__c',
    'Display_Name__c',
    'Editable__c',
    'Origin__c',
    'Active__c'
] as const;

const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const bool = (v: unknown): boolean => v === true || v === 'true';

/** Applies one Sync_Object__c record (event values or SOQL row) to sync_objects; a delete disables the object. */
export async function applySyncObjectRecord(
    m: EntityManager,
    orgId: string,
    names: PackageNames,
    sfId: string,
    values: Record<string, unknown>,
    deleted: boolean
): Promise<void> {
    if (deleted) {
        await m.query(
            `UPDATE sync_objects SET enabled = false, updated_at = now(), sf_synced_at = now()
             WHERE org_id = $1 AND sf_record_id = $2`,
            [orgId, sfId]
        );
        return;
    }
    const objectApiName = str(names.get(values, 'Object_Api_Name__c'));
    if (!objectApiName) return;
    const policyRaw = str(names.get(values, 'Conflict_Policy__c'));
    const policy: ConflictPolicy = isConflictPolicy(policyRaw) ? policyRaw : DEFAULT_CONFLICT_POLICY;
    const kind = /__c$/i.test(objectApiName) ? 'custom' : 'standard';
    await m.query(
        `INSERT INTO sync_objects AS s (org_id, object_api_name, display_name, kind, sync_to_salesforce, enabled, record_filter,
                                        conflict_policy, sf_record_id, updated_at, sf_synced_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9, now(), now())
         ON CONFLICT (org_id, object_api_name) DO UPDATE SET
           display_name = EXCLUDED.display_name, sync_to_salesforce = EXCLUDED.sync_to_salesforce,
           enabled = EXCLUDED.enabled, record_filter = EXCLUDED.record_filter, conflict_policy = EXCLUDED.conflict_policy,
           sf_record_id = EXCLUDED.sf_record_id, updated_at = now(), sf_synced_at = now()
         WHERE (s.display_name, s.sync_to_salesforce, s.enabled, coalesce(s.record_filter, ''), s.conflict_policy,
                coalesce(s.sf_record_id, ''))
               IS DISTINCT FROM (EXCLUDED.display_name, EXCLUDED.sync_to_salesforce, EXCLUDED.enabled,
                coalesce(EXCLUDED.record_filter, ''), EXCLUDED.conflict_policy, EXCLUDED.sf_record_id)`,
        [
            orgId,
            objectApiName,
            str(names.get(values, 'Display_Name__c')) ?? str(values.Name) ?? objectApiName,
            kind,
            bool(names.get(values, 'Sync_To_Salesforce__c')),
            bool(names.get(values, 'Enabled__c')),
            str(names.get(values, 'Record_Filter__c')),
            policy,
            sfId
        ]
    );
}

/** Applies one Field_Mapping__c record to field_mappings; a delete makes the mapping inactive. */
export async function applyFieldMappingRecord(
    m: EntityManager,
    orgId: string,
    names: PackageNames,
    sfId: string,
    values: Record<string, unknown>,
    deleted: boolean,
    resolveType?: TypeResolver
): Promise<void> {
    if (deleted) {
        await m.query(
            `UPDATE field_mappings SET active = false, updated_at = now(), sf_synced_at = now()
             WHERE org_id = $1 AND sf_record_id = $2`,
            [orgId, sfId]
        );
        return;
    }
    const key = str(names.get(values, 'Key__c'));
    if (!key) return;
    const parentId = str(names.get(values, 'Sync_Object__c'));
    let objectApiName: string | null = null;
    if (parentId) {
        const [parent] = await rows(
            m,
            'SELECT object_api_name FROM sync_objects WHERE org_id = $1 AND left(sf_record_id, 15) = left($2, 15)',
            [orgId, parentId]
        );
        objectApiName = parent?.object_api_name ?? null;
    }
    objectApiName ??= key.includes('.') ? key.slice(0, key.indexOf('.')) : null;
    if (!objectApiName) return;
    const salesforceField = str(names.get(values, 'Salesforce_Field__c'));
    const originRaw = str(names.get(values, 'Origin__c')) ?? 'Salesforce';
    const origin = originRaw.toLowerCase() === 'statisfy' ? 'statisfy' : 'salesforce';
    const [current] = await rows(m, 'SELECT type FROM field_mappings WHERE org_id = $1 AND key = $2', [orgId, key]);
    const type =
        (salesforceField && resolveType ? await resolveType(objectApiName, salesforceField).catch(() => null) : null) ??
        current?.type ??
        'string';
    await m.query(
        `INSERT INTO field_mappings AS f (org_id, object_api_name, key, display_name, salesforce_field, origin, editable, active,
                                          type, sf_record_id, updated_at, sf_synced_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10, now(), now())
         ON CONFLICT (org_id, key) DO UPDATE SET
           object_api_name = EXCLUDED.object_api_name, display_name = EXCLUDED.display_name,
           salesforce_field = EXCLUDED.salesforce_field, origin = EXCLUDED.origin, editable = EXCLUDED.editable,
           active = EXCLUDED.active, type = EXCLUDED.type, sf_record_id = EXCLUDED.sf_record_id,
           updated_at = now(), sf_synced_at = now()
         WHERE (f.object_api_name, f.display_name, coalesce(f.salesforce_field, ''), f.origin, f.editable, f.active,
                coalesce(f.sf_record_id, ''))
               IS DISTINCT FROM (EXCLUDED.object_api_name, EXCLUDED.display_name, coalesce(EXCLUDED.salesforce_field, ''),
                EXCLUDED.origin, EXCLUDED.editable, EXCLUDED.active, EXCLUDED.sf_record_id)`,
        [
            orgId,
            objectApiName,
            key,
            str(names.get(values, 'Display_Name__c')) ?? str(values.Name) ?? key,
            salesforceField,
            origin,
            bool(names.get(values, 'Editable__c')),
            bool(names.get(values, 'Active__c')),
            type,
            sfId
        ]
    );
}

/** Reads every Sync_Object__c and Field_Mapping__c of the org into the configuration tables. */
export async function pullConfig(
    ds: DataSource,
    orgId: string,
    gateway: SalesforceGateway,
    names: PackageNames,
    resolveType?: TypeResolver
): Promise<{ objects: number; mappings: number }> {
    const cols = (fields: readonly string[]) => fields.map((f) => (f === 'Name' ? 'Name' : names.n(f))).join(', ');
    const objs = await gateway.queryAll(`SELECT Id, ${cols(SYNC_OBJECT_FIELDS)} FROM ${names.n('Sync_Object__c')}`);
    const maps = await gateway.queryAll(`SELECT Id, ${cols(FIELD_MAPPING_FIELDS)} FROM ${names.n('Field_Mapping__c')}`);
    await ds.transaction(async (m) => {
        for (const r of objs) await applySyncObjectRecord(m, orgId, names, String(r.Id), r, false);
        for (const r of maps) await applyFieldMappingRecord(m, orgId, names, String(r.Id), r, false, resolveType);
    });
    return { objects: objs.length, mappings: maps.length };
}

function syncObjectToSf(o: SyncObject, names: PackageNames): SfRecord {
    return {
        Name: o.displayName.slice(0, 80),
        [names.n('Object_Api_Name__c')]: o.objectApiName,
        [names.n('Display_Name__c')]: o.displayName,
        [names.n('Sync_To_Salesforce__c')]: o.syncToSalesforce,
        [names.n('Enabled__c')]: o.enabled,
        [names.n('Record_Filter__c')]: o.recordFilter,
        [names.n('Conflict_Policy__c')]: o.conflictPolicy
    };
}

function fieldMappingToSf(f: FieldMapping, parentId: string, names: PackageNames): SfRecord {
    // The master-detail parent is set when the record is created; it is not reparentable afterwards.
    return {
        Name: f.displayName.slice(0, 80),
        ...(f.sfRecordId ? {} : { [names.n('Sync_Object__c')]: parentId }),
        [names.n('Key__c')]: f.key,
        [names.n('Salesforce_Field__c')]: f.salesforceField,
        [names.n('Display_Name__c')]: f.displayName,
        [names.n('Editable__c')]: f.editable,
        [names.n('Origin__c')]: f.origin === 'statisfy' ? 'Statisfy' : 'Salesforce',
        [names.n('Active__c')]: f.active
    };
}

/** Outcome of a push. */
export interface PushResult {
    objects: number;
    mappings: number;
    errors: string[];
}

/**
 * Pushes companion-side configuration changes to the org: upserts Sync_Object__c by Object_Api_Name__c and
 * Field_Mapping__c by Key__c (collections of ≤200), then stamps the rows synced as of the change it sent.
 */
export async function pushConfig(
    ds: DataSource,
    orgId: string,
    gateway: SalesforceGateway,
    names: PackageNames
): Promise<PushResult> {
    const result: PushResult = { objects: 0, mappings: 0, errors: [] };
    const objs = (
        await rows(
            ds.manager,
            `SELECT * FROM sync_objects WHERE org_id = $1 AND (sf_synced_at IS NULL OR updated_at > sf_synced_at)
             ORDER BY object_api_name`,
            [orgId]
        )
    ).map((r) => ({ row: toSyncObject(r), updatedAt: r.updated_at as Date }));
    if (objs.length) {
        const res = await gateway.upsertByExternalId(
            names.n('Sync_Object__c'),
            names.n('Object_Api_Name__c'),
            objs.map((o) => syncObjectToSf(o.row, names))
        );
        result.objects += await recordPushResults(
            ds,
            orgId,
            'sync_objects',
            objs,
            res,
            (o) => o.row.objectApiName,
            result.errors
        );
    }
    const maps = (
        await rows(
            ds.manager,
            `SELECT f.*, s.sf_record_id AS parent_sf_id FROM field_mappings f
             JOIN sync_objects s ON s.org_id = f.org_id AND s.object_api_name = f.object_api_name
             WHERE f.org_id = $1 AND (f.sf_synced_at IS NULL OR f.updated_at > f.sf_synced_at) AND s.sf_record_id IS NOT NULL
             ORDER BY f.key`,
            [orgId]
        )
    ).map((r) => ({ row: toFieldMapping(r), updatedAt: r.updated_at as Date, parent: String(r.parent_sf_id) }));
    if (maps.length) {
        const res = await gateway.upsertByExternalId(
            names.n('Field_Mapping__c'),
            names.n('Key__c'),
            maps.map((f) => fieldMappingToSf(f.row, f.parent, names))
        );
        result.mappings += await recordPushResults(
            ds,
            orgId,
            'field_mappings',
            maps,
            res,
            (f) => f.row.key,
            result.errors
        );
    }
    return result;
}

/**
 * Records the outcome of one configuration upsert in one transaction: each pushed row gets its
 * `sf_synced_at` (the `updated_at` that was pushed) and its Salesforce id; each refused row adds an error
 * naming it. Returns how many rows were pushed.
 */
async function recordPushResults<T extends { row: { id: string }; updatedAt: Date }>(
    ds: DataSource,
    orgId: string,
    table: 'sync_objects' | 'field_mappings',
    items: T[],
    results: RecordResult[],
    label: (item: T) => string,
    errors: string[]
): Promise<number> {
    let pushed = 0;
    await ds.transaction(async (m) => {
        for (let i = 0; i < items.length; i++) {
            const r = results[i];
            if (r?.success) {
                pushed += 1;
                await m.query(
                    `UPDATE ${table} SET sf_synced_at = $3, sf_record_id = COALESCE($4, sf_record_id)
                     WHERE org_id = $1 AND id = $2`,
                    [orgId, items[i].row.id, items[i].updatedAt, r.id ?? null]
                );
            } else
                errors.push(`${label(items[i])}: ${(r?.errors ?? []).map((e) => e.message).join('; ') || 'no result'}`);
        }
    });
    return pushed;
}
