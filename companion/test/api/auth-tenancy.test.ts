/**
 * Authentication, roles and tenant isolation, checked over EVERY route of the API table: a token of org A can
 * neither read nor change org B's data.
 */
import { apiRoutes } from '../../src/api/routes';
import type { Repositories } from '../../src/data';
import { apiClient, startTestCompanion, type TestCompanion } from '../support/companion';
import { seedAccount, seedObjects, seedOrg, type SeededOrg } from '../support/factories';
import { outboxOf, recordConflict, setEdits } from '../support/inspect';

let t: TestCompanion;
let a: SeededOrg;
let b: SeededOrg;
let bRecord: string;
let bConflict: string;
let bTokenId: string;
let aRecord: string;

/** A snapshot of everything org B owns. */
async function snapshotOf(repos: Repositories, orgId: string, recordId: string) {
    return JSON.stringify({
        org: await repos.orgs.get(orgId),
        objects: await repos.syncObjects.list(orgId),
        fields: await repos.fieldMappings.listForOrg(orgId),
        record: await repos.records.get(orgId, recordId),
        outbox: await outboxOf(t.companion.dataSource.manager, orgId, recordId),
        conflicts: await repos.conflicts.list(orgId, { limit: 100, offset: 0 }),
        tokens: (await repos.apiTokens.list(orgId)).map((x) => ({ ...x, lastUsedAt: null })),
        audit: await repos.auditLog.list(orgId, { limit: 100, offset: 0 })
    });
}

beforeAll(async () => {
    t = await startTestCompanion();
    a = await seedOrg(t.repos, { name: 'Org A' });
    b = await seedOrg(t.repos, { name: 'SECRET-B org' });
    await seedObjects(t.repos, a.org.id);
    await seedObjects(t.repos, b.org.id);
    aRecord = (await seedAccount(t.repos, a.org.id, { name: 'Alpha' })).sfId;
    bRecord = (await seedAccount(t.repos, b.org.id, { name: 'SECRET-B account' })).sfId;
    await t.repos.pendingEdits.enqueue(b.org.id, {
        objectApiName: 'Account',
        sfId: bRecord,
        fieldKey: 'Account.Name',
        salesforceField: 'Name',
        newValue: 'SECRET-B pending',
        baseValue: 'SECRET-B account'
    });
    const failed = await t.repos.pendingEdits.enqueue(b.org.id, {
        objectApiName: 'Account',
        sfId: bRecord,
        fieldKey: 'Account.AnnualRevenue',
        salesforceField: 'AnnualRevenue',
        newValue: 1,
        baseValue: 2
    });
    await setEdits(t.companion.dataSource.manager, b.org.id, [failed.edit.id], {
        status: 'failed',
        errorCode: 'SECRET-B-CODE',
        errorMessage: 'SECRET-B failure'
    });
    bConflict = (
        await recordConflict(t.companion.dataSource.manager, b.org.id, {
            objectApiName: 'Account',
            sfId: bRecord,
            fieldKey: 'Account.Name',
            salesforceField: 'Name',
            statisfyValue: 'SECRET-B statisfy',
            salesforceValue: 'SECRET-B salesforce',
            baseValue: 'SECRET-B account',
            policy: 'Manual'
        })
    ).id;
    bTokenId = (await t.repos.apiTokens.list(b.org.id))[0].id;
});
afterAll(() => t.stop());

