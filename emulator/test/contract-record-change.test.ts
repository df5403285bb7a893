/**
 * The shared Record_Change__e contract module (contracts/record-change.ts): both shapes parse, the splitter packs a
 * chunk into as few parts as fit the Long Text Area limit, and an oversized record loses its values (R6/R7).
 */
import {
    CHUNK_SIZE,
    expandRecordChange,
    InvalidRecordChangeError,
    isLegacyRecordChange,
    RECORDS_MAX_CHARS,
    RecordElement,
    splitRecordChunk
} from '../../contracts/record-change';

const id = (n: number) => `001000000000${String(n).padStart(3, '0')}AAA`;
const element = (n: number, size = 10): RecordElement => ({
    id: id(n),
    changedFields: ['Name'],
    values: { Name: 'x'.repeat(size) },
    modstamp: '2026-01-01T00:00:00.000+0000'
});

describe('splitRecordChunk', () => {
    it('keeps a chunk of 200 small records in one part', () => {
        const parts = splitRecordChunk(Array.from({ length: CHUNK_SIZE }, (_, i) => element(i)));
        expect(parts).toHaveLength(1);
        expect(parts[0]).toMatchObject({ part: 1, partCount: 1 });
        expect(JSON.parse(parts[0].records)).toHaveLength(CHUNK_SIZE);
    });

    it('splits greedily into consecutive parts that each fit', () => {
        const els = Array.from({ length: 200 }, (_, i) => element(i, 2000));
        const parts = splitRecordChunk(els);
        const one = JSON.stringify(els[0]).length;
        const perPart = Math.floor((RECORDS_MAX_CHARS - 2 + 1) / (one + 1));
        expect(parts).toHaveLength(Math.ceil(200 / perPart));
        for (const p of parts) expect(p.records.length).toBeLessThanOrEqual(RECORDS_MAX_CHARS);
        expect(parts.map((p) => p.partCount)).toEqual(parts.map(() => parts.length));
        expect(parts.map((p) => p.part)).toEqual(parts.map((_, i) => i + 1));
        expect(parts.flatMap((p) => (JSON.parse(p.records) as RecordElement[]).map((e) => e.id))).toEqual(
            els.map((e) => e.id)
        );
        expect(parts[0].elements).toHaveLength(perPart);
    });

    it('fills a part exactly up to the limit', () => {
        const els = [element(1), element(2)];
        const exact = `[${JSON.stringify(els[0])},${JSON.stringify(els[1])}]`.length;
        expect(splitRecordChunk(els, exact)).toHaveLength(1);
        expect(splitRecordChunk(els, exact - 1)).toHaveLength(2);
    });

    it('sends null values for a record whose values alone do not fit', () => {
        const parts = splitRecordChunk([element(1), element(2, RECORDS_MAX_CHARS), element(3)]);
        const all = parts.flatMap((p) => JSON.parse(p.records) as RecordElement[]);
        expect(all.map((e) => e.values === null)).toEqual([false, true, false]);
        expect(parts).toHaveLength(1);
    });

    it('gives no parts for an empty chunk', () => {
        expect(splitRecordChunk([])).toEqual([]);
    });
});

describe('expandRecordChange', () => {
    const header = {
        Object_Api_Name__c: 'Account',
        Change_Type__c: 'UPDATE',
        Changed_By_Id__c: '005000000000001AAA',
        Origin__c: 'salesforce'
    };

    it('expands the batched shape, namespaced or not', () => {
        const records = JSON.stringify([element(1), element(2)]);
        const bare = expandRecordChange({ ...header, Records__c: records, Part__c: 1, Part_Count__c: 1 });
        expect(bare).toHaveLength(2);
        expect(bare[0]).toMatchObject({
            objectApiName: 'Account',
            changeType: 'UPDATE',
            recordId: id(1),
            changedFields: ['Name'],
            values: { Name: 'xxxxxxxxxx' },
            modstamp: '2026-01-01T00:00:00.000Z',
            origin: 'salesforce',
            shape: 'batched'
        });
        const ns = Object.fromEntries(
            Object.entries({ ...header, Records__c: records, Part__c: 2, Part_Count__c: 3 }).map(([k, v]) => [
                `statisfy__${k}`,
                v
            ])
        );
        const namespaced = expandRecordChange(ns, { namespace: 'statisfy' });
        expect(namespaced.map((c) => c.recordId)).toEqual([id(1), id(2)]);
        expect(namespaced[0]).toMatchObject({ part: 2, partCount: 3 });
    });

    it('expands the old one-record shape (older package versions)', () => {
        const payload = {
            ...header,
            Records__c: null,
            Record_Id__c: id(7),
            Changed_Fields__c: '["Name"]',
            Values__c: '{"Name":"Acme"}',
            Modstamp__c: '2026-01-01T00:00:00.000Z',
            Part__c: null,
            Part_Count__c: null
        };
        expect(isLegacyRecordChange(payload)).toBe(true);
        expect(expandRecordChange(payload)).toEqual([
            expect.objectContaining({ recordId: id(7), values: { Name: 'Acme' }, shape: 'legacy', part: 1 })
        ]);
        // Over Pub/Sub a DateTime arrives as epoch milliseconds; Values__c null means "read the record".
        const [c] = expandRecordChange({ ...payload, Values__c: null, Modstamp__c: Date.UTC(2026, 0, 2) });
        expect(c).toMatchObject({ values: null, modstamp: '2026-01-02T00:00:00.000Z' });
    });

    it('gives DELETE empty values in both shapes', () => {
        const del = { ...header, Change_Type__c: 'DELETE' };
        const [b] = expandRecordChange({
            ...del,
            Records__c: JSON.stringify([{ id: id(1), changedFields: [], values: {}, modstamp: '2026-01-01T00:00:00Z' }])
        });
        expect(b.values).toEqual({});
        const [l] = expandRecordChange({ ...del, Record_Id__c: id(1), Values__c: null });
        expect(l.values).toEqual({});
    });

    it('refuses payloads that are neither shape', () => {
        expect(() => expandRecordChange({ ...header })).toThrow(InvalidRecordChangeError);
        expect(() => expandRecordChange({ ...header, Records__c: '{not json' })).toThrow(/not JSON/);
        expect(() => expandRecordChange({ ...header, Records__c: '[{"id":"x"}]' })).toThrow(/Invalid Records__c/);
        expect(() => expandRecordChange({ ...header, Change_Type__c: 'MERGE', Records__c: '[]' })).toThrow(
            InvalidRecordChangeError
        );
    });
});
