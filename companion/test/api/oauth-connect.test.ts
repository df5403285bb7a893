/**
 * "Connect Salesforce" over real HTTP against the emulator's OAuth server, driven as a browser would: only an admin
 * token of the tenant starts the flow; the callback refuses a sign-in to another org or as another user than the
 * tenant's integration user (nothing stored, status untouched), a forged or foreign-browser state, and a state
 * whose admin token was revoked; Salesforce's error text and exchange failures are shown escaped (no reflected
 * XSS). The happy path connects and stores the refresh token encrypted.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '../../../emulator/src/server';
import type { CompanionServices } from '../../src/app';
import { createSyncEngine, type StatisfySyncEngine } from '../../src/sync/engine';
import { apiClient, startTestCompanion, type TestCompanion } from '../support/companion';
import { seedOrg, type SeededOrg } from '../support/factories';
import { TEST_ENGINE } from '../e2e/harness';

jest.setTimeout(60_000);
let emu: RunningEmulator;
let app: TestCompanion;
let engine: StatisfySyncEngine | undefined;
/** A callback URL the emulator's connected app registers; the test sends the browser's request to the companion itself. */
const CALLBACK = 'http://127.0.0.1:3000/oauth/callback';

beforeAll(async () => {
    emu = await startEmulator({ seed: 'demo', cometdTimeoutMs: 1000 });
    const build = (s: CompanionServices) =>
        (engine ??= createSyncEngine(s, {
            ...TEST_ENGINE,
            oauthRedirectUri: CALLBACK,
            oauthClientSecret: emu.clientSecret,
            jwtClock: () => emu.clock.now().getTime()
        }));
    app = await startTestCompanion({ deps: { engine: build, schema: build } });
});
afterAll(async () => {
    await app?.stop();
    await emu?.stop();
});

/** An OAuth org of the emulator with an admin, an editor and a viewer token. */
async function oauthOrg(overrides: { username?: string | null; sfOrgId?: string | null } = {}): Promise<SeededOrg> {
    return seedOrg(app.repos, {
        name: 'OAuth tenant',
        loginUrl: emu.url,
        authKind: 'oauth',
        consumerKey: emu.clientId,
        username: overrides.username === undefined ? 'integration@statisfy.test' : overrides.username,
        sfOrgId: overrides.sfOrgId ?? null
    });
}

function hiddenFields(html: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
        out[m[1]] = m[2]
            .replace(/&quot;/g, '"')
            .replace(/&#39;/g, "'")
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&amp;/g, '&');
    return out;
}

