/**
 * Conformance: fault injection and session expiry as jsforce sees them — a 503 rule, a latency
 * rule, an object-matched lock error, expired tokens refreshed through jsforce's refreshFn.
 */
import type { RunningEmulator } from '../src/server';
import {
    ADMIN,
    PASSWORD,
    VERSION,
    control,
    errorOf,
    jsforce,
    oauthLogin,
    soapLogin,
    start
} from './conformance.helpers';

jest.setTimeout(20000);

describe('conformance: faults and session expiry', () => {
    let emu: RunningEmulator;
    let conn: jsforce.Connection;

    beforeAll(async () => {
        emu = await start({ seed: 'demo', accessTokenTtlMs: 60 * 60_000 });
        conn = await soapLogin(emu);
    });
    afterEach(() => control(emu, 'DELETE', '/faults'));
    afterAll(() => emu.stop());

    it('a 503 rule (count 1) fails a POST as SERVER_UNAVAILABLE, then the next call succeeds', async () => {
        const rule = await control(emu, 'POST', '/faults', {
            method: 'POST',
            path: '/services/data/*/sobjects/Account',
            status: 503,
            count: 1
        });
        expect(rule.status).toBe(200);
        const e = await errorOf(() => conn.sobject('Account').create({ Name: 'Unlucky' }));
        expect(e.errorCode).toBe('SERVER_UNAVAILABLE');
        const ok = await conn.sobject('Account').create({ Name: 'Lucky' });
        expect(ok.success).toBe(true);
        const list = await control(emu, 'GET', '/faults');
        expect(list.body).toEqual({ rules: [] }); // count exhausted
    });

    it('a latency rule delays matching requests', async () => {
        await control(emu, 'POST', '/faults', { path: '**/limits', latencyMs: 300 });
        const t0 = Date.now();
        await conn.limits();
        expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
        await conn.query('SELECT Id FROM Account LIMIT 1');
        // Only the matching request was delayed.
        const list = (await control(emu, 'GET', '/faults')).body as { rules: Array<{ hits: number }> };
        expect(list.rules.map((r) => r.hits)).toEqual([1]);
    });

    it('an object-matched rule returns UNABLE_TO_LOCK_ROW for Contact collections only', async () => {
        await control(emu, 'POST', '/faults', {
            method: 'PATCH',
            object: 'Contact',
            status: 400,
            errorCode: 'UNABLE_TO_LOCK_ROW',
            message: 'unable to obtain exclusive access to this record or 1 records: 003'
        });
        const contacts = (await conn.query<{ Id: string }>('SELECT Id FROM Contact LIMIT 2')).records;
        const e = await errorOf(() => conn.sobject('Contact').update(contacts.map((c) => ({ Id: c.Id, Title: 'x' }))));
        expect(e.errorCode).toBe('UNABLE_TO_LOCK_ROW');
        const accounts = (await conn.query<{ Id: string }>('SELECT Id FROM Account LIMIT 2')).records;
        const ok = await conn.sobject('Account').update(accounts.map((a) => ({ Id: a.Id, Rating: 'Warm' })));
        expect(ok.every((r) => r.success)).toBe(true);
    });

    it('rejects bad fault rules with a 400 naming the input', async () => {
        const r = await control(emu, 'POST', '/faults', { path: '**', status: 99 });
        expect(r).toEqual({
            status: 400,
            body: { error: "fault rule 'status' must be an HTTP status 100-599, got 99" }
        });
        const r2 = await control(emu, 'POST', '/faults', { path: '**', latencyMs: 5, colour: 'red' });
        expect(r2.status).toBe(400);
        expect((r2.body as { error: string }).error).toMatch(/unknown fault rule property 'colour'/);
    });

    it('expired tokens get 401 INVALID_SESSION_ID and jsforce refreshes through its refreshFn', async () => {
        const refreshed: string[] = [];
        const c = await oauthLogin(emu);
        const fresh = new jsforce.Connection({
            instanceUrl: c.instanceUrl,
            accessToken: c.accessToken!,
            version: VERSION,
            refreshFn: (_conn, cb) => {
                const l = new jsforce.Connection({ loginUrl: emu.url, version: VERSION });
                l.login(ADMIN, PASSWORD).then(
                    () => {
                        refreshed.push(l.accessToken!);
                        cb(null, l.accessToken!);
                    },
                    (err: Error) => cb(err)
                );
            }
        });
        await fresh.query('SELECT Id FROM Account LIMIT 1');
        const old = fresh.accessToken;
        await control(emu, 'POST', '/clock/advance', { hours: 2 });
        const raw = await fetch(`${emu.url}/services/data/v${VERSION}/limits`, {
            headers: { Authorization: `Bearer ${old}` }
        });
        expect(raw.status).toBe(401);
        expect(await raw.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
        const r = await fresh.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1');
        expect(r.records).toHaveLength(1);
        expect(refreshed).toHaveLength(1);
        expect(fresh.accessToken).toBe(refreshed[0]);
        // The control API can expire every session at once.
        await control(emu, 'POST', '/faults/expire-sessions');
        await fresh.query('SELECT Id FROM Account LIMIT 1');
        expect(refreshed).toHaveLength(2);
    });

    it('counts API calls by endpoint and enforces the daily limit with REQUEST_LIMIT_EXCEEDED', async () => {
        const usage = (await control(emu, 'GET', '/api-usage')).body as {
            byEndpoint: Record<string, number>;
            used: number;
        };
        expect(usage.byEndpoint['GET /query']).toBeGreaterThan(0);
        await control(emu, 'POST', '/api-usage', { max: usage.used + 1 });
        await conn.limits();
        const e = await errorOf(() => conn.sobject('Account').create({ Name: 'Over' }));
        expect(e.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
        expect(e.message).toBe('TotalRequests Limit exceeded.');
        await control(emu, 'POST', '/api-usage', { max: 100000 });
    });
});
