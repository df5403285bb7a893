/**
 * sObject rows: `/sobjects/{T}` (create, basic info), `/sobjects/{T}/{id}` (read, update, delete),
 * `/sobjects/{T}/{field}/{value}` (upsert and read by external id, 300 with record URLs when several
 * match), `/sobjects/{T}/updated|deleted` (replication), and the REST record JSON they all return.
 */
import type { Org } from '../org';
import type { FieldSchema, ObjectSchema } from '../schema/types';
import { to18 } from '../store/ids';
import { DmlError, type Rec, type Transaction } from '../store/store';
import { describe, globalEntry } from './describe';
import { eventSchemaById, publishEvent } from './events';
import { errorReply, notAllowed, notFound, type Call, type Reply } from './reply';

/** Runs `fn` in the call's transaction, or in a transaction of its own that commits on success. */
export function dml<T>(org: Org, call: Call, fn: (tx: Transaction) => T): T {
    if (call.tx) {
        call.tx.nextOp();
        return fn(call.tx);
    }
    return org.store.run(call.userId, (tx) => {
        tx.nextOp();
        return fn(tx);
    });
}

/** A record in REST JSON form (all fields, or `fields` in that order). */
export function recordJson(
    org: Org,
    o: ObjectSchema,
    rec: Rec,
    version: string,
    fields?: FieldSchema[]
): Record<string, unknown> {
    const out: Record<string, unknown> = {
        attributes: { type: o.name, url: `/services/data/v${version}/sobjects/${o.name}/${rec.Id as string}` }
    };
    for (const f of fields ?? o.fields.values()) out[f.name] = rec[f.name] ?? null;
    return out;
}

