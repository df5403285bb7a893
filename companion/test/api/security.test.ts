/**
 * The HTTP edge's protections over real HTTP and PostgreSQL (api/security.ts): security headers and no-store,
 * malformed input answered 400 with the error body and nothing changed, failed token attempts throttled per client
 * address, /metrics behind METRICS_TOKEN, and an open event stream closed when its token is revoked.
 */
import { apiClient, startTestCompanion, type TestCompanion } from '../support/companion';
import { seedAccount, seedObjects, seedOrg, type SeededOrg } from '../support/factories';
import { outboxOf } from '../support/inspect';

jest.setTimeout(60_000);

let t: TestCompanion;
let org: SeededOrg;
let recordId: string;

beforeAll(async () => {
    t = await startTestCompanion({
        env: { METRICS_TOKEN: 'metrics-token-for-the-test' }
    });
    org = await seedOrg(t.repos, { name: 'Edge org' });
    await seedObjects(t.repos, org.org.id);
    recordId = (await seedAccount(t.repos, org.org.id, { name: 'Edge account' })).sfId;
});
afterAll(() => t?.stop());

const raw = (path: string, init: RequestInit = {}) => fetch(`${t.url}${path}`, init);
const asAdmin = (path: string, init: RequestInit = {}) =>
    raw(path, { ...init, headers: { Authorization: `Bearer ${org.tokens.admin}`, ...(init.headers ?? {}) } });

describe('security headers', () => {
    it('When the web app and the API answer, then both carry the CSP, nosniff, frame-ancestors and Referrer-Policy, and API answers are no-store', async () => {
        for (const path of ['/', '/api/v1/objects', '/healthz']) {
            const res = await asAdmin(path);
            await res.arrayBuffer();
            const csp = res.headers.get('content-security-policy') ?? '';
            expect({ path, csp }).toEqual({ path, csp: expect.stringContaining("script-src 'self'") });
            expect(csp).toContain("frame-ancestors 'none'");
            expect(csp).toContain("default-src 'self'");
            expect(res.headers.get('x-content-type-options')).toBe('nosniff');
            expect(res.headers.get('referrer-policy')).toBe('no-referrer');
            expect(res.headers.get('x-frame-options')).toBe('DENY');
        }
        const api = await asAdmin('/api/v1/objects');
        expect(api.status).toBe(200);
        expect(api.headers.get('cache-control')).toBe('no-store');
        const denied = await raw('/api/v1/objects');
        expect(denied.status).toBe(401);
        expect(denied.headers.get('cache-control')).toBe('no-store');
    });
});

describe('malformed input', () => {
    async function unchanged<T>(work: () => Promise<T>): Promise<T> {
        const before = JSON.stringify(await t.repos.records.get(org.org.id, recordId));
        const edits = (await outboxOf(t.companion.dataSource.manager, org.org.id, recordId)).length;
        const result = await work();
        expect(JSON.stringify(await t.repos.records.get(org.org.id, recordId))).toBe(before);
        expect((await outboxOf(t.companion.dataSource.manager, org.org.id, recordId)).length).toBe(edits);
        return result;
    }
    const patch = (body: string, id = recordId) =>
        asAdmin(`/api/v1/objects/Account/records/${id}`, {
            method: 'PATCH',
            headers: { 'Content-Type': 'application/json' },
            body
        });

    it.each([
        ['a bad percent-encoding in the path', '/api/v1/objects/%E0%A4%A/records', 'BAD_PATH'],
        ['invalid UTF-8 in the path', '/api/v1/objects/%ED%A0%80/fields', 'BAD_PATH'],
        ['a NUL in a query value', '/api/v1/objects/Account/records?q=a%00b', 'BAD_REQUEST'],
        ['a NUL in the audit target', '/api/v1/audit?target=%00', 'BAD_REQUEST'],
        [
            'an 18-character id whose suffix is wrong',
            '/api/v1/objects/Account/records/001000000000000AAB',
            'VALIDATION_FAILED'
        ]
    ])('When a request has %s, then 400 with the error body', async (_what, path, code) => {
        const res = await asAdmin(path);
        expect(res.status).toBe(400);
        const body = await res.json();
        expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
    });

    it.each([
        ['a NUL byte in a value', '{"fields":{"Account.Name":"a\\u0000b"}}'],
        ['a lone surrogate in a value', '{"fields":{"Account.Name":"\\ud800"}}'],
        ['a lone low surrogate in a key', '{"fields":{"\\udc00":"x"}}'],
        ['a number JSON cannot carry', '{"fields":{"Account.AnnualRevenue":1e400}}'],
        [
            'JSON nested 5000 deep where a scalar is expected',
            `{"fields":{"Account.Name":${'['.repeat(5000)}${']'.repeat(5000)}}}`
        ],
        ['a body of null', 'null'],
        ['one good field and one bad one', '{"fields":{"Account.Rating":"Hot","Account.Name":"x\\u0000"}}']
    ])(
        'When an edit carries %s, then 400 with the error body and the record and outbox are unchanged',
        async (_what, body) => {
            const res = await unchanged(() => patch(body));
            expect(res.status).toBe(400);
            expect(await res.json()).toEqual({
                error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) })
            });
        }
    );

    it('When an edit uses object names such as constructor or __proto__, then 4xx and nothing changes', async () => {
        for (const object of ['constructor', '__proto__', 'hasOwnProperty']) {
            const res = await unchanged(() =>
                asAdmin(`/api/v1/objects/${object}/records/${recordId}`, {
                    method: 'PATCH',
                    headers: { 'Content-Type': 'application/json' },
                    body: '{"fields":{"Account.Name":"x"}}'
                })
            );
            expect(res.status).toBeGreaterThanOrEqual(400);
            expect(res.status).toBeLessThan(500);
        }
        const proto = await unchanged(() => patch('{"fields":{"__proto__":"x","constructor":"y"}}'));
        expect(proto.status).toBeGreaterThanOrEqual(400);
        expect(proto.status).toBeLessThan(500);
    });

    it('When a failed-edit id is beyond a 64-bit number, then 400 (not a database error)', async () => {
        const res = await asAdmin('/api/v1/sync/errors/9999999999999999999/retry', { method: 'POST' });
        expect(res.status).toBe(400);
        expect((await res.json()).error.code).toBe('VALIDATION_FAILED');
    });
});

