/**
 * Operations and cross-cutting behaviour over HTTP: liveness, readiness, metrics, the OpenAPI document, request ids
 * in responses and logs, the error format, and graceful stop.
 */
import { Writable } from 'node:stream';
import { allRoutes } from '../../src/api/server';
import { createLogger } from '../../src/lib/logger';
import { apiClient, startTestCompanion, type TestCompanion } from '../support/companion';
import { seedAccount, seedObjects, seedOrg, type SeededOrg } from '../support/factories';

const logLines: Record<string, unknown>[] = [];
const sink = new Writable({
    write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
        done();
    }
});

let t: TestCompanion;
let org: SeededOrg;

beforeAll(async () => {
    t = await startTestCompanion({ deps: { logger: createLogger('info', sink) } });
    org = await seedOrg(t.repos);
    await seedObjects(t.repos, org.org.id);
});
afterAll(async () => {
    if (t) await t.stop();
});

describe('operations', () => {
    it('When /healthz and /readyz are called, then both answer 200 with the readiness checks named', async () => {
        expect((await apiClient(t.url).get('/healthz')).body).toEqual({ status: 'ok' });
        const ready = await apiClient(t.url).get('/readyz');
        expect(ready.status).toBe(200);
        expect(ready.body).toEqual({ ready: true, checks: { database: { ok: true }, migrations: { ok: true } } });
    });

    it('When /metrics is scraped, then the sync metrics are there and outbox gauges are read from the database', async () => {
        const account = await seedAccount(t.repos, org.org.id);
        await apiClient(t.url, org.tokens.editor).patch(`/api/v1/objects/Account/records/${account.sfId}`, {
            fields: { 'Account.Name': 'Metric Co', 'Account.Health': 3 }
        });
        const res = await apiClient(t.url).get('/metrics');
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toContain('text/plain');
        for (const name of [
            'statisfy_sync_lag_seconds',
            'statisfy_salesforce_api_calls_total',
            'statisfy_events_applied_total',
            'statisfy_flushed_edits_total',
            'statisfy_http_request_duration_seconds_bucket',
            'statisfy_process_resident_memory_bytes'
        ]) {
            expect(res.body).toContain(name);
        }
        expect(res.body).toContain(`statisfy_pending_edits{org_id="${org.org.id}"} 1`);
        expect(res.body).toContain(`statisfy_failed_edits{org_id="${org.org.id}"} 0`);
        expect(res.body).toContain(`statisfy_edits_accepted_total{org_id="${org.org.id}",outcome="queued"} 1`);
        expect(res.body).toContain(`statisfy_edits_accepted_total{org_id="${org.org.id}",outcome="local"} 1`);
        expect(res.body).toMatch(
            /statisfy_http_requests_total\{method="PATCH",route="\/api\/v1\/objects\/:object\/records\/:id",status="200"\} 1/
        );
    });

    it('When the OpenAPI document is read, then it is 3.1 and describes every route the server answers', async () => {
        const res = await apiClient(t.url).get('/api/v1/openapi.json');
        expect(res.status).toBe(200);
        expect(res.body.openapi).toBe('3.1.0');
        const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(
            ([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)
        );
        const served = [
            ...allRoutes.map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`),
            'get /api/v1/openapi.json'
        ];
        expect(documented.sort()).toEqual(expect.arrayContaining(served.sort()));
        const patch = res.body.paths['/api/v1/objects/{object}/records/{id}'].patch;
        expect(patch['x-required-role']).toBe('editor');
        expect(patch.requestBody.content['application/json'].schema.required).toEqual(['fields']);
        expect(patch.parameters.map((p: { name: string }) => p.name)).toEqual(['object', 'id']);
        expect(patch.responses['422']).toBeDefined();
        const list = res.body.paths['/api/v1/objects/{object}/records'].get;
        expect(list.parameters.map((p: { name: string }) => p.name)).toEqual([
            'object',
            'limit',
            'cursor',
            'offset',
            'q',
            'sort'
        ]);
        // Every $ref points at a schema that exists.
        const refs = [...JSON.stringify(res.body).matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/g)].map(
            (m) => m[1]
        );
        for (const ref of new Set(refs)) expect(res.body.components.schemas[ref]).toBeDefined();
    });

    it('When a request carries X-Request-Id, then it is echoed and every log line of the request carries it and the org', async () => {
        const res = await apiClient(t.url, org.tokens.viewer).get('/api/v1/objects', {
            'X-Request-Id': 'req-test-123'
        });
        expect(res.headers.get('x-request-id')).toBe('req-test-123');
        const line = logLines.find((l) => l.requestId === 'req-test-123' && l.msg === 'request');
        expect(line).toMatchObject({ method: 'GET', path: '/api/v1/objects', status: 200 });
        const generated = await apiClient(t.url).get('/healthz');
        expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        expect(JSON.stringify(logLines)).not.toContain(org.tokens.viewer);
    });

    it('When a route does not exist or a body is too large, then the error format holds', async () => {
        const missing = await apiClient(t.url).get('/api/v1/nope');
        expect(missing.status).toBe(404);
        expect(missing.body).toEqual({ error: { code: 'NOT_FOUND', message: 'No route GET /api/v1/nope' } });
        const huge = await apiClient(t.url, org.tokens.editor).patch(
            '/api/v1/objects/Account/records/001000000000000AAA',
            {
                fields: { 'Account.Name': 'x'.repeat(1_100_000) }
            }
        );
        expect(huge.status).toBe(413);
        expect(huge.body.error.code).toBe('BAD_REQUEST');
    });
});

describe('graceful stop', () => {
    it('When the companion stops with a request in flight, then new connections are refused, the request still finishes, and the pool closes', async () => {
        const own = await startTestCompanion();
        const o = await seedOrg(own.repos);
        await seedObjects(own.repos, o.org.id);
        const account = await seedAccount(own.repos, o.org.id);
        // Hold the record's row lock so the PATCH is provably in flight (waiting inside its transaction).
        const holder = own.companion.dataSource.createQueryRunner();
        await holder.connect();
        await holder.startTransaction();
        await holder.query('SELECT 1 FROM records WHERE org_id = $1 AND sf_id = $2 FOR UPDATE', [
            o.org.id,
            account.sfId
        ]);
        const inFlight = apiClient(own.url, o.tokens.editor).patch(`/api/v1/objects/Account/records/${account.sfId}`, {
            fields: { 'Account.Name': 'Finished during stop' }
        });
        // Polled from the pool, not the holder: pg_stat_activity is a snapshot per transaction.
        const waiting = async () =>
            (
                (await own.companion.dataSource.query(
                    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`
                )) as { n: number }[]
            )[0].n > 0;
        for (let i = 0; i < 500 && !(await waiting()); i++) await new Promise((r) => setTimeout(r, 10));
        expect(await waiting()).toBe(true);
        const stopping = own.companion.stop();
        await new Promise((r) => setTimeout(r, 50));
        await expect(fetch(`${own.url}/healthz`)).rejects.toThrow();
        await holder.commitTransaction();
        await holder.release();
        const res = await inFlight;
        expect(res.status).toBe(200);
        expect(res.body.record.fields['Account.Name']).toBe('Finished during stop');
        await stopping;
        expect(own.companion.dataSource.isInitialized).toBe(false);
        await own.db.drop();
    }, 30_000);
});

describe('roles of a process', () => {
    it('When ROLE=worker, then only the operations endpoints are served', async () => {
        const worker = await startTestCompanion({ env: { ROLE: 'worker' } });
        try {
            const o = await seedOrg(worker.repos);
            expect((await apiClient(worker.url).get('/healthz')).status).toBe(200);
            expect((await apiClient(worker.url).get('/readyz')).status).toBe(200);
            expect((await apiClient(worker.url).get('/metrics')).status).toBe(200);
            const api = await apiClient(worker.url, o.tokens.admin).get('/api/v1/objects');
            expect(api.status).toBe(404);
            expect(api.body.error.code).toBe('NOT_FOUND');
        } finally {
            await worker.stop();
        }
    });
});