/** POST /oauth/salesforce/start with a token as the form does. */
function start(token: string): Promise<Response> {
    return fetch(`${app.url}/oauth/salesforce/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
        redirect: 'manual'
    });
}

/** Starts with the admin token, signs in at the emulator as `username`, and returns the callback URL and cookie. */
async function signIn(admin: string, username: string): Promise<{ callback: string; cookie: string }> {
    const started = await start(admin);
    expect(started.status).toBe(303);
    const cookie = (started.headers.get('set-cookie') ?? '').split(';')[0];
    expect(cookie).toMatch(/^statisfy_oauth=/);
    const consent = await fetch(started.headers.get('location')!, { redirect: 'manual' });
    if (consent.status !== 200)
        throw new Error(`${started.headers.get('location')} -> ${consent.status} ${await consent.text()}`);
    const allow = await fetch(`${emu.url}/services/oauth2/authorize`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
            ...hiddenFields(await consent.text()),
            username,
            password: 'statisfy',
            action: 'allow'
        }).toString(),
        redirect: 'manual'
    });
    expect(allow.status).toBe(302);
    const back = new URL(allow.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    return { callback: `${app.url}/oauth/callback${back.search}`, cookie };
}

const callback = (url: string, cookie?: string) =>
    fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });

describe('starting a connection', () => {
    it('When the start page is opened, then it asks for an admin token instead of redirecting to Salesforce', async () => {
        await oauthOrg();
        const res = await fetch(`${app.url}/oauth/salesforce/start`, { redirect: 'manual' });
        expect(res.status).toBe(200);
        const html = await res.text();
        expect(html).toContain('Admin API token');
        expect(res.headers.get('content-security-policy')).toContain(`form-action 'self' ${emu.url}`);
    });

    it('When no token, an unknown token, or a viewer or editor token starts it, then it is refused', async () => {
        const org = await oauthOrg();
        expect((await start('')).status).toBe(401);
        expect((await start('sty_not_a_token_at_all_here')).status).toBe(401);
        expect((await start(org.tokens.viewer)).status).toBe(403);
        expect((await start(org.tokens.editor)).status).toBe(403);
        const jwtOrg = await seedOrg(app.repos, { name: 'JWT tenant' });
        expect((await start(jwtOrg.tokens.admin)).status).toBe(409);
    });
});

describe('the callback', () => {
    it('When the admin signs in as the integration user, then the org is connected with an encrypted refresh token', async () => {
        const org = await oauthOrg();
        const { callback: url, cookie } = await signIn(org.tokens.admin, 'integration@statisfy.test');
        const res = await callback(url, cookie);
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toBe('/#/sync');
        const stored = (await app.repos.orgs.get(org.org.id))!;
        expect(stored).toMatchObject({ status: 'connected', sfOrgId: emu.orgId });
        expect(stored.refreshTokenEnc).toMatch(/^v1:/);
        // The same callback again: the code is spent and the cookie cleared.
        expect((await callback(url)).status).toBe(400);
    });

    it('When someone signs in as another user than the tenant expects, then 403 and nothing is stored', async () => {
        const org = await oauthOrg();
        const { callback: url, cookie } = await signIn(org.tokens.admin, 'admin@statisfy.test');
        const res = await callback(url, cookie);
        expect(res.status).toBe(403);
        expect(await res.text()).toContain('but this Statisfy org connects as integration@statisfy.test');
        const stored = (await app.repos.orgs.get(org.org.id))!;
        expect(stored.refreshTokenEnc).toBeNull();
        expect(stored.status).toBe(org.org.status);
    });

    it('When the sign-in is to another Salesforce org than the tenant is connected to, then 403, nothing stored, status kept', async () => {
        const org = await oauthOrg({ sfOrgId: '00D000000000001AAA' });
        const { callback: url, cookie } = await signIn(org.tokens.admin, 'integration@statisfy.test');
        const res = await callback(url, cookie);
        expect(res.status).toBe(403);
        expect(await res.text()).toContain('this Statisfy org is connected to 00D000000000001AAA');
        const stored = (await app.repos.orgs.get(org.org.id))!;
        expect(stored.refreshTokenEnc).toBeNull();
        expect(stored.status).not.toBe('org_mismatch');
    });

    it('When the callback comes to another browser (no cookie), or with a forged state, then 400', async () => {
        const org = await oauthOrg();
        const { callback: url } = await signIn(org.tokens.admin, 'integration@statisfy.test');
        expect((await callback(url)).status).toBe(400);
        const forged = new URL(url);
        forged.searchParams.set('state', Buffer.from('v1:AAAA').toString('base64url'));
        expect((await callback(forged.toString(), 'statisfy_oauth=x')).status).toBe(400);
        expect((await app.repos.orgs.get(org.org.id))!.refreshTokenEnc).toBeNull();
    });

    it('When the admin token that started it is revoked before the callback, then 403 and nothing is stored', async () => {
        const org = await oauthOrg();
        const issued = await apiClient(app.url, org.tokens.admin).post('/api/v1/tokens', {
            name: 'connector',
            role: 'admin'
        });
        const { callback: url, cookie } = await signIn(issued.body.token, 'integration@statisfy.test');
        await apiClient(app.url, org.tokens.admin).delete(`/api/v1/tokens/${issued.body.apiToken.id}`);
        expect((await callback(url, cookie)).status).toBe(403);
        expect((await app.repos.orgs.get(org.org.id))!.refreshTokenEnc).toBeNull();
    });
});

describe('no reflected XSS', () => {
    const attack = '<img src=x onerror=alert(1)><script>alert(2)</script>';

    it("When Salesforce's error_description carries markup, then the page shows it escaped", async () => {
        const res = await fetch(
            `${app.url}/oauth/callback?error=access_denied&error_description=${encodeURIComponent(attack)}`
        );
        expect(res.status).toBe(400);
        const html = await res.text();
        expect(html).not.toContain('<img src=x');
        expect(html).not.toContain('<script>');
        expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    });

    it('When the code exchange fails with a message carrying markup (the 502 page), then it is shown escaped', async () => {
        // A login host whose token endpoint answers with an HTML error page, as a misbehaving proxy in front of
        // Salesforce does; jsforce makes the page's text the error message.
        const upstream = createServer((req, res) => {
            req.resume();
            res.writeHead(502, { 'content-type': 'text/html' }).end(attack);
        });
        await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
        try {
            const { port } = upstream.address() as AddressInfo;
            const org = await seedOrg(app.repos, {
                name: 'Proxied tenant',
                loginUrl: `http://127.0.0.1:${port}`,
                authKind: 'oauth',
                consumerKey: emu.clientId,
                username: 'integration@statisfy.test'
            });
            const started = await start(org.tokens.admin);
            expect(started.status).toBe(303);
            const state = new URL(started.headers.get('location')!).searchParams.get('state')!;
            const cookie = (started.headers.get('set-cookie') ?? '').split(';')[0];
            const res = await callback(
                `${app.url}/oauth/callback?code=some-code&state=${encodeURIComponent(state)}`,
                cookie
            );
            expect(res.status).toBe(502);
            const html = await res.text();
            expect(html).not.toContain('<img src=x');
            expect(html).not.toContain('<script>alert');
            // The upstream's message is shown, as text.
            expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
        } finally {
            await new Promise((resolve) => upstream.close(resolve));
        }
    });
});
