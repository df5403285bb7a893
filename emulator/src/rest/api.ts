/**
 * The REST data plane of the emulated org (`/services/data/vNN.N/...`) as a pure request → reply
 * function, so the HTTP router and Composite subrequests share one implementation.
 */
import type { Org } from '../org';
import type { FieldSchema, ObjectSchema } from '../schema/types';
import { SoqlError } from '../soql';
import { to18 } from '../store/ids';
import { DmlError, type Rec, type Transaction } from '../store/store';
import { BulkApi } from './bulk';

/** One REST request, after authentication and body parsing. */
export interface Call {
    method: string;
    /** Path after `/services/data/vNN.N` (starts with `/`, or is '' for the version root). */
    path: string;
    query: URLSearchParams;
    /** Parsed JSON body (undefined when none), or the raw text for CSV uploads. */
    body: unknown;
    raw: string;
    headers: Record<string, string | undefined>;
    userId: string;
    /** API version without the `v`, e.g. `60.0`. */
    version: string;
    /** Set inside an allOrNone Composite request: DML joins this transaction and does not commit. */
    tx?: Transaction;
}

/** A REST reply. */
export interface Reply {
    status: number;
    body?: unknown;
    /** A non-JSON body (CSV). */
    text?: string;
    contentType?: string;
    headers?: Record<string, string>;
}

/** A Salesforce REST error reply (always the array shape). */
export function errorReply(status: number, errorCode: string, message: string, fields?: string[]): Reply {
    const e: Record<string, unknown> = { message, errorCode };
    if (fields) e.fields = fields;
    return { status, body: [e] };
}

const NOT_FOUND = (): Reply => errorReply(404, 'NOT_FOUND', 'The requested resource does not exist');

function dmlReply(e: DmlError): Reply {
    if (e.statusCode === 'MULTIPLE_CHOICES') return { status: 300, body: e.fields };
    return errorReply(e.httpStatus, e.statusCode, e.message, e.fields);
}

/** Per-record result of a collection call. */
function failure(e: unknown, id?: string): Record<string, unknown> {
    const err =
        e instanceof DmlError
            ? { statusCode: e.statusCode, message: e.message, fields: e.fields }
            : { statusCode: 'UNKNOWN_EXCEPTION', message: String((e as Error)?.message ?? e), fields: [] };
    if (e instanceof DmlError && e.statusCode === 'MULTIPLE_CHOICES')
        return {
            ...(id ? { id } : {}),
            success: false,
            errors: [
                {
                    statusCode: 'DUPLICATE_EXTERNAL_ID',
                    message: `Foreign key external ID: ${e.message} matched multiple records`,
                    fields: []
                }
            ]
        };
    return id ? { id, success: false, errors: [err] } : { success: false, errors: [err] };
}

const ROLLED_BACK = {
    statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
    message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
    fields: []
};

/** Salesforce release label for an API version (v60.0 = Spring '24). */
export function releaseLabel(v: number): string {
    const idx = v - 60;
    const season = ['Spring', 'Summer', 'Winter'][((idx % 3) + 3) % 3];
    const year = 24 + Math.floor(idx / 3) + (season === 'Winter' ? 1 : 0);
    return `${season} '${String(year).padStart(2, '0')}`;
}

/** The versions list (`GET /services/data`). */
export function versionsList(): Array<{ label: string; url: string; version: string }> {
    const out = [];
    for (let v = 31; v <= 64; v++)
        out.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
    return out;
}

/** The REST API of one org. */
export class RestApi {
    readonly bulk: BulkApi;

    constructor(readonly org: Org) {
        this.bulk = new BulkApi(org, this);
    }

    /** Runs `fn` in the call's transaction, or in a transaction of its own that commits on success. */
    dml<T>(call: Call, fn: (tx: Transaction) => T): T {
        if (call.tx) {
            call.tx.nextOp();
            return fn(call.tx);
        }
        return this.org.store.run(call.userId, (tx) => {
            tx.nextOp();
            return fn(tx);
        });
    }

    /** Objects a request touches (for fault rules). */
    objectsOf(method: string, path: string, body: unknown, query: URLSearchParams): string[] {
        const out: string[] = [];
        const m = /^\/(?:sobjects|composite\/sobjects)\/([A-Za-z0-9_]+)/.exec(path);
        if (m) out.push(m[1]);
        const q = query.get('q');
        if (q) {
            const f = /\bfrom\s+([A-Za-z0-9_]+)/i.exec(q);
            if (f) out.push(f[1]);
        }
        const recs = (body as { records?: unknown })?.records;
        if (Array.isArray(recs))
            for (const r of recs) {
                const t = (r as { attributes?: { type?: unknown } })?.attributes?.type;
                if (typeof t === 'string' && !out.includes(t)) out.push(t);
            }
        const ids = query.get('ids');
        if (ids)
            for (const id of ids.split(',')) {
                const o = this.org.schema.byPrefix(id);
                if (o && !out.includes(o.name)) out.push(o.name);
            }
        if (method === 'POST' && path === '/jobs/ingest') {
            const o = (body as { object?: unknown })?.object;
            if (typeof o === 'string') out.push(o);
        }
        return out;
    }

    /** Label of the endpoint for the per-endpoint API counters. */
    endpointOf(method: string, path: string): string {
        const p = path
            .replace(/^\/sobjects\/[^/]+\/describe$/, '/sobjects/{T}/describe')
            .replace(/^\/sobjects\/[^/]+\/(updated|deleted)$/, '/sobjects/{T}/$1')
            .replace(/^\/sobjects\/[^/]+\/eventSchema$/, '/sobjects/{T}/eventSchema')
            .replace(/^\/sobjects\/[^/]+\/[^/]+\/[^/]+$/, '/sobjects/{T}/{field}/{value}')
            .replace(/^\/sobjects\/[^/]+\/[^/]+$/, '/sobjects/{T}/{id}')
            .replace(/^\/sobjects\/[^/]+$/, '/sobjects/{T}')
            .replace(/^\/(query|queryAll)\/[^/]+$/, '/$1/{locator}')
            .replace(/^\/composite\/sobjects\/[^/]+\/[^/]+$/, '/composite/sobjects/{T}/{field}')
            .replace(/^\/composite\/sobjects\/[^/]+$/, '/composite/sobjects/{T}')
            .replace(/^\/event\/eventSchema\/[^/]+$/, '/event/eventSchema/{id}')
            .replace(/^\/jobs\/(ingest|query)\/[^/]+(\/.*)?$/, '/jobs/$1/{id}$2');
        return `${method} ${p || '/'}`;
    }

