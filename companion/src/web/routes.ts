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
import { z } from 'zod';
import { list, ref } from '../api/responses';
import { identify } from '../api/identify';
import { route, type RouteDef } from '../api/route';
import { hasRole } from '../domain/context';
import { giveUpFailedEdit, retryFailedEdit } from '../domain/failed-edits';
import { syncRuns } from '../domain/status';
import { forbidden, notFound, unavailable } from '../lib/errors';
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
                const identity = await identify(req, ctx);
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
                const runs = await syncRuns(ctx.dataSource, actor, query.limit);
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
            handler: async ({ actor, params }, ctx) => retryFailedEdit(ctx.dataSource, actor, params.id)
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
