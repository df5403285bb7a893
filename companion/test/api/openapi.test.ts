/* eslint-disable @typescript-eslint/no-explicit-any -- the OpenAPI document is walked as plain JSON */
/**
 * The OpenAPI document against the server itself: every route the Express router answers is in the document
 * (enumerated from the router's own stack, so a route added without being documented fails here), and real answers
 * of every JSON route, success and error, validate against the document's response schemas (the zod schemas the
 * document's `components.schemas` are generated from).
 */
import express from 'express';
import type { z } from 'zod';
import { operationId, responseSchemaOf } from '../../src/api/openapi';
import { responseSchemas } from '../../src/api/responses';
import type { RouteDef } from '../../src/api/route';
import { allRoutes, createExpressApp } from '../../src/api/server';
import { createWebApp } from '../../src/web';
import { apiClient, startTestCompanion, type TestCompanion } from '../support/companion';
import { seedAccount, seedObjects, seedOrg, type SeededOrg } from '../support/factories';
import { recordConflict, setEdits } from '../support/inspect';
import { FixedSchemaProvider } from '../support/schema';

let t: TestCompanion;
let org: SeededOrg;
let doc: any;
let recordId: string;
let conflictId: string;
let failedEditId: string;

/** Static files of the web app, not API routes: the app's index page. */
const STATIC = new Set(['get /']);

beforeAll(async () => {
    const schema = new FixedSchemaProvider();
    t = await startTestCompanion({ deps: { schema: () => schema } });
    org = await seedOrg(t.repos, { name: 'Documented org' });
    await seedObjects(t.repos, org.org.id);
    recordId = (await seedAccount(t.repos, org.org.id)).sfId;
    conflictId = (
        await recordConflict(t.companion.dataSource.manager, org.org.id, {
            objectApiName: 'Account',
            sfId: recordId,
            fieldKey: 'Account.Name',
            salesforceField: 'Name',
            statisfyValue: 'ours',
            salesforceValue: 'theirs',
            baseValue: 'base',
            policy: 'Manual'
        })
    ).id;
    const failed = await t.repos.pendingEdits.enqueue(org.org.id, {
        objectApiName: 'Account',
        sfId: recordId,
        fieldKey: 'Account.AnnualRevenue',
        salesforceField: 'AnnualRevenue',
        newValue: 7,
        baseValue: 1000
    });
    await setEdits(t.companion.dataSource.manager, org.org.id, [failed.edit.id], {
        status: 'failed',
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        errorMessage: 'bad value'
    });
    failedEditId = failed.edit.id;
    await t.repos.syncRuns.start(org.org.id, 'reconcile', 'Account');
    doc = (await apiClient(t.url).get('/api/v1/openapi.json')).body;
});
afterAll(() => t?.stop());

/** `method path` of every route in an Express router's stack, nested routers included. */
function routerRoutes(stack: any[], prefix = ''): string[] {
    const out: string[] = [];
    for (const layer of stack) {
        if (layer.route) {
            for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all'))
                out.push(`${method} ${prefix}${layer.route.path}`.replace(/:([A-Za-z]+)/g, '{$1}'));
        } else if (layer.handle?.stack) {
            out.push(...routerRoutes(layer.handle.stack, prefix));
        }
    }
    return out;
}

