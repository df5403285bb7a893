/**
 * The `Record_Change__e` payload contract, written once for TypeScript (docs/record-change-contract.md R6/R7,
 * decided for issue 11: one event per trigger chunk). The emulator builds its events with `splitRecordChunk`;
 * the companion's inbound reads every event through `expandRecordChange`, which accepts both shapes:
 *
 * - the BATCHED shape: header fields plus `Records__c` (a JSON array, one element per published record of the
 *   chunk), `Part__c` and `Part_Count__c`;
 * - the OLD one-record shape of earlier package versions: `Records__c` null and `Record_Id__c` set, with
 *   `Changed_Fields__c`, `Values__c` and `Modstamp__c`.
 *
 * Field names are written without the namespace; payloads from a subscriber org carry the `statisfy__` prefix on
 * package fields, and every reader here accepts either form. Field names INSIDE `Records__c` / `Values__c` are the
 * org's field API names and are never rewritten.
 */
import { z } from 'zod';

/** The platform event's API name (without namespace). */
export const RECORD_CHANGE_EVENT = 'Record_Change__e';

/** Header fields, present in both shapes (R6). */
export const HEADER_FIELDS = ['Object_Api_Name__c', 'Change_Type__c', 'Changed_By_Id__c', 'Origin__c'] as const;

/** Fields of the batched shape. */
export const BATCH_FIELDS = ['Records__c', 'Part__c', 'Part_Count__c'] as const;

/** Fields of the old one-record shape: still defined on the event (a released package cannot delete fields), null in the batched shape. */
export const LEGACY_FIELDS = ['Record_Id__c', 'Changed_Fields__c', 'Values__c', 'Modstamp__c'] as const;

/** Every custom field of `Record_Change__e`. */
export const RECORD_CHANGE_FIELDS = [...HEADER_FIELDS, ...BATCH_FIELDS, ...LEGACY_FIELDS] as const;

/** Keys of one element of `Records__c`, in the order the Apex serialises them. */
export const RECORD_ELEMENT_KEYS = ['id', 'changedFields', 'values', 'modstamp'] as const;

/** Change types (R5); one chunk carries one change type. */
export const CHANGE_TYPES = ['CREATE', 'UPDATE', 'DELETE', 'UNDELETE'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** `Origin__c` values (R6). */
export const ORIGINS = ['statisfy', 'salesforce'] as const;

/** Size limit of a Long Text Area field on a platform event, in characters (UTF-16 units, as Apex counts them). */
export const RECORDS_MAX_CHARS = 131072;

/** At most this many records per trigger chunk, hence per `Records__c` array before splitting (R7). */
export const CHUNK_SIZE = 200;

/** Salesforce's limit on one platform event message, in bytes. */
export const EVENT_MAX_BYTES = 1024 * 1024;

/** `Part__c` / `Part_Count__c` are Number(3,0). */
export const MAX_PARTS = 999;

const salesforceId = z.string().regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'a 15- or 18-character Salesforce Id');
/** A DateTime as Salesforce writes one: `2026-01-01T00:00:00.000+0000`, `…Z`, or epoch milliseconds (Avro `long`). */
const dateTime = z.union([
    z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 date/time'),
    z.number().finite()
]);
const changeType = z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(CHANGE_TYPES));

/** One element of `Records__c`. `values` is null when that record's values alone would not fit (R6). */
export const RecordElementSchema = z.object({
    id: salesforceId,
    changedFields: z.array(z.string()),
    values: z.record(z.string(), z.unknown()).nullable(),
    modstamp: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 date/time')
});
export type RecordElement = z.infer<typeof RecordElementSchema>;

/** The header fields, namespace already removed. */
const HeaderSchema = z.object({
    Object_Api_Name__c: z.string().min(1),
    Change_Type__c: changeType,
    Changed_By_Id__c: salesforceId.nullish(),
    Origin__c: z
        .string()
        .nullish()
        .transform((v) => {
            const o = v?.toLowerCase();
            return o === 'statisfy' || o === 'salesforce' ? o : null;
        })
});

/** The batched shape (namespace already removed): `Records__c` is the JSON text of the array. */
export const BatchedRecordChangeSchema = HeaderSchema.extend({
    Records__c: z.string().max(RECORDS_MAX_CHARS),
    Part__c: z.number().int().min(1).max(MAX_PARTS).nullish(),
    Part_Count__c: z.number().int().min(1).max(MAX_PARTS).nullish()
});
export type BatchedRecordChange = z.infer<typeof BatchedRecordChangeSchema>;

