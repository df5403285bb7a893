/**
 * Planning an outbound flush: pending edits → one write per record (newest value per field wins) →
 * sObject Collections of at most 200 records, one object per collection → at most five collections per
 * `/composite` call, so 1,000 records cost one API call. Objects with more records than the Bulk threshold
 * go to a Bulk API 2.0 ingest job instead. Pure: no I/O, fully unit-tested.
 */
import {
    chunk,
    MAX_COLLECTION_SIZE,
    MAX_COLLECTIONS_PER_COMPOSITE,
    type CollectionPlan,
    type CompositePlan,
    type RecordWrite
} from '../../../salesforce/wire';

export { chunk, MAX_COLLECTION_SIZE, MAX_COLLECTIONS_PER_COMPOSITE };
export type { CollectionPlan, CompositePlan, RecordWrite };

/** Records of one object in one flush above which Bulk API 2.0 ingest is used (Salesforce's own advice: 2,000). */
export const DEFAULT_BULK_THRESHOLD = 2000;

/** The part of a pending edit (outbox row) the planner needs. */
export interface PlannableEdit {
    id: string;
    objectApiName: string;
    sfId: string;
    salesforceField: string;
    newValue: unknown;
    createdAt: Date;
}

/** One Bulk API 2.0 update job (one object). */
export interface BulkPlan {
    objectApiName: string;
    records: RecordWrite[];
}

/** The whole flush. */
export interface FlushPlan {
    composites: CompositePlan[];
    bulk: BulkPlan[];
    /** Older edits of the same record+field that a newer edit in this flush replaces (never sent). */
    supersededIds: string[];
    /** API calls the plan will cost (a Bulk job counts its create, upload, close: 3 calls). */
    apiCalls: number;
}

/** Options of {@link planFlush}. */
export interface PlanOptions {
    bulkThreshold?: number;
    collectionSize?: number;
    collectionsPerComposite?: number;
}

function newer(a: PlannableEdit, b: PlannableEdit): boolean {
    const t = a.createdAt.getTime() - b.createdAt.getTime();
    if (t !== 0) return t > 0;
    // Outbox ids are bigserial strings: compare numerically so '10' > '9'.
    return BigInt(a.id) > BigInt(b.id);
}

/**
 * Merges edits per record, keeping the newest value per field (older ones are reported as superseded),
 * in a stable order (first appearance of the record in the input).
 */
export function mergeEdits(edits: readonly PlannableEdit[]): { writes: RecordWrite[]; supersededIds: string[] } {
    const byRecord = new Map<string, { objectApiName: string; sfId: string; fields: Map<string, PlannableEdit> }>();
    const superseded: string[] = [];
    for (const edit of edits) {
        if (!edit.salesforceField) throw new Error(`Edit ${edit.id} has no Salesforce field to write to`);
        const rk = `${edit.objectApiName}/${edit.sfId}`;
        let rec = byRecord.get(rk);
        if (!rec) {
            rec = { objectApiName: edit.objectApiName, sfId: edit.sfId, fields: new Map() };
            byRecord.set(rk, rec);
        }
        const fk = edit.salesforceField.toLowerCase();
        const current = rec.fields.get(fk);
        if (!current) rec.fields.set(fk, edit);
        else if (newer(edit, current)) {
            superseded.push(current.id);
            rec.fields.set(fk, edit);
        } else superseded.push(edit.id);
    }
    const writes: RecordWrite[] = [];
    for (const rec of byRecord.values()) {
        const values: Record<string, unknown> = {};
        const editIdByField: Record<string, string> = {};
        for (const e of rec.fields.values()) {
            values[e.salesforceField] = e.newValue ?? null;
            editIdByField[e.salesforceField] = e.id;
        }
        writes.push({ objectApiName: rec.objectApiName, sfId: rec.sfId, values, editIdByField });
    }
    return { writes, supersededIds: superseded };
}

/** Plans a flush of the given pending edits (see the module comment). */
export function planFlush(edits: readonly PlannableEdit[], options: PlanOptions = {}): FlushPlan {
    const bulkThreshold = options.bulkThreshold ?? DEFAULT_BULK_THRESHOLD;
    const collectionSize = options.collectionSize ?? MAX_COLLECTION_SIZE;
    const perComposite = options.collectionsPerComposite ?? MAX_COLLECTIONS_PER_COMPOSITE;
    if (collectionSize > MAX_COLLECTION_SIZE)
        throw new Error(`Collections hold at most ${MAX_COLLECTION_SIZE} records`);
    if (perComposite > MAX_COLLECTIONS_PER_COMPOSITE)
        throw new Error(`A composite request holds at most ${MAX_COLLECTIONS_PER_COMPOSITE} collections`);

    const { writes, supersededIds } = mergeEdits(edits);
    const byObject = new Map<string, RecordWrite[]>();
    for (const w of writes) {
        const list = byObject.get(w.objectApiName) ?? [];
        list.push(w);
        byObject.set(w.objectApiName, list);
    }
    const bulk: BulkPlan[] = [];
    const collections: CollectionPlan[] = [];
    for (const [objectApiName, records] of byObject) {
        if (records.length > bulkThreshold) bulk.push({ objectApiName, records });
        else for (const c of chunk(records, collectionSize)) collections.push({ objectApiName, records: c });
    }
    const composites = chunk(collections, perComposite).map((c) => ({ collections: c }));
    return { composites, bulk, supersededIds, apiCalls: composites.length + bulk.length * 3 };
}
