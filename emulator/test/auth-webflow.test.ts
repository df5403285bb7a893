import { randomBytes } from 'node:crypto';
import * as jsforce from 'jsforce';
import {
    ADMIN_ID,
    CALLBACK,
    CLIENT_ID,
    CLIENT_SECRET,
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
    srv.clock.setOffset(0);
    srv.auth.reset();
    for (const u of srv.users) u.isActive = true;
});

function oauth2(opts: { redirectUri?: string; useVerifier?: boolean; clientSecret?: string } = {}): jsforce.OAuth2 {
    return new jsforce.OAuth2({
        loginUrl: srv.url,
        clientId: CLIENT_ID,
        clientSecret: 'clientSecret' in opts ? opts.clientSecret : CLIENT_SECRET,
        redirectUri: opts.redirectUri ?? CALLBACK,
        useVerifier: opts.useVerifier
    });
}

/** Reads the hidden fields of the login form from the page HTML. */
function hiddenFields(html: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
        out[m[1]] = m[2]
            .replace(/&quot;/g, '"')
            .replace(/&#39;/g, "'")
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&amp;/g, '&');
    }
    return out;
}

async function postRaw(form: Record<string, string>): Promise<Response> {
    return fetch(`${srv.url}/services/oauth2/authorize`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
        redirect: 'manual'
    });
}

async function loginPage(
    url: string
): Promise<{ status: number; html: string; type: string | null; location: string | null }> {
    const res = await fetch(url, { redirect: 'manual' });
    return {
        status: res.status,
        html: await res.text(),
        type: res.headers.get('content-type'),
        location: res.headers.get('location')
    };
}

/** Runs the browser half of the flow and returns the callback URL the emulator redirects to. */
async function browserFlow(
    authorizeUrl: string,
    creds: { username?: string; password?: string; action?: string } = {}
): Promise<URL> {
    const page = await loginPage(authorizeUrl);
    expect(page.status).toBe(200);
    const res = await postRaw({
        ...hiddenFields(page.html),
        username: creds.username ?? 'admin@statisfy.test',
        password: creds.password ?? PASSWORD,
        action: creds.action ?? 'allow'
    });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location') as string);
}

