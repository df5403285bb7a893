/**
 * Test fixtures for the SOQL engine: describe-shaped schemas built by hand and an in-memory
 * SoqlDataSource over plain records (values in REST JSON form, as the record store keeps them).
 */
import type { FieldSchema, FieldType, ObjectSchema } from '../src/schema/types';
import type { SoqlDataSource } from '../src/soql';
import { caseSuffix } from '../src/soql/ids';

/** The fixed "now" every test uses: Wednesday 2024-05-15 12:00 UTC (week Sun 12th … Sat 18th). */
export const NOW = new Date('2024-05-15T12:00:00.000Z');

type FieldOpts = Partial<FieldSchema>;

/** A describe-shaped field with sensible defaults for its type. */
export function field(name: string, type: FieldType, opts: FieldOpts = {}): FieldSchema {
    const text = ['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist'].includes(type);
    return {
        name,
        label: name,
        type,
        length: text ? 255 : type === 'id' || type === 'reference' ? 18 : 0,
        precision: 0,
        scale: 0,
        createable: type !== 'id',
        updateable: type !== 'id',
        nillable: type !== 'id' && type !== 'boolean',
        custom: name.endsWith('__c'),
        calculated: false,
        calculatedFormula: null,
        defaultedOnCreate: type === 'boolean',
        defaultValue: type === 'boolean' ? false : null,
        externalId: false,
        unique: false,
        idLookup: type === 'id',
        nameField: false,
        filterable: true,
        sortable: type !== 'multipicklist',
        required: false,
        picklistValues: [],
        restrictedPicklist: false,
        referenceTo: [],
        relationshipName: null,
        cascadeDelete: false,
        soapType: 'xsd:string',
        ...opts
    };
}

/** A lookup field: `field('AccountId', 'reference', {referenceTo:['Account'], relationshipName:'Account'})`. */
export function lookup(name: string, target: string | string[], relationshipName: string): FieldSchema {
    return field(name, 'reference', { referenceTo: Array.isArray(target) ? target : [target], relationshipName });
}

/** An object schema with the system fields every record has, plus `fields`. */
export function object(
    name: string,
    keyPrefix: string,
    fields: FieldSchema[],
    opts: Partial<ObjectSchema> = {}
): ObjectSchema {
    const all = [
        field('Id', 'id'),
        field('IsDeleted', 'boolean'),
        field('CreatedDate', 'datetime'),
        field('LastModifiedDate', 'datetime'),
        field('SystemModstamp', 'datetime'),
        lookup('CreatedById', 'User', 'CreatedBy'),
        lookup('LastModifiedById', 'User', 'LastModifiedBy'),
        ...fields
    ];
    return {
        name,
        label: name,
        labelPlural: name + 's',
        keyPrefix,
        custom: name.endsWith('__c'),
        isEvent: name.endsWith('__e'),
        createable: true,
        updateable: true,
        deletable: true,
        queryable: true,
        fields: new Map(all.map((f) => [f.name, f])),
        validationRules: [],
        ...opts
    };
}

/** An 18-character id with mixed case (so case-safe suffix handling is exercised). */
export function makeId(keyPrefix: string, n: number): string {
    const id15 = keyPrefix + 'Ab' + String(n).padStart(10, '0');
    return id15 + caseSuffix(id15);
}

type Row = Record<string, unknown>;

/** An in-memory org: schemas plus records, answering the SoqlDataSource calls. */
export class MemorySource implements SoqlDataSource {
    private readonly schemas = new Map<string, ObjectSchema>();
    private readonly rows = new Map<string, Row[]>();
    private readonly ids = new Map<string, { objectName: string; record: Row }>();
    /** Calls made to byId (to check parent lookups happen). */
    byIdCalls = 0;

    constructor(
        schemas: ObjectSchema[],
        private readonly clock: () => Date = () => NOW
    ) {
        for (const s of schemas) {
            this.schemas.set(s.name.toLowerCase(), s);
            this.rows.set(s.name, []);
        }
    }

