import { createHmac } from 'node:crypto';
import * as jsforce from 'jsforce';
import {
    ADMIN_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    INTEGRATION_ID,
    ORG_ID,
    PASSWORD,
    TTL_MS,
    postForm,
    startAuthServer,
    type AuthTestServer
} from './auth-harness';

let srv: AuthTestServer;
let tokenUrl: string;

beforeAll(async () => {
    srv = await startAuthServer();
    tokenUrl = `${srv.url}/services/oauth2/token`;
});
afterAll(async () => {
    await srv.close();
});
beforeEach(() => {
    srv.auth.reset();
    for (const u of srv.users) u.isActive = true;
});

function oauth2(extra: Partial<{ clientId: string; clientSecret: string }> = {}): jsforce.OAuth2 {
    return new jsforce.OAuth2({ loginUrl: srv.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...extra });
}

const passwordForm = (over: Record<string, string> = {}): Record<string, string> => ({
    grant_type: 'password',
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    username: 'admin@statisfy.test',
    password: PASSWORD,
    ...over
});

async function expectOAuthError(
    form: Record<string, string>,
    error: string,
    description: string,
    headers: Record<string, string> = {}
): Promise<void> {
    const r = await postForm(tokenUrl, form, headers);
    expect({ status: r.status, contentType: r.contentType, body: r.body }).toEqual({
        status: 400,
        contentType: 'application/json;charset=UTF-8',
        body: { error, error_description: description }
    });
}

