/**
 * Unit tests of the emulator core without HTTP: ids, the schema registry (fixtures and source-format
 * metadata, with and without a namespace) and the record store's Salesforce semantics.
 */
import * as path from 'node:path';
import { Clock } from '../src/clock';
import { SchemaRegistry } from '../src/schema/registry';
import { caseSuffix } from '../src/soql/ids';
import { checksumSuffix, IdGenerator, makeId, sameId, to18 } from '../src/store/ids';
import { DmlError, RecordStore } from '../src/store/store';

const FIXTURE_OBJECTS = path.join(__dirname, 'fixtures', 'pkg', 'objects');
const STANDARD = path.join(__dirname, '..', 'fixtures', 'standard-objects.json');
const ORG = '00D5g000004StFyEAK';
const USER = makeId('005', 12345);

function registry(ns = ''): SchemaRegistry {
    const s = new SchemaRegistry(ns);
    s.loadFixture(STANDARD);
    s.loadMetadataDir(FIXTURE_OBJECTS, true);
    return s;
}

function dmlError(fn: () => unknown): DmlError {
    try {
        fn();
    } catch (e) {
        if (e instanceof DmlError) return e;
        throw e;
    }
    throw new Error('expected a DmlError');
}

describe('ids', () => {
    it('computes the case-safe suffix as Salesforce does (agrees with the SOQL engine)', () => {
        // Known pair from Salesforce documentation examples.
        expect(to18('001D000000IqhSL')).toBe('001D000000IqhSLIAZ');
        const gen = new IdGenerator();
        for (let i = 0; i < 500; i++) {
            const id = gen.next('001');
            expect(id).toMatch(/^001[A-Za-z0-9]{15}$/);
            expect(id.slice(15)).toBe(caseSuffix(id.slice(0, 15)));
            expect(checksumSuffix(id.slice(0, 15))).toBe(id.slice(15));
        }
    });

    it('compares 15- and 18-character ids and rejects malformed ones', () => {
        const id = makeId('003', 99999);
        expect(sameId(id, id.slice(0, 15))).toBe(true);
        expect(sameId(id, id.slice(0, 15) + id.slice(15).toLowerCase())).toBe(true);
        expect(to18('not an id')).toBeNull();
        expect(to18(id.slice(0, 15) + 'XXX')).toBeNull();
        const lower = id.slice(0, 15).toLowerCase();
        if (lower !== id.slice(0, 15)) expect(sameId(id, lower)).toBe(false);
    });
});

describe('schema registry', () => {
    it('loads standard objects with system fields and Salesforce picklists', () => {
        const s = registry();
        const acc = s.get('account')!;
        expect(acc.name).toBe('Account');
        expect(acc.keyPrefix).toBe('001');
        for (const f of [
            'Id',
            'Name',
            'OwnerId',
            'CreatedDate',
            'CreatedById',
            'LastModifiedDate',
            'LastModifiedById',
            'SystemModstamp',
            'IsDeleted'
        ])
            expect(s.getField(acc, f.toLowerCase())?.name).toBe(f);
        expect(s.getField(acc, 'Rating')!.picklistValues.map((p) => p.value)).toEqual(['Hot', 'Warm', 'Cold']);
        expect(s.getField(s.get('Opportunity')!, 'StageName')!.picklistValues).toHaveLength(10);
    });

    it('loads source-format metadata: autonumber names, restricted picklists, master-detail, events', () => {
        const s = registry();
        const w = s.get('Widget__c')!;
        expect(w.custom).toBe(true);
        expect(w.keyPrefix).toMatch(/^a[0-9A-Za-z]{2}$/);
        expect(s.getField(w, 'Name')).toMatchObject({ createable: false, nameField: true });
        expect(s.getField(w, 'Code__c')).toMatchObject({
            type: 'string',
            length: 10,
            externalId: true,
            unique: true,
            required: true,
            nillable: false
        });
        expect(s.getField(w, 'Size__c')).toMatchObject({
            type: 'picklist',
            restrictedPicklist: true,
            defaultValue: 'Small'
        });
        expect(s.getField(w, 'Weight__c')).toMatchObject({ type: 'double', precision: 5, scale: 2 });
        expect(s.isOwned(w)).toBe(true);
        const part = s.get('Widget_Part__c')!;
        expect(s.isOwned(part)).toBe(false);
        expect(s.getField(part, 'Widget__c')).toMatchObject({
            type: 'reference',
            referenceTo: ['Widget__c'],
            cascadeDelete: true,
            relationshipName: 'Widget__r',
            updateable: false
        });
        const evt = s.get('Widget_Event__e')!;
        expect(evt).toMatchObject({ isEvent: true, queryable: false });
        // EventUuid is the delivered event's header, not a describe field.
        expect([...evt.fields.keys()]).toEqual(['ReplayId', 'Message__c', 'CreatedDate', 'CreatedById']);
    });

    it('prefixes package objects, fields and references with the namespace', () => {
        const s = registry('acme');
        expect(s.get('Widget__c')).toBeUndefined();
        const part = s.get('acme__Widget_Part__c')!;
        expect(s.getField(part, 'acme__Widget__c')).toMatchObject({
            referenceTo: ['acme__Widget__c'],
            relationshipName: 'acme__Widget__r'
        });
        expect(s.getField(part, 'Name')).toBeDefined();
        expect(s.pkg('Record_Change__e')).toBe('acme__Record_Change__e');
        expect(s.pkg('Account')).toBe('Account');
    });

    it('adds custom objects and fields at run time and rejects bad definitions', () => {
        const s = registry();
        const o = s.define({ name: 'Invoice__c', fields: [{ name: 'Total__c', type: 'currency', scale: 2 }] });
        expect(s.getField(o, 'Total__c')!.type).toBe('currency');
        expect(() => s.define({ name: 'Invoice__c', fields: [] })).toThrow(/already exists/);
        expect(() => s.define({ name: 'Bad Name', fields: [] })).toThrow(/API name/);
        expect(() => s.addField('Account', { name: 'NoSuffix' })).toThrow(/must end with __c/);
        expect(() => s.addField('Invoice__c', { name: 'X__c', type: 'bogus' as never })).toThrow(
            /unknown type 'bogus'/
        );
    });
});

