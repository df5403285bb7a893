/**
 * API routes the web app needs beyond the REST API v1 table (ARCHITECTURE §4), declared in the API's own route
 * format so they are validated, authorised and described in the OpenAPI document like the others:
 *
 * - `GET /api/v1/events`: server-sent events for live updates (see live.ts);
 * - `GET /api/v1/sync/runs`: recent sync runs for the Sync page;
 * - `POST /api/v1/sync/errors/:id/retry`: send a failed edit again;
 * - `POST /api/v1/sync/errors/:id/keep-salesforce`: give up a failed edit and put the Salesforce value back in
 *   Statisfy;
 * - `POST /api/v1/sync/errors/:id/discard`: give up a failed edit and keep the Statisfy value in Statisfy only;
 * - `GET /api/v1/objects/:object/salesforce-fields`: the org's fields of an object (describe: label, type,
 *   updateable, length, precision and scale, required, picklist values, lookup targets), for the field editor and
 *   the record page.
 *
 * A failed edit given up (keep-salesforce or discard) becomes `superseded` (never sent) and is audited.
 */
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { list, ref } from '../api/responses';
import { route, type RouteDef } from '../api/route';
import { createRepositories, inTransaction, notifyOnCommit, NOTIFY_CHANNELS } from '../data';
import { rows } from '../data/rows';
import { hasRole, type Actor } from '../domain/context';
import { authenticate } from '../domain/tenants';
import { conflict, forbidden, notFound, unauthorized, unavailable } from '../lib/errors';
import type { LiveHub } from './live';

const objectParam = z.object({
    object: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'expected an object API name such as Account or Success_Plan__c')
});
const editParam = z.object({
    id: z
        .string()
        .regex(/^\d{1,19}$/, 'expected the id of a failed edit')
        .refine(
            (id) => !/^\d+$/.test(id) || BigInt(id) <= 9223372036854775807n,
            'expected the id of a failed edit (a 64-bit number)'
        )
});
const runsQuery = z.strictObject({
    limit: z.coerce.number({ message: 'expected a number' }).int().min(1).max(100).default(20)
});

/**
 * Gives up a failed edit (it is never sent): with `keepSalesforce` the record's Statisfy value goes back to the last
 * known Salesforce value; otherwise the Statisfy value stays, in Statisfy only. Only the latest edit of its record
 * and field, and only while it is `failed` (409 otherwise). Audited as `edit.keep_salesforce` / `edit.discard`.
 */
async function giveUpFailedEdit(dataSource: DataSource, actor: Actor, id: string, keepSalesforce: boolean) {
    return inTransaction(dataSource, async (repos, manager) => {
        const edit = await repos.pendingEdits.get(actor.orgId, id);
        if (!edit) throw notFound(`No edit ${id}`);
        if (edit.status !== 'failed') throw conflict(`Edit ${id} is ${edit.status}, not failed`);
        const [newer] = await rows(
            manager,
            `SELECT id FROM pending_edits WHERE org_id = $1 AND sf_id = $2 AND field_key = $3 AND id > $4
             AND status <> 'superseded' LIMIT 1`,
            [actor.orgId, edit.sfId, edit.fieldKey, id]
        );
        if (newer) throw conflict(`A newer edit of ${edit.fieldKey} on ${edit.sfId} exists: act on that one instead`);
        let value = edit.newValue;
        if (keepSalesforce) {
            const record = await repos.records.get(actor.orgId, edit.sfId, { forUpdate: true });
            if (!record) throw notFound(`The record ${edit.sfId} of edit ${id} no longer exists`);
            value = record.sfValues[edit.salesforceField] ?? null;
            await repos.records.mergeFields(actor.orgId, edit.sfId, { [edit.fieldKey]: value });
        }
        await repos.pendingEdits.applyUpdates(actor.orgId, [
            { id, status: 'superseded', errorCode: edit.errorCode, errorMessage: edit.errorMessage }
        ]);
        await repos.auditLog.append(actor.orgId, {
            actor: actor.name,
            action: keepSalesforce ? 'edit.keep_salesforce' : 'edit.discard',
            target: `record:${edit.sfId}:${edit.fieldKey}`,
            before: { editId: id, value: edit.newValue, errorCode: edit.errorCode, message: edit.errorMessage },
            after: { value }
        });
        return { editId: id, status: 'superseded', field: edit.fieldKey, value };
    });
}

/** A field of the org's describe as the schema provider returns it (companion/src/salesforce/describe-cache.ts). */
interface DescribedField {
    name: string;
    label: string;
    type: string;
    updateable: boolean;
    nillable?: boolean;
    length?: number;
    precision?: number;
    scale?: number;
    referenceTo?: string[];
    picklistValues?: { value: string; label?: string; active?: boolean }[];
}

