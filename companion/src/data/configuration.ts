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
