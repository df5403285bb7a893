/**
 * The emulated org's schema: standard objects from `emulator/fixtures/standard-objects.json`, the
 * package's objects/fields/events from `force-app` metadata (with or without the namespace prefix),
 * and customer custom objects added at run time. Lookups of objects and fields are case-insensitive
 * as in Salesforce; results carry the API name as describe spells it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FieldSchema, FieldType, ObjectSchema, PicklistValue } from './types';

/** Compact field definition used by the fixtures and the control API. */
export interface FieldDef {
    name: string;
    label?: string;
    type?: FieldType | 'autonumber';
    length?: number;
    precision?: number;
    scale?: number;
    required?: boolean;
    createable?: boolean;
    updateable?: boolean;
    nillable?: boolean;
    defaultedOnCreate?: boolean;
    defaultValue?: unknown;
    externalId?: boolean;
    unique?: boolean;
    idLookup?: boolean;
    nameField?: boolean;
    calculated?: boolean;
    values?: Array<string | { value: string; label?: string; default?: boolean }>;
    restricted?: boolean;
    referenceTo?: string[];
    relationshipName?: string;
    cascadeDelete?: boolean;
    custom?: boolean;
    /** Autonumber display format, e.g. `FM-{0000}`. */
    displayFormat?: string;
    /** Value computed by the store (e.g. `fullName` from FirstName + LastName). */
    derived?: string;
    /** Name of the child relationship on the referenced object (describe `childRelationships`). */
    childRelationshipName?: string;
    /** The compound field this one is a component of (`BillingStreet` → `BillingAddress`). */
    compoundFieldName?: string;
}

/** Compact object definition used by the fixtures and the control API. */
export interface ObjectDef {
    name: string;
    label?: string;
    labelPlural?: string;
    keyPrefix?: string;
    /** Has an OwnerId (false for master-detail children, custom settings, events). */
    owned?: boolean;
    isEvent?: boolean;
    customSetting?: boolean;
    /** Read-only objects (Organization): no create, update or delete through the API. */
    readOnly?: boolean;
    fields: FieldDef[];
}

/** Extra per-field facts the store needs that describe does not carry. */
export interface FieldExtra {
    displayFormat?: string;
    derived?: string;
    childRelationshipName?: string;
    compoundFieldName?: string;
}