describe('OAuth 2.0 username-password grant', () => {
    it('logs in through jsforce OAuth2 + conn.login and calls a protected route', async () => {
        const conn = new jsforce.Connection({ oauth2: oauth2(), version: '60.0' });
        const info = await conn.login('admin@statisfy.test', PASSWORD);
        expect(info).toEqual({ id: ADMIN_ID, organizationId: ORG_ID, url: `${srv.url}/id/${ORG_ID}/${ADMIN_ID}` });
        expect(conn.instanceUrl).toBe(srv.url);
        const who = await conn.request<{ userId: string }>('/services/data/v60.0/whoami');
        expect(who.userId).toBe(ADMIN_ID);
    });

    it('answers the success body field for field, without a refresh token', async () => {
        const before = srv.clock.nowMs();
        const r = await postForm(tokenUrl, { ...passwordForm(), format: 'json', unknown_field: 'ignored' });
        expect(r.status).toBe(200);
        expect(r.contentType).toBe('application/json;charset=UTF-8');
        const body = r.body as Record<string, string>;
        expect(Object.keys(body)).toEqual([
            'access_token',
            'signature',
            'scope',
            'instance_url',
            'id',
            'token_type',
            'issued_at'
        ]);
        expect(body.access_token).toMatch(/^00D5g000004StFy!AQ[A-Za-z0-9._]+$/);
        expect(body.instance_url).toBe(srv.url);
        expect(body.id).toBe(`${srv.url}/id/${ORG_ID}/${ADMIN_ID}`);
        expect(body.token_type).toBe('Bearer');
        expect(body.scope).toBe('refresh_token api id');
        expect(Number(body.issued_at)).toBeGreaterThanOrEqual(before);
        expect(body.issued_at).toMatch(/^\d{13}$/);
        expect(body.signature).toBe(
            createHmac('sha256', CLIENT_SECRET)
                .update(body.id + body.issued_at)
                .digest('base64')
        );
    });

    it('accepts HTTP Basic client authentication and parameters in the query string', async () => {
        const basic = 'Basic ' + Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
        const r = await postForm(
            tokenUrl,
            { grant_type: 'password', username: 'integration@statisfy.test', password: PASSWORD },
            { authorization: basic }
        );
        expect(r.status).toBe(200);
        expect((r.body as { id: string }).id.endsWith(INTEGRATION_ID)).toBe(true);

        const q = new URLSearchParams(passwordForm()).toString();
        const res = await fetch(`${tokenUrl}?${q}`, { method: 'POST' });
        expect(res.status).toBe(200);
    });

    it('reports every failure in Salesforce wording', async () => {
        await expectOAuthError(passwordForm({ client_id: 'nope' }), 'invalid_client_id', 'client identifier invalid');
        const { client_id: _omitId, ...noClient } = passwordForm();
        await expectOAuthError(noClient, 'invalid_client_id', 'client identifier invalid');
        await expectOAuthError(passwordForm({ client_secret: 'nope' }), 'invalid_client', 'invalid client credentials');
        const { client_secret: _omitSecret, ...noSecret } = passwordForm();
        await expectOAuthError(noSecret, 'invalid_client', 'invalid client credentials');
        await expectOAuthError(passwordForm({ password: 'nope' }), 'invalid_grant', 'authentication failure');
        await expectOAuthError(
            passwordForm({ username: 'ghost@statisfy.test' }),
            'invalid_grant',
            'authentication failure'
        );
        await expectOAuthError(
            passwordForm({ grant_type: 'client_credentials' }),
            'unsupported_grant_type',
            'grant type not supported'
        );
        await expectOAuthError({}, 'unsupported_grant_type', 'grant type not supported');
        const badBasic = 'Basic ' + Buffer.from(`${CLIENT_ID}:wrong`).toString('base64');
        await expectOAuthError(
            { grant_type: 'password', username: 'admin@statisfy.test', password: PASSWORD },
            'invalid_client',
            'invalid client credentials',
            { authorization: badBasic }
        );
    });

    it('turns errors into jsforce errors named after the OAuth error code', async () => {
        const conn = new jsforce.Connection({ oauth2: oauth2(), version: '60.0' });
        const err = await conn.login('admin@statisfy.test', 'nope').catch((e: Error) => e);
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).name).toBe('invalid_grant');
        expect((err as Error).message).toBe('authentication failure');
    });

    it('refuses inactive users', async () => {
        srv.users[1].isActive = false;
        await expectOAuthError(
            passwordForm({ username: 'integration@statisfy.test' }),
            'invalid_grant',
            'authentication failure'
        );
    });

    it('re-logs in on 401 after the access token expires (jsforce password refresh delegate)', async () => {
        const conn = new jsforce.Connection({ oauth2: oauth2(), version: '60.0' });
        await conn.login('admin@statisfy.test', PASSWORD);
        const first = conn.accessToken!;
        const refreshed = jest.fn();
        conn.on('refresh', refreshed);
        srv.clock.advance(TTL_MS);
        const who = await conn.request<{ userId: string }>('/services/data/v60.0/whoami');
        expect(who.userId).toBe(ADMIN_ID);
        expect(refreshed).toHaveBeenCalledTimes(1);
        expect(conn.accessToken).not.toBe(first);
    });
});

describe('protected routes (requireSession)', () => {
    async function call(
        token?: string,
        scheme = 'Bearer'
    ): Promise<{ status: number; type: string | null; text: string }> {
        const res = await fetch(`${srv.url}/services/data/v60.0/whoami`, {
            headers: token ? { authorization: `${scheme} ${token}` } : {}
        });
        return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    }
    const INVALID = {
        status: 401,
        type: 'application/json;charset=UTF-8',
        text: '[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]'
    };

    it('accepts Bearer and OAuth schemes and rejects missing, unknown, expired and revoked tokens', async () => {
        const s = srv.auth.issueFor(ADMIN_ID);
        expect((await call(s.accessToken)).status).toBe(200);
        expect((await call(s.accessToken, 'OAuth')).status).toBe(200);
        expect(await call()).toEqual(INVALID);
        expect(await call('00D5g000004StFy!AQnotatoken')).toEqual(INVALID);

        // The emulator clock also moves with real time, so leave a margin before the boundary.
        srv.clock.advance(TTL_MS - 5000);
        expect((await call(s.accessToken)).status).toBe(200);
        srv.clock.advance(5000);
        expect(await call(s.accessToken)).toEqual(INVALID);

        const t = srv.auth.issueFor(INTEGRATION_ID);
        srv.auth.revoke(t.accessToken);
        expect(await call(t.accessToken)).toEqual(INVALID);
    });

    it('expireAllSessions() expires every access token at once', async () => {
        const a = srv.auth.issueFor(ADMIN_ID);
        const b = srv.auth.issueFor(INTEGRATION_ID);
        srv.auth.expireAllSessions();
        expect(await call(a.accessToken)).toEqual(INVALID);
        expect(await call(b.accessToken)).toEqual(INVALID);
        expect((await call(srv.auth.issueFor(ADMIN_ID).accessToken)).status).toBe(200);
    });

    it('deactivating a user ends their sessions', async () => {
        const s = srv.auth.issueFor(INTEGRATION_ID);
        srv.users[1].isActive = false;
        expect(await call(s.accessToken)).toEqual(INVALID);
        srv.users[1].isActive = true;
    });
});