describe('/metrics', () => {
    it('When METRICS_TOKEN is set, then /metrics answers only with it', async () => {
        const none = await raw('/metrics');
        expect(none.status).toBe(401);
        expect((await none.json()).error.code).toBe('UNAUTHORIZED');
        const wrong = await raw('/metrics', { headers: { Authorization: `Bearer ${org.tokens.admin}` } });
        expect(wrong.status).toBe(401);
        await wrong.arrayBuffer();
        const ok = await raw('/metrics', { headers: { Authorization: 'Bearer metrics-token-for-the-test' } });
        expect(ok.status).toBe(200);
        expect(await ok.text()).toContain('statisfy_');
    });
});

describe('event stream', () => {
    it('When the token of an open event stream is revoked, then the stream gets `revoked` and closes', async () => {
        const issued = await apiClient(t.url, org.tokens.admin).post('/api/v1/tokens', { name: 'tab', role: 'viewer' });
        expect(issued.status).toBe(201);
        const res = await raw('/api/v1/events', {
            headers: { Authorization: `Bearer ${issued.body.token}` },
            signal: AbortSignal.timeout(15_000)
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toContain('no-store');
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let text = '';
        while (!text.includes('event: ready')) text += decoder.decode((await reader.read()).value);
        const revoked = await apiClient(t.url, org.tokens.admin).delete(`/api/v1/tokens/${issued.body.apiToken.id}`);
        expect(revoked.status).toBe(204);
        const started = Date.now();
        for (;;) {
            const chunk = await reader.read();
            if (chunk.done) break;
            text += decoder.decode(chunk.value);
        }
        expect(text).toContain('event: revoked');
        expect(Date.now() - started).toBeLessThan(5000);
    });
});

describe('failed token attempts', () => {
    let small: TestCompanion;
    beforeAll(async () => {
        small = await startTestCompanion({ env: { AUTH_FAILURE_LIMIT: '5', AUTH_FAILURE_WINDOW_MS: '60000' } });
    });
    afterAll(() => small?.stop());

    it('When one address sends more unknown tokens than the limit, then 429 with Retry-After and the error body, while good tokens do not count', async () => {
        const seeded = await seedOrg(small.repos, { name: 'Throttled org' });
        const call = async (token: string) => {
            const res = await fetch(`${small.url}/api/v1/objects`, { headers: { Authorization: `Bearer ${token}` } });
            await res.arrayBuffer();
            return res.status;
        };
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
            statuses.push(await call(`sty_wrong_${i}`));
            statuses.push(await call(seeded.tokens.viewer));
        }
        statuses.push(await call('sty_wrong_5'));
        expect(statuses).toEqual([401, 200, 401, 200, 401, 200, 401, 200, 401]);
        const limited = await fetch(`${small.url}/api/v1/objects`, { headers: { Authorization: 'Bearer sty_wrong' } });
        expect(limited.status).toBe(429);
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
        expect((await limited.json()).error.code).toBe('TOO_MANY_FAILED_TOKENS');
        // Past the limit the address waits out the window, whatever token it sends.
        expect(await call(seeded.tokens.viewer)).toBe(429);
        // The event stream's own token check counts too.
        const stream = await fetch(`${small.url}/api/v1/events`, { headers: { Authorization: 'Bearer sty_wrong' } });
        expect(stream.status).toBe(429);
        await stream.arrayBuffer();
    });
});