/** A request for every route, aimed at org B's identifiers. */
function requestsAimedAtB(): Record<string, { path: string; body?: unknown }> {
    return {
        'get /api/v1/org': { path: '/api/v1/org' },
        'get /api/v1/objects': { path: '/api/v1/objects' },
        'patch /api/v1/objects/:object': { path: '/api/v1/objects/Account', body: { displayName: 'Hijacked' } },
        'get /api/v1/objects/:object/fields': { path: '/api/v1/objects/Account/fields' },
        'post /api/v1/objects/:object/fields': {
            path: '/api/v1/objects/Account/fields',
            body: { key: 'Injected', displayName: 'Injected', type: 'text', editable: true }
        },
        'patch /api/v1/objects/:object/fields/:key': {
            path: '/api/v1/objects/Account/fields/Account.Name',
            body: { displayName: 'Hijacked name' }
        },
        'get /api/v1/objects/:object/records': { path: `/api/v1/objects/Account/records?q=${bRecord}` },
        'get /api/v1/objects/:object/records/:id': { path: `/api/v1/objects/Account/records/${bRecord}` },
        'patch /api/v1/objects/:object/records/:id': {
            path: `/api/v1/objects/Account/records/${bRecord}`,
            body: { fields: { 'Account.Name': 'Hijacked' } }
        },
        'post /api/v1/sync': { path: '/api/v1/sync', body: { objectApiName: 'Account' } },
        'get /api/v1/sync/status': { path: '/api/v1/sync/status' },
        'get /api/v1/sync/errors': { path: '/api/v1/sync/errors' },
        'get /api/v1/conflicts': { path: '/api/v1/conflicts' },
        'post /api/v1/conflicts/:id/resolve': {
            path: `/api/v1/conflicts/${bConflict}/resolve`,
            body: { resolution: 'value', value: 'Hijacked' }
        },
        'get /api/v1/tokens': { path: '/api/v1/tokens' },
        'post /api/v1/tokens': { path: '/api/v1/tokens', body: { name: 'intruder', role: 'admin' } },
        'delete /api/v1/tokens/:id': { path: `/api/v1/tokens/${bTokenId}` },
        'get /api/v1/audit': { path: '/api/v1/audit' }
    };
}

describe('tenant isolation', () => {
    it('When an admin token of org A calls every route with org B identifiers, then nothing of B is read or changed', async () => {
        const requests = requestsAimedAtB();
        expect(Object.keys(requests).sort()).toEqual(apiRoutes.map((r) => `${r.method} ${r.path}`).sort());
        const before = await snapshotOf(t.repos, b.org.id, bRecord);
        const client = apiClient(t.url, a.tokens.admin);
        const statuses: Record<string, number> = {};
        for (const [name, req] of Object.entries(requests)) {
            const method = name.split(' ')[0].toUpperCase();
            const res = await client.call(method, req.path, req.body);
            statuses[name] = res.status;
            const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
            expect({ name, leaked: text.includes('SECRET-B') || text.includes(b.org.id) }).toEqual({
                name,
                leaked: false
            });
        }
        expect(await snapshotOf(t.repos, b.org.id, bRecord)).toEqual(before);
        // B's record, conflict and token do not exist for A.
        expect(statuses['get /api/v1/objects/:object/records/:id']).toBe(404);
        expect(statuses['patch /api/v1/objects/:object/records/:id']).toBe(404);
        expect(statuses['post /api/v1/conflicts/:id/resolve']).toBe(404);
        expect(statuses['delete /api/v1/tokens/:id']).toBe(404);
    });

    it('When org A lists its own data, then only A appears', async () => {
        const client = apiClient(t.url, a.tokens.viewer);
        const own = await client.get('/api/v1/org');
        expect(own.body).toMatchObject({
            id: a.org.id,
            name: 'Org A',
            authKind: 'jwt',
            status: 'new',
            connected: false
        });
        expect(Object.keys(own.body)).not.toEqual(expect.arrayContaining(['privateKeyEnc']));
        const records = await client.get('/api/v1/objects/Account/records');
        expect(records.body.items.map((r: { id: string }) => r.id)).toEqual([aRecord]);
        expect((await client.get('/api/v1/conflicts')).body.items).toEqual([]);
        expect((await client.get('/api/v1/sync/errors')).body.items).toEqual([]);
        const status = await client.get('/api/v1/sync/status');
        expect(status.body).toMatchObject({
            connection: { orgName: 'Org A' },
            pendingCount: 0,
            failedCount: 0,
            conflictCount: 0
        });
        const bView = await apiClient(t.url, b.tokens.viewer).get('/api/v1/sync/status');
        expect(bView.body).toMatchObject({
            connection: { orgName: 'SECRET-B org' },
            pendingCount: 1,
            failedCount: 1,
            conflictCount: 1
        });
    });
});

