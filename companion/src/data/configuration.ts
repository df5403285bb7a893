/**
 * Configuration tables: synced objects and field mappings of an org.
 */
import type { EntityManager } from 'typeorm';
import { jsonParam, rows, toFieldMapping, toSyncObject } from './rows';
import type { ConflictPolicy, FieldMapping, FieldOrigin, ObjectKind, SyncObject } from './types';

/** A synced object as created or upserted (from the org's Sync_Object__c or by the companion). */
export interface SyncObjectInput {
    objectApiName: string;
    displayName: string;
    kind: ObjectKind;
    syncToSalesforce?: boolean;
    enabled?: boolean;
    recordFilter?: string | null;
    conflictPolicy?: ConflictPolicy;
    sfRecordId?: string | null;
}

/** Fields of a synced object that may change. */
export type SyncObjectPatch = Partial<Omit<SyncObjectInput, 'objectApiName'>>;

const OBJECT_COLUMNS: Record<keyof SyncObjectPatch, string> = {
    displayName: 'display_name',
    kind: 'kind',
    syncToSalesforce: 'sync_to_salesforce',
    enabled: 'enabled',
    recordFilter: 'record_filter',
    conflictPolicy: 'conflict_policy',
    sfRecordId: 'sf_record_id'
};

/** Synced objects. */
export class SyncObjectsRepository {
    constructor(private readonly m: EntityManager) {}

    /** The org's synced objects by API name. */
    async list(orgId: string): Promise<SyncObject[]> {
        return (
            await rows(this.m, 'SELECT * FROM sync_objects WHERE org_id = $1 ORDER BY object_api_name', [orgId])
        ).map(toSyncObject);
    }

    /** One synced object, or null; `forUpdate` locks its row until the transaction ends. */
    async get(orgId: string, objectApiName: string, options: { forUpdate?: boolean } = {}): Promise<SyncObject | null> {
        const [row] = await rows(
            this.m,
            `SELECT * FROM sync_objects WHERE org_id = $1 AND object_api_name = $2${options.forUpdate ? ' FOR UPDATE' : ''}`,
            [orgId, objectApiName]
        );
        return row ? toSyncObject(row) : null;
    }

    /** Inserts or replaces (by org + object API name); the config sync from the org uses this. */
    async upsert(orgId: string, input: SyncObjectInput): Promise<SyncObject> {
        const [row] = await rows(
            this.m,
            `INSERT INTO sync_objects (org_id, object_api_name, display_name, kind, sync_to_salesforce, enabled,
                                       record_filter, conflict_policy, sf_record_id)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
             ON CONFLICT (org_id, object_api_name) DO UPDATE SET
               display_name = EXCLUDED.display_name, kind = EXCLUDED.kind,
               sync_to_salesforce = EXCLUDED.sync_to_salesforce, enabled = EXCLUDED.enabled,
               record_filter = EXCLUDED.record_filter, conflict_policy = EXCLUDED.conflict_policy,
               sf_record_id = COALESCE(EXCLUDED.sf_record_id, sync_objects.sf_record_id), updated_at = now()
             RETURNING *`,
            [
                orgId,
                input.objectApiName,
                input.displayName,
                input.kind,
                input.syncToSalesforce ?? input.kind === 'standard',
                input.enabled ?? true,
                input.recordFilter ?? null,
                input.conflictPolicy ?? 'Latest_Wins',
                input.sfRecordId ?? null
            ]
        );
        return toSyncObject(row);
    }

