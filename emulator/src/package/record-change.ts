/**
 * The package's behaviour in the emulated org: after every committed transaction, publish
 * `Record_Change__e` exactly as the package's triggers would (docs/record-change-contract.md,
 * rules R1–R7; the batched shape of contracts/record-change.ts). Rule numbers in comments refer to
 * that document.
 *
 * Each DML statement is one trigger invocation per object, in chunks of 200 (R7): its records are
 * filtered (R4) against the records as that statement left them (what the Apex's query sees inside
 * the trigger), and the chunk becomes ONE event carrying every published record in `Records__c`,
 * split over more events only when the JSON would exceed the Long Text Area limit
 * (`splitRecordChunk`). Events go out after the transaction commits (Publish After Commit).
 */
import { CHUNK_SIZE, RECORDS_MAX_CHARS, splitRecordChunk, type RecordElement } from '../../../contracts/record-change';
import type { SchemaRegistry } from '../schema/registry';
import type { FieldSchema, ObjectSchema } from '../schema/types';
import { sameId } from '../store/ids';
import type { Change, Rec, RecordStore, Transaction } from '../store/store';
import type { PublisherRegistry } from './triggers';

/** The part of the event bus the package behaviour needs (streaming module's EventBus). */
export interface EventPublisher {
    publish(
        eventApiName: string,
        payloads: Array<Record<string, unknown>>,
        createdById: string
    ): Array<{ replayId: number; eventUuid: string }>;
}

/**
 * Runs `SELECT Id FROM <object> WHERE Id IN :ids AND (<filter>)` (R4) over `records`, the chunk's
 * records as the trigger's DML statement left them. Returns the matching ids, or an Error when the
 * filter does not compile.
 */
export type RecordFilter = (objectName: string, records: Rec[], filter: string) => Set<string> | Error;

/** R6: a `Records__c` (or old-shape `Values__c`) longer than this does not fit the Long Text Area. */
export const VALUES_MAX = RECORDS_MAX_CHARS;
/** R7: trigger chunk size. */
export const CHUNK = CHUNK_SIZE;

/** Fixed mapped fields of the configuration objects (R3). */
const SYNC_OBJECT_FIELDS = [
    'Name',
    'Object_Api_Name__c',
    'Display_Name__c',
    'Sync_To_Salesforce__c',
    'Enabled__c',
    'Record_Filter__c',
    'Conflict_Policy__c'
];
const FIELD_MAPPING_FIELDS = [
    'Name',
    'Sync_Object__c',
    'Key__c',
    'Salesforce_Field__c',
    'Display_Name__c',
    'Editable__c',
    'Origin__c',
    'Active__c'
];

/** Counters the control API reports. */
export interface PublisherStats {
    /** Record_Change__e events handed to the bus. */
    published: number;
    /** EventBus.publish calls (one per trigger chunk). */
    publishCalls: number;
    /** Record changes carried by those events. */
    records: number;
    /** Chunks skipped because the record filter did not compile (R4). */
    filterErrors: Array<{ object: string; filter: string; message: string }>;
}

/**
 * Which shape the emulated package version publishes: `batched` (the current package, one event per chunk) or
 * `legacy` (an org still on an older package version: one event per record in the one-record fields).
 */
export type RecordChangeShape = 'batched' | 'legacy';

/** Publishes Record_Change__e for committed changes. */
export class RecordChangePublisher {
    /** The package version's event shape (control API `POST /__emulator/package/shape`). */
    shape: RecordChangeShape = 'batched';

    readonly stats: PublisherStats = { published: 0, publishCalls: 0, records: 0, filterErrors: [] };

    constructor(
        private readonly schema: SchemaRegistry,
        private readonly store: RecordStore,
        private readonly bus: EventPublisher,
        private readonly filter: RecordFilter,
        /** R1: which objects have a trigger or flow that publishes. */
        readonly publishers: PublisherRegistry
    ) {}

    /** Back to zero counters. */
    resetStats(): void {
        this.stats.published = 0;
        this.stats.publishCalls = 0;
        this.stats.records = 0;
        this.stats.filterErrors.length = 0;
    }

    /** Store commit listener. */
    onCommit(changes: Change[], tx: Transaction): void {
        const eventName = this.schema.pkg('Record_Change__e');
        if (!this.schema.get(eventName)) return; // package not installed
        // R2: nothing while Publishing_Disabled__c is on for the running user.
        const settings = this.settingsFor(tx.userId);
        if (settings.disabled) return;
        const origin =
            settings.integrationUserId && sameId(settings.integrationUserId, tx.userId) ? 'statisfy' : 'salesforce';
        // R7: one trigger invocation per DML statement and object; chunks of 200.
        let i = 0;
        while (i < changes.length) {
            const first = changes[i];
            let j = i + 1;
            while (
                j < changes.length &&
                changes[j].op === first.op &&
                changes[j].objectName === first.objectName &&
                changes[j].type === first.type &&
                changes[j].cascade === first.cascade &&
                j - i < CHUNK
            )
                j++;
            const chunk = changes.slice(i, j);
            i = j;
            // Cascade-deleted master-detail children fire no triggers in Salesforce.
            if (first.cascade) continue;
            const { payloads, records } = this.chunkPayloads(chunk, tx.userId, origin);
            if (payloads.length === 0) continue;
            try {
                this.bus.publish(eventName, payloads, tx.userId);
                this.stats.publishCalls++;
                this.stats.published += payloads.length;
                this.stats.records += records;
            } catch {
                // R7: EventBus.publish never breaks the save.
            }
        }
    }