describe('authentication', () => {
    it('When a route needs a token and none, a malformed one or an unknown one is sent, then 401 on every route', async () => {
        for (const route of apiRoutes) {
            const path = route.path
                .replace(':object', 'Account')
                .replace(':key', 'Account.Name')
                .replace(':id', aRecord);
            const variants: Record<string, string>[] = [
                {},
                { Authorization: 'Basic abc' },
                { Authorization: 'Bearer stf_unknown' }
            ];
            for (const headers of variants) {
                const res = await apiClient(t.url).call(
                    route.method.toUpperCase(),
                    path,
                    route.body ? {} : undefined,
                    headers
                );
                expect({
                    route: route.path,
                    method: route.method,
                    status: res.status,
                    code: res.body.error?.code
                }).toEqual({
                    route: route.path,
                    method: route.method,
                    status: 401,
                    code: 'UNAUTHORIZED'
                });
            }
        }
    });

    it('When a token is revoked, then it stops working at once', async () => {
        const issued = await apiClient(t.url, a.tokens.admin).post('/api/v1/tokens', { name: 'temp', role: 'viewer' });
        expect(issued.status).toBe(201);
        expect(issued.body.token).toMatch(/^stf_[A-Za-z0-9_-]{43}$/);
        const temp = apiClient(t.url, issued.body.token);
        expect((await temp.get('/api/v1/objects')).status).toBe(200);
        const listed = await apiClient(t.url, a.tokens.admin).get('/api/v1/tokens');
        expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);
        expect(
            (await apiClient(t.url, a.tokens.admin).delete(`/api/v1/tokens/${issued.body.apiToken.id}`)).status
        ).toBe(204);
        expect((await temp.get('/api/v1/objects')).status).toBe(401);
        const audit = await t.repos.auditLog.list(a.org.id, {
            limit: 10,
            offset: 0,
            target: `token:${issued.body.apiToken.id}`
        });
        expect(audit.map((e) => e.action)).toEqual(['token.revoke', 'token.create']);
    });
});

describe('roles', () => {
    it('When viewer, editor and admin tokens call each route, then only roles at or above the route role get past 403', async () => {
        const rank = { viewer: 0, editor: 1, admin: 2 } as const;
        for (const route of apiRoutes) {
            const path = route.path
                .replace(':object', 'Account')
                .replace(':key', 'Account.Nope')
                .replace(
                    ':id',
                    route.path.includes('records') ? '001000000000000AAA' : '00000000-0000-0000-0000-000000000000'
                );
            for (const role of ['viewer', 'editor', 'admin'] as const) {
                const res = await apiClient(t.url, a.tokens[role]).call(
                    route.method.toUpperCase(),
                    path,
                    route.body ? {} : undefined
                );
                const allowed = rank[role] >= rank[route.role!];
                expect({ route: `${route.method} ${route.path}`, role, forbidden: res.status === 403 }).toEqual({
                    route: `${route.method} ${route.path}`,
                    role,
                    forbidden: !allowed
                });
                if (!allowed)
                    expect(res.body.error.message).toBe(`This needs the ${route.role} role; the token has ${role}`);
            }
        }
    });

    it('When a viewer tries to edit a record, then 403 and the record is unchanged', async () => {
        const res = await apiClient(t.url, a.tokens.viewer).patch(`/api/v1/objects/Account/records/${aRecord}`, {
            fields: { 'Account.Name': 'Nope' }
        });
        expect(res.status).toBe(403);
        expect((await t.repos.records.get(a.org.id, aRecord))!.fields['Account.Name']).toBe('Alpha');
    });
});