export function fieldList(org: Org, o: ObjectSchema, list: string | null | string[]): FieldSchema[] | undefined {
    if (list === null || list === undefined) return undefined;
    const names = Array.isArray(list) ? list : list.split(',');
    const out: FieldSchema[] = [];
    for (const n of names.map((x) => String(x).trim()).filter((x) => x !== '')) {
        const f = org.schema.getField(o, n);
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

export function sobjects(org: Org, call: Call, seg: string[]): Reply {
    const { method } = call;
    if (seg.length === 0) {
        if (method !== 'GET') return notAllowed(method, 'GET');
        return {
            status: 200,
            body: {
                encoding: 'UTF-8',
                maxBatchSize: 200,
                sobjects: org.schema.all().map((o) => globalEntry(org, o, call.version))
            }
        };
    }
    const o = org.schema.get(seg[0]);
    if (!o) return notFound();
    if (seg.length === 1) {
        if (method === 'GET')
            return { status: 200, body: { objectDescribe: globalEntry(org, o, call.version), recentItems: [] } };
        if (method === 'POST') return o.isEvent ? publishEvent(org, call, o) : create(org, call, o);
        return notAllowed(method, 'GET, HEAD, POST');
    }
    if (seg.length === 2 && seg[1] === 'describe') {
        return method === 'GET'
            ? { status: 200, body: describe(org, o, call.version) }
            : notAllowed(method, 'GET, HEAD');
    }
    if (seg.length === 2 && seg[1] === 'eventSchema' && o.isEvent) {
        if (method !== 'GET') return notAllowed(method, 'GET');
        return eventSchemaById(org, call, org.bus.schemaIdFor(o.name));
    }
    if (o.isEvent) return notFound();
    if (seg.length === 2 && (seg[1] === 'updated' || seg[1] === 'deleted') && call.method === 'GET')
        return replication(org, call, o, seg[1]);
    if (seg.length === 2) return byId(org, call, o, seg[1]);
    if (seg.length === 3) return byExternalId(org, call, o, seg[1], seg[2]);
    return notFound();
}

function create(org: Org, call: Call, o: ObjectSchema): Reply {
    const body = call.body as Rec;
    const id = dml(org, call, (tx) => org.store.insert(tx, o.name, body ?? {}));
    return {
        status: 201,
        body: { id, success: true, errors: [] },
        headers: { Location: `/services/data/v${call.version}/sobjects/${o.name}/${id}` }
    };
}

function byId(org: Org, call: Call, o: ObjectSchema, id: string): Reply {
    const { method } = call;
    const id18 = to18(id);
    if (method === 'GET' || method === 'HEAD') {
        const found = id18 ? org.store.get(id18) : undefined;
        if (!id18 || !found || found.obj !== o) {
            // Salesforce treats a non-id segment as an external id field name.
            if (!id18 || org.schema.byPrefix(id18) !== o)
                return errorReply(
                    404,
                    'NOT_FOUND',
                    `Provided external ID field does not exist or is not accessible: ${id}`
                );
            return notFound();
        }
        if (found.rec.IsDeleted === true) return errorReply(404, 'ENTITY_IS_DELETED', 'entity is deleted', []);
        const fields = fieldList(org, o, call.query.get('fields'));
        return { status: 200, body: recordJson(org, o, found.rec, call.version, fields) };
    }
    if (method === 'PATCH') {
        if (!id18 || org.schema.byPrefix(id18) !== o)
            return errorReply(
                404,
                'NOT_FOUND',
                `Provided external ID field does not exist or is not accessible: ${id}`
            );
        const body = (call.body ?? {}) as Rec;
        dml(org, call, (tx) => org.store.update(tx, o.name, id18, body));
        return { status: 204 };
    }
    if (method === 'DELETE') {
        if (!id18 || org.schema.byPrefix(id18) !== o)
            return errorReply(
                404,
                'NOT_FOUND',
                `Provided external ID field does not exist or is not accessible: ${id}`
            );
        const found = org.store.get(id18);
        if (!found) return notFound();
        dml(org, call, (tx) => org.store.delete(tx, o.name, id18));
        return { status: 204 };
    }
    return notAllowed(method, 'GET, PATCH, HEAD, DELETE');
}

function byExternalId(org: Org, call: Call, o: ObjectSchema, field: string, value: string): Reply {
    const f = org.schema.getField(o, field);
    if (!f || !(f.externalId || f.idLookup))
        return errorReply(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${field}`);
    if (call.method === 'PATCH') {
        let r: { id: string; created: boolean };
        try {
            r = dml(org, call, (tx) => org.store.upsert(tx, o.name, f.name, value, (call.body ?? {}) as Rec));
        } catch (e) {
            // Several records match: 300 with the matching records' URLs, as for a GET by external id.
            if (e instanceof DmlError && e.statusCode === 'MULTIPLE_CHOICES')
                return {
                    status: 300,
                    body: e.fields.map((i) => `/services/data/v${call.version}/sobjects/${o.name}/${i}`)
                };
            throw e;
        }
        return {
            status: r.created ? 201 : 200,
            body: { id: r.id, success: true, errors: [], created: r.created },
            headers: r.created ? { Location: `/services/data/v${call.version}/sobjects/${o.name}/${r.id}` } : undefined
        };
    }
    if (call.method === 'GET') {
        const ids = f.name === 'Id' ? [value] : org.store.findByField(o, f, value);
        if (ids.length === 0) return notFound();
        if (ids.length > 1)
            return { status: 300, body: ids.map((i) => `/services/data/v${call.version}/sobjects/${o.name}/${i}`) };
        const found = org.store.get(ids[0]);
        if (!found || found.rec.IsDeleted === true) return notFound();
        return {
            status: 200,
            body: recordJson(org, o, found.rec, call.version, fieldList(org, o, call.query.get('fields')))
        };
    }
    if (call.method === 'DELETE') {
        const ids = org.store.findByField(o, f, value);
        if (ids.length === 0) return notFound();
        if (ids.length > 1)
            return { status: 300, body: ids.map((i) => `/services/data/v${call.version}/sobjects/${o.name}/${i}`) };
        dml(org, call, (tx) => org.store.delete(tx, o.name, ids[0]));
        return { status: 204 };
    }
    return notAllowed(call.method, 'GET, PATCH, DELETE');
}

/**
 * `GET /sobjects/T/updated?start=&end=` and `/deleted`: ids changed or deleted in a window, by
 * SystemModstamp (start and end rounded down to the minute, at most 30 days back, as Salesforce does).
 */
function replication(org: Org, call: Call, o: ObjectSchema, kind: 'updated' | 'deleted'): Reply {
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
    const now = org.clock.nowMs();
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
        for (const r of org.store.records(o.name, false)) if (inWindow(r)) ids.push(r.Id as string);
        return { status: 200, body: { ids, latestDateCovered: fmt(latest) } };
    }
    const deletedRecords: Array<{ id: string; deletedDate: string }> = [];
    for (const r of org.store.records(o.name, true))
        if (r.IsDeleted === true && inWindow(r))
            deletedRecords.push({ id: r.Id as string, deletedDate: r.SystemModstamp as string });
    return {
        status: 200,
        body: { deletedRecords, earliestDateAvailable: fmt(earliest), latestDateCovered: fmt(latest) }
    };
}