describe('identity service and userinfo', () => {
    it('conn.identity() returns the identity document', async () => {
        const conn = new jsforce.Connection({ oauth2: oauth2(), version: '60.0' });
        await conn.login('admin@statisfy.test', PASSWORD);
        const id = await conn.identity();
        expect(id).toMatchObject({
            id: `${srv.url}/id/${ORG_ID}/${ADMIN_ID}`,
            asserted_user: true,
            user_id: ADMIN_ID,
            organization_id: ORG_ID,
            username: 'admin@statisfy.test',
            display_name: 'Ada Admin',
            email: 'admin@statisfy.test',
            first_name: 'Ada',
            last_name: 'Admin',
            timezone: 'America/Los_Angeles',
            active: true,
            user_type: 'STANDARD',
            utcOffset: -28800000,
            urls: {
                rest: `${srv.url}/services/data/v{version}/`,
                partner: `${srv.url}/services/Soap/u/{version}/00D5g000004StFy`,
                profile: `${srv.url}/${ADMIN_ID}`
            }
        });
        expect((id as unknown as Record<string, unknown>).last_modified_date).toMatch(
            /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/
        );
    });

    it('also works after SOAP login (jsforce builds the id URL from the login URL)', async () => {
        const conn = new jsforce.Connection({ loginUrl: srv.url });
        await conn.login('integration@statisfy.test', PASSWORD);
        const id = await conn.identity();
        expect(id.user_id).toBe(INTEGRATION_ID);
        expect((id as unknown as Record<string, unknown>).utcOffset).toBe(0);
    });

    it('answers token and id problems with Salesforce identity error codes', async () => {
        const s = srv.auth.issueFor(ADMIN_ID);
        const get = async (path: string, headers: Record<string, string> = {}): Promise<[number, string]> => {
            const res = await fetch(srv.url + path, { headers });
            return [res.status, await res.text()];
        };
        const base = `/id/${ORG_ID}/${ADMIN_ID}`;
        expect(await get(base)).toEqual([403, 'Missing_OAuth_Token']);
        expect(await get(`${base}?oauth_token=bogus`)).toEqual([403, 'Bad_OAuth_Token']);
        expect(
            await get(`/id/00D000000000001AAA/${ADMIN_ID}?oauth_token=${encodeURIComponent(s.accessToken)}`)
        ).toEqual([403, 'Wrong_Org']);
        expect(await get(`/id/${ORG_ID}/005000000000001AAA?oauth_token=${encodeURIComponent(s.accessToken)}`)).toEqual([
            404,
            'Bad_Id'
        ]);
        expect(await get(`/id/xyz/${ADMIN_ID}?oauth_token=${encodeURIComponent(s.accessToken)}`)).toEqual([
            404,
            'Bad_Id'
        ]);

        // Bearer header, 15-character ids, another user of the same org (asserted_user false).
        const res = await fetch(`${srv.url}/id/${ORG_ID.slice(0, 15)}/${INTEGRATION_ID.slice(0, 15)}`, {
            headers: { authorization: `Bearer ${s.accessToken}` }
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
        expect(await res.json()).toMatchObject({ user_id: INTEGRATION_ID, asserted_user: false });

        srv.users[1].isActive = false;
        expect(await get(`/id/${ORG_ID}/${INTEGRATION_ID}?oauth_token=${encodeURIComponent(s.accessToken)}`)).toEqual([
            404,
            'Inactive'
        ]);
    });

    it('serves OpenID userinfo for the token holder', async () => {
        const s = srv.auth.issueFor(INTEGRATION_ID);
        const res = await fetch(`${srv.url}/services/oauth2/userinfo`, {
            headers: { authorization: `Bearer ${s.accessToken}` }
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({
            sub: `${srv.url}/id/${ORG_ID}/${INTEGRATION_ID}`,
            user_id: INTEGRATION_ID,
            organization_id: ORG_ID,
            preferred_username: 'integration@statisfy.test',
            name: 'Statisfy Integration',
            given_name: 'Statisfy',
            family_name: 'Integration',
            email: 'integration@statisfy.test',
            zoneinfo: 'GMT',
            active: true
        });
        const bad = await fetch(`${srv.url}/services/oauth2/userinfo?access_token=bogus`);
        expect([bad.status, await bad.text()]).toEqual([403, 'Bad_OAuth_Token']);
        const none = await fetch(`${srv.url}/services/oauth2/userinfo`);
        expect([none.status, await none.text()]).toEqual([403, 'Missing_OAuth_Token']);
    });
});

describe('revoke', () => {
    it('revokes an access token through jsforce (conn.logout for an OAuth session)', async () => {
        const conn = new jsforce.Connection({ oauth2: oauth2(), version: '60.0' });
        await conn.login('admin@statisfy.test', PASSWORD);
        const token = conn.accessToken!;
        await conn.logout();
        expect(srv.auth.validate(token)).toBeNull();
    });

    it('answers unknown tokens with invalid_token and a missing token with unsupported_token_type', async () => {
        const url = `${srv.url}/services/oauth2/revoke`;
        const unknown = await postForm(url, { token: 'bogus' });
        expect([unknown.status, unknown.contentType, unknown.body]).toEqual([
            400,
            'application/json;charset=UTF-8',
            { error: 'invalid_token', error_description: 'Token was invalid' }
        ]);
        const none = await postForm(url, {});
        expect([none.status, none.body]).toEqual([
            400,
            { error: 'unsupported_token_type', error_description: 'Token type not supported' }
        ]);
        const o = oauth2();
        await expect(o.revokeToken('bogus')).rejects.toThrow(/invalid_token/);
    });

    it('revokes a second time with invalid_token, and by GET', async () => {
        const s = srv.auth.issueFor(ADMIN_ID);
        const get = await fetch(`${srv.url}/services/oauth2/revoke?token=${encodeURIComponent(s.accessToken)}`);
        expect(get.status).toBe(200);
        const again = await postForm(`${srv.url}/services/oauth2/revoke`, { token: s.accessToken });
        expect(again.status).toBe(400);
    });
});

describe('mounted behind a body parser that already read the body', () => {
    it('still reads token, revoke and SOAP requests', async () => {
        const other = await startAuthServer({ textBodyFirst: true });
        try {
            const r = await postForm(`${other.url}/services/oauth2/token`, passwordForm());
            expect(r.status).toBe(200);
            const token = (r.body as { access_token: string }).access_token;
            const revoked = await postForm(`${other.url}/services/oauth2/revoke`, { token });
            expect(revoked.status).toBe(200);
            expect(other.auth.validate(token)).toBeNull();
            const conn = new jsforce.Connection({ loginUrl: other.url });
            await expect(conn.login('admin@statisfy.test', PASSWORD)).resolves.toMatchObject({ id: ADMIN_ID });
        } finally {
            await other.close();
        }
    });
});