    /** One trigger chunk → its events (one, or more parts when `Records__c` would not fit). */
    private chunkPayloads(
        chunk: Change[],
        userId: string,
        origin: string
    ): { payloads: Array<Record<string, unknown>>; records: number } {
        const none = { payloads: [], records: 0 };
        const obj = this.schema.get(chunk[0].objectName);
        if (!obj) return none;
        const mapped = this.mappedFields(obj); // R1 + R3; null when the object does not publish
        if (!mapped) return none;
        const type = chunk[0].type;
        let keep: Set<string> | null = null;
        if (type !== 'DELETE') {
            // R4: record filter (not for deletes), on the records as this DML statement left them.
            const filter = this.recordFilter(obj);
            if (filter) {
                const r = this.filter(
                    obj.name,
                    chunk.map((c) => c.new as Rec),
                    filter
                );
                if (r instanceof Error) {
                    this.stats.filterErrors.push({ object: obj.name, filter, message: r.message });
                    if (this.stats.filterErrors.length > 100) this.stats.filterErrors.shift();
                    this.reportFilterError(obj.name, r.message, userId);
                    return none;
                }
                keep = r;
            }
        }
        const elements: RecordElement[] = [];
        for (const c of chunk) {
            if (keep && !keep.has(c.id)) continue;
            const rec = c.new as Rec;
            let changed: string[];
            if (type === 'CREATE' || type === 'UNDELETE') changed = mapped.map((f) => f.name);
            else if (type === 'DELETE') changed = [];
            else {
                changed = mapped
                    .filter((f) => !sameValue(f, c.old?.[f.name] ?? null, rec[f.name] ?? null))
                    .map((f) => f.name);
                if (changed.length === 0) continue; // R5: no mapped field changed
            }
            const values: Record<string, unknown> = {};
            if (type !== 'DELETE') for (const f of mapped) values[f.name] = rec[f.name] ?? null;
            elements.push({ id: c.id, changedFields: changed, values, modstamp: String(rec.SystemModstamp) });
        }
        if (elements.length === 0) return none;
        const p = (n: string) => this.schema.pkg(n);
        if (this.shape === 'legacy') {
            // Older package versions: one event per record, Values__c null when it would not fit.
            const payloads = elements.map((e) => {
                const values = JSON.stringify(e.values ?? {});
                return {
                    [p('Object_Api_Name__c')]: obj.name,
                    [p('Record_Id__c')]: e.id,
                    [p('Change_Type__c')]: type,
                    [p('Changed_Fields__c')]: JSON.stringify(e.changedFields),
                    [p('Values__c')]: values.length > VALUES_MAX ? null : values,
                    [p('Modstamp__c')]: e.modstamp,
                    [p('Changed_By_Id__c')]: userId,
                    [p('Origin__c')]: origin
                };
            });
            return { payloads, records: elements.length };
        }
        // R6/R7: one event per chunk; parts only when Records__c would exceed the field's size.
        const payloads = splitRecordChunk(elements).map((part) => ({
            [p('Object_Api_Name__c')]: obj.name,
            [p('Change_Type__c')]: type,
            [p('Changed_By_Id__c')]: userId,
            [p('Origin__c')]: origin,
            [p('Records__c')]: part.records,
            [p('Part__c')]: part.part,
            [p('Part_Count__c')]: part.partCount,
            // The one-record fields stay defined on the event and are null in the batched shape.
            [p('Record_Id__c')]: null,
            [p('Changed_Fields__c')]: null,
            [p('Values__c')]: null,
            [p('Modstamp__c')]: null
        }));
        return { payloads, records: elements.length };
    }

    /**
     * R4: a filter that does not compile is reported on the object's Sync_Status__c (upsert by
     * Object_Api_Name__c, system mode, never failing the user's save), as RecordChangeService does.
     */
    private reportFilterError(objectName: string, message: string, userId: string): void {
        const p = (n: string) => this.schema.pkg(n);
        if (!this.schema.get(p('Sync_Status__c'))) return;
        let text = `Record filter does not compile, nothing is published: ${message}`;
        if (text.length > 255) text = `${text.slice(0, 252)}...`;
        try {
            this.store.run(userId, (tx) => {
                tx.nextOp();
                this.store.upsert(
                    tx,
                    p('Sync_Status__c'),
                    p('Object_Api_Name__c'),
                    objectName,
                    { Name: objectName.slice(0, 80), [p('Connection_State__c')]: 'Error', [p('Message__c')]: text },
                    { system: true }
                );
            });
        } catch {
            // all-or-none false: the report never breaks anything
        }
    }