    /** Adds a record (system fields defaulted) and returns it. */
    add(objectName: string, values: Row): Row {
        const schema = this.describe(objectName);
        if (!schema) throw new Error(`fixture: no object ${objectName}`);
        const list = this.rows.get(schema.name)!;
        const record: Row = {
            Id: makeId(schema.keyPrefix, this.ids.size + 1),
            IsDeleted: false,
            CreatedDate: '2024-01-01T00:00:00.000+0000',
            ...values
        };
        list.push(record);
        this.ids.set(String(record.Id).slice(0, 15), { objectName: schema.name, record });
        return record;
    }

    describe(objectName: string): ObjectSchema | undefined {
        return this.schemas.get(objectName.toLowerCase());
    }

    records(objectName: string, opts: { includeDeleted: boolean }): Iterable<Row> {
        const list = this.rows.get(this.describe(objectName)?.name ?? '') ?? [];
        return opts.includeDeleted ? list : list.filter((r) => r.IsDeleted !== true);
    }

    byId(id: string): { objectName: string; record: Row } | undefined {
        this.byIdCalls++;
        return this.ids.get(id.slice(0, 15));
    }

    now(): Date {
        return this.clock();
    }
}

/** Schemas used across the SOQL tests. */
export function schemas(): ObjectSchema[] {
    const user = object('User', '005', [field('Name', 'string', { nameField: true }), field('Username', 'string')]);
    const account = object('Account', '001', [
        field('Name', 'string', { nameField: true }),
        field('Industry', 'picklist'),
        field('AnnualRevenue', 'currency'),
        field('NumberOfEmployees', 'int'),
        field('Description', 'textarea', { filterable: false, sortable: false }),
        lookup('OwnerId', 'User', 'Owner'),
        lookup('ParentId', 'Account', 'Parent'),
        field('Tags__c', 'multipicklist'),
        field('Founded__c', 'date'),
        field('IsActive__c', 'boolean')
    ]);
    const contact = object('Contact', '003', [
        field('FirstName', 'string'),
        field('LastName', 'string'),
        field('Email', 'email'),
        field('Birthdate', 'date'),
        lookup('AccountId', 'Account', 'Account'),
        lookup('OwnerId', 'User', 'Owner')
    ]);
    const project = object('Project__c', 'a01', [
        field('Name', 'string', { nameField: true }),
        lookup('Account__c', 'Account', 'Account__r'),
        field('Status__c', 'picklist'),
        field('Budget__c', 'double'),
        field('Start__c', 'date'),
        field('Kickoff__c', 'datetime'),
        field('Skills__c', 'multipicklist'),
        field('Active__c', 'boolean')
    ]);
    const dated = object('Dated__c', 'a02', [
        field('Name', 'string', { nameField: true }),
        field('D__c', 'date'),
        field('T__c', 'datetime')
    ]);
    const event = object('Record_Change__e', 'e00', [field('Payload__c', 'string')], {
        isEvent: true,
        queryable: false
    });
    return [user, account, contact, project, dated, event];
}

/** Dates stored on Dated__c records (each also as a datetime at 12:00 UTC). */
export const DATES = [
    '2023-05-15',
    '2024-01-01',
    '2024-02-14',
    '2024-02-15',
    '2024-03-01',
    '2024-04-30',
    '2024-05-01',
    '2024-05-05',
    '2024-05-11',
    '2024-05-12',
    '2024-05-14',
    '2024-05-15',
    '2024-05-16',
    '2024-05-18',
    '2024-05-19',
    '2024-05-25',
    '2024-05-26',
    '2024-05-31',
    '2024-06-01',
    '2024-06-30',
    '2024-07-01',
    '2024-08-13',
    '2024-08-14',
    '2024-12-31',
    '2025-01-01',
    '2025-12-31',
    '2026-01-01'
];

