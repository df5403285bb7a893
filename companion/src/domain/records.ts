/**
 * Records: read pages and single records with their sync state, and `editRecord`, the one way a Statisfy user
 * changes a record (ARCHITECTURE §2 and §4).
 */
import type { DataSource } from 'typeorm';
import {
    createRepositories,
    inTransaction,
    notifyOnCommit,
    NOTIFY_CHANNELS,
    type FieldMapping,
    type Json,
    type RecordCursor,
    type RecordRow,
    type Repositories
} from '../data';
import { badRequest, notFound, unprocessable, type ErrorDetail } from '../lib/errors';
import type { Metrics } from '../lib/metrics';
import type { Actor } from './context';
import { checkValue, valueKind } from '../../../contracts/field-types';
import { writebackReason, type WritebackReason } from '../../../contracts/sync-rules';

/** Sync state of a record as the API shows it. */
export interface RecordSyncView {
    /** `conflict` > `failed` > `pending` > `synced`, from the latest outbox row of each field and open conflicts. */
    state: 'synced' | 'pending' | 'failed' | 'conflict';
    /** Field keys with an edit waiting to reach Salesforce. */
    pendingFields: string[];
    /** The latest failed edit of the record, if any. */
    lastError: { field: string; code: string | null; message: string | null; at: string } | null;
}

/** A record as the API shows it. */
export interface RecordView {
    id: string;
    objectApiName: string;
    fields: Record<string, Json>;
    sync: RecordSyncView;
    systemModstamp: string | null;
    updatedAt: string;
}

/** A single record as GET /records/:id shows it: also the last known Salesforce value of each mapped field. */
export interface RecordDetailView extends RecordView {
    /** Field key → the value Salesforce last had (mapped fields with a Salesforce field only). */
    salesforceValues: Record<string, Json>;
}

/** Per-field outcome of an edit. */
export type FieldEditOutcome =
    | { status: 'queued'; value: Json; editId: string; salesforceField: string }
    | { status: 'local'; value: Json; reason: WritebackReason };

/** What editRecord answers. */
export interface EditResult {
    id: string;
    objectApiName: string;
    fields: Record<string, FieldEditOutcome>;
    record: RecordView;
}

/** Dependencies of the record use cases. */
export interface RecordDeps {
    dataSource: DataSource;
    metrics?: Metrics;
}

async function requireObject(repos: Repositories, orgId: string, objectApiName: string) {
    const object = await repos.syncObjects.get(orgId, objectApiName);
    if (!object) throw notFound(`Object ${objectApiName} is not synced in this org`);
    return object;
}

/** Builds the views of records with their sync state (two queries for the whole page). */
export async function recordViews(repos: Repositories, orgId: string, records: RecordRow[]): Promise<RecordView[]> {
    const ids = records.map((r) => r.sfId);
    const [latest, conflicts] = await Promise.all([
        repos.pendingEdits.latestForRecords(orgId, ids),
        repos.conflicts.openForRecords(orgId, ids)
    ]);
    return records.map((r) => {
        const mine = latest.filter((e) => e.sfId === r.sfId);
        const failed = mine.filter((e) => e.status === 'failed').sort((a, b) => +b.updatedAt - +a.updatedAt);
        const pendingFields = mine
            .filter((e) => e.status === 'pending' || e.status === 'in_flight')
            .map((e) => e.fieldKey);
        const state: RecordSyncView['state'] = conflicts.some((c) => c.sfId === r.sfId)
            ? 'conflict'
            : failed.length > 0
              ? 'failed'
              : pendingFields.length > 0
                ? 'pending'
                : 'synced';
        return {
            id: r.sfId,
            objectApiName: r.objectApiName,
            fields: r.fields,
            sync: {
                state,
                pendingFields: pendingFields.sort(),
                lastError: failed[0]
                    ? {
                          field: failed[0].fieldKey,
                          code: failed[0].errorCode,
                          message: failed[0].errorMessage,
                          at: failed[0].updatedAt.toISOString()
                      }
                    : null
            },
            systemModstamp: r.systemModstamp ? r.systemModstamp.toISOString() : null,
            updatedAt: r.updatedAt.toISOString()
        };
    });
}