const TEXT_TYPES = new Set<FieldType>(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist']);
const DEFAULT_LENGTH: Partial<Record<FieldType, number>> = {
    string: 255,
    textarea: 255,
    email: 80,
    phone: 40,
    url: 255,
    picklist: 255,
    multipicklist: 4099,
    id: 18,
    reference: 18
};
const SOAP_TYPE: Record<FieldType, string> = {
    id: 'tns:ID',
    reference: 'tns:ID',
    string: 'xsd:string',
    textarea: 'xsd:string',
    email: 'xsd:string',
    phone: 'xsd:string',
    url: 'xsd:string',
    picklist: 'xsd:string',
    multipicklist: 'xsd:string',
    boolean: 'xsd:boolean',
    double: 'xsd:double',
    currency: 'xsd:double',
    percent: 'xsd:double',
    int: 'xsd:int',
    date: 'xsd:date',
    datetime: 'xsd:dateTime',
    address: 'urn:address'
};
const FIELD_TYPES = new Set(Object.keys(SOAP_TYPE));

/** Builds a describe-shaped field from a compact definition. */
export function buildField(def: FieldDef, customDefault: boolean): FieldSchema {
    if (!def.name || typeof def.name !== 'string') throw new Error('field definition needs a name');
    const autonumber = def.type === 'autonumber';
    const type: FieldType = def.type === undefined || def.type === 'autonumber' ? 'string' : def.type;
    if (!FIELD_TYPES.has(type)) throw new Error(`field ${def.name}: unknown type '${String(def.type)}'`);
    const createable = autonumber ? false : (def.createable ?? true);
    const updateable = autonumber ? false : (def.updateable ?? true);
    const isBool = type === 'boolean';
    const defaultedOnCreate = def.defaultedOnCreate ?? (isBool || autonumber || def.defaultValue !== undefined);
    const nillable = def.nillable ?? (isBool ? false : !def.required);
    const values: PicklistValue[] = (def.values ?? []).map((v) => {
        const o = typeof v === 'string' ? { value: v } : v;
        return {
            active: true,
            defaultValue: !!o.default,
            label: o.label ?? o.value,
            value: o.value,
            validFor: null
        };
    });
    const defaultPick = values.find((v) => v.defaultValue)?.value;
    let defaultValue: unknown = def.defaultValue ?? (isBool ? false : (defaultPick ?? null));
    if (defaultValue === undefined) defaultValue = null;
    const length =
        TEXT_TYPES.has(type) || type === 'id' || type === 'reference' ? (def.length ?? DEFAULT_LENGTH[type] ?? 255) : 0;
    return {
        name: def.name,
        label: def.label ?? def.name.replace(/__c$/, '').replace(/_/g, ' '),
        type,
        length,
        precision: def.precision ?? (['double', 'currency', 'percent'].includes(type) ? 18 : type === 'int' ? 9 : 0),
        scale: def.scale ?? 0,
        createable,
        updateable,
        nillable,
        custom: def.custom ?? customDefault,
        calculated: def.calculated ?? false,
        calculatedFormula: null,
        defaultedOnCreate: defaultedOnCreate || defaultValue !== null,
        defaultValue,
        externalId: def.externalId ?? false,
        unique: def.unique ?? false,
        idLookup: def.idLookup ?? (def.externalId === true || type === 'id'),
        nameField: def.nameField ?? false,
        filterable: type !== 'address' && (type !== 'textarea' || length <= 255),
        sortable: type !== 'textarea' && type !== 'multipicklist' && type !== 'address',
        required: !nillable && createable && !(defaultedOnCreate || defaultValue !== null),
        picklistValues: values,
        restrictedPicklist: def.restricted ?? false,
        referenceTo: def.referenceTo ?? [],
        relationshipName: def.relationshipName ?? null,
        cascadeDelete: def.cascadeDelete ?? false,
        soapType: SOAP_TYPE[type]
    };
}

function systemFields(owned: boolean, isEvent: boolean): FieldSchema[] {
    const ro = { createable: false, updateable: false, custom: false };
    if (isEvent) {
        return [
            buildField({ name: 'ReplayId', label: 'Replay ID', type: 'string', length: 255, ...ro }, false),
            buildField({ name: 'CreatedDate', label: 'Created Date', type: 'datetime', nillable: false, ...ro }, false),
            buildField(
                {
                    name: 'CreatedById',
                    label: 'Created By ID',
                    type: 'reference',
                    referenceTo: ['User'],
                    relationshipName: 'CreatedBy',
                    nillable: false,
                    ...ro
                },
                false
            )
            // EventUuid is in the delivered event's header, not a field of the event's describe.
        ];
    }
    const fields = [
        buildField(
            {
                name: 'Id',
                label: 'Record ID',
                type: 'id',
                nillable: false,
                defaultedOnCreate: true,
                idLookup: true,
                ...ro
            },
            false
        ),
        buildField({ name: 'IsDeleted', label: 'Deleted', type: 'boolean', ...ro }, false)
    ];
    if (owned) {
        fields.push(
            buildField(
                {
                    name: 'OwnerId',
                    label: 'Owner ID',
                    type: 'reference',
                    referenceTo: ['User'],
                    relationshipName: 'Owner',
                    nillable: false,
                    defaultedOnCreate: true,
                    custom: false
                },
                false
            )
        );
    }
    for (const [name, label, rel] of [
        ['CreatedDate', 'Created Date', null],
        ['CreatedById', 'Created By ID', 'CreatedBy'],
        ['LastModifiedDate', 'Last Modified Date', null],
        ['LastModifiedById', 'Last Modified By ID', 'LastModifiedBy'],
        ['SystemModstamp', 'System Modstamp', null]
    ] as const) {
        fields.push(
            buildField(
                rel
                    ? {
                          name,
                          label,
                          type: 'reference',
                          referenceTo: ['User'],
                          relationshipName: rel,
                          nillable: false,
                          defaultedOnCreate: true,
                          ...ro
                      }
                    : { name, label, type: 'datetime', nillable: false, defaultedOnCreate: true, ...ro },
                false
            )
        );
    }
    return fields;
}

/** Information about an object that is not part of its describe. */
interface ObjectExtra {
    owned: boolean;
    customSetting: boolean;
    fieldExtras: Map<string, FieldExtra>;
    fieldIndex: Map<string, FieldSchema>;
    /** Definition the object was built from (persisted for runtime-added objects). */
    runtime: boolean;
}

/** The org's schema. */
export class SchemaRegistry {
    private objects = new Map<string, ObjectSchema>();
    private extras = new WeakMap<ObjectSchema, ObjectExtra>();
    private prefixes = new Map<string, ObjectSchema>();
    private customPrefixCounter = 0;
    private eventPrefixCounter = 0;
    /** Runtime additions, kept so they can be persisted and replayed. */
    readonly runtimeAdditions: Array<
        { kind: 'object'; def: ObjectDef } | { kind: 'field'; object: string; def: FieldDef }
    > = [];

    /** The package namespace ('' when unprefixed). */
    constructor(readonly namespace: string = '') {
        if (namespace && !/^[a-zA-Z][a-zA-Z0-9]{0,14}$/.test(namespace))
            throw new Error(`namespace must be letters and digits, got '${namespace}'`);
    }

    /** `name` with the package namespace prefix when the package is namespaced (custom names only). */
    pkg(name: string): string {
        if (!this.namespace || !/__[a-z]+$/i.test(name) || name.includes(`${this.namespace}__`)) return name;
        return `${this.namespace}__${name}`;
    }

    /** Case-insensitive object lookup. */
    get(name: string): ObjectSchema | undefined {
        return typeof name === 'string' ? this.objects.get(name.toLowerCase()) : undefined;
    }

    /** Object whose key prefix is the first three characters of `id`. */
    byPrefix(id: string): ObjectSchema | undefined {
        return this.prefixes.get(String(id).slice(0, 3));
    }

    /** Every object, in definition order. */
    all(): ObjectSchema[] {
        return [...this.objects.values()];
    }

    /** Case-insensitive field lookup. */
    getField(obj: ObjectSchema, field: string): FieldSchema | undefined {
        return this.extra(obj).fieldIndex.get(String(field).toLowerCase());
    }

    /** Store-only facts about a field (autonumber format, derived values). */
    fieldExtra(obj: ObjectSchema, field: string): FieldExtra | undefined {
        return this.extra(obj).fieldExtras.get(field);
    }

    /** True when the object has an OwnerId. */
    isOwned(obj: ObjectSchema): boolean {
        return this.extra(obj).owned;
    }

    /** True for (hierarchy) custom settings. */
    isCustomSetting(obj: ObjectSchema): boolean {
        return this.extra(obj).customSetting;
    }

    private extra(obj: ObjectSchema): ObjectExtra {
        const x = this.extras.get(obj);
        if (!x) throw new Error(`object ${obj.name} is not registered`);
        return x;
    }

    /** Adds an object from a compact definition; throws when it exists or the definition is bad. */
    define(def: ObjectDef, opts: { custom?: boolean; runtime?: boolean } = {}): ObjectSchema {
        if (!def || typeof def.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(def.name))
            throw new Error(`object name must be an API name, got '${def?.name}'`);
        if (this.get(def.name)) throw new Error(`object ${def.name} already exists`);
        if (!Array.isArray(def.fields)) throw new Error(`object ${def.name}: fields must be an array`);
        const custom = opts.custom ?? /__(c|e)$/i.test(def.name);
        const isEvent = def.isEvent ?? /__e$/i.test(def.name);
        if (custom && !/__(c|e)$/.test(def.name))
            throw new Error(`custom object name must end with __c (or __e for events), got '${def.name}'`);
        const keyPrefix = def.keyPrefix ?? this.allocatePrefix(isEvent);
        if (this.prefixes.has(keyPrefix)) throw new Error(`key prefix ${keyPrefix} is already used`);
        const owned = def.owned ?? (!isEvent && !def.customSetting);
        const fields = new Map<string, FieldSchema>();
        const fieldExtras = new Map<string, FieldExtra>();
        const fieldIndex = new Map<string, FieldSchema>();
        const add = (f: FieldSchema, d?: FieldDef) => {
            if (fieldIndex.has(f.name.toLowerCase())) throw new Error(`object ${def.name}: duplicate field ${f.name}`);
            fields.set(f.name, f);
            fieldIndex.set(f.name.toLowerCase(), f);
            if (d && (d.displayFormat || d.derived || d.childRelationshipName || d.compoundFieldName))
                fieldExtras.set(f.name, {
                    displayFormat: d.displayFormat,
                    derived: d.derived,
                    childRelationshipName: d.childRelationshipName,
                    compoundFieldName: d.compoundFieldName
                });
        };
        const sys = systemFields(owned, isEvent);
        add(sys[0]);
        for (const d of def.fields) add(buildField(d, custom), d);
        for (const f of sys.slice(1)) if (!fieldIndex.has(f.name.toLowerCase())) add(f);
        const schema: ObjectSchema = {
            name: def.name,
            label: def.label ?? def.name.replace(/__[ce]$/, '').replace(/_/g, ' '),
            labelPlural: def.labelPlural ?? `${def.label ?? def.name.replace(/__[ce]$/, '').replace(/_/g, ' ')}s`,
            keyPrefix,
            custom,
            isEvent,
            createable: !def.readOnly,
            updateable: !isEvent && !def.readOnly,
            deletable: !isEvent && !def.readOnly,
            queryable: !isEvent,
            fields,
            validationRules: []
        };
        this.objects.set(def.name.toLowerCase(), schema);
        this.prefixes.set(keyPrefix, schema);
        this.extras.set(schema, {
            owned,
            customSetting: !!def.customSetting,
            fieldExtras,
            fieldIndex,
            runtime: !!opts.runtime
        });
        if (opts.runtime) this.runtimeAdditions.push({ kind: 'object', def });
        return schema;
    }

    /** Adds a field to an existing object (control API). */
    addField(objectName: string, def: FieldDef, opts: { runtime?: boolean } = {}): FieldSchema {
        const obj = this.get(objectName);
        if (!obj) throw new Error(`no object named '${objectName}'`);
        if (obj.isEvent === false && obj.custom === false && !/__c$/.test(def?.name ?? ''))
            throw new Error(`a custom field on a standard object must end with __c, got '${def?.name}'`);
        const x = this.extra(obj);
        const f = buildField(def, true);
        if (x.fieldIndex.has(f.name.toLowerCase())) throw new Error(`object ${obj.name} already has a field ${f.name}`);
        obj.fields.set(f.name, f);
        x.fieldIndex.set(f.name.toLowerCase(), f);
        if (def.displayFormat || def.derived || def.childRelationshipName)
            x.fieldExtras.set(f.name, {
                displayFormat: def.displayFormat,
                derived: def.derived,
                childRelationshipName: def.childRelationshipName
            });
        if (opts.runtime) this.runtimeAdditions.push({ kind: 'field', object: obj.name, def });
        return f;
    }

    private allocatePrefix(isEvent: boolean): string {
        const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
        for (;;) {
            const p = isEvent
                ? `e0${chars[this.eventPrefixCounter++ % 62]}`
                : `a${chars[Math.floor(this.customPrefixCounter / 62) % 62]}${chars[this.customPrefixCounter++ % 62]}`;
            if (!this.prefixes.has(p)) return p;
        }
    }

    /** Loads the standard objects from a fixture file in the compact format. */
    loadFixture(file: string): void {
        const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { objects: ObjectDef[] };
        for (const def of json.objects) this.define(def, { custom: false });
    }

    /**
     * Loads every object under `objectsDir` (a `…/main/default/objects` folder of source-format
     * metadata). Package objects and fields get the namespace prefix when `asPackage` is true.
     * Returns the API names defined.
     */
    loadMetadataDir(objectsDir: string, asPackage: boolean): string[] {
        if (!fs.existsSync(objectsDir)) return [];
        const defs = readObjectsMetadata(objectsDir);
        const rename = (n: string) => (asPackage ? this.pkg(n) : n);
        const packageNames = new Set(defs.map((d) => d.name.toLowerCase()));
        const out: string[] = [];
        for (const def of defs) {
            const renamed: ObjectDef = {
                ...def,
                name: rename(def.name),
                fields: def.fields.map((f) => {
                    const fname = f.name.endsWith('__c') ? rename(f.name) : f.name;
                    return {
                        ...f,
                        name: fname,
                        // Custom lookups are traversed as X__r in SOQL.
                        relationshipName:
                            f.type === 'reference' && fname.endsWith('__c')
                                ? fname.replace(/__c$/, '__r')
                                : f.relationshipName,
                        referenceTo: f.referenceTo?.map((r) => (packageNames.has(r.toLowerCase()) ? rename(r) : r)),
                        childRelationshipName:
                            f.childRelationshipName && fname.endsWith('__c')
                                ? `${asPackage && this.namespace ? `${this.namespace}__` : ''}${f.childRelationshipName}__r`
                                : f.childRelationshipName
                    };
                })
            };
            const existing = this.get(renamed.name);
            if (existing) {
                // Fields on a standard object (e.g. objects/Account/fields/X__c) extend it.
                for (const f of renamed.fields) if (!this.getField(existing, f.name)) this.addField(existing.name, f);
            } else {
                this.define(renamed);
            }
            out.push(renamed.name);
        }
        return out;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Source-format metadata (force-app/main/default/objects/**) → compact definitions.
 * ------------------------------------------------------------------------------------------- */

type Xml = Record<string, unknown>;

function text(v: unknown): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'object') return undefined;
    return String(v);
}

function bool(v: unknown): boolean | undefined {
    const t = text(v);
    return t === undefined ? undefined : t === 'true';
}

function arr<T>(v: T | T[] | undefined): T[] {
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function fieldFromMetadata(x: Xml, file: string): FieldDef | null {
    const name = text(x.fullName) ?? path.basename(file).replace(/\.field-meta\.xml$/, '');
    const type = text(x.type);
    const label = text(x.label);
    const required = bool(x.required);
    const base: FieldDef = {
        name,
        label,
        required,
        externalId: bool(x.externalId),
        unique: bool(x.unique)
    };
    const num = (k: string) => (text(x[k]) !== undefined ? Number(text(x[k])) : undefined);
    switch (type) {
        case 'Text':
            return { ...base, type: 'string', length: num('length') ?? 255 };
        case 'TextArea':
            return { ...base, type: 'textarea', length: 255 };
        case 'LongTextArea':
        case 'Html':
            return { ...base, type: 'textarea', length: num('length') ?? 32768 };
        case 'EncryptedText':
            return { ...base, type: 'string', length: num('length') ?? 175 };
        case 'Checkbox':
            return { ...base, type: 'boolean', defaultValue: text(x.defaultValue) === 'true' };
        case 'Number':
            return {
                ...base,
                type: (num('scale') ?? 0) > 0 ? 'double' : 'double',
                precision: num('precision') ?? 18,
                scale: num('scale') ?? 0
            };
        case 'Currency':
            return { ...base, type: 'currency', precision: num('precision') ?? 18, scale: num('scale') ?? 2 };
        case 'Percent':
            return { ...base, type: 'percent', precision: num('precision') ?? 18, scale: num('scale') ?? 0 };
        case 'Date':
            return { ...base, type: 'date' };
        case 'DateTime':
            return { ...base, type: 'datetime' };
        case 'Email':
            return { ...base, type: 'email' };
        case 'Phone':
            return { ...base, type: 'phone' };
        case 'Url':
            return { ...base, type: 'url' };
        case 'Picklist':
        case 'MultiselectPicklist': {
            const vs = (x.valueSet ?? {}) as Xml;
            const def = (vs.valueSetDefinition ?? {}) as Xml;
            const values = arr(def.value as Xml | Xml[]).map((v) => ({
                value: text(v.fullName) ?? '',
                label: text(v.label) ?? text(v.fullName),
                default: bool(v.default)
            }));
            return {
                ...base,
                type: type === 'Picklist' ? 'picklist' : 'multipicklist',
                values,
                restricted: bool(vs.restricted) ?? false
            };
        }
        case 'Lookup':
        case 'MasterDetail': {
            const md = type === 'MasterDetail';
            return {
                ...base,
                type: 'reference',
                referenceTo: [text(x.referenceTo) ?? ''],
                relationshipName: name.replace(/__c$/, '__r'),
                childRelationshipName: text(x.relationshipName),
                required: md ? true : required,
                cascadeDelete: md,
                updateable: md ? (bool(x.reparentableMasterDetail) ?? false) : true
            };
        }
        case 'AutoNumber':
            return { ...base, type: 'autonumber', displayFormat: text(x.displayFormat) ?? '{0}' };
        case undefined:
            return null;
        default:
            // Formula and summary fields are read-only text in the emulator.
            if (text(x.formula) !== undefined || type === 'Summary')
                return { ...base, type: 'string', createable: false, updateable: false, calculated: true };
            return { ...base, type: 'string' };
    }
}

/** Reads `objects/<Name>/<Name>.object-meta.xml` and `fields/*.field-meta.xml` for every object folder. */
export function readObjectsMetadata(objectsDir: string): ObjectDef[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { XMLParser } = require('fast-xml-parser') as typeof import('fast-xml-parser');
    const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });
    const out: ObjectDef[] = [];
    for (const name of fs.readdirSync(objectsDir).sort()) {
        const dir = path.join(objectsDir, name);
        if (!fs.statSync(dir).isDirectory()) continue;
        const objFile = path.join(dir, `${name}.object-meta.xml`);
        const obj = fs.existsSync(objFile)
            ? (((parser.parse(fs.readFileSync(objFile, 'utf8')) as Xml).CustomObject as Xml | undefined) ?? {})
            : null;
        const fields: FieldDef[] = [];
        const fdir = path.join(dir, 'fields');
        if (fs.existsSync(fdir)) {
            for (const f of fs.readdirSync(fdir).sort()) {
                if (!f.endsWith('.field-meta.xml')) continue;
                const file = path.join(fdir, f);
                const x = (parser.parse(fs.readFileSync(file, 'utf8')) as Xml).CustomField as Xml | undefined;
                if (!x) throw new Error(`${file}: not a CustomField`);
                const def = fieldFromMetadata(x, file);
                if (def) fields.push(def);
            }
        }
        if (obj === null) {
            // Only fields (an extension of a standard object).
            out.push({ name, fields });
            continue;
        }
        const isEvent = name.endsWith('__e');
        const nameField = (obj.nameField ?? {}) as Xml;
        const customSetting = text(obj.customSettingsType) !== undefined;
        const hasMaster = fields.some((f) => f.cascadeDelete);
        if (!isEvent && !fields.some((f) => f.name === 'Name')) {
            const auto = text(nameField.type) === 'AutoNumber';
            fields.unshift({
                name: 'Name',
                label: text(nameField.label) ?? `${text(obj.label) ?? name} Name`,
                type: auto ? 'autonumber' : 'string',
                length: 80,
                nameField: true,
                displayFormat: auto ? (text(nameField.displayFormat) ?? '{0}') : undefined,
                nillable: customSetting,
                defaultedOnCreate: !customSetting,
                // Custom object names are optional on create (the Id is shown when blank).
                custom: false
            });
        }
        if (customSetting) {
            fields.push({
                name: 'SetupOwnerId',
                label: 'Location',
                type: 'reference',
                referenceTo: ['Organization', 'Profile', 'User'],
                relationshipName: 'SetupOwner',
                custom: false,
                defaultedOnCreate: true
            });
        }
        out.push({
            name,
            label: text(obj.label),
            labelPlural: text(obj.pluralLabel),
            isEvent,
            customSetting,
            owned: !isEvent && !customSetting && !hasMaster,
            fields
        });
    }
    return out;
}
