/**
 * REST API v1 (ARCHITECTURE §4, contract) plus tokens and the audit log: thin entry points calling the domain.
 * Roles: viewer reads; editor also edits records, resolves conflicts and asks for a sync; admin also changes
 * configuration and tokens.
 */
import { z } from 'zod';
import { listConflicts, resolveConflict } from '../domain/conflicts';
import { createField, listFields, listObjects, updateField, updateObject } from '../domain/configuration';
import { getOrg } from '../domain/org';
import { editRecord, getRecord, listRecords } from '../domain/records';
import { auditEntries, requestSync, syncErrors, syncStatus } from '../domain/status';
import { createToken, listTokens, revokeToken } from '../domain/tenants';
import { unavailable } from '../lib/errors';
import { list, ref } from './responses';
import { route, type RouteDef } from './route';
import * as s from './schemas';

const tokenView = (t: {
    id: string;
    name: string;
    role: string;
    createdAt: Date;
    lastUsedAt: Date | null;
    revokedAt: Date | null;
}) => ({
    id: t.id,
    name: t.name,
    role: t.role,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null
});

/** The API's routes (ops routes are in ops.ts). */
export const apiRoutes: RouteDef[] = [
    route({
        method: 'get',
        path: '/api/v1/org',
        role: 'viewer',
        tag: 'Org',
        summary:
            "The token's org: name, how it connects, its Salesforce org id and connection state (never credentials)",
        response: ref('Org'),
        handler: async ({ actor }, ctx) => getOrg(ctx.dataSource, actor)
    }),
    route({
        method: 'get',
        path: '/api/v1/objects',
        role: 'viewer',
        tag: 'Objects',
        summary: 'Synced objects',
        response: list('Object'),
        handler: async ({ actor }, ctx) => ({ items: await listObjects(ctx, actor) })
    }),
    route({
        method: 'patch',
        path: '/api/v1/objects/:object',
        role: 'admin',
        tag: 'Objects',
        summary: "Change an object's Sync to Salesforce, display name, enabled, record filter or conflict policy",
        description:
            'Audited. Switching Sync to Salesforce on answers "Writeback to Salesforce is enabled for <object>".',
        params: s.objectParam,
        body: s.objectPatch,
        response: ref('ObjectUpdate'),
        handler: async ({ actor, params, body }, ctx) => updateObject(ctx, actor, params.object, body)
    }),
    route({
        method: 'get',
        path: '/api/v1/objects/:object/fields',
        role: 'viewer',
        tag: 'Fields',
        summary: "An object's fields, whether each pushes to Salesforce, and why not",
        params: s.objectParam,
        response: list('Field'),
        handler: async ({ actor, params }, ctx) => ({ items: await listFields(ctx, actor, params.object) })
    }),
    route({
        method: 'post',
        path: '/api/v1/objects/:object/fields',
        role: 'admin',
        tag: 'Fields',
        summary: 'Create a Statisfy field (stays local without a Salesforce field API name)',
        description: "With salesforceField it is checked against the org's describe. Audited.",
        params: s.objectParam,
        body: s.fieldCreate,
        status: 201,
        response: ref('Field'),
        handler: async ({ actor, params, body }, ctx) => createField(ctx, actor, params.object, body)
    }),
    route({
        method: 'patch',
        path: '/api/v1/objects/:object/fields/:key',
        role: 'admin',
        tag: 'Fields',
        summary: "Change a field's display name, Salesforce field or Editable",
        description:
            "Checked against the org's describe: the field exists, is updateable if Editable, has a compatible type and is not mapped twice. Audited.",
        params: s.fieldParam,
        body: s.fieldPatch,
        response: ref('Field'),
        handler: async ({ actor, params, body }, ctx) => updateField(ctx, actor, params.object, params.key, body)
    }),
    route({
        method: 'get',
        path: '/api/v1/objects/:object/records',
        role: 'viewer',
        tag: 'Records',
        summary: 'A page of records with their sync state (search, sort, cursor or offset)',
        params: s.objectParam,
        query: s.recordsQuery,
        response: list('Record', { nextCursor: z.string().nullable(), limit: z.number().int() }),
        handler: async ({ actor, params, query }, ctx) => listRecords(ctx, actor, params.object, query)
    }),
    route({
        method: 'get',
        path: '/api/v1/objects/:object/records/:id',
        role: 'viewer',
        tag: 'Records',
        summary: 'One record with its sync state',
        params: s.recordParam,
        response: ref('Record'),
        handler: async ({ actor, params }, ctx) => getRecord(ctx, actor, params.object, params.id)
    }),
    route({
        method: 'patch',
        path: '/api/v1/objects/:object/records/:id',
        role: 'editor',
        tag: 'Records',
        summary: 'Edit a record: {"fields":{key:value}}; atomic; per field queued or local with the reason',
        description:
            'Any refused field (unknown, not Editable, bad value) refuses the whole edit with 422 EDIT_REFUSED and changes nothing.',
        params: s.recordParam,
        body: s.recordPatch,
        response: ref('EditResult'),
        handler: async ({ actor, params, body }, ctx) => editRecord(ctx, actor, params.object, params.id, body.fields)
    }),
    route({
        method: 'post',
        path: '/api/v1/sync',
        role: 'editor',
        tag: 'Sync',
        summary: 'Sync now (all objects, or one)',
        body: s.syncRequest,
        status: 202,
        response: ref('SyncAccepted'),
        handler: async ({ actor, body }, ctx) => {
            if (!ctx.engine)
                throw unavailable('SYNC_ENGINE_UNAVAILABLE', 'The sync engine is not running in this companion');
            const { runId } = await requestSync(ctx.dataSource, ctx.engine, actor, body.objectApiName, body.kind);
            return { accepted: true, objectApiName: body.objectApiName ?? null, kind: body.kind, runId };
        }
    }),
    route({
        method: 'get',
        path: '/api/v1/sync/status',
        role: 'viewer',
        tag: 'Sync',
        summary: 'Connection, last inbound/outbound, pending/failed/conflict counts, API usage',
        response: ref('SyncStatus'),
        handler: async ({ actor }, ctx) => syncStatus(ctx.dataSource, ctx.engine, actor)
    }),
    route({
        method: 'get',
        path: '/api/v1/sync/errors',
        role: 'viewer',
        tag: 'Sync',
        summary: 'Edits that failed, with the Salesforce error',
        query: s.pageQuery,
        response: list('SyncError'),
        handler: async ({ actor, query }, ctx) => ({ items: await syncErrors(ctx.dataSource, actor, query) })
    }),
    route({
        method: 'get',
        path: '/api/v1/conflicts',
        role: 'viewer',
        tag: 'Conflicts',
        summary: 'Conflicts, newest first',
        query: s.conflictsQuery,
        response: list('Conflict'),
        handler: async ({ actor, query }, ctx) => ({
            items: await listConflicts(ctx.dataSource, actor, {
                status: query.status,
                objectApiName: query.object,
                limit: query.limit,
                offset: query.offset
            })
        })
    }),
    route({
        method: 'post',
        path: '/api/v1/conflicts/:id/resolve',
        role: 'editor',
        tag: 'Conflicts',
        summary: 'Resolve a conflict: keep the Statisfy value, the Salesforce value, or a new value',
        params: s.idParam,
        body: s.resolveBody,
        response: ref('ConflictResolution'),
        handler: async ({ actor, params, body }, ctx) => resolveConflict(ctx.dataSource, actor, params.id, body)
    }),
    route({
        method: 'get',
        path: '/api/v1/tokens',
        role: 'admin',
        tag: 'Tokens',
        summary: "The org's API tokens (never their values)",
        response: list('Token'),
        handler: async ({ actor }, ctx) => ({ items: (await listTokens(ctx.dataSource, actor)).map(tokenView) })
    }),
    route({
        method: 'post',
        path: '/api/v1/tokens',
        role: 'admin',
        tag: 'Tokens',
        summary: 'Issue a token (its value is shown once)',
        body: s.tokenCreate,
        status: 201,
        response: ref('IssuedToken'),
        handler: async ({ actor, body }, ctx) => {
            const issued = await createToken(ctx.dataSource, actor, body.name, body.role);
            return { token: issued.token, apiToken: tokenView(issued.apiToken) };
        }
    }),
    route({
        method: 'delete',
        path: '/api/v1/tokens/:id',
        role: 'admin',
        tag: 'Tokens',
        summary: 'Revoke a token',
        params: s.idParam,
        status: 204,
        response: {},
        handler: async ({ actor, params }, ctx) => {
            await revokeToken(ctx.dataSource, actor, params.id);
            return undefined;
        }
    }),
    route({
        method: 'get',
        path: '/api/v1/audit',
        role: 'admin',
        tag: 'Audit',
        summary: 'Configuration changes, newest first',
        query: s.pageQuery.extend({ target: z.string().max(300).optional() }),
        response: list('AuditEntry'),
        handler: async ({ actor, query }, ctx) => ({
            items: (await auditEntries(ctx.dataSource, actor, query)).map((e) => ({
                id: e.id,
                actor: e.actor,
                action: e.action,
                target: e.target,
                before: e.before,
                after: e.after,
                at: e.at.toISOString()
            }))
        })
    })
];