function documented(): string[] {
    return Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m} ${path}`)
    );
}

/** The routes the server mounts (API, web app, OAuth, operations). */
function mountedDefs(): RouteDef[] {
    const web = createWebApp({
        dataSource: t.companion.dataSource,
        logger: t.companion.logger,
        secretBox: t.companion.secretBox
    });
    web.close();
    return [...allRoutes, ...web.routes];
}

describe('every route is documented', () => {
    it('When the Express router is enumerated, then each of its routes is in the OpenAPI document, and nothing else', async () => {
        const web = createWebApp({
            dataSource: t.companion.dataSource,
            logger: t.companion.logger,
            secretBox: t.companion.secretBox
        });
        const app = createExpressApp(
            {
                dataSource: t.companion.dataSource,
                metrics: t.companion.metrics,
                logger: t.companion.logger,
                errors: t.companion.errors,
                readiness: async () => ({ ready: true, checks: {} })
            },
            t.companion.errors,
            { web }
        );
        web.close();
        const served = routerRoutes((app as any).router.stack).filter((r) => !STATIC.has(r));
        expect(served.length).toBeGreaterThan(20);
        expect(new Set(served).size).toBe(served.length);
        expect(documented().sort()).toEqual(served.sort());
        for (const route of [
            'get /api/v1/events',
            'get /api/v1/sync/runs',
            'post /api/v1/sync/errors/{id}/retry',
            'get /api/v1/objects/{object}/salesforce-fields',
            'get /oauth/salesforce/start',
            'post /oauth/salesforce/start',
            'get /oauth/callback',
            'get /metrics'
        ])
            expect(documented()).toContain(route);
        expect(express).toBeDefined();
    });

    it('When the document names a response schema, then it is generated from the zod schema the route declares', () => {
        for (const def of mountedDefs()) {
            const schema = responseSchemaOf(def);
            const op = doc.paths[def.path.replace(/:([A-Za-z]+)/g, '{$1}')][def.method];
            expect(op.operationId).toBe(operationId(def));
            const success = op.responses[String(def.status ?? 200)];
            if (!schema) continue;
            const ref: string = success.content['application/json'].schema.$ref;
            const name = ref.replace('#/components/schemas/', '');
            expect(doc.components.schemas[name]).toBeDefined();
            if (name in responseSchemas) expect(responseSchemas[name as keyof typeof responseSchemas]).toBe(schema);
        }
    });
});

describe('real answers match the document', () => {
    /** Validates a body against the component the document names for this route and status. */
    function check(def: RouteDef, status: number, body: unknown): void {
        const op = doc.paths[def.path.replace(/:([A-Za-z]+)/g, '{$1}')][def.method];
        const documentedResponse = op.responses[String(status)];
        expect({ route: `${def.method} ${def.path}`, status, documented: Boolean(documentedResponse) }).toEqual({
            route: `${def.method} ${def.path}`,
            status,
            documented: true
        });
        const ref: string | undefined = documentedResponse.content?.['application/json']?.schema?.$ref;
        if (!ref) return;
        const name = ref.replace('#/components/schemas/', '');
        const schema: z.ZodType | null =
            status >= 400 || name === 'Error'
                ? responseSchemas.Error
                : ((responseSchemas as Record<string, z.ZodType>)[name] ?? responseSchemaOf(def));
        const result = schema!.safeParse(body);
        expect({
            route: `${def.method} ${def.path}`,
            status,
            issues: result.success ? [] : result.error.issues
        }).toEqual({
            route: `${def.method} ${def.path}`,
            status,
            issues: []
        });
    }

    /** A good request for each JSON route (the order keeps what later ones need). */
    function requestFor(def: RouteDef): { path: string; body?: unknown } | null {
        const fill = (p: string) =>
            p
                .replace(':object', 'Account')
                .replace(':key', 'Account.Name')
                .replace('/records/:id', `/records/${recordId}`)
                .replace('/conflicts/:id', `/conflicts/${conflictId}`)
                .replace('/sync/errors/:id', `/sync/errors/${failedEditId}`);
        const bodies: Record<string, unknown> = {
            'patch /api/v1/objects/:object': { displayName: 'Accounts (documented)' },
            'post /api/v1/objects/:object/fields': {
                key: 'Documented',
                displayName: 'Documented',
                type: 'text',
                editable: true
            },
            'patch /api/v1/objects/:object/fields/:key': { displayName: 'Account name' },
            'patch /api/v1/objects/:object/records/:id': { fields: { 'Account.Name': 'Documented Inc.' } },
            'post /api/v1/sync': {},
            'post /api/v1/conflicts/:id/resolve': { resolution: 'statisfy' },
            'post /api/v1/tokens': { name: 'documented', role: 'viewer' }
        };
        const name = `${def.method} ${def.path}`;
        if (name === 'delete /api/v1/tokens/:id') return null; // 204, no body
        return { path: fill(def.path), body: def.method === 'get' ? undefined : (bodies[name] ?? {}) };
    }

    it('When every JSON route is called with a good request and with a bad token, then each answer validates', async () => {
        const admin = apiClient(t.url, org.tokens.admin);
        const stranger = apiClient(t.url, 'sty_not_a_token_of_anyone_at_all');
        const checked: string[] = [];
        for (const def of mountedDefs()) {
            if (!responseSchemaOf(def)) continue;
            const req = requestFor(def);
            if (!req) continue;
            const res = await admin.call(def.method.toUpperCase(), req.path, req.body);
            check(def, res.status, res.body);
            checked.push(`${def.method} ${def.path} ${res.status}`);
            if (def.role) {
                const denied = await stranger.call(def.method.toUpperCase(), req.path, req.body);
                expect(denied.status).toBe(401);
                check(def, denied.status, denied.body);
            }
        }
        // The routes above answered with success, not just errors.
        const successes = checked.filter((c) => /\s2\d\d$/.test(c));
        expect(successes.length).toBeGreaterThanOrEqual(checked.length - 3);
    });
});