    /** Changes some fields; null when the org has no such object. */
    async update(orgId: string, objectApiName: string, patch: SyncObjectPatch): Promise<SyncObject | null> {
        const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof SyncObjectPatch, unknown][];
        if (entries.length === 0) return this.get(orgId, objectApiName);
        const sets = entries.map(([k], i) => `${OBJECT_COLUMNS[k]} = $${i + 3}`);
        const [row] = await rows(
            this.m,
            `UPDATE sync_objects SET ${sets.join(', ')}, updated_at = now()
             WHERE org_id = $1 AND object_api_name = $2 RETURNING *`,
            [orgId, objectApiName, ...entries.map(([, v]) => v)]
        );
        return row ? toSyncObject(row) : null;
    }

    /** The object a Sync_Object__c record (15- or 18-character id) stands for, or null. */
    async objectOfSalesforceRecord(orgId: string, sfRecordId: string): Promise<string | null> {
        const [row] = await rows(
            this.m,
            'SELECT object_api_name FROM sync_objects WHERE org_id = $1 AND left(sf_record_id, 15) = left($2, 15)',
            [orgId, sfRecordId]
        );
        return row?.object_api_name ?? null;
    }

    /**
     * Brings in a Sync_Object__c record from the org: inserts or updates the row when anything differs, and records
     * the resulting version as synced (it came from Salesforce: nothing to push back). A row with a companion-side
     * change not yet pushed is left alone: the org's record is the echo of an earlier push (or older than the change),
     * and the push that follows brings the org in step — a newer edit is never replaced by its predecessor's echo.
     */
    async applyFromSalesforce(orgId: string, o: Required<SyncObjectInput>): Promise<void> {
        await rows(
            this.m,
            `INSERT INTO sync_objects AS s (org_id, object_api_name, display_name, kind, sync_to_salesforce, enabled, record_filter,
                                            conflict_policy, sf_record_id, updated_at, sf_synced_version)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9, now(), 1)
             ON CONFLICT (org_id, object_api_name) DO UPDATE SET
               display_name = EXCLUDED.display_name, sync_to_salesforce = EXCLUDED.sync_to_salesforce,
               enabled = EXCLUDED.enabled, record_filter = EXCLUDED.record_filter, conflict_policy = EXCLUDED.conflict_policy,
               sf_record_id = EXCLUDED.sf_record_id, updated_at = now(), sf_synced_version = s.version + 1
             WHERE (s.display_name, s.sync_to_salesforce, s.enabled, coalesce(s.record_filter, ''), s.conflict_policy,
                    coalesce(s.sf_record_id, ''))
                   IS DISTINCT FROM (EXCLUDED.display_name, EXCLUDED.sync_to_salesforce, EXCLUDED.enabled,
                    coalesce(EXCLUDED.record_filter, ''), EXCLUDED.conflict_policy, EXCLUDED.sf_record_id)
               AND s.sf_synced_version >= s.version`,
            [
                orgId,
                o.objectApiName,
                o.displayName,
                o.kind,
                o.syncToSalesforce,
                o.enabled,
                o.recordFilter,
                o.conflictPolicy,
                o.sfRecordId
            ]
        );
    }

    /** A Sync_Object__c deleted in the org: the object is disabled, and that state counts as synced. */
    async disableFromSalesforce(orgId: string, sfRecordId: string): Promise<void> {
        await rows(
            this.m,
            `UPDATE sync_objects SET enabled = false, updated_at = now(), sf_synced_version = version + 1
             WHERE org_id = $1 AND sf_record_id = $2`,
            [orgId, sfRecordId]
        );
    }

    /** Rows changed in the companion since they were last pushed to the org, with the version to push. */
    async listUnpushed(orgId: string): Promise<{ row: SyncObject; version: string }[]> {
        return (
            await rows(
                this.m,
                `SELECT * FROM sync_objects WHERE org_id = $1 AND (sf_synced_version IS NULL OR sf_synced_version < version)
                 ORDER BY object_api_name`,
                [orgId]
            )
        ).map((r) => ({ row: toSyncObject(r), version: String(r.version) }));
    }

    /** Records pushed versions (and the Salesforce ids the upserts gave). A later change stays unpushed. */
    async markPushed(
        orgId: string,
        pushed: readonly { id: string; version: string; sfRecordId: string | null }[]
    ): Promise<void> {
        await markPushed(this.m, 'sync_objects', orgId, pushed);
    }
}

/** A field mapping as created or upserted. */
export interface FieldMappingInput {
    objectApiName: string;
    key: string;
    displayName: string;
    salesforceField?: string | null;
    origin: FieldOrigin;
    editable?: boolean;
    active?: boolean;
    type: string;
    picklistValues?: string[] | null;
    sfRecordId?: string | null;
}

/** Fields of a mapping that may change. */
export type FieldMappingPatch = Partial<Omit<FieldMappingInput, 'objectApiName' | 'key'>>;

const MAPPING_COLUMNS: Record<keyof FieldMappingPatch, string> = {
    displayName: 'display_name',
    salesforceField: 'salesforce_field',
    origin: 'origin',
    editable: 'editable',
    active: 'active',
    type: 'type',
    picklistValues: 'picklist_values',
    sfRecordId: 'sf_record_id'
};