describe('OAuth 2.0 web-server flow (authorization code)', () => {
    it('authorize URL → login form → code → conn.authorize(code) → refresh token', async () => {
        const o = oauth2();
        const url = o.getAuthorizationUrl({ state: 'xyz-123', scope: 'api id refresh_token' });
        const page = await loginPage(url);
        expect(page.status).toBe(200);
        expect(page.type).toBe('text/html;charset=UTF-8');
        expect(page.html).toContain('<html lang="en">');
        expect(page.html).toContain('<label for="username">Username</label>');
        expect(page.html).toContain('<label for="password">Password</label>');
        expect(page.html).toContain('autocomplete="current-password"');
        expect(page.html).toContain('Manage user data via APIs (api)');

        const back = await browserFlow(url);
        expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
        expect(back.searchParams.get('state')).toBe('xyz-123');
        const code = back.searchParams.get('code')!;
        expect(code).toMatch(/^aPrx/);

        const conn = new jsforce.Connection({ oauth2: o, version: '60.0' });
        const info = await conn.authorize(code);
        expect(info).toEqual({ id: ADMIN_ID, organizationId: ORG_ID, url: `${srv.url}/id/${ORG_ID}/${ADMIN_ID}` });
        expect(conn.refreshToken).toMatch(/^5Aep861[A-Za-z0-9._]+$/);
        const who = await conn.request<{ userId: string }>('/services/data/v60.0/whoami');
        expect(who.userId).toBe(ADMIN_ID);
    });

    it('returns refresh_token right after access_token in the token body', async () => {
        const back = await browserFlow(oauth2().getAuthorizationUrl({}));
        const r = await postForm(tokenUrl, {
            grant_type: 'authorization_code',
            code: back.searchParams.get('code')!,
            client_id: CLIENT_ID,
            client_secret: CLIENT_SECRET,
            redirect_uri: CALLBACK
        });
        expect(r.status).toBe(200);
        const body = r.body as Record<string, string>;
        expect(Object.keys(body)).toEqual([
            'access_token',
            'refresh_token',
            'signature',
            'scope',
            'instance_url',
            'id',
            'token_type',
            'issued_at'
        ]);
        expect(body.scope).toBe('refresh_token api id');
    });

    it('issues no refresh token when the refresh_token scope is not requested', async () => {
        const o = oauth2();
        const back = await browserFlow(o.getAuthorizationUrl({ scope: 'api id' }));
        const conn = new jsforce.Connection({ oauth2: o });
        await conn.authorize(back.searchParams.get('code')!);
        expect(conn.refreshToken).toBeFalsy();
    });

    it('refreshes after access-token expiry: a jsforce request gets 401, refreshes and succeeds', async () => {
        const o = oauth2();
        const back = await browserFlow(o.getAuthorizationUrl({}));
        const conn = new jsforce.Connection({ oauth2: o, version: '60.0' });
        await conn.authorize(back.searchParams.get('code')!);
        const first = conn.accessToken!;
        const refreshToken = conn.refreshToken!;
        const refreshed = jest.fn();
        conn.on('refresh', refreshed);

        srv.clock.advance(TTL_MS + 1);
        expect(srv.auth.validate(first)).toBeNull();
        const hitsBefore = srv.protectedHits();
        const who = await conn.request<{ userId: string }>('/services/data/v60.0/whoami');
        expect(who.userId).toBe(ADMIN_ID);
        expect(refreshed).toHaveBeenCalledTimes(1);
        const [newToken, res] = refreshed.mock.calls[0] as [string, Record<string, string>];
        expect(newToken).toBe(conn.accessToken);
        expect(newToken).not.toBe(first);
        expect(res.refresh_token).toBeUndefined();
        expect(res.scope).toBe('refresh_token api id');
        expect(conn.refreshToken).toBe(refreshToken);
        expect(srv.protectedHits()).toBe(hitsBefore + 1);
    });

    it('revoking the refresh token revokes its access tokens and stops refreshes', async () => {
        const o = oauth2();
        const back = await browserFlow(o.getAuthorizationUrl({}));
        const conn = new jsforce.Connection({ oauth2: o, version: '60.0' });
        await conn.authorize(back.searchParams.get('code')!);
        const access = conn.accessToken!;
        await o.revokeToken(conn.refreshToken!);
        expect(srv.auth.validate(access)).toBeNull();
        await expect(conn.request('/services/data/v60.0/whoami')).rejects.toThrow(
            'Unable to refresh session due to: expired access/refresh token'
        );
    });

    it('reports refresh-token grant errors in Salesforce wording', async () => {
        const back = await browserFlow(oauth2().getAuthorizationUrl({}));
        const tok = (
            await postForm(tokenUrl, {
                grant_type: 'authorization_code',
                code: back.searchParams.get('code')!,
                client_id: CLIENT_ID,
                client_secret: CLIENT_SECRET,
                redirect_uri: CALLBACK
            })
        ).body as { refresh_token: string };
        const refresh = (over: Record<string, string>): Promise<{ status: number; body: unknown }> =>
            postForm(tokenUrl, {
                grant_type: 'refresh_token',
                refresh_token: tok.refresh_token,
                client_id: CLIENT_ID,
                ...over
            });

        expect((await refresh({})).status).toBe(200); // secret optional
        expect((await refresh({ client_secret: CLIENT_SECRET })).status).toBe(200);
        expect(await refresh({ client_secret: 'nope' })).toMatchObject({
            status: 400,
            body: { error: 'invalid_client', error_description: 'invalid client credentials' }
        });
        expect(await refresh({ client_id: 'nope' })).toMatchObject({
            status: 400,
            body: { error: 'invalid_client_id', error_description: 'client identifier invalid' }
        });
        expect(await refresh({ refresh_token: 'bogus' })).toMatchObject({
            status: 400,
            body: { error: 'invalid_grant', error_description: 'expired access/refresh token' }
        });
        srv.users[0].isActive = false;
        expect(await refresh({})).toMatchObject({
            status: 400,
            body: { error: 'invalid_grant', error_description: 'inactive user' }
        });
    });

    it('codes are one-use and short-lived; a replayed code revokes what it produced', async () => {
        const o = oauth2();
        const code1 = (await browserFlow(o.getAuthorizationUrl({}))).searchParams.get('code')!;
        const conn = new jsforce.Connection({ oauth2: o });
        await conn.authorize(code1);
        const err = await new jsforce.Connection({ oauth2: o }).authorize(code1).catch((e: Error) => e);
        expect([(err as Error).name, (err as Error).message]).toEqual(['invalid_grant', 'expired authorization code']);
        expect(srv.auth.validate(conn.accessToken!)).toBeNull();

        const code2 = (await browserFlow(o.getAuthorizationUrl({}))).searchParams.get('code')!;
        srv.clock.advance(15 * 60_000 + 1);
        const late = await new jsforce.Connection({ oauth2: o }).authorize(code2).catch((e: Error) => e);
        expect([(late as Error).name, (late as Error).message]).toEqual([
            'invalid_grant',
            'expired authorization code'
        ]);

        const bogus = await new jsforce.Connection({ oauth2: o }).authorize('aPrxbogus').catch((e: Error) => e);
        expect([(bogus as Error).name, (bogus as Error).message]).toEqual([
            'invalid_grant',
            'invalid authorization code'
        ]);
    });

    it('the token request must repeat the redirect_uri and authenticate the client', async () => {
        const code = (await browserFlow(oauth2().getAuthorizationUrl({}))).searchParams.get('code')!;
        const other = await new jsforce.Connection({
            oauth2: oauth2({ redirectUri: 'http://127.0.0.1:3000/oauth/callback' })
        })
            .authorize(code)
            .catch((e: Error) => e);
        expect([(other as Error).name, (other as Error).message]).toEqual([
            'redirect_uri_mismatch',
            'redirect_uri must match configuration'
        ]);
        const noSecret = await new jsforce.Connection({ oauth2: oauth2({ clientSecret: undefined }) })
            .authorize(code)
            .catch((e: Error) => e);
        expect([(noSecret as Error).name, (noSecret as Error).message]).toEqual([
            'invalid_client',
            'invalid client credentials'
        ]);
    });

    it('supports PKCE (jsforce useVerifier): the verifier replaces the secret and must match', async () => {
        const o = oauth2({ useVerifier: true, clientSecret: undefined });
        const code = (await browserFlow(o.getAuthorizationUrl({}))).searchParams.get('code')!;
        const conn = new jsforce.Connection({ oauth2: o });
        await expect(conn.authorize(code)).resolves.toMatchObject({ id: ADMIN_ID });

        const o2 = oauth2({ useVerifier: true, clientSecret: undefined });
        const code2 = (await browserFlow(o2.getAuthorizationUrl({}))).searchParams.get('code')!;
        const wrong = await postForm(tokenUrl, {
            grant_type: 'authorization_code',
            code: code2,
            client_id: CLIENT_ID,
            redirect_uri: CALLBACK,
            code_verifier: randomBytes(32).toString('base64url')
        });
        expect([wrong.status, wrong.body]).toEqual([
            400,
            { error: 'invalid_grant', error_description: 'invalid code verifier' }
        ]);
    });
});