describe('record store', () => {
    let s: SchemaRegistry;
    let clock: Clock;
    let store: RecordStore;
    beforeEach(() => {
        s = registry();
        clock = new Clock();
        store = new RecordStore(s, clock, ORG);
        store.run(USER, (tx) =>
            store.insertWithId(tx, 'User', USER, {
                Username: 'u@x.test',
                LastName: 'U',
                Alias: 'u',
                Email: 'u@x.test',
                TimeZoneSidKey: 'GMT',
                LocaleSidKey: 'en_US',
                LanguageLocaleKey: 'en_US',
                EmailEncodingKey: 'UTF-8'
            })
        );
    });
    const insert = (obj: string, v: Record<string, unknown>) => store.run(USER, (tx) => store.insert(tx, obj, v));

    it('validates as Salesforce does', () => {
        expect(dmlError(() => insert('Widget__c', { Code__c: 'A', Size__c: 'Huge' }))).toMatchObject({
            statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            fields: ['Size__c']
        });
        expect(dmlError(() => insert('Widget__c', {}))).toMatchObject({
            statusCode: 'REQUIRED_FIELD_MISSING',
            message: 'Required fields are missing: [Code__c]'
        });
        expect(dmlError(() => insert('Widget__c', { Code__c: 'A', Weight__c: 1234.5 }))).toMatchObject({
            statusCode: 'NUMBER_OUTSIDE_VALID_RANGE',
            fields: ['Weight__c']
        });
        expect(dmlError(() => insert('Widget__c', { Code__c: 'A', Name: 'x' }))).toMatchObject({
            statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
            fields: ['Name']
        });
        expect(dmlError(() => insert('Contact', { LastName: 'x', Email: 'not-an-email' }))).toMatchObject({
            statusCode: 'INVALID_EMAIL_ADDRESS'
        });
        expect(dmlError(() => insert('Contact', { LastName: 'x', Birthdate: '2020-13-45' }))).toMatchObject({
            statusCode: 'JSON_PARSER_ERROR'
        });
        const acc = insert('Account', { Name: 'A' });
        expect(
            dmlError(() =>
                insert('Opportunity', { Name: 'o', StageName: 'Prospecting', CloseDate: '2026-01-01', AccountId: USER })
            )
        ).toMatchObject({ statusCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['AccountId'] });
        const w = insert('Widget__c', { Code__c: 'dup' });
        expect(dmlError(() => insert('Widget__c', { Code__c: 'DUP' }))).toMatchObject({
            statusCode: 'DUPLICATE_VALUE',
            message: `duplicate value found: Code__c duplicates value on record with id: ${w}`
        });
        expect(store.get(acc)!.rec.Name).toBe('A');
    });

    it('fills defaults, autonumbers, derived fields and system fields', () => {
        const w = insert('Widget__c', { Code__c: 'A', Weight__c: 12.345 });
        const r = store.get(w)!.rec;
        expect(r).toMatchObject({
            Name: 'W-0001',
            Size__c: 'Small',
            Weight__c: 12.35,
            IsDeleted: false,
            CreatedById: USER,
            OwnerId: USER
        });
        const c = insert('Contact', { FirstName: 'Ada', LastName: 'Lovelace' });
        expect(store.get(c)!.rec.Name).toBe('Ada Lovelace');
        const o = insert('Opportunity', { Name: 'o', StageName: 'Closed Won', CloseDate: '2026-05-01', Amount: 1000 });
        expect(store.get(o)!.rec).toMatchObject({
            IsClosed: true,
            IsWon: true,
            Probability: 100,
            ForecastCategory: 'Closed',
            ExpectedRevenue: 1000,
            FiscalQuarter: 2
        });
    });

    it('moves SystemModstamp strictly forward, even within one millisecond', () => {
        const id = insert('Account', { Name: 'A' });
        const frozen = clock.nowMs();
        clock.advance(0);
        const stamps: string[] = [];
        for (let i = 0; i < 20; i++) {
            store.run(USER, (tx) => store.update(tx, 'Account', id, { Name: `A${i}` }));
            stamps.push(store.get(id)!.rec.SystemModstamp as string);
        }
        for (let i = 1; i < stamps.length; i++) expect(stamps[i] > stamps[i - 1]).toBe(true);
        expect(Date.parse(stamps[0].replace('+0000', 'Z'))).toBeGreaterThanOrEqual(frozen);
    });

    it('rolls back a failed transaction and notifies listeners only on commit', () => {
        const seen: number[] = [];
        store.onCommit((changes) => seen.push(changes.length));
        const id = insert('Account', { Name: 'Keep' });
        expect(() =>
            store.run(USER, (tx) => {
                store.update(tx, 'Account', id, { Name: 'Changed' });
                store.insert(tx, 'Account', { Name: 'New' });
                store.insert(tx, 'Account', {});
            })
        ).toThrow(DmlError);
        expect(store.get(id)!.rec.Name).toBe('Keep');
        expect(store.count('Account')).toBe(1);
        expect(seen).toEqual([1]);
    });

    it('cascades deletes to master-detail children and restores them on undelete', () => {
        const w = insert('Widget__c', { Code__c: 'P' });
        const p = insert('Widget_Part__c', { Name: 'bolt', Widget__c: w });
        store.run(USER, (tx) => store.delete(tx, 'Widget__c', w));
        expect(store.get(p)!.rec.IsDeleted).toBe(true);
        expect(
            dmlError(() => store.run(USER, (tx) => store.update(tx, 'Widget_Part__c', p, { Name: 'x' })))
        ).toMatchObject({ statusCode: 'ENTITY_IS_DELETED' });
        store.run(USER, (tx) => store.undelete(tx, 'Widget__c', w));
        expect(store.get(p)!.rec.IsDeleted).toBe(false);
        expect(dmlError(() => store.run(USER, (tx) => store.undelete(tx, 'Widget__c', w)))).toMatchObject({
            statusCode: 'UNDELETE_FAILED'
        });
    });

    it('upserts by external id and snapshots/restores its state', () => {
        const a = store.run(USER, (tx) => store.upsert(tx, 'Widget__c', 'Code__c', 'K1', { Weight__c: 1 }));
        const b = store.run(USER, (tx) => store.upsert(tx, 'Widget__c', 'code__c', 'k1', { Weight__c: 2 }));
        expect(a.created).toBe(true);
        expect(b).toEqual({ id: a.id, created: false });
        expect(
            dmlError(() => store.run(USER, (tx) => store.upsert(tx, 'Widget__c', 'Weight__c', 1, {})))
        ).toMatchObject({ statusCode: 'NOT_FOUND' });
        const snap = JSON.parse(JSON.stringify(store.snapshot()));
        const other = new RecordStore(s, clock, ORG);
        other.restore(snap);
        expect(other.get(a.id)!.rec.Weight__c).toBe(2);
        const next = other.run(USER, (tx) => other.insert(tx, 'Widget__c', { Code__c: 'K2' }));
        expect(other.get(next)!.rec.Name).toBe('W-0002');
    });
});