/** Field mappings. */
export class FieldMappingsRepository {
    constructor(private readonly m: EntityManager) {}

    /** The mappings of one object, by key. */
    async listForObject(orgId: string, objectApiName: string): Promise<FieldMapping[]> {
        return (
            await rows(this.m, 'SELECT * FROM field_mappings WHERE org_id = $1 AND object_api_name = $2 ORDER BY key', [
                orgId,
                objectApiName
            ])
        ).map(toFieldMapping);
    }

    /** Every mapping of the org. */
    async listForOrg(orgId: string): Promise<FieldMapping[]> {
        return (
            await rows(this.m, 'SELECT * FROM field_mappings WHERE org_id = $1 ORDER BY object_api_name, key', [orgId])
        ).map(toFieldMapping);
    }

    /** One mapping by key, or null. */
    async get(orgId: string, key: string, options: { forUpdate?: boolean } = {}): Promise<FieldMapping | null> {
        const [row] = await rows(
            this.m,
            `SELECT * FROM field_mappings WHERE org_id = $1 AND key = $2${options.forUpdate ? ' FOR UPDATE' : ''}`,
            [orgId, key]
        );
        return row ? toFieldMapping(row) : null;
    }

    /** The active mapping writing to this Salesforce field of the object, if any. */
    async findBySalesforceField(
        orgId: string,
        objectApiName: string,
        salesforceField: string
    ): Promise<FieldMapping | null> {
        const [row] = await rows(
            this.m,
            `SELECT * FROM field_mappings WHERE org_id = $1 AND object_api_name = $2
               AND lower(salesforce_field) = lower($3) AND active ORDER BY key LIMIT 1`,
            [orgId, objectApiName, salesforceField]
        );
        return row ? toFieldMapping(row) : null;
    }

    /** Creates a mapping; fails on a duplicate key (unique constraint). */
    async create(orgId: string, input: FieldMappingInput): Promise<FieldMapping> {
        const [row] = await rows(
            this.m,
            `INSERT INTO field_mappings (org_id, object_api_name, key, display_name, salesforce_field, origin,
                                         editable, active, type, picklist_values, sf_record_id)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING *`,
            this.params(orgId, input)
        );
        return toFieldMapping(row);
    }

    /** Inserts or replaces by org + key (the config sync from the org uses this). */
    async upsert(orgId: string, input: FieldMappingInput): Promise<FieldMapping> {
        const [row] = await rows(
            this.m,
            `INSERT INTO field_mappings (org_id, object_api_name, key, display_name, salesforce_field, origin,
                                         editable, active, type, picklist_values, sf_record_id)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
             ON CONFLICT (org_id, key) DO UPDATE SET
               object_api_name = EXCLUDED.object_api_name, display_name = EXCLUDED.display_name,
               salesforce_field = EXCLUDED.salesforce_field, origin = EXCLUDED.origin, editable = EXCLUDED.editable,
               active = EXCLUDED.active, type = EXCLUDED.type,
               picklist_values = COALESCE(EXCLUDED.picklist_values, field_mappings.picklist_values),
               sf_record_id = COALESCE(EXCLUDED.sf_record_id, field_mappings.sf_record_id), updated_at = now()
             RETURNING *`,
            this.params(orgId, input)
        );
        return toFieldMapping(row);
    }

    /** Changes some fields of a mapping; null when the org has no such key. */
    async update(orgId: string, key: string, patch: FieldMappingPatch): Promise<FieldMapping | null> {
        const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [
            keyof FieldMappingPatch,
            unknown
        ][];
        if (entries.length === 0) return this.get(orgId, key);
        const sets = entries.map(([k], i) => `${MAPPING_COLUMNS[k]} = $${i + 3}`);
        const values = entries.map(([k, v]) => (k === 'picklistValues' ? jsonParam(v as string[] | null) : v));
        const [row] = await rows(
            this.m,
            `UPDATE field_mappings SET ${sets.join(', ')}, updated_at = now() WHERE org_id = $1 AND key = $2 RETURNING *`,
            [orgId, key, ...values]
        );
        return row ? toFieldMapping(row) : null;
    }