/** Query of a record page as the API receives it. */
export interface ListRecordsQuery {
    limit: number;
    cursor?: string;
    offset?: number;
    q?: string;
    /** `id`, a field key, or either prefixed with `-` for descending. */
    sort?: string;
}

/** Encodes a keyset position for clients (opaque base64url). */
export function encodeCursor(cursor: RecordCursor): string {
    return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Decodes a cursor; 400 when it was not made by {@link encodeCursor}. */
export function decodeCursor(text: string): RecordCursor {
    try {
        const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as RecordCursor;
        if (
            parsed &&
            typeof parsed.id === 'string' &&
            (parsed.v === null || ['string', 'number'].includes(typeof parsed.v))
        ) {
            return parsed;
        }
    } catch {
        // fall through
    }
    throw badRequest('Invalid cursor: pass back the nextCursor of the previous page unchanged', [
        { path: 'query.cursor', message: 'not a cursor of this API' }
    ]);
}

/** A page of an object's records: search (`q`), sort, cursor or offset. */
export async function listRecords(
    deps: RecordDeps,
    actor: Actor,
    objectApiName: string,
    query: ListRecordsQuery
): Promise<{ items: RecordView[]; nextCursor: string | null; limit: number }> {
    const repos = createRepositories(deps.dataSource.manager);
    await requireObject(repos, actor.orgId, objectApiName);
    let sort: { key: string; direction: 'asc' | 'desc'; numeric?: boolean } | undefined;
    if (query.sort) {
        const direction = query.sort.startsWith('-') ? 'desc' : 'asc';
        const raw = query.sort.replace(/^[-+]/, '');
        if (raw === 'id') sort = { key: 'id', direction };
        else {
            const key = raw.includes('.') ? raw : `${objectApiName}.${raw}`;
            const mapping = await repos.fieldMappings.get(actor.orgId, key);
            if (!mapping || mapping.objectApiName !== objectApiName) {
                throw badRequest(`Cannot sort by "${raw}": no such field on ${objectApiName}`, [
                    { path: 'query.sort', message: `unknown field ${raw}` }
                ]);
            }
            sort = { key, direction, numeric: valueKind(mapping.type) === 'number' };
        }
    }
    if (query.cursor && query.offset) {
        throw badRequest('Use either cursor or offset, not both', [
            { path: 'query', message: 'cursor and offset given' }
        ]);
    }
    const page = await repos.records.page(actor.orgId, objectApiName, {
        limit: query.limit,
        offset: query.offset,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
        q: query.q,
        sort
    });
    return {
        items: await recordViews(repos, actor.orgId, page.items),
        nextCursor: page.next ? encodeCursor(page.next) : null,
        limit: query.limit
    };
}

/**
 * One live record of the object, with its sync state and, per mapped field, the value Salesforce last had (so a
 * record page can show both sides where they differ); 404 when the org has no such record.
 */
export async function getRecord(
    deps: RecordDeps,
    actor: Actor,
    objectApiName: string,
    id: string
): Promise<RecordDetailView> {
    const repos = createRepositories(deps.dataSource.manager);
    await requireObject(repos, actor.orgId, objectApiName);
    const record = await repos.records.get(actor.orgId, id);
    if (!record || record.deleted || record.objectApiName !== objectApiName) {
        throw notFound(`No ${objectApiName} record ${id}`);
    }
    const [[view], mappings] = await Promise.all([
        recordViews(repos, actor.orgId, [record]),
        repos.fieldMappings.listForObject(actor.orgId, objectApiName)
    ]);
    const salesforceValues: Record<string, Json> = {};
    for (const m of mappings) {
        if (m.salesforceField) salesforceValues[m.key] = record.sfValues[m.salesforceField] ?? null;
    }
    return { ...view, salesforceValues };
}

/** Finds the mapping a body key names: the full key (`Account.Name`) or the part after the object (`Name`). */
function resolveKey(objectApiName: string, byKey: Map<string, FieldMapping>, key: string): FieldMapping | undefined {
    return byKey.get(key) ?? byKey.get(`${objectApiName}.${key}`);
}

/**
 * Edits a record: `fields` maps field keys to new values.
 *
 * Every field is checked first (known on this object, Editable, value fits the type and known picklist values); if
 * any is refused the whole edit is refused (422 `EDIT_REFUSED`, one detail per refused field) and nothing changes.
 * Otherwise, in ONE transaction: the record's Statisfy values are written and, for each field that qualifies under
 * the writeback rules, an outbox row is added (older pending rows of the same record+field become `superseded`;
 * `base_value` = the last known Salesforce value). The answer says per field `queued` or `local` with the reason.
 * A NOTIFY on `statisfy_outbox` tells the flusher on commit.
 */
export async function editRecord(
    deps: RecordDeps,
    actor: Actor,
    objectApiName: string,
    id: string,
    fields: Record<string, unknown>
): Promise<EditResult> {
    const keys = Object.keys(fields);
    if (keys.length === 0) {
        throw badRequest('Nothing to change: "fields" is empty', [{ path: 'body.fields', message: 'no field given' }]);
    }
    // The configuration is read before the transaction, in parallel on the pool (fewer round trips while the
    // record is locked); an edit racing a configuration change is decided by the configuration it saw.
    const reader = createRepositories(deps.dataSource.manager);
    const [object, mappings] = await Promise.all([
        reader.syncObjects.get(actor.orgId, objectApiName),
        reader.fieldMappings.listForObject(actor.orgId, objectApiName)
    ]);
    if (!object) throw notFound(`Object ${objectApiName} is not synced in this org`);
    const byKey = new Map(mappings.map((m) => [m.key, m]));
    const result = await inTransaction(deps.dataSource, async (repos, manager) => {
        const record = await repos.records.get(actor.orgId, id, { forUpdate: true });
        if (!record || record.deleted || record.objectApiName !== objectApiName) {
            throw notFound(`No ${objectApiName} record ${id}`);
        }

        const problems: ErrorDetail[] = [];
        const accepted: { mapping: FieldMapping; value: Json }[] = [];
        for (const key of keys) {
            const mapping = resolveKey(objectApiName, byKey, key);
            if (!mapping) {
                problems.push({
                    path: key,
                    code: 'UNKNOWN_FIELD',
                    message: `Unknown field "${key}" on ${objectApiName}`
                });
                continue;
            }
            if (!mapping.editable) {
                problems.push({
                    path: key,
                    code: 'FIELD_NOT_EDITABLE',
                    message: `Field "${mapping.displayName}" (${mapping.key}) is not Editable`
                });
                continue;
            }
            const check = checkValue(mapping.type, fields[key], mapping.picklistValues);
            if (!check.ok) {
                problems.push({
                    path: key,
                    code: 'INVALID_VALUE',
                    message: `Field "${mapping.displayName}" (${mapping.key}, ${mapping.type}): ${check.message}`
                });
                continue;
            }
            accepted.push({ mapping, value: check.value });
        }
        if (problems.length > 0) {
            throw unprocessable(
                'EDIT_REFUSED',
                `Edit refused, nothing was changed: ${problems.map((p) => p.message).join('; ')}`,
                problems
            );
        }

        const outcome: Record<string, FieldEditOutcome> = {};
        const patch: Record<string, Json> = {};
        let queued = 0;
        for (const { mapping, value } of accepted) {
            patch[mapping.key] = value;
            const reason = writebackReason({ object, mapping });
            if (reason) {
                outcome[mapping.key] = { status: 'local', value, reason };
                continue;
            }
            const salesforceField = mapping.salesforceField as string;
            const { edit } = await repos.pendingEdits.enqueue(actor.orgId, {
                objectApiName,
                sfId: record.sfId,
                fieldKey: mapping.key,
                salesforceField,
                newValue: value,
                baseValue: record.sfValues[salesforceField] ?? null
            });
            outcome[mapping.key] = { status: 'queued', value, editId: edit.id, salesforceField };
            queued++;
        }
        const updated = (await repos.records.mergeFields(actor.orgId, record.sfId, patch)) as RecordRow;
        if (queued > 0) await notifyOnCommit(manager, NOTIFY_CHANNELS.outbox, actor.orgId);
        return { id: record.sfId, fields: outcome, updated };
    });
    for (const o of Object.values(result.fields))
        deps.metrics?.editsAccepted.inc({ org_id: actor.orgId, outcome: o.status });
    // The sync state is read after commit (on the pool, its two queries in parallel).
    const [view] = await recordViews(reader, actor.orgId, [result.updated]);
    return { id: result.id, objectApiName, fields: result.fields, record: view };
}
