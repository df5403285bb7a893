/**
 * The configuration records synced both ways: `Sync_Object__c` / `Field_Mapping__c` in the org ⇄ the
 * `sync_objects` / `field_mappings` tables. Every content change bumps a row's `version` (a database trigger);
 * inbound (events and the pull at start) records the new version as synced in the same statement, a companion-side
 * edit (audited) leaves `sf_synced_version < version`, and {@link pushConfig} upserts exactly those rows into the
 * org by external id (Object_Api_Name__c / Key__c), then records the version it sent. Versions, never timestamps:
 * a microsecond `updated_at` compared with a millisecond JavaScript Date made every row look unpushed forever.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { createRepositories } from '../../data';
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
        await createRepositories(m).syncObjects.disableFromSalesforce(orgId, sfId);
        return;
    }
    const objectApiName = str(names.get(values, 'Object_Api_Name__c'));
    if (!objectApiName) return;
    const policyRaw = str(names.get(values, 'Conflict_Policy__c'));
    const policy: ConflictPolicy = isConflictPolicy(policyRaw) ? policyRaw : DEFAULT_CONFLICT_POLICY;
    const kind = /__c$/i.test(objectApiName) ? 'custom' : 'standard';
    await createRepositories(m).syncObjects.applyFromSalesforce(orgId, {
        objectApiName,
        displayName: str(names.get(values, 'Display_Name__c')) ?? str(values.Name) ?? objectApiName,
        kind,
        syncToSalesforce: bool(names.get(values, 'Sync_To_Salesforce__c')),
        enabled: bool(names.get(values, 'Enabled__c')),
        recordFilter: str(names.get(values, 'Record_Filter__c')),
        conflictPolicy: policy,
        sfRecordId: sfId
    });
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
        await createRepositories(m).fieldMappings.deactivateFromSalesforce(orgId, sfId);
        return;
    }
    const key = str(names.get(values, 'Key__c'));
    if (!key) return;
    const parentId = str(names.get(values, 'Sync_Object__c'));
    let objectApiName: string | null = null;
    if (parentId) {
        objectApiName = await createRepositories(m).syncObjects.objectOfSalesforceRecord(orgId, parentId);
    }
    objectApiName ??= key.includes('.') ? key.slice(0, key.indexOf('.')) : null;
    if (!objectApiName) return;
    const salesforceField = str(names.get(values, 'Salesforce_Field__c'));
    const originRaw = str(names.get(values, 'Origin__c')) ?? 'Salesforce';
    const origin = originRaw.toLowerCase() === 'statisfy' ? 'statisfy' : 'salesforce';
    const current = await createRepositories(m).fieldMappings.get(orgId, key);
    const type =
        (salesforceField && resolveType ? await resolveType(objectApiName, salesforceField).catch(() => null) : null) ??
        current?.type ??
        'string';
    await createRepositories(m).fieldMappings.applyFromSalesforce(orgId, {
        objectApiName,
        key,
        displayName: str(names.get(values, 'Display_Name__c')) ?? str(values.Name) ?? key,
        salesforceField,
        origin,
        editable: bool(names.get(values, 'Editable__c')),
        active: bool(names.get(values, 'Active__c')),
        type,
        sfRecordId: sfId
    });
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
    const repos = createRepositories(ds.manager);
    const objs = await repos.syncObjects.listUnpushed(orgId);
    if (objs.length) {
        const res = await gateway.upsertByExternalId(
            names.n('Sync_Object__c'),
            names.n('Object_Api_Name__c'),
            objs.map((o) => syncObjectToSf(o.row, names))
        );
        result.objects += await recordPushResults(
            ds,
            orgId,
            'syncObjects',
            objs,
            res,
            (o) => o.row.objectApiName,
            result.errors
        );
    }
    const maps = await repos.fieldMappings.listUnpushed(orgId);
    if (maps.length) {
        const res = await gateway.upsertByExternalId(
            names.n('Field_Mapping__c'),
            names.n('Key__c'),
            maps.map((f) => fieldMappingToSf(f.row, f.parent, names))
        );
        result.mappings += await recordPushResults(
            ds,
            orgId,
            'fieldMappings',
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
 * `sf_synced_version` (the version that was pushed) and its Salesforce id; each refused row adds an error
 * naming it. Returns how many rows were pushed.
 */
async function recordPushResults<T extends { row: { id: string }; version: string }>(
    ds: DataSource,
    orgId: string,
    table: 'syncObjects' | 'fieldMappings',
    items: T[],
    results: RecordResult[],
    label: (item: T) => string,
    errors: string[]
): Promise<number> {
    let pushed = 0;
    const done: { id: string; version: string; sfRecordId: string | null }[] = [];
    for (let i = 0; i < items.length; i++) {
        const r = results[i];
        if (r?.success) done.push({ id: items[i].row.id, version: items[i].version, sfRecordId: r.id ?? null });
        else errors.push(`${label(items[i])}: ${(r?.errors ?? []).map((e) => e.message).join('; ') || 'no result'}`);
    }
    await createRepositories(ds.manager)[table].markPushed(orgId, done);
    pushed = done.length;
    return pushed;
}
