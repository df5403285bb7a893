/**
 * The OAuth web-server flow against the emulator: the engine's authorize URL, the login and consent page driven as
 * a browser would, the code exchanged for tokens, the refresh token stored encrypted, the org synced; after the
 * org expires every session, jsforce's own refresh (with the stored refresh token) keeps edits flowing.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, type RunningEmulator } from '../../../emulator/src/server';
import type { CompanionServices } from '../../src/app';
import { issueToken } from '../../src/domain/tenants';
import { createSyncEngine, type StatisfySyncEngine } from '../../src/sync/engine';
import { apiClient, startTestCompanion, type TestCompanion } from '../support/companion';
import { controlClient, TEST_ENGINE, waitFor } from './harness';

jest.setTimeout(120_000);
const CALLBACK = 'http://127.0.0.1:3000/oauth/callback';
let emu: RunningEmulator;
let app: TestCompanion;
let engine: StatisfySyncEngine | undefined;

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

it('connects an org through authorize → callback code → refresh token (encrypted), then syncs and refreshes on 401', async () => {
    const org = await app.repos.orgs.create({
        name: 'OAuth org',
        loginUrl: emu.url,
        authKind: 'oauth',
        consumerKey: emu.clientId
    });
    const state = randomBytes(8).toString('hex');
    const url = await engine!.authorizeUrl(org.id, state);
    expect(url.startsWith(`${emu.url}/services/oauth2/authorize?`)).toBe(true);

    // The admin's browser: the login page, then "Allow".
    const page = await fetch(url, { redirect: 'manual' });
    expect(page.status).toBe(200);
    const allow = await fetch(`${emu.url}/services/oauth2/authorize`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
            ...hiddenFields(await page.text()),
            username: 'integration@statisfy.test',
            password: 'statisfy',
            action: 'allow'
        }).toString(),
        redirect: 'manual'
    });
    expect(allow.status).toBe(302);
    const back = new URL(allow.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get('state')).toBe(state);

    await engine!.completeOAuth(org.id, back.searchParams.get('code')!);
    const stored = (await app.repos.orgs.get(org.id))!;
    expect(stored).toMatchObject({ status: 'connected', sfOrgId: emu.orgId, instanceUrl: emu.url });
    expect(stored.refreshTokenEnc).toMatch(/^v1:/);
    expect(app.companion.secretBox.decrypt(stored.refreshTokenEnc!)).not.toBe(stored.refreshTokenEnc);

    await waitFor(() => engine!.orgs.get(org.id)?.state === 'running', 20_000, 'the org sync');
    await waitFor(async () => (await app.repos.records.count(org.id, 'Account')) >= 50, 20_000, 'the import');

    // Every session expires: jsforce refreshes with the stored refresh token on the 401.
    const control = controlClient(emu.url);
    await control.call('POST', '/faults/expire-sessions');
    const { token } = await issueToken(app.repos, org.id, 'oauth test', 'editor');
    const api = apiClient(app.url, token);
    const id = (await api.get('/api/v1/objects/Account/records?limit=1')).body.items[0].id;
    const res = await api.patch(`/api/v1/objects/Account/records/${id}`, {
        fields: { 'Account.Phone': '+1 555 4242' }
    });
    expect(res.status).toBe(200);
    await waitFor(
        async () => (await control.get('Account', id)).Phone === '+1 555 4242',
        15_000,
        'the edit after the refresh'
    );
});