/** The old one-record shape (namespace already removed). */
export const LegacyRecordChangeSchema = HeaderSchema.extend({
    Records__c: z.null().optional(),
    Record_Id__c: salesforceId,
    Changed_Fields__c: z.string().nullish(),
    Values__c: z.string().nullish(),
    Modstamp__c: dateTime.nullish()
});
export type LegacyRecordChange = z.infer<typeof LegacyRecordChangeSchema>;

/** One record's change, whichever shape it arrived in. */
export interface RecordChangeItem {
    objectApiName: string;
    changeType: ChangeType;
    /** The record's Id as published (18 characters from the package). */
    recordId: string;
    /** Field API names that changed (R5), in mapped-field order. */
    changedFields: string[];
    /** Every mapped field's value; `{}` for DELETE; null when it did not fit and the record must be read. */
    values: Record<string, unknown> | null;
    /** The record's SystemModstamp after the change (time of the delete for DELETE), as an ISO string in UTC. */
    modstamp: string;
    changedById: string | null;
    origin: 'statisfy' | 'salesforce' | null;
    /** Which event shape carried it. */
    shape: 'batched' | 'legacy';
    /** Part number and count of the chunk it came in (1/1 for the old shape). */
    part: number;
    partCount: number;
}

/** A payload that is neither shape, or whose `Records__c` is not the contract's array. */
export class InvalidRecordChangeError extends Error {
    constructor(
        message: string,
        readonly issues: string[] = []
    ) {
        super(issues.length ? `${message}: ${issues.join('; ')}` : message);
        this.name = 'InvalidRecordChangeError';
    }
}

/** Options of the readers. */
export interface ContractOptions {
    /** The package namespace of the org ('' or undefined for none); prefixed and bare field names are both read. */
    namespace?: string;
}

/**
 * The payload's package fields under their bare names (`statisfy__Records__c` → `Records__c`); a prefixed name
 * wins over a bare one. Unknown fields are dropped.
 */
export function stripNamespace(
    payload: Record<string, unknown>,
    options: ContractOptions = {}
): Record<string, unknown> {
    const prefix = options.namespace ? `${options.namespace}__`.toLowerCase() : '';
    const known = new Map<string, string>(RECORD_CHANGE_FIELDS.map((f) => [f.toLowerCase(), f]));
    const out: Record<string, unknown> = {};
    const prefixed = new Set<string>();
    for (const [key, value] of Object.entries(payload)) {
        const lower = key.toLowerCase();
        let local = lower;
        let hasPrefix = false;
        if (prefix && lower.startsWith(prefix)) {
            local = lower.slice(prefix.length);
            hasPrefix = true;
        }
        const name = known.get(local);
        if (!name || (!hasPrefix && prefixed.has(name))) continue;
        out[name] = value;
        if (hasPrefix) prefixed.add(name);
    }
    return out;
}

function issuesOf(error: z.ZodError): string[] {
    return error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
}

function isoOf(value: string | number | null | undefined, fallback: () => Date): string {
    if (value === null || value === undefined) return fallback().toISOString();
    return new Date(value).toISOString();
}

/** True when a payload is the old one-record shape (`Records__c` null, `Record_Id__c` set). */
export function isLegacyRecordChange(payload: Record<string, unknown>, options: ContractOptions = {}): boolean {
    const p = stripNamespace(payload, options);
    return (p.Records__c === null || p.Records__c === undefined) && typeof p.Record_Id__c === 'string';
}

/**
 * Turns a `Record_Change__e` payload of either shape into its per-record changes, in published order.
 * Throws `InvalidRecordChangeError` when the payload is neither shape. `now` supplies the modstamp of an old-shape
 * event that carries none.
 */