    /** Brings in a Field_Mapping__c record from the org (see {@link SyncObjectsRepository.applyFromSalesforce}). */
    async applyFromSalesforce(orgId: string, f: Required<Omit<FieldMappingInput, 'picklistValues'>>): Promise<void> {
        await rows(
            this.m,
            `INSERT INTO field_mappings AS f (org_id, object_api_name, key, display_name, salesforce_field, origin, editable, active,
                                              type, sf_record_id, updated_at, sf_synced_version)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10, now(), 1)
             ON CONFLICT (org_id, key) DO UPDATE SET
               object_api_name = EXCLUDED.object_api_name, display_name = EXCLUDED.display_name,
               salesforce_field = EXCLUDED.salesforce_field, origin = EXCLUDED.origin, editable = EXCLUDED.editable,
               active = EXCLUDED.active, type = EXCLUDED.type, sf_record_id = EXCLUDED.sf_record_id,
               updated_at = now(), sf_synced_version = f.version + 1
             WHERE (f.object_api_name, f.display_name, coalesce(f.salesforce_field, ''), f.origin, f.editable, f.active,
                    coalesce(f.sf_record_id, ''))
                   IS DISTINCT FROM (EXCLUDED.object_api_name, EXCLUDED.display_name, coalesce(EXCLUDED.salesforce_field, ''),
                    EXCLUDED.origin, EXCLUDED.editable, EXCLUDED.active, EXCLUDED.sf_record_id)
               AND f.sf_synced_version >= f.version`,
            [
                orgId,
                f.objectApiName,
                f.key,
                f.displayName,
                f.salesforceField,
                f.origin,
                f.editable,
                f.active,
                f.type,
                f.sfRecordId
            ]
        );
    }

    /** A Field_Mapping__c deleted in the org: the mapping becomes inactive, and that state counts as synced. */
    async deactivateFromSalesforce(orgId: string, sfRecordId: string): Promise<void> {
        await rows(
            this.m,
            `UPDATE field_mappings SET active = false, updated_at = now(), sf_synced_version = version + 1
             WHERE org_id = $1 AND sf_record_id = $2`,
            [orgId, sfRecordId]
        );
    }

    /**
     * Mappings changed in the companion since they were last pushed, whose object already has its Sync_Object__c
     * in the org (the master-detail parent), with the version to push and the parent's id.
     */
    async listUnpushed(orgId: string): Promise<{ row: FieldMapping; version: string; parent: string }[]> {
        return (
            await rows(
                this.m,
                `SELECT f.*, s.sf_record_id AS parent_sf_id FROM field_mappings f
                 JOIN sync_objects s ON s.org_id = f.org_id AND s.object_api_name = f.object_api_name
                 WHERE f.org_id = $1 AND (f.sf_synced_version IS NULL OR f.sf_synced_version < f.version)
                   AND s.sf_record_id IS NOT NULL
                 ORDER BY f.key`,
                [orgId]
            )
        ).map((r) => ({ row: toFieldMapping(r), version: String(r.version), parent: String(r.parent_sf_id) }));
    }

    /** Records pushed versions (see {@link SyncObjectsRepository.markPushed}). */
    async markPushed(
        orgId: string,
        pushed: readonly { id: string; version: string; sfRecordId: string | null }[]
    ): Promise<void> {
        await markPushed(this.m, 'field_mappings', orgId, pushed);
    }

    private params(orgId: string, input: FieldMappingInput): unknown[] {
        return [
            orgId,
            input.objectApiName,
            input.key,
            input.displayName,
            input.salesforceField ?? null,
            input.origin,
            input.editable ?? false,
            input.active ?? true,
            input.type,
            jsonParam(input.picklistValues ?? null),
            input.sfRecordId ?? null
        ];
    }
}

/** One statement for a push's results: the versions sent (never lowered) and the Salesforce ids the upserts gave. */
async function markPushed(
    m: EntityManager,
    table: 'sync_objects' | 'field_mappings',
    orgId: string,
    pushed: readonly { id: string; version: string; sfRecordId: string | null }[]
): Promise<void> {
    if (pushed.length === 0) return;
    await rows(
        m,
        `UPDATE ${table} t SET sf_synced_version = GREATEST(COALESCE(t.sf_synced_version, 0), x.version),
                              sf_record_id = COALESCE(x.sf_record_id, t.sf_record_id)
         FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, version bigint, sf_record_id text)
         WHERE t.org_id = $1 AND t.id = x.id`,
        [orgId, JSON.stringify(pushed.map((p) => ({ id: p.id, version: p.version, sf_record_id: p.sfRecordId })))]
    );
}
