/**
 * sObject Tree (`POST /composite/tree/{sObject}`, what `sf data import tree` sends): records with
 * nested child records (`Contacts: {records: [...]}`) inserted in one transaction, all or nothing.
 * Salesforce's limits: 200 records in all, 5 levels, a unique `attributes.referenceId` per record.
 * 201 `{hasErrors: false, results: [{referenceId, id}]}`, or 400 `{hasErrors: true, results:
 * [{referenceId, errors: [{statusCode, message, fields}]}]}` naming the record that failed.
 */
import type { Org } from '../org';
import type { ObjectSchema } from '../schema/types';
import { DmlError, type Rec, type Transaction } from '../store/store';
import { errorReply, type Call, type Reply } from './reply';

/** Records in one tree request, all levels together. */
export const TREE_MAX_RECORDS = 200;
/** Levels of a tree (the top records are level 1). */
export const TREE_MAX_DEPTH = 5;

interface TreeRecord {
    referenceId: string;
    object: ObjectSchema;
    values: Rec;
    children: Array<{ field: string; records: TreeRecord[] }>;
}

class TreeError extends Error {
    constructor(
        readonly referenceId: string,
        readonly statusCode: string,
        message: string,
        readonly fields: string[] = []
    ) {
        super(message);
    }
}

function isRecordList(v: unknown): v is { records: unknown[] } {
    return !!v && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as { records?: unknown }).records);
}

/** Parses and checks the tree before anything is written. */
function parseTree(org: Org, o: ObjectSchema, list: unknown[], depth: number, refs: Set<string>, count: { n: number }) {
    if (depth > TREE_MAX_DEPTH)
        throw new TreeError('', 'INVALID_INPUT', `A tree can be at most ${TREE_MAX_DEPTH} levels deep.`);
    const out: TreeRecord[] = [];
    for (const raw of list) {
        if (!raw || typeof raw !== 'object' || Array.isArray(raw))
            throw new TreeError('', 'INVALID_INPUT', 'Each record must be a JSON object.');
        const r = raw as Rec;
        const attrs = (r.attributes ?? {}) as { type?: unknown; referenceId?: unknown };
        const referenceId = typeof attrs.referenceId === 'string' ? attrs.referenceId : '';
        if (referenceId === '')
            throw new TreeError('', 'INVALID_INPUT', 'Include a reference ID for each record in the request.');
        if (refs.has(referenceId))
            throw new TreeError(
                referenceId,
                'INVALID_INPUT',
                `Duplicate ReferenceId provided in the request: ${referenceId}`
            );
        refs.add(referenceId);
        if (typeof attrs.type !== 'string' || org.schema.get(attrs.type) !== o)
            throw new TreeError(
                referenceId,
                'INVALID_TYPE',
                `The type ${String(attrs.type)} of record ${referenceId} does not match ${o.name}.`
            );
        if (++count.n > TREE_MAX_RECORDS)
            throw new TreeError(
                referenceId,
                'LIMIT_EXCEEDED',
                `A tree can contain at most ${TREE_MAX_RECORDS} records.`
            );
        const values: Rec = {};
        const children: TreeRecord['children'] = [];
        const rels = org.soqlSource.childRelationships?.(o.name) ?? [];
        for (const [k, v] of Object.entries(r)) {
            if (k === 'attributes') continue;
            const rel = isRecordList(v)
                ? rels.find((x) => x.relationshipName.toLowerCase() === k.toLowerCase())
                : undefined;
            if (isRecordList(v)) {
                const child = rel ? org.schema.get(rel.childObject) : undefined;
                if (!rel || !child)
                    throw new TreeError(
                        referenceId,
                        'INVALID_FIELD',
                        `No such relationship '${k}' on entity '${o.name}'.`,
                        [k]
                    );
                children.push({ field: rel.field, records: parseTree(org, child, v.records, depth + 1, refs, count) });
            } else values[k] = v;
        }
        out.push({ referenceId, object: o, values, children });
    }
    return out;
}

/** Inserts records depth-first (a parent before its children); results in that order. */
function insertTree(
    org: Org,
    tx: Transaction,
    records: TreeRecord[],
    results: Array<{ referenceId: string; id: string }>,
    parent?: { field: string; id: string }
): void {
    tx.nextOp(); // each level of one object is one DML statement
    const ids: string[] = [];
    for (const r of records) {
        const values = parent ? { ...r.values, [parent.field]: parent.id } : r.values;
        try {
            const id = org.store.insert(tx, r.object.name, values);
            ids.push(id);
            results.push({ referenceId: r.referenceId, id });
        } catch (e) {
            if (e instanceof DmlError) throw new TreeError(r.referenceId, e.statusCode, e.message, e.fields);
            throw e;
        }
    }
    records.forEach((r, i) => {
        for (const c of r.children) insertTree(org, tx, c.records, results, { field: c.field, id: ids[i] });
    });
}

/** `POST /composite/tree/{sObject}`. */
export function sobjectTree(org: Org, call: Call, objectName: string): Reply {
    const o = org.schema.get(objectName);
    if (!o || o.isEvent || !o.createable)
        return errorReply(400, 'INVALID_TYPE', `sObject type '${objectName}' is not supported.`);
    const b = call.body as { records?: unknown } | undefined;
    if (!isRecordList(b))
        return errorReply(400, 'JSON_PARSER_ERROR', "The request body must be a JSON object with a 'records' array");
    const fail = (e: TreeError): Reply => ({
        status: 400,
        body: {
            hasErrors: true,
            results: [
                {
                    referenceId: e.referenceId,
                    errors: [{ statusCode: e.statusCode, message: e.message, fields: e.fields }]
                }
            ]
        }
    });
    let tree: TreeRecord[];
    try {
        tree = parseTree(org, o, b.records, 1, new Set(), { n: 0 });
    } catch (e) {
        if (e instanceof TreeError) return fail(e);
        throw e;
    }
    const results: Array<{ referenceId: string; id: string }> = [];
    const tx = call.tx ?? org.store.begin(call.userId);
    const start = tx.savepoint();
    try {
        insertTree(org, tx, tree, results);
    } catch (e) {
        if (call.tx) org.store.rollbackTo(tx, start);
        else org.store.rollback(tx);
        if (e instanceof TreeError) return fail(e);
        throw e;
    }
    if (!call.tx) org.store.commit(tx);
    return { status: 201, body: { hasErrors: false, results } };
}