    /** Handles one REST call. */
    handle(call: Call): Reply {
        try {
            return this.route(call);
        } catch (e) {
            if (e instanceof DmlError) return dmlReply(e);
            if (e instanceof SoqlError) return errorReply(400, e.errorCode, e.message);
            throw e;
        }
    }

    private route(call: Call): Reply {
        const { method, path } = call;
        const seg = path
            .split('/')
            .filter((s) => s !== '')
            .map(decodeURIComponent);
        if (seg.length === 0) {
            if (method !== 'GET')
                return errorReply(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET`);
            return { status: 200, body: this.resources(call.version) };
        }
        switch (seg[0]) {
            case 'limits':
                return method === 'GET' ? { status: 200, body: this.limits() } : this.notAllowed(method, 'GET');
            case 'sobjects':
                return this.sobjects(call, seg.slice(1));
            case 'query':
            case 'queryAll':
                if (method !== 'GET') return this.notAllowed(method, 'GET');
                return seg.length === 1 ? this.query(call, seg[0] === 'queryAll') : this.queryMore(call, seg[1]);
            case 'composite':
                if (seg.length === 1) return method === 'POST' ? this.composite(call) : this.notAllowed(method, 'POST');
                if (seg[1] === 'sobjects') return this.collections(call, seg.slice(2));
                if (seg[1] === 'batch' && seg.length === 2)
                    return method === 'POST' ? this.batch(call) : this.notAllowed(method, 'POST');
                return NOT_FOUND();
            case 'event':
                if (seg[1] === 'eventSchema' && seg.length === 3 && method === 'GET')
                    return this.eventSchemaById(call, seg[2]);
                return NOT_FOUND();
            case 'jobs':
                return this.bulk.handle(call, seg.slice(1));
            default:
                return NOT_FOUND();
        }
    }

    private notAllowed(method: string, allowed: string): Reply {
        return errorReply(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${allowed}`);
    }

    private resources(version: string): Record<string, string> {
        const b = `/services/data/v${version}`;
        const out: Record<string, string> = {};
        for (const r of ['sobjects', 'query', 'queryAll', 'composite', 'limits', 'jobs/ingest', 'jobs/query'])
            out[r.replace('jobs/', 'jobs')] = `${b}/${r}`;
        return out;
    }

    /* ---------------------------------------------------------------- describe */

    /** The describeGlobal entry of an object. */
    globalEntry(o: ObjectSchema, version: string): Record<string, unknown> {
        const b = `/services/data/v${version}/sobjects/${o.name}`;
        const urls: Record<string, string> = { sobject: b, describe: `${b}/describe`, rowTemplate: `${b}/{ID}` };
        if (o.isEvent) urls.eventSchema = `${b}/eventSchema`;
        return {
            activateable: false,
            associateEntityType: null,
            associateParentEntity: null,
            createable: o.createable,
            custom: o.custom,
            customSetting: this.org.schema.isCustomSetting(o),
            deepCloneable: false,
            deletable: o.deletable,
            deprecatedAndHidden: false,
            feedEnabled: false,
            hasSubtypes: false,
            isInterface: false,
            isSubtype: false,
            keyPrefix: o.keyPrefix,
            label: o.label,
            labelPlural: o.labelPlural,
            layoutable: !o.isEvent,
            mergeable: ['Account', 'Contact', 'Lead'].includes(o.name),
            mruEnabled: !o.isEvent,
            name: o.name,
            queryable: o.queryable,
            replicateable: !o.isEvent,
            retrieveable: !o.isEvent,
            searchable: !o.isEvent,
            triggerable: true,
            undeletable: o.deletable,
            updateable: o.updateable,
            urls
        };
    }

    private fieldJson(o: ObjectSchema, f: FieldSchema): Record<string, unknown> {
        const numeric = ['double', 'currency', 'percent', 'int'].includes(f.type);
        return {
            aggregatable: f.type !== 'textarea',
            autoNumber: !!this.org.schema.fieldExtra(o, f.name)?.displayFormat,
            byteLength: f.length * 3,
            calculated: f.calculated,
            calculatedFormula: f.calculatedFormula,
            cascadeDelete: f.cascadeDelete,
            caseSensitive: false,
            compoundFieldName: null,
            controllerName: null,
            createable: f.createable,
            custom: f.custom,
            defaultValue: f.type === 'boolean' ? f.defaultValue : (f.defaultValue ?? null),
            defaultValueFormula: null,
            defaultedOnCreate: f.defaultedOnCreate,
            dependentPicklist: false,
            deprecatedAndHidden: false,
            digits: f.type === 'int' ? f.precision : 0,
            externalId: f.externalId,
            extraTypeInfo: null,
            filterable: f.filterable,
            groupable: f.type !== 'textarea' && !numeric,
            htmlFormatted: false,
            idLookup: f.idLookup,
            inlineHelpText: null,
            label: f.label,
            length: f.length,
            mask: null,
            maskType: null,
            name: f.name,
            nameField: f.nameField,
            namePointing: false,
            nillable: f.nillable,
            permissionable: f.custom && f.nillable,
            picklistValues: f.picklistValues,
            polymorphicForeignKey: f.referenceTo.length > 1,
            precision: numeric && f.type !== 'int' ? f.precision : 0,
            referenceTargetField: null,
            referenceTo: f.referenceTo,
            relationshipName: f.relationshipName,
            relationshipOrder: f.cascadeDelete ? 0 : null,
            restrictedDelete: false,
            restrictedPicklist: f.restrictedPicklist,
            scale: numeric ? f.scale : 0,
            soapType: f.soapType,
            sortable: f.sortable,
            type: f.type,
            unique: f.unique,
            updateable: f.updateable,
            writeRequiresMasterRead: false
        };
    }

    /** Full describe of an object. */
    describe(o: ObjectSchema, version: string): Record<string, unknown> {
        const childRelationships: Array<Record<string, unknown>> = [];
        for (const c of this.org.schema.all())
            for (const f of c.fields.values())
                if (f.type === 'reference' && f.referenceTo.some((r) => r.toLowerCase() === o.name.toLowerCase()))
                    childRelationships.push({
                        cascadeDelete: f.cascadeDelete,
                        childSObject: c.name,
                        deprecatedAndHidden: false,
                        field: f.name,
                        junctionIdListNames: [],
                        junctionReferenceTo: [],
                        relationshipName: this.org.schema.fieldExtra(c, f.name)?.childRelationshipName ?? null,
                        restrictedDelete: false
                    });
        return {
            ...this.globalEntry(o, version),
            actionOverrides: [],
            childRelationships,
            compactLayoutable: !o.isEvent,
            defaultImplementation: null,
            extendedBy: null,
            extendsInterfaces: null,
            fields: [...o.fields.values()].map((f) => this.fieldJson(o, f)),
            implementedBy: null,
            implementsInterfaces: null,
            listviewable: null,
            lookupLayoutable: null,
            namedLayoutInfos: [],
            networkScopeFieldName: null,
            recordTypeInfos: [],
            searchLayoutable: !o.isEvent,
            sobjectDescribeOption: 'FULL',
            supportedScopes: [{ label: 'All', name: 'everything' }],
            urls: this.globalEntry(o, version).urls
        };
    }

    /* ---------------------------------------------------------------- records */

    /** A record in REST JSON form (all fields, or `fields` in that order). */
    recordJson(o: ObjectSchema, rec: Rec, version: string, fields?: FieldSchema[]): Record<string, unknown> {
        const out: Record<string, unknown> = {
            attributes: { type: o.name, url: `/services/data/v${version}/sobjects/${o.name}/${rec.Id as string}` }
        };
        for (const f of fields ?? o.fields.values()) out[f.name] = rec[f.name] ?? null;
        return out;
    }

    private fieldList(o: ObjectSchema, list: string | null | string[]): FieldSchema[] | undefined {
        if (list === null || list === undefined) return undefined;
        const names = Array.isArray(list) ? list : list.split(',');
        const out: FieldSchema[] = [];
        for (const n of names.map((x) => String(x).trim()).filter((x) => x !== '')) {
            const f = this.org.schema.getField(o, n);
            if (!f)
                throw new DmlError(
                    'INVALID_FIELD',
                    `No such column '${n}' on entity '${o.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
                    [],
                    400
                );
            out.push(f);
        }
        return out;
    }

    private object(name: string): ObjectSchema | undefined {
        return this.org.schema.get(name);
    }

    private sobjects(call: Call, seg: string[]): Reply {
        const { method } = call;
        if (seg.length === 0) {
            if (method !== 'GET') return this.notAllowed(method, 'GET');
            return {
                status: 200,
                body: {
                    encoding: 'UTF-8',
                    maxBatchSize: 200,
                    sobjects: this.org.schema.all().map((o) => this.globalEntry(o, call.version))
                }
            };
        }
        const o = this.object(seg[0]);
        if (!o) return NOT_FOUND();
        if (seg.length === 1) {
            if (method === 'GET')
                return { status: 200, body: { objectDescribe: this.globalEntry(o, call.version), recentItems: [] } };
            if (method === 'POST') return o.isEvent ? this.publishEvent(call, o) : this.create(call, o);
            return this.notAllowed(method, 'GET, HEAD, POST');
        }
        if (seg.length === 2 && seg[1] === 'describe') {
            return method === 'GET'
                ? { status: 200, body: this.describe(o, call.version) }
                : this.notAllowed(method, 'GET, HEAD');
        }
        if (seg.length === 2 && seg[1] === 'eventSchema' && o.isEvent) {
            if (method !== 'GET') return this.notAllowed(method, 'GET');
            const id = this.org.bus.schemaIdFor(o.name);
            const fmt = (call.query.get('payloadFormat') ?? 'EXPANDED').toUpperCase();
            if (fmt !== 'EXPANDED' && fmt !== 'COMPACT')
                return errorReply(
                    400,
                    'INVALID_QUERY_PARAMETER_VALUE',
                    `Invalid value for payloadFormat: ${call.query.get('payloadFormat')}. Use EXPANDED or COMPACT.`
                );
            return { status: 200, body: this.org.bus.eventSchema(id, fmt) };
        }
        if (o.isEvent) return NOT_FOUND();
        if (seg.length === 2 && (seg[1] === 'updated' || seg[1] === 'deleted') && call.method === 'GET')
            return this.replication(call, o, seg[1]);
        if (seg.length === 2) return this.byId(call, o, seg[1]);
        if (seg.length === 3) return this.byExternalId(call, o, seg[1], seg[2]);
        return NOT_FOUND();
    }

    private create(call: Call, o: ObjectSchema): Reply {
        const body = call.body as Rec;
        const id = this.dml(call, (tx) => this.org.store.insert(tx, o.name, body ?? {}));
        return {
            status: 201,
            body: { id, success: true, errors: [] },
            headers: { Location: `/services/data/v${call.version}/sobjects/${o.name}/${id}` }
        };
    }

    private publishEvent(call: Call, o: ObjectSchema): Reply {
        const r = this.publishEvents(o, [call.body as Rec], call.userId)[0];
        if (!r.success) return { status: 400, body: (r.errors as unknown[]).map((e) => this.asErrorCode(e)) };
        return { status: 201, body: r };
    }

    private asErrorCode(e: unknown): Record<string, unknown> {
        const x = e as { statusCode: string; message: string; fields: string[] };
        return { message: x.message, errorCode: x.statusCode, fields: x.fields };
    }

    /** Publishes platform events given as REST records; one result per event. */
    publishEvents(o: ObjectSchema, bodies: Rec[], userId: string): Array<Record<string, unknown>> {
        const results: Array<Record<string, unknown>> = [];
        const payloads: Array<{ i: number; p: Rec }> = [];
        bodies.forEach((b, i) => {
            try {
                if (!b || typeof b !== 'object' || Array.isArray(b))
                    throw new DmlError('JSON_PARSER_ERROR', 'The event must be a JSON object');
                const p: Rec = {};
                for (const [k, v] of Object.entries(b)) {
                    if (k === 'attributes') continue;
                    const f = this.org.schema.getField(o, k);
                    if (!f)
                        throw new DmlError('INVALID_FIELD', `No such column '${k}' on sobject of type ${o.name}`, []);
                    if (!f.createable)
                        throw new DmlError(
                            'INVALID_FIELD_FOR_INSERT_UPDATE',
                            `Unable to create/update fields: ${f.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
                            [f.name]
                        );
                    p[f.name] = this.org.store.coerce(o, f, v);
                }
                payloads.push({ i, p });
                results[i] = {};
            } catch (e) {
                results[i] = failure(e);
            }
        });
        if (payloads.length) {
            const published = this.org.bus.publish(
                o.name,
                payloads.map((x) => x.p),
                userId
            );
            payloads.forEach((x, k) => {
                results[x.i] = {
                    id: this.org.store.ids.next(o.keyPrefix),
                    success: true,
                    errors: [{ statusCode: 'OPERATION_ENQUEUED', message: published[k].eventUuid, fields: [] }]
                };
            });
        }
        return results;
    }

    private byId(call: Call, o: ObjectSchema, id: string): Reply {
        const { method } = call;
        const id18 = to18(id);
        if (method === 'GET' || method === 'HEAD') {
            const found = id18 ? this.org.store.get(id18) : undefined;
            if (!id18 || !found || found.obj !== o) {
                // Salesforce treats a non-id segment as an external id field name.
                if (!id18 || this.org.schema.byPrefix(id18) !== o)
                    return errorReply(
                        404,
                        'NOT_FOUND',
                        `Provided external ID field does not exist or is not accessible: ${id}`
                    );
                return NOT_FOUND();
            }
            if (found.rec.IsDeleted === true) return errorReply(404, 'ENTITY_IS_DELETED', 'entity is deleted', []);
            const fields = this.fieldList(o, call.query.get('fields'));
            return { status: 200, body: this.recordJson(o, found.rec, call.version, fields) };
        }
        if (method === 'PATCH') {
            if (!id18 || this.org.schema.byPrefix(id18) !== o)
                return errorReply(
                    404,
                    'NOT_FOUND',
                    `Provided external ID field does not exist or is not accessible: ${id}`
                );
            const body = (call.body ?? {}) as Rec;
            this.dml(call, (tx) => this.org.store.update(tx, o.name, id18, body));
            return { status: 204 };
        }
        if (method === 'DELETE') {
            if (!id18 || this.org.schema.byPrefix(id18) !== o)
                return errorReply(
                    404,
                    'NOT_FOUND',
                    `Provided external ID field does not exist or is not accessible: ${id}`
                );
            const found = this.org.store.get(id18);
            if (!found) return NOT_FOUND();
            this.dml(call, (tx) => this.org.store.delete(tx, o.name, id18));
            return { status: 204 };
        }
        return this.notAllowed(method, 'GET, PATCH, HEAD, DELETE');
    }

    private byExternalId(call: Call, o: ObjectSchema, field: string, value: string): Reply {
        const f = this.org.schema.getField(o, field);
        if (!f || !(f.externalId || f.idLookup))
            return errorReply(
                404,
                'NOT_FOUND',
                `Provided external ID field does not exist or is not accessible: ${field}`
            );
        if (call.method === 'PATCH') {
            const r = this.dml(call, (tx) =>
                this.org.store.upsert(tx, o.name, f.name, value, (call.body ?? {}) as Rec)
            );
            return {
                status: r.created ? 201 : 200,
                body: { id: r.id, success: true, errors: [], created: r.created },
                headers: r.created
                    ? { Location: `/services/data/v${call.version}/sobjects/${o.name}/${r.id}` }
                    : undefined
            };
        }
        if (call.method === 'GET') {
            const ids = f.name === 'Id' ? [value] : this.org.store.findByField(o, f, value);
            if (ids.length === 0) return NOT_FOUND();
            if (ids.length > 1)
                return { status: 300, body: ids.map((i) => `/services/data/v${call.version}/sobjects/${o.name}/${i}`) };
            const found = this.org.store.get(ids[0]);
            if (!found || found.rec.IsDeleted === true) return NOT_FOUND();
            return {
                status: 200,
                body: this.recordJson(o, found.rec, call.version, this.fieldList(o, call.query.get('fields')))
            };
        }
        if (call.method === 'DELETE') {
            const ids = this.org.store.findByField(o, f, value);
            if (ids.length === 0) return NOT_FOUND();
            if (ids.length > 1)
                return { status: 300, body: ids.map((i) => `/services/data/v${call.version}/sobjects/${o.name}/${i}`) };
            this.dml(call, (tx) => this.org.store.delete(tx, o.name, ids[0]));
            return { status: 204 };
        }
        return this.notAllowed(call.method, 'GET, PATCH, DELETE');
    }

    /**
     * `GET /sobjects/T/updated?start=&end=` and `/deleted`: ids changed or deleted in a window, by
     * SystemModstamp (start and end rounded down to the minute, at most 30 days back, as Salesforce does).
     */
    private replication(call: Call, o: ObjectSchema, kind: 'updated' | 'deleted'): Reply {
        const parse = (name: string): number | Reply => {
            const v = call.query.get(name);
            const ms = v ? Date.parse(v) : NaN;
            if (Number.isNaN(ms))
                return errorReply(
                    400,
                    'INVALID_REPLICATION_DATE',
                    `${name} must be an ISO 8601 date and time, got ${JSON.stringify(v)}`
                );
            return Math.floor(ms / 60_000) * 60_000;
        };
        const start = parse('start');
        if (typeof start !== 'number') return start;
        const end = parse('end');
        if (typeof end !== 'number') return end;
        const now = this.org.clock.nowMs();
        const earliest = Math.floor((now - 30 * 86400_000) / 60_000) * 60_000;
        if (start > end) return errorReply(400, 'INVALID_REPLICATION_DATE', 'start must be before end');
        if (start < earliest)
            return errorReply(400, 'INVALID_REPLICATION_DATE', 'start date cannot be more than 30 days ago');
        const latest = Math.min(end, Math.floor(now / 60_000) * 60_000);
        const fmt = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
        const inWindow = (r: Rec) => {
            const ms = Date.parse(String(r.SystemModstamp).replace('+0000', 'Z'));
            return ms >= start && ms < latest + 60_000;
        };
        if (kind === 'updated') {
            const ids: string[] = [];
            for (const r of this.org.store.records(o.name, false)) if (inWindow(r)) ids.push(r.Id as string);
            return { status: 200, body: { ids, latestDateCovered: fmt(latest) } };
        }
        const deletedRecords: Array<{ id: string; deletedDate: string }> = [];
        for (const r of this.org.store.records(o.name, true))
            if (r.IsDeleted === true && inWindow(r))
                deletedRecords.push({ id: r.Id as string, deletedDate: r.SystemModstamp as string });
        return {
            status: 200,
            body: { deletedRecords, earliestDateAvailable: fmt(earliest), latestDateCovered: fmt(latest) }
        };
    }

    /* ---------------------------------------------------------------- query */

    /** Batch size from `Sforce-Query-Options: batchSize=N` (200–2000, default 2000). */
    batchSize(call: Call): number | null {
        const h = call.headers['sforce-query-options'];
        if (!h) return null;
        const m = /batchSize\s*=\s*(\d+)/i.exec(h);
        if (!m) return null;
        return Math.min(2000, Math.max(200, Number(m[1])));
    }

    private query(call: Call, all: boolean): Reply {
        const q = call.query.get('q');
        if (q === null || q.trim() === '')
            return errorReply(400, 'MALFORMED_QUERY', 'A query string has to be specified');
        const result = this.org.query(q, all, call.version);
        const size = this.batchSize(call) ?? 2000;
        if (result.records.length <= size)
            return { status: 200, body: { totalSize: result.totalSize, done: true, records: result.records } };
        const qid = this.org.openCursor(result, size);
        return {
            status: 200,
            body: {
                totalSize: result.totalSize,
                done: false,
                nextRecordsUrl: `/services/data/v${call.version}/${all ? 'queryAll' : 'query'}/${qid}-${size}`,
                records: result.records.slice(0, size)
            }
        };
    }

    private queryMore(call: Call, locator: string): Reply {
        const dash = locator.lastIndexOf('-');
        const qid = dash > 0 ? locator.slice(0, dash) : '';
        const offset = dash > 0 ? Number(locator.slice(dash + 1)) : NaN;
        const cursor = qid ? this.org.cursor(qid) : undefined;
        if (!cursor || !Number.isInteger(offset) || offset < 0 || offset > cursor.records.length)
            return errorReply(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
        const size = this.batchSize(call) ?? cursor.batchSize;
        const end = Math.min(cursor.records.length, offset + size);
        const done = end >= cursor.records.length;
        const kind = call.path.startsWith('/queryAll') ? 'queryAll' : 'query';
        const body: Record<string, unknown> = { totalSize: cursor.totalSize, done };
        if (!done) body.nextRecordsUrl = `/services/data/v${call.version}/${kind}/${qid}-${end}`;
        body.records = cursor.records.slice(offset, end);
        return { status: 200, body };
    }

    /* ---------------------------------------------------------------- limits */

    private limits(): Record<string, unknown> {
        const u = this.org.api.usage();
        const s = this.org.bus.stats();
        const lim = (max: number, used = 0) => ({ Max: max, Remaining: Math.max(0, max - used) });
        return {
            ConcurrentAsyncGetReportInstances: lim(200),
            ConcurrentSyncReportRuns: lim(20),
            DailyApiRequests: lim(u.max, u.used),
            DailyAsyncApexExecutions: lim(250000),
            DailyBulkApiBatches: lim(15000),
            DailyBulkV2QueryFileStorageMB: lim(976562),
            DailyBulkV2QueryJobs: lim(10000, this.bulk.queryJobsToday()),
            DailyDeliveredPlatformEvents: lim(this.org.deliveries.max, this.org.deliveries.used()),
            DailyStreamingApiEvents: lim(1000000),
            DataStorageMB: lim(1024),
            FileStorageMB: lim(1024),
            HourlyPublishedPlatformEvents: lim(250000, s.published),
            HourlyPublishedStandardVolumePlatformEvents: lim(1000),
            MonthlyPlatformEventsUsageEntitlement: lim(1500000, s.delivered),
            SingleEmail: lim(5000),
            StreamingApiConcurrentClients: lim(2000, s.clients)
        };
    }

    private eventSchemaById(call: Call, id: string): Reply {
        const fmt = (call.query.get('payloadFormat') ?? 'EXPANDED').toUpperCase();
        if (fmt !== 'EXPANDED' && fmt !== 'COMPACT')
            return errorReply(
                400,
                'INVALID_QUERY_PARAMETER_VALUE',
                `Invalid value for payloadFormat: ${call.query.get('payloadFormat')}. Use EXPANDED or COMPACT.`
            );
        const doc = this.org.bus.eventSchema(id, fmt);
        return doc ? { status: 200, body: doc } : NOT_FOUND();
    }

    /* ---------------------------------------------------------------- collections */

    private collections(call: Call, seg: string[]): Reply {
        const { method } = call;
        if (seg.length === 0) {
            if (method === 'DELETE') return this.collectionDelete(call);
            if (method === 'POST' || method === 'PATCH')
                return this.collectionWrite(call, method === 'POST' ? 'create' : 'update');
            if (method === 'GET') return this.collectionRetrieveGet(call);
            return this.notAllowed(method, 'GET, POST, PATCH, DELETE');
        }
        const o = this.object(seg[0]);
        if (!o) return errorReply(400, 'INVALID_TYPE', `sObject type '${seg[0]}' is not supported.`);
        if (seg.length === 1) {
            if (method === 'POST' || method === 'GET') return this.collectionRetrieve(call, o);
            return this.notAllowed(method, 'GET, POST');
        }
        if (seg.length === 2 && method === 'PATCH') return this.collectionUpsert(call, o, seg[1]);
        return NOT_FOUND();
    }

    private collectionBody(call: Call): { allOrNone: boolean; records: Rec[] } | Reply {
        const b = call.body as { allOrNone?: unknown; records?: unknown } | undefined;
        if (!b || typeof b !== 'object' || !Array.isArray(b.records))
            return errorReply(
                400,
                'JSON_PARSER_ERROR',
                "The request body must be a JSON object with a 'records' array"
            );
        if (b.records.length > 200)
            return errorReply(
                400,
                'EXCEEDED_ID_LIMIT',
                'record limit reached. cannot submit more than 200 records into this call'
            );
        if (b.allOrNone !== undefined && typeof b.allOrNone !== 'boolean')
            return errorReply(
                400,
                'JSON_PARSER_ERROR',
                `Cannot deserialize instance of boolean from VALUE_STRING value ${String(b.allOrNone)} or request may be missing a required field at [line:1, column:1]`
            );
        return { allOrNone: b.allOrNone === true, records: b.records as Rec[] };
    }

    /**
     * Runs per-record work in order inside one transaction: each record in a savepoint; with
     * allOrNone, any failure rolls everything back and the others report ALL_OR_NONE_OPERATION_ROLLED_BACK.
     */
    private perRecord<T>(
        call: Call,
        allOrNone: boolean,
        items: T[],
        typeOf: (item: T) => string,
        fn: (tx: Transaction, item: T) => Record<string, unknown>
    ): Array<Record<string, unknown>> {
        const store = this.org.store;
        const tx = call.tx ?? store.begin(call.userId);
        const results: Array<Record<string, unknown>> = [];
        let failed = false;
        let lastType: string | null = null;
        const start = tx.savepoint();
        try {
            for (const item of items) {
                const t = typeOf(item);
                if (t !== lastType) {
                    tx.nextOp(); // a new type-chunk = a new trigger invocation
                    lastType = t;
                }
                const sp = tx.savepoint();
                try {
                    results.push(fn(tx, item));
                } catch (e) {
                    store.rollbackTo(tx, sp);
                    if (!(e instanceof DmlError)) throw e;
                    failed = true;
                    results.push(
                        failure(
                            e,
                            typeof (item as Rec)?.id === 'string'
                                ? ((item as Rec).id as string)
                                : typeof item === 'string'
                                  ? item
                                  : undefined
                        )
                    );
                }
            }
        } catch (e) {
            if (!call.tx) store.rollback(tx);
            else store.rollbackTo(tx, start);
            throw e;
        }
        if (allOrNone && failed) {
            if (!call.tx) store.rollback(tx);
            else store.rollbackTo(tx, start);
            return results
                .map((r) => (r.success ? { ...(r.id ? { id: r.id } : {}), success: false, errors: [ROLLED_BACK] } : r))
                .map((r) => {
                    if ('created' in r) delete r.created;
                    return r;
                });
        }
        if (!call.tx) store.commit(tx);
        return results;
    }

    private collectionWrite(call: Call, mode: 'create' | 'update'): Reply {
        const b = this.collectionBody(call);
        if ('status' in b) return b;
        const typeOf = (r: Rec) => String((r?.attributes as { type?: unknown } | undefined)?.type ?? '');
        // Platform events in a create collection are published, not stored.
        const results = this.perRecord(call, b.allOrNone, b.records, typeOf, (tx, r) => {
            if (!r || typeof r !== 'object' || Array.isArray(r))
                throw new DmlError('JSON_PARSER_ERROR', 'Each record must be a JSON object');
            const type = typeOf(r);
            if (!type) throw new DmlError('INVALID_TYPE', 'Must send a concrete entity type.', []);
            const o = this.object(type);
            if (!o) throw new DmlError('INVALID_TYPE', `sObject type '${type}' is not supported.`, []);
            const { attributes: _a, id: lowerId, Id: upperId, ...values } = r;
            const id = (lowerId ?? upperId) as string | undefined;
            if (mode === 'create') {
                if (id !== undefined && id !== null)
                    throw new DmlError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
                if (o.isEvent) {
                    const res = this.publishEvents(o, [values], call.userId)[0];
                    if (!res.success) {
                        const err = (res.errors as Array<{ statusCode: string; message: string; fields: string[] }>)[0];
                        throw new DmlError(err.statusCode, err.message, err.fields);
                    }
                    return res;
                }
                return { id: this.org.store.insert(tx, o.name, values), success: true, errors: [] };
            }
            if (typeof id !== 'string' || id === '')
                throw new DmlError('MISSING_ARGUMENT', 'Id not specified in an update call', []);
            this.org.store.update(tx, o.name, id, values);
            return { id: to18(id) ?? id, success: true, errors: [] };
        });
        return { status: 200, body: results };
    }

    private collectionUpsert(call: Call, o: ObjectSchema, field: string): Reply {
        const b = this.collectionBody(call);
        if ('status' in b) return b;
        const f = this.org.schema.getField(o, field);
        if (!f || !(f.externalId || f.name === 'Id'))
            return errorReply(
                404,
                'NOT_FOUND',
                `Provided external ID field does not exist or is not accessible: ${field}`
            );
        const results = this.perRecord(
            call,
            b.allOrNone,
            b.records,
            () => o.name,
            (tx, r) => {
                if (!r || typeof r !== 'object')
                    throw new DmlError('JSON_PARSER_ERROR', 'Each record must be a JSON object');
                const t = (r.attributes as { type?: string } | undefined)?.type;
                if (t && this.object(t) !== o)
                    throw new DmlError(
                        'INVALID_TYPE',
                        `Record type ${t} does not match the collection's type ${o.name}`,
                        []
                    );
                const { attributes: _a, ...values } = r;
                const key = Object.keys(values).find((k) => k.toLowerCase() === f.name.toLowerCase());
                const ext = key ? values[key] : undefined;
                if (f.name !== 'Id' && (ext === undefined || ext === null || ext === ''))
                    throw new DmlError('MISSING_ARGUMENT', `${f.name} not specified`, [f.name]);
                const res = this.org.store.upsert(tx, o.name, f.name, ext, values);
                return { id: res.id, success: true, errors: [], created: res.created };
            }
        );
        return { status: 200, body: results };
    }

    private collectionDelete(call: Call): Reply {
        const ids = (call.query.get('ids') ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
        if (ids.length === 0) return errorReply(400, 'MISSING_ARGUMENT', 'ids parameter is required');
        if (ids.length > 200)
            return errorReply(
                400,
                'EXCEEDED_ID_LIMIT',
                'record limit reached. cannot submit more than 200 records into this call'
            );
        const allOrNone = call.query.get('allOrNone') === 'true';
        const results = this.perRecord(
            call,
            allOrNone,
            ids,
            (id) => this.org.schema.byPrefix(id)?.name ?? '',
            (tx, id) => {
                const id18 = to18(id);
                if (!id18) throw new DmlError('MALFORMED_ID', `malformed id ${id}`, []);
                const found = this.org.store.get(id18);
                if (!found) throw new DmlError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
                this.org.store.delete(tx, null, id18);
                return { id: id18, success: true, errors: [] };
            }
        );
        return { status: 200, body: results };
    }

    private collectionRetrieve(call: Call, o: ObjectSchema): Reply {
        let ids: unknown;
        let fields: unknown;
        if (call.method === 'GET') {
            ids = (call.query.get('ids') ?? '').split(',').filter((s) => s);
            fields = (call.query.get('fields') ?? '').split(',').filter((s) => s);
        } else {
            const b = call.body as { ids?: unknown; fields?: unknown } | undefined;
            ids = b?.ids;
            fields = b?.fields;
        }
        if (!Array.isArray(ids) || ids.length === 0) return errorReply(400, 'MISSING_ARGUMENT', 'ids is required');
        if (!Array.isArray(fields) || fields.length === 0)
            return errorReply(400, 'MISSING_ARGUMENT', 'fields is required');
        if (ids.length > 2000)
            return errorReply(
                400,
                'EXCEEDED_ID_LIMIT',
                'record limit reached. cannot submit more than 2000 records into this call'
            );
        const fl = this.fieldList(o, fields as string[]);
        const out = ids.map((id) => {
            const found = typeof id === 'string' ? this.org.store.get(id) : undefined;
            if (!found || found.obj !== o || found.rec.IsDeleted === true) return null;
            return this.recordJson(o, found.rec, call.version, fl);
        });
        return { status: 200, body: out };
    }

    private collectionRetrieveGet(_call: Call): Reply {
        return errorReply(
            400,
            'MISSING_ARGUMENT',
            'Use GET /composite/sobjects/{sObject}?ids=…&fields=… to retrieve records'
        );
    }

    /* ---------------------------------------------------------------- composite */

    private static isHeavy(method: string, url: string): boolean {
        return /\/(query|queryAll)(\/|\?|$)/.test(url) || /\/composite\/sobjects/.test(url);
    }

    private composite(call: Call): Reply {
        const b = call.body as
            { allOrNone?: unknown; compositeRequest?: unknown; collateSubrequests?: unknown } | undefined;
        if (!b || typeof b !== 'object' || !Array.isArray(b.compositeRequest))
            return errorReply(
                400,
                'JSON_PARSER_ERROR',
                "The request body must be a JSON object with a 'compositeRequest' array"
            );
        const subs = b.compositeRequest as Array<Record<string, unknown>>;
        if (subs.length === 0)
            return errorReply(400, 'INVALID_API_INPUT', 'compositeRequest must contain at least one subrequest');
        if (subs.length > 25)
            return errorReply(
                400,
                'LIMIT_EXCEEDED',
                `A composite request can contain at most 25 subrequests; this one has ${subs.length}.`
            );
        const refs = new Set<string>();
        let heavy = 0;
        for (const [i, s] of subs.entries()) {
            if (!s || typeof s !== 'object')
                return errorReply(400, 'JSON_PARSER_ERROR', `compositeRequest[${i}] must be an object`);
            if (
                typeof s.method !== 'string' ||
                !['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD'].includes(s.method.toUpperCase())
            )
                return errorReply(
                    400,
                    'INVALID_API_INPUT',
                    `compositeRequest[${i}].method is missing or not an HTTP method`
                );
            if (typeof s.url !== 'string')
                return errorReply(400, 'INVALID_API_INPUT', `compositeRequest[${i}].url is required`);
            if (typeof s.referenceId !== 'string' || !/^[A-Za-z0-9_]+$/.test(s.referenceId))
                return errorReply(
                    400,
                    'INVALID_API_INPUT',
                    `compositeRequest[${i}].referenceId is required and must be alphanumeric`
                );
            if (refs.has(s.referenceId))
                return errorReply(400, 'INVALID_API_INPUT', `Duplicate referenceId: ${s.referenceId}`);
            refs.add(s.referenceId);
            const hh = s.httpHeaders as Record<string, unknown> | undefined;
            if (
                hh &&
                Object.keys(hh).some((k) => ['accept', 'authorization', 'content-type'].includes(k.toLowerCase()))
            )
                return errorReply(
                    400,
                    'INVALID_API_INPUT',
                    `compositeRequest[${i}]: the Accept, Authorization and Content-Type headers cannot be set on a subrequest`
                );
            if (RestApi.isHeavy(s.method, s.url)) heavy++;
        }
        if (heavy > 5)
            return errorReply(
                400,
                'LIMIT_EXCEEDED',
                `A composite request can contain at most 5 query or sObject Collections subrequests; this one has ${heavy}.`
            );
        const allOrNone = b.allOrNone === true;
        const store = this.org.store;
        const tx = allOrNone ? (call.tx ?? store.begin(call.userId)) : undefined;
        const start = tx?.savepoint();
        const results = new Map<string, { status: number; body: unknown }>();
        const out: Array<Record<string, unknown>> = [];
        const halted = (referenceId: string) => ({
            body: [
                {
                    errorCode: 'PROCESSING_HALTED',
                    message: 'The transaction was rolled back since another operation in the same transaction failed.'
                }
            ],
            httpHeaders: {},
            httpStatusCode: 400,
            referenceId
        });
        let failedAt = -1;
        for (const [i, s] of subs.entries()) {
            const referenceId = s.referenceId as string;
            let reply: Reply;
            try {
                const url = this.resolveRefs(s.url as string, results, true) as string;
                const body = s.body === undefined ? undefined : this.resolveRefs(s.body, results, false);
                reply = this.subrequest(
                    call,
                    (s.method as string).toUpperCase(),
                    url,
                    body,
                    (s.httpHeaders ?? {}) as Record<string, string>,
                    tx
                );
            } catch (e) {
                if (e instanceof RefError) reply = errorReply(400, 'PROCESSING_HALTED', e.message);
                else throw e;
            }
            results.set(referenceId, { status: reply.status, body: reply.body });
            out.push({
                body: reply.body ?? null,
                httpHeaders: reply.headers ?? {},
                httpStatusCode: reply.status,
                referenceId
            });
            if (allOrNone && reply.status >= 400) {
                failedAt = i;
                break;
            }
        }
        if (allOrNone && tx) {
            if (failedAt >= 0) {
                if (call.tx) store.rollbackTo(tx, start!);
                else store.rollback(tx);
                const final = subs.map((s, i) => (i === failedAt ? out[i] : halted(s.referenceId as string)));
                return { status: 200, body: { compositeResponse: final } };
            }
            if (!call.tx) store.commit(tx);
        }
        return { status: 200, body: { compositeResponse: out } };
    }

    private subrequest(
        call: Call,
        method: string,
        url: string,
        body: unknown,
        headers: Record<string, string>,
        tx: Transaction | undefined
    ): Reply {
        const u = new URL(url, 'http://emulator');
        const m = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(u.pathname);
        if (!m) return NOT_FOUND();
        const lower: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = String(v);
        return this.handle({
            method,
            path: m[2] ?? '',
            query: u.searchParams,
            body,
            raw: body === undefined ? '' : JSON.stringify(body),
            headers: lower,
            userId: call.userId,
            version: m[1],
            tx
        });
    }

    /** Replaces `@{ref.path}` references with values from earlier subrequest results. */
    private resolveRefs(v: unknown, results: Map<string, { status: number; body: unknown }>, inUrl: boolean): unknown {
        if (typeof v === 'string') {
            const whole = /^@\{([^}]+)\}$/.exec(v);
            if (whole && !inUrl) return this.lookupRef(whole[1], results);
            return v.replace(/@\{([^}]+)\}/g, (_m, expr: string) => {
                const x = this.lookupRef(expr, results);
                return inUrl ? encodeURIComponent(String(x)) : String(x);
            });
        }
        if (Array.isArray(v)) return v.map((x) => this.resolveRefs(x, results, inUrl));
        if (v && typeof v === 'object') {
            const out: Record<string, unknown> = {};
            for (const [k, x] of Object.entries(v)) out[k] = this.resolveRefs(x, results, inUrl);
            return out;
        }
        return v;
    }

    private lookupRef(expr: string, results: Map<string, { status: number; body: unknown }>): unknown {
        const parts = expr.match(/[^.[\]]+/g) ?? [];
        const ref = parts[0] ?? '';
        const r = results.get(ref);
        const fail = () =>
            new RefError(
                `Invalid reference specified. No value for ${expr} found in ${ref}. Provided referenceId ('${ref}') must be defined in a prior subrequest and must be valid.`
            );
        if (!r || r.status >= 400) throw fail();
        let cur: unknown = r.body;
        for (const p of parts.slice(1)) {
            if (cur === null || typeof cur !== 'object') throw fail();
            cur = (cur as Record<string, unknown>)[p];
        }
        if (cur === undefined || (cur !== null && typeof cur === 'object')) throw fail();
        return cur;
    }

    private batch(call: Call): Reply {
        const b = call.body as { batchRequests?: unknown; haltOnError?: unknown } | undefined;
        if (!b || !Array.isArray(b.batchRequests))
            return errorReply(
                400,
                'JSON_PARSER_ERROR',
                "The request body must be a JSON object with a 'batchRequests' array"
            );
        if (b.batchRequests.length > 25)
            return errorReply(
                400,
                'LIMIT_EXCEEDED',
                `A batch request can contain at most 25 subrequests; this one has ${b.batchRequests.length}.`
            );
        const results: Array<Record<string, unknown>> = [];
        let hasErrors = false;
        let halted = false;
        for (const s of b.batchRequests as Array<Record<string, unknown>>) {
            if (halted) {
                results.push({
                    statusCode: 412,
                    result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' }]
                });
                continue;
            }
            const url = `/services/data/v${call.version}/${String(s.url ?? '')
                .replace(/^\/?(services\/data\/)?v\d+\.\d\//, '')
                .replace(/^\//, '')}`;
            const r = this.subrequest(call, String(s.method ?? 'GET').toUpperCase(), url, s.richInput, {}, undefined);
            if (r.status >= 400) {
                hasErrors = true;
                if (b.haltOnError === true) halted = true;
            }
            results.push({ statusCode: r.status, result: r.body ?? null });
        }
        return { status: 200, body: { hasErrors, results } };
    }
}

class RefError extends Error {}
