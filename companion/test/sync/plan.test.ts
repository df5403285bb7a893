import { chunk, mergeEdits, planFlush, PlannableEdit } from '../../src/domain/sync/rules/plan';

let seq = 0;
function edit(sfId: string, field: string, value: unknown, objectApiName = 'Account', at = 1000): PlannableEdit {
    seq += 1;
    return { id: String(seq), objectApiName, sfId, salesforceField: field, newValue: value, createdAt: new Date(at) };
}

function id(n: number, prefix = '001'): string {
    return `${prefix}${String(n).padStart(12, '0')}AAA`;
}

describe('mergeEdits', () => {
    it('merges the fields of one record into one write and keeps the newest value per field', () => {
        const a = edit(id(1), 'Name', 'old', 'Account', 1000);
        const b = edit(id(1), 'Industry', 'Tech', 'Account', 1001);
        const c = edit(id(1), 'Name', 'new', 'Account', 1002);
        const { writes, supersededIds } = mergeEdits([a, b, c]);
        expect(writes).toHaveLength(1);
        expect(writes[0].values).toEqual({ Name: 'new', Industry: 'Tech' });
        expect(writes[0].editIdByField).toEqual({ Name: c.id, Industry: b.id });
        expect(supersededIds).toEqual([a.id]);
    });

    it('breaks ties on the same timestamp by the larger outbox id, numerically', () => {
        const e9 = { ...edit(id(2), 'Name', 'nine'), id: '9' };
        const e10 = { ...edit(id(2), 'Name', 'ten'), id: '10' };
        expect(mergeEdits([e10, e9]).writes[0].values.Name).toBe('ten');
        expect(mergeEdits([e9, e10]).supersededIds).toEqual(['9']);
    });

    it('sends null for a cleared field and refuses an edit without a Salesforce field', () => {
        expect(mergeEdits([edit(id(3), 'Phone', undefined)]).writes[0].values).toEqual({ Phone: null });
        expect(() => mergeEdits([edit(id(3), '', 'x')])).toThrow(/no Salesforce field/);
    });
});

describe('planFlush', () => {
    it('puts 1,000 records of one object into ONE composite call of five collections of 200', () => {
        const edits = Array.from({ length: 1000 }, (_, i) => edit(id(i), 'Name', `n${i}`));
        const plan = planFlush(edits);
        expect(plan.apiCalls).toBe(1);
        expect(plan.composites).toHaveLength(1);
        expect(plan.composites[0].collections.map((c) => c.records.length)).toEqual([200, 200, 200, 200, 200]);
        expect(plan.bulk).toHaveLength(0);
    });

    it('keeps each collection to one object and starts a second composite past five collections', () => {
        const edits = [
            ...Array.from({ length: 450 }, (_, i) => edit(id(i), 'Name', 'x', 'Account')),
            ...Array.from({ length: 601 }, (_, i) => edit(id(i, '006'), 'StageName', 'y', 'Opportunity'))
        ];
        const plan = planFlush(edits);
        const all = plan.composites.flatMap((c) => c.collections);
        expect(all.map((c) => [c.objectApiName, c.records.length])).toEqual([
            ['Account', 200],
            ['Account', 200],
            ['Account', 50],
            ['Opportunity', 200],
            ['Opportunity', 200],
            ['Opportunity', 200],
            ['Opportunity', 1]
        ]);
        expect(plan.composites.map((c) => c.collections.length)).toEqual([5, 2]);
        expect(plan.apiCalls).toBe(2);
        for (const c of all) expect(new Set(c.records.map((r) => r.objectApiName)).size).toBe(1);
    });

    it('counts records, not edits: many fields of one record are one row of a collection', () => {
        const edits = Array.from({ length: 300 }, (_, i) => edit(id(i % 100), `F${Math.floor(i / 100)}__c`, i));
        const plan = planFlush(edits);
        expect(plan.composites[0].collections).toHaveLength(1);
        expect(plan.composites[0].collections[0].records).toHaveLength(100);
        expect(Object.keys(plan.composites[0].collections[0].records[0].values)).toEqual(['F0__c', 'F1__c', 'F2__c']);
    });

    it('moves an object above the Bulk threshold to a Bulk 2.0 job and leaves the rest in composites', () => {
        const edits = [
            ...Array.from({ length: 30 }, (_, i) => edit(id(i), 'Name', 'x', 'Account')),
            ...Array.from({ length: 31 }, (_, i) => edit(id(i, '003'), 'LastName', 'y', 'Contact'))
        ];
        const plan = planFlush(edits, { bulkThreshold: 30 });
        expect(plan.bulk.map((b) => [b.objectApiName, b.records.length])).toEqual([['Contact', 31]]);
        expect(plan.composites[0].collections.map((c) => c.objectApiName)).toEqual(['Account']);
        expect(plan.apiCalls).toBe(1 + 3);
    });

    it('plans nothing for no edits and refuses limits Salesforce does not allow', () => {
        expect(planFlush([])).toEqual({ composites: [], bulk: [], supersededIds: [], apiCalls: 0 });
        expect(() => planFlush([], { collectionSize: 201 })).toThrow(/at most 200/);
        expect(() => planFlush([], { collectionsPerComposite: 6 })).toThrow(/at most 5/);
        expect(() => chunk([1], 0)).toThrow(/positive integer/);
    });
});