describe('authorize endpoint errors', () => {
    const authorize = (q: Record<string, string>): string =>
        `${srv.url}/services/oauth2/authorize?${new URLSearchParams(q).toString()}`;

    it('a bad client id or an unregistered redirect_uri gets an error page, never a redirect', async () => {
        const badClient = await loginPage(
            authorize({ response_type: 'code', client_id: 'nope', redirect_uri: CALLBACK })
        );
        expect([badClient.status, badClient.location]).toEqual([400, null]);
        expect(badClient.html).toContain('error=invalid_client_id&amp;error_description=client%20identifier%20invalid');

        const badRedirect = await loginPage(
            authorize({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: 'https://evil.example.com/cb' })
        );
        expect([badRedirect.status, badRedirect.location]).toEqual([400, null]);
        expect(badRedirect.html).toContain(
            'error=redirect_uri_mismatch&amp;error_description=redirect_uri%20must%20match%20configuration'
        );

        const missing = await loginPage(authorize({ response_type: 'code', client_id: CLIENT_ID }));
        expect(missing.status).toBe(400);

        // The form POST re-checks its hidden fields the same way.
        const forged = await postRaw({
            response_type: 'code',
            client_id: CLIENT_ID,
            redirect_uri: 'https://evil.example.com/cb',
            username: 'admin@statisfy.test',
            password: PASSWORD,
            action: 'allow'
        });
        expect([forged.status, forged.headers.get('location')]).toEqual([400, null]);
    });

    it('other request errors and a denial redirect back with error and state', async () => {
        const wrongType = await loginPage(
            authorize({ response_type: 'token', client_id: CLIENT_ID, redirect_uri: CALLBACK, state: 's1' })
        );
        expect(wrongType.status).toBe(302);
        const loc = new URL(wrongType.location!);
        expect(Object.fromEntries(loc.searchParams)).toEqual({
            error: 'unsupported_response_type',
            error_description: 'response type not supported',
            state: 's1'
        });

        const badScope = await loginPage(
            authorize({
                response_type: 'code',
                client_id: CLIENT_ID,
                redirect_uri: CALLBACK,
                scope: 'api launch_rockets'
            })
        );
        expect(new URL(badScope.location!).searchParams.get('error')).toBe('invalid_scope');

        const denied = await browserFlow(oauth2().getAuthorizationUrl({ state: 's2' }), { action: 'deny' });
        expect(Object.fromEntries(denied.searchParams)).toEqual({
            error: 'access_denied',
            error_description: 'end-user denied authorization',
            state: 's2'
        });
    });

    it('a wrong password or an inactive user re-shows the form with an accessible alert', async () => {
        const url =
            oauth2().getAuthorizationUrl({ state: 's3' }) + '&login_hint=' + encodeURIComponent('admin@statisfy.test');
        const page = await loginPage(url);
        expect(page.html).toContain('value="admin@statisfy.test"');
        const res = await postRaw({
            ...hiddenFields(page.html),
            username: 'admin@statisfy.test',
            password: 'wrong',
            action: 'allow'
        });
        expect(res.status).toBe(200);
        const html = await res.text();
        expect(html).toContain(
            '<p class="alert" role="alert" id="login-error">Please check your username and password. If you still can&#39;t log in, contact your Salesforce administrator.</p>'
        );
        expect(html).toContain('aria-describedby="login-error" aria-invalid="true"');
        expect(hiddenFields(html).state).toBe('s3');

        srv.users[0].isActive = false;
        const inactive = await postRaw({
            ...hiddenFields(page.html),
            username: 'admin@statisfy.test',
            password: PASSWORD,
            action: 'allow'
        });
        expect(inactive.status).toBe(200);
        expect(await inactive.text()).toContain('role="alert"');
    });

    it('escapes reflected values in the page', async () => {
        const page = await loginPage(
            authorize({
                response_type: 'code',
                client_id: CLIENT_ID,
                redirect_uri: CALLBACK,
                state: '"><script>alert(1)</script>',
                login_hint: '<b>x</b>'
            })
        );
        expect(page.status).toBe(200);
        expect(page.html).not.toContain('<script>');
        expect(page.html).not.toContain('<b>x</b>');
        expect(hiddenFields(page.html).state).toBe('"><script>alert(1)</script>');
    });
});
