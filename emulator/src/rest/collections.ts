/**
 * sObject Collections (`/composite/sobjects`): create, update, delete (`?ids=`), retrieve and upsert
 * by external id, up to 200 records per call, each record in its own savepoint; with `allOrNone` one
 * failure rolls all back and the others report ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
import type { Org } from '../org';
import type { ObjectSchema } from '../schema/types';
import { to18 } from '../store/ids';
import { DmlError, type Rec, type Transaction } from '../store/store';
import { publishEvents } from './events';
import { ROLLED_BACK, errorReply, failure, notAllowed, notFound, type Call, type Reply } from './reply';
import { fieldList, recordJson } from './sobjects';

export function collections(org: Org, call: Call, seg: string[]): Reply {
    const { method } = call;
    if (seg.length === 0) {
        if (method === 'DELETE') return collectionDelete(org, call);
        if (method === 'POST' || method === 'PATCH')
            return collectionWrite(org, call, method === 'POST' ? 'create' : 'update');
        if (method === 'GET') return collectionRetrieveGet();
        return notAllowed(method, 'GET, POST, PATCH, DELETE');
    }
    const o = org.schema.get(seg[0]);
    if (!o) return errorReply(400, 'INVALID_TYPE', `sObject type '${seg[0]}' is not supported.`);
    if (seg.length === 1) {
        if (method === 'POST' || method === 'GET') return collectionRetrieve(org, call, o);
        return notAllowed(method, 'GET, POST');
    }
    if (seg.length === 2 && method === 'PATCH') return collectionUpsert(org, call, o, seg[1]);
    return notFound();
}

function collectionBody(org: Org, call: Call): { allOrNone: boolean; records: Rec[] } | Reply {
    const b = call.body as { allOrNone?: unknown; records?: unknown } | undefined;
    if (!b || typeof b !== 'object' || !Array.isArray(b.records))
        return errorReply(400, 'JSON_PARSER_ERROR', "The request body must be a JSON object with a 'records' array");
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
function perRecord<T>(
    org: Org,
    call: Call,
    allOrNone: boolean,
    items: T[],
    typeOf: (item: T) => string,
    fn: (tx: Transaction, item: T) => Record<string, unknown>
): Array<Record<string, unknown>> {
    const store = org.store;
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
                const id = typeof item === 'string' ? item : ((item as Rec)?.id ?? (item as Rec)?.Id);
                const fault = org.faults.matchRecord(t, typeof id === 'string' ? id : undefined);
                if (fault) throw new DmlError(fault.errorCode, fault.message, []);
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

function collectionWrite(org: Org, call: Call, mode: 'create' | 'update'): Reply {
    const b = collectionBody(org, call);
    if ('status' in b) return b;
    const typeOf = (r: Rec) => String((r?.attributes as { type?: unknown } | undefined)?.type ?? '');
    // Platform events in a create collection are published, not stored.
    const results = perRecord(org, call, b.allOrNone, b.records, typeOf, (tx, r) => {
        if (!r || typeof r !== 'object' || Array.isArray(r))
            throw new DmlError('JSON_PARSER_ERROR', 'Each record must be a JSON object');
        const type = typeOf(r);
        if (!type) throw new DmlError('INVALID_TYPE', 'Must send a concrete entity type.', []);
        const o = org.schema.get(type);
        if (!o) throw new DmlError('INVALID_TYPE', `sObject type '${type}' is not supported.`, []);
        const { attributes: _a, id: lowerId, Id: upperId, ...values } = r;
        const id = (lowerId ?? upperId) as string | undefined;
        if (mode === 'create') {
            if (id !== undefined && id !== null)
                throw new DmlError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
            if (o.isEvent) {
                const res = publishEvents(org, o, [values], call.userId)[0];
                if (!res.success) {
                    const err = (res.errors as Array<{ statusCode: string; message: string; fields: string[] }>)[0];
                    throw new DmlError(err.statusCode, err.message, err.fields);
                }
                return res;
            }
            return { id: org.store.insert(tx, o.name, values), success: true, errors: [] };
        }
        if (typeof id !== 'string' || id === '')
            throw new DmlError('MISSING_ARGUMENT', 'Id not specified in an update call', []);
        org.store.update(tx, o.name, id, values);
        return { id: to18(id) ?? id, success: true, errors: [] };
    });
    return { status: 200, body: results };
}

function collectionUpsert(org: Org, call: Call, o: ObjectSchema, field: string): Reply {
    const b = collectionBody(org, call);
    if ('status' in b) return b;
    const f = org.schema.getField(o, field);
    if (!f || !(f.externalId || f.name === 'Id'))
        return errorReply(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${field}`);
    const results = perRecord(
        org,
        call,
        b.allOrNone,
        b.records,
        () => o.name,
        (tx, r) => {
            if (!r || typeof r !== 'object')
                throw new DmlError('JSON_PARSER_ERROR', 'Each record must be a JSON object');
            const t = (r.attributes as { type?: string } | undefined)?.type;
            if (t && org.schema.get(t) !== o)
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
            const res = org.store.upsert(tx, o.name, f.name, ext, values);
            return { id: res.id, success: true, errors: [], created: res.created };
        }
    );
    return { status: 200, body: results };
}

function collectionDelete(org: Org, call: Call): Reply {
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
    const results = perRecord(
        org,
        call,
        allOrNone,
        ids,
        (id) => org.schema.byPrefix(id)?.name ?? '',
        (tx, id) => {
            const id18 = to18(id);
            if (!id18) throw new DmlError('MALFORMED_ID', `malformed id ${id}`, []);
            const found = org.store.get(id18);
            if (!found) throw new DmlError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
            org.store.delete(tx, null, id18);
            return { id: id18, success: true, errors: [] };
        }
    );
    return { status: 200, body: results };
}

function collectionRetrieve(org: Org, call: Call, o: ObjectSchema): Reply {
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
    if (!Array.isArray(fields) || fields.length === 0) return errorReply(400, 'MISSING_ARGUMENT', 'fields is required');
    if (ids.length > 2000)
        return errorReply(
            400,
            'EXCEEDED_ID_LIMIT',
            'record limit reached. cannot submit more than 2000 records into this call'
        );
    const fl = fieldList(org, o, fields as string[]);
    const out = ids.map((id) => {
        const found = typeof id === 'string' ? org.store.get(id) : undefined;
        if (!found || found.obj !== o || found.rec.IsDeleted === true) return null;
        return recordJson(org, o, found.rec, call.version, fl);
    });
    return { status: 200, body: out };
}

function collectionRetrieveGet(): Reply {
    return errorReply(
        400,
        'MISSING_ARGUMENT',
        'Use GET /composite/sobjects/{sObject}?ids=…&fields=… to retrieve records'
    );
}