export function expandRecordChange(
    payload: Record<string, unknown>,
    options: ContractOptions & { now?: () => Date } = {}
): RecordChangeItem[] {
    const p = stripNamespace(payload, options);
    const now = options.now ?? (() => new Date());
    if (p.Records__c !== null && p.Records__c !== undefined) {
        const parsed = BatchedRecordChangeSchema.safeParse(p);
        if (!parsed.success) throw new InvalidRecordChangeError('Invalid Record_Change__e', issuesOf(parsed.error));
        const h = parsed.data;
        let raw: unknown;
        try {
            raw = JSON.parse(h.Records__c);
        } catch (e) {
            throw new InvalidRecordChangeError(`Records__c is not JSON: ${(e as Error).message}`);
        }
        const records = z.array(RecordElementSchema).safeParse(raw);
        if (!records.success) throw new InvalidRecordChangeError('Invalid Records__c', issuesOf(records.error));
        const part = h.Part__c ?? 1;
        const partCount = h.Part_Count__c ?? 1;
        return records.data.map((r) => ({
            objectApiName: h.Object_Api_Name__c,
            changeType: h.Change_Type__c,
            recordId: r.id,
            changedFields: r.changedFields,
            values: h.Change_Type__c === 'DELETE' ? {} : r.values,
            modstamp: isoOf(r.modstamp, now),
            changedById: h.Changed_By_Id__c ?? null,
            origin: h.Origin__c ?? null,
            shape: 'batched',
            part,
            partCount
        }));
    }
    const parsed = LegacyRecordChangeSchema.safeParse(p);
    if (!parsed.success) throw new InvalidRecordChangeError('Invalid Record_Change__e', issuesOf(parsed.error));
    const h = parsed.data;
    let changedFields: string[] = [];
    if (h.Changed_Fields__c) {
        const cf = z.array(z.string()).safeParse(safeJson(h.Changed_Fields__c));
        if (!cf.success) throw new InvalidRecordChangeError('Changed_Fields__c is not a JSON array of field names');
        changedFields = cf.data;
    }
    let values: Record<string, unknown> | null = null;
    if (h.Change_Type__c === 'DELETE') values = {};
    else if (h.Values__c) {
        const v = z.record(z.string(), z.unknown()).safeParse(safeJson(h.Values__c));
        if (!v.success) throw new InvalidRecordChangeError('Values__c is not a JSON object');
        values = v.data;
    }
    return [
        {
            objectApiName: h.Object_Api_Name__c,
            changeType: h.Change_Type__c,
            recordId: h.Record_Id__c,
            changedFields,
            values,
            modstamp: isoOf(h.Modstamp__c, now),
            changedById: h.Changed_By_Id__c ?? null,
            origin: h.Origin__c ?? null,
            shape: 'legacy',
            part: 1,
            partCount: 1
        }
    ];
}

function safeJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/** One event's worth of a split chunk. */
export interface RecordChunkPart {
    /** The `Records__c` text: the JSON array of this part's elements. */
    records: string;
    /** The elements in it (an element whose values alone did not fit has `values: null`). */
    elements: RecordElement[];
    /** `Part__c`, 1-based. */
    part: number;
    /** `Part_Count__c`. */
    partCount: number;
}

/**
 * Splits one trigger chunk's records into as few consecutive parts as fit `maxChars` (greedy, R7). An element
 * whose serialised form alone would exceed the limit carries `values: null` (R6: the subscriber reads the record).
 * An empty chunk gives no parts.
 */
export function splitRecordChunk(elements: readonly RecordElement[], maxChars = RECORDS_MAX_CHARS): RecordChunkPart[] {
    const texts: string[] = [];
    const kept: RecordElement[] = [];
    for (const e of elements) {
        let el: RecordElement = {
            id: e.id,
            changedFields: e.changedFields,
            values: e.values,
            modstamp: e.modstamp
        };
        let text = JSON.stringify(el);
        if (text.length + 2 > maxChars) {
            el = { ...el, values: null };
            text = JSON.stringify(el);
        }
        texts.push(text);
        kept.push(el);
    }
    const groups: Array<{ from: number; to: number }> = [];
    let from = 0;
    let length = 2; // the brackets
    for (let i = 0; i < texts.length; i++) {
        const add = texts[i].length + (i > from ? 1 : 0);
        if (i > from && length + add > maxChars) {
            groups.push({ from, to: i });
            from = i;
            length = 2 + texts[i].length;
        } else length += add;
    }
    if (texts.length > from) groups.push({ from, to: texts.length });
    if (groups.length > MAX_PARTS)
        throw new RangeError(`A chunk split into ${groups.length} parts (at most ${MAX_PARTS})`);
    return groups.map((g, k) => ({
        records: `[${texts.slice(g.from, g.to).join(',')}]`,
        elements: kept.slice(g.from, g.to),
        part: k + 1,
        partCount: groups.length
    }));
}