/** The standard fixture org: users, accounts, contacts, projects and dated records. */
export function fixtureOrg(): { src: MemorySource; ids: Record<string, string> } {
    const src = new MemorySource(schemas());
    const ids: Record<string, string> = {};
    const put = (key: string, obj: string, values: Row): void => {
        ids[key] = String(src.add(obj, values).Id);
    };
    put('U1', 'User', { Name: 'Una User', Username: 'una@example.com' });
    put('U2', 'User', { Name: 'Vic User', Username: 'vic@example.com' });
    put('A1', 'Account', {
        Name: 'Acme',
        Industry: 'Tech',
        AnnualRevenue: 1000,
        NumberOfEmployees: 50,
        OwnerId: ids.U1,
        ParentId: null,
        Tags__c: 'a;b',
        Founded__c: '2024-05-14',
        IsActive__c: true,
        CreatedDate: '2024-05-15T08:00:00.000+0000'
    });
    put('A2', 'Account', {
        Name: 'Globex',
        Industry: 'Finance',
        AnnualRevenue: 5000,
        NumberOfEmployees: 10,
        OwnerId: ids.U2,
        ParentId: null,
        Tags__c: 'b;c',
        Founded__c: '2024-04-30',
        IsActive__c: false,
        CreatedDate: '2024-05-14T23:59:59.000+0000'
    });
    put('A3', 'Account', {
        Name: 'Initech',
        Industry: null,
        AnnualRevenue: null,
        NumberOfEmployees: 200,
        OwnerId: ids.U1,
        ParentId: ids.A1,
        Tags__c: null,
        Founded__c: '2023-12-31',
        IsActive__c: true,
        CreatedDate: '2024-01-02T00:00:00.000+0000'
    });
    put('A4', 'Account', {
        Name: 'acme labs',
        Industry: 'Tech',
        AnnualRevenue: 250,
        NumberOfEmployees: null,
        OwnerId: null,
        ParentId: null,
        Tags__c: 'c',
        Founded__c: '2024-06-01',
        IsActive__c: false,
        CreatedDate: '2024-05-16T00:00:00.000+0000'
    });
    put('A5', 'Account', { Name: 'Deleted Co', Industry: 'Tech', IsDeleted: true, IsActive__c: false });
    put('C1', 'Contact', {
        FirstName: 'Ann',
        LastName: 'Smith',
        Email: 'ann@acme.test',
        AccountId: ids.A1,
        Birthdate: '1990-05-15'
    });
    put('C2', 'Contact', { FirstName: 'Bob', LastName: 'Jones', Email: null, AccountId: ids.A2, Birthdate: null });
    put('C3', 'Contact', {
        FirstName: null,
        LastName: 'Brown',
        Email: 'brown@x.test',
        AccountId: null,
        Birthdate: null
    });
    put('C4', 'Contact', {
        FirstName: 'Cat',
        LastName: "O'Neil",
        Email: null,
        AccountId: ids.A3,
        Birthdate: '1985-01-31'
    });
    put('P1', 'Project__c', {
        Name: 'Alpha',
        Account__c: ids.A1,
        Status__c: 'Open',
        Budget__c: 100.5,
        Start__c: '2024-05-01',
        Kickoff__c: '2024-05-15T10:00:00.000+0000',
        Skills__c: 'Apex;Java',
        Active__c: true
    });
    put('P2', 'Project__c', {
        Name: 'Beta',
        Account__c: ids.A2,
        Status__c: 'Closed',
        Budget__c: 20,
        Start__c: '2024-04-15',
        Kickoff__c: '2024-04-20T09:30:00.000+0000',
        Skills__c: 'Java;Python',
        Active__c: false
    });
    put('P3', 'Project__c', {
        Name: 'Gamma',
        Account__c: null,
        Status__c: 'Open',
        Budget__c: null,
        Start__c: null,
        Kickoff__c: null,
        Skills__c: null,
        Active__c: true
    });
    for (const d of DATES) src.add('Dated__c', { Name: d, D__c: d, T__c: `${d}T12:00:00.000+0000` });
    return { src, ids };
}
