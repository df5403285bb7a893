/**
 * API routes the web app needs beyond the REST API v1 table (ARCHITECTURE §4), declared in the API's own route
 * format so they are validated, authorised and described in the OpenAPI document like the others:
 *
 * - `GET /api/v1/events`: server-sent events for live updates (see live.ts);
 * - `GET /api/v1/sync/runs`: recent sync runs for the Sync page;
 * - `POST /api/v1/sync/errors/:id/retry`: send a failed edit again;
 * - `GET /api/v1/objects/:object/salesforce-fields`: the org's fields of an object, for "Field available in the CRM".
 */
import { z } from 'zod';
import { route, type RouteDef } from '../api/route';
import { createRepositories, inTransaction, notifyOnCommit, NOTIFY_CHANNELS } from '../data';
import { rows } from '../data/rows';
import { hasRole } from '../domain/context';
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

const obj = (properties: Record<string, unknown>) => ({ type: 'object', properties });

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
            response: obj({ items: { type: 'array', items: { type: 'object' } } }),
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
            response: obj({ editId: { type: 'string' }, status: { type: 'string' } }),
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
            method: 'get',
            path: '/api/v1/objects/:object/salesforce-fields',
            role: 'viewer',
            tag: 'Fields',
            summary: 'The org\'s fields of an object (describe), for the field editor\'s "Field available in the CRM"',
            params: objectParam,
            response: obj({ items: { type: 'array', items: { type: 'object' } } }),
            handler: async ({ actor, params }, ctx) => {
                if (!ctx.schema) {
                    throw unavailable('SCHEMA_UNAVAILABLE', 'No Salesforce connection is configured');
                }
                const described = await ctx.schema.describe(actor.orgId, params.object);
                if (!described) throw notFound(`Object ${params.object} does not exist in the org`);
                return {
                    items: described.fields
                        .map((f) => ({ apiName: f.name, label: f.label, type: f.type, updateable: f.updateable }))
                        .sort((a, b) => a.label.localeCompare(b.label))
                };
            }
        })
    ];
}