    /** The enabled Sync_Object__c record for an object (Object_Api_Name__c compared case-insensitively). */
    syncObjectFor(obj: ObjectSchema): Rec | undefined {
        const so = this.schema.get(this.schema.pkg('Sync_Object__c'));
        if (!so) return undefined;
        const apiField = this.schema.pkg('Object_Api_Name__c');
        for (const r of this.store.records(so.name, false)) {
            const n = r[apiField];
            if (typeof n === 'string' && n.toLowerCase() === obj.name.toLowerCase()) return r;
        }
        return undefined;
    }

    /** R1 + R3: the object's mapped fields, or null when it does not publish. */
    mappedFields(obj: ObjectSchema): FieldSchema[] | null {
        const p = (n: string) => this.schema.pkg(n);
        const fixed = (names: string[]) =>
            names.map((n) => this.schema.getField(obj, n === 'Name' ? n : p(n))).filter((f): f is FieldSchema => !!f);
        if (obj.name === p('Sync_Object__c')) return fixed(SYNC_OBJECT_FIELDS);
        if (obj.name === p('Field_Mapping__c')) return fixed(FIELD_MAPPING_FIELDS);
        // R1: an object publishes only through a trigger or flow; no trigger, no event.
        if (!this.publishers.publishes(obj.name)) return null;
        const so = this.syncObjectFor(obj);
        if (!so || so[p('Enabled__c')] !== true) return null;
        const fm = this.schema.get(p('Field_Mapping__c'));
        if (!fm) return [];
        const mappings = [...this.store.records(fm.name, false)].filter(
            (m) =>
                m[p('Sync_Object__c')] === so.Id &&
                m[p('Active__c')] === true &&
                typeof m[p('Salesforce_Field__c')] === 'string' &&
                (m[p('Salesforce_Field__c')] as string).trim() !== ''
        );
        mappings.sort(
            (a, b) =>
                (a.CreatedDate as string).localeCompare(b.CreatedDate as string) ||
                (a.Id as string).localeCompare(b.Id as string)
        );
        const seen = new Set<string>();
        const out: FieldSchema[] = [];
        for (const m of mappings) {
            const f = this.schema.getField(obj, (m[p('Salesforce_Field__c')] as string).trim());
            if (!f || seen.has(f.name.toLowerCase())) continue; // unknown fields ignored, de-duplicated
            seen.add(f.name.toLowerCase());
            out.push(f);
        }
        return out;
    }

    private recordFilter(obj: ObjectSchema): string | null {
        const p = (n: string) => this.schema.pkg(n);
        if (obj.name === p('Sync_Object__c') || obj.name === p('Field_Mapping__c')) return null;
        const so = this.syncObjectFor(obj);
        const f = so?.[p('Record_Filter__c')];
        return typeof f === 'string' && f.trim() !== '' ? f.trim() : null;
    }

    /** R2: Statisfy_Settings__c for the running user (user level, then org default). */
    settingsFor(userId: string): { disabled: boolean; integrationUserId: string | null } {
        const p = (n: string) => this.schema.pkg(n);
        const obj = this.schema.get(p('Statisfy_Settings__c'));
        if (!obj) return { disabled: false, integrationUserId: null };
        let user: Rec | undefined;
        let org: Rec | undefined;
        for (const r of this.store.records(obj.name, false)) {
            if (sameId(r.SetupOwnerId, userId)) user = r;
            else if (sameId(r.SetupOwnerId, this.store.orgId)) org = r;
        }
        const pick = (f: string) => {
            const u = user?.[p(f)];
            return u !== null && u !== undefined && u !== '' ? u : (org?.[p(f)] ?? null);
        };
        const disabled = user
            ? user[p('Publishing_Disabled__c')] === true
            : org?.[p('Publishing_Disabled__c')] === true;
        const iu = pick('Integration_User_Id__c');
        return { disabled, integrationUserId: typeof iu === 'string' ? iu : null };
    }
}

/** R5: values compare in their REST JSON form; references compare as ids (15 vs 18 characters). */
function sameValue(f: FieldSchema, a: unknown, b: unknown): boolean {
    if (a === b) return true; // numbers compare by value, so 1 and 1.0 are the same
    if (a === null || b === null) return false;
    if (f.type === 'reference' || f.type === 'id') return sameId(a, b);
    if (typeof a !== 'object' || typeof b !== 'object') return false;
    return JSON.stringify(a) === JSON.stringify(b);
}