/** The web app's routes; `hub` serves the event streams. */
export function webRoutes(hub: LiveHub): RouteDef[] {
    return [
        route({
            method: 'get',
            path: '/api/v1/events',
            role: 'viewer',
            tag: 'Web app',
            summary: 'Server-sent events: `record` {objectApiName, ids} and `sync` when the other side changed data',
            description:
                'text/event-stream; send the token as `Authorization: Bearer <token>` (read the stream with fetch).',
            response: { mediaType: 'text/event-stream', schema: { type: 'string' } },
            raw: async (req, res, ctx) => {
                const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
                if (!match) throw unauthorized();
                const identity = await authenticate(createRepositories(ctx.dataSource.manager), match[1]);
                if (!identity) throw unauthorized('Unknown or revoked API token');
                if (!hasRole(identity.role, 'viewer')) throw forbidden('This needs the viewer role');
                hub.attach(identity.orgId, res, identity.id);
            }
        }),
        route({
            method: 'get',
            path: '/api/v1/sync/runs',
            role: 'viewer',
            tag: 'Sync',
            summary: 'Recent sync runs (import, reconcile, flush, inbound), newest first',
            query: runsQuery,
            response: list('SyncRun'),
            handler: async ({ actor, query }, ctx) => {
                const runs = await createRepositories(ctx.dataSource.manager).syncRuns.list(actor.orgId, query.limit);
                return {
                    items: runs.map((r) => ({
                        id: r.id,
                        kind: r.kind,
                        objectApiName: r.objectApiName,
                        status: r.status,
                        startedAt: r.startedAt.toISOString(),
                        finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
                        recordsIn: r.recordsIn,
                        recordsOut: r.recordsOut,
                        apiCalls: r.apiCalls,
                        error: r.error
                    }))
                };
            }
        }),
        route({
            method: 'post',
            path: '/api/v1/sync/errors/:id/retry',
            role: 'editor',
            tag: 'Sync',
            summary: 'Send a failed edit to Salesforce again on the next flush',
            description: 'Only the latest edit of its record and field can be retried (409 otherwise).',
            params: editParam,
            status: 202,
            response: ref('EditRetry'),
            handler: async ({ actor, params }, ctx) =>
                inTransaction(ctx.dataSource, async (repos, manager) => {
                    const edit = await repos.pendingEdits.get(actor.orgId, params.id);
                    if (!edit) throw notFound(`No edit ${params.id}`);
                    if (edit.status !== 'failed') throw conflict(`Edit ${params.id} is ${edit.status}, not failed`);
                    const [newer] = await rows(
                        manager,
                        `SELECT id FROM pending_edits WHERE org_id = $1 AND sf_id = $2 AND field_key = $3 AND id > $4
                         AND status <> 'superseded' LIMIT 1`,
                        [actor.orgId, edit.sfId, edit.fieldKey, params.id]
                    );
                    if (newer) {
                        throw conflict(
                            `A newer edit of ${edit.fieldKey} on ${edit.sfId} exists: retry that one instead`
                        );
                    }
                    await rows(
                        manager,
                        `UPDATE pending_edits SET status = 'pending', attempts = 0, next_attempt_at = now(),
                                error_code = NULL, error_message = NULL, updated_at = now()
                         WHERE org_id = $1 AND id = $2`,
                        [actor.orgId, params.id]
                    );
                    await notifyOnCommit(manager, NOTIFY_CHANNELS.outbox, actor.orgId);
                    return { editId: params.id, status: 'pending' };
                })
        }),
        route({
            method: 'post',
            path: '/api/v1/sync/errors/:id/keep-salesforce',
            role: 'editor',
            tag: 'Sync',
            summary: 'Give up a failed edit and put the Salesforce value back in Statisfy',
            description:
                'The edit is never sent. Only the latest edit of its record and field (409 otherwise). Audited.',
            params: editParam,
            response: ref('EditGivenUp'),
            handler: async ({ actor, params }, ctx) => giveUpFailedEdit(ctx.dataSource, actor, params.id, true)
        }),
        route({
            method: 'post',
            path: '/api/v1/sync/errors/:id/discard',
            role: 'editor',
            tag: 'Sync',
            summary: 'Give up a failed edit; the Statisfy value stays, in Statisfy only',
            description:
                'The edit is never sent. Only the latest edit of its record and field (409 otherwise). Audited.',
            params: editParam,
            response: ref('EditGivenUp'),
            handler: async ({ actor, params }, ctx) => giveUpFailedEdit(ctx.dataSource, actor, params.id, false)
        }),
        route({
            method: 'get',
            path: '/api/v1/objects/:object/salesforce-fields',
            role: 'viewer',
            tag: 'Fields',
            summary: 'The org\'s fields of an object (describe), for the field editor\'s "Field available in the CRM"',
            params: objectParam,
            response: list('SalesforceField'),
            handler: async ({ actor, params }, ctx) => {
                if (!ctx.schema) {
                    throw unavailable('SCHEMA_UNAVAILABLE', 'No Salesforce connection is configured');
                }
                const described = await ctx.schema.describe(actor.orgId, params.object);
                if (!described) throw notFound(`Object ${params.object} does not exist in the org`);
                return {
                    items: (described.fields as DescribedField[])
                        .map((f) => ({
                            apiName: f.name,
                            label: f.label,
                            type: f.type,
                            updateable: f.updateable,
                            // A field Salesforce requires on save: not nillable and not defaulted (checkboxes).
                            required: f.nillable === false && f.type !== 'boolean' && f.updateable,
                            length: f.length || null,
                            precision: f.precision || null,
                            scale: f.scale ?? null,
                            referenceTo: f.referenceTo?.length ? f.referenceTo : null,
                            picklistValues: f.picklistValues
                                ? f.picklistValues
                                      .filter((p) => p.active !== false)
                                      .map((p) => ({ value: p.value, label: p.label ?? p.value }))
                                : null
                        }))
                        .sort((a, b) => a.label.localeCompare(b.label))
                };
            }
        })
    ];
}
