import { generateKeyPairSync } from 'node:crypto';
import * as jsforce from 'jsforce';
import jwt from 'jsonwebtoken';
import { devJwtPrivateKeyPem } from '../src/auth';
import {
    ADMIN_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    INTEGRATION_ID,
    ORG_ID,
    TTL_MS,
    postForm,
    startAuthServer,
    type AuthTestServer
} from './auth-harness';

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const devKey = devJwtPrivateKeyPem();

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

/** Signs an assertion on the emulator clock; `claims` overrides (undefined removes a claim). */
function assertion(claims: Record<string, unknown> = {}, key: string = devKey, alg: jwt.Algorithm = 'RS256'): string {
    const payload: Record<string, unknown> = {
        iss: CLIENT_ID,
        sub: 'integration@statisfy.test',
        aud: 'https://login.salesforce.com',
        exp: Math.floor(srv.clock.nowMs() / 1000) + 180,
        ...claims
    };
    for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
    return jwt.sign(payload, key, { algorithm: alg, noTimestamp: true });
}

async function expectJwtError(a: string | undefined, error: string, description: string): Promise<void> {
    const form: Record<string, string> = { grant_type: GRANT };
    if (a !== undefined) form.assertion = a;
    const r = await postForm(tokenUrl, form);
    expect({ status: r.status, contentType: r.contentType, body: r.body }).toEqual({
        status: 400,
        contentType: 'application/json;charset=UTF-8',
        body: { error, error_description: description }
    });
}

describe('OAuth 2.0 JWT bearer grant', () => {
    it('authorizes jsforce with conn.authorize({grant_type, assertion}) and serves a protected route', async () => {
        const conn = new jsforce.Connection({ loginUrl: srv.url, version: '60.0' });
        const info = await conn.authorize({ grant_type: GRANT, assertion: assertion() });
        expect(info).toEqual({
            id: INTEGRATION_ID,
            organizationId: ORG_ID,
            url: `${srv.url}/id/${ORG_ID}/${INTEGRATION_ID}`
        });
        expect(conn.refreshToken).toBeFalsy();
        const who = await conn.request<{ userId: string }>('/services/data/v60.0/whoami');
        expect(who.userId).toBe(INTEGRATION_ID);
    });

    it('answers the JWT success body with scope "api id" and no refresh token', async () => {
        const r = await postForm(tokenUrl, {
            grant_type: GRANT,
            assertion: assertion({ sub: 'admin@statisfy.test' }),
            client_id: 'ignored',
            client_secret: 'ignored'
        });
        expect(r.status).toBe(200);
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
        expect(body.scope).toBe('api id');
        expect(body.id).toBe(`${srv.url}/id/${ORG_ID}/${ADMIN_ID}`);
    });

    it('accepts test.salesforce.com, the emulator URL (with or without slash) and an audience list', async () => {
        for (const aud of ['https://test.salesforce.com', srv.url, `${srv.url}/`, ['https://example.com', srv.url]]) {
            const r = await postForm(tokenUrl, { grant_type: GRANT, assertion: assertion({ aud }) });
            expect([JSON.stringify(aud), r.status]).toEqual([JSON.stringify(aud), 200]);
        }
    });

    it('accepts exp in milliseconds as the sf CLI signs it (Date.now() + 300), with clock skew, and no older', async () => {
        const ms = srv.clock.nowMs() + 300;
        const r = await postForm(tokenUrl, { grant_type: GRANT, assertion: assertion({ exp: ms }) });
        expect(r.status).toBe(200);
        const late = assertion({ exp: srv.clock.nowMs() - 30_000 }); // delivered 30 s after it was signed
        expect((await postForm(tokenUrl, { grant_type: GRANT, assertion: late })).status).toBe(200);
        await expectJwtError(
            assertion({ exp: srv.clock.nowMs() - 120_000 }),
            'invalid_grant',
            'expired authorization code'
        );
        await expectJwtError(assertion({ exp: srv.clock.nowMs() + 3_600_000 }), 'invalid_grant', 'invalid assertion');
    });

    it('is verified against the emulator clock, not the wall clock', async () => {
        srv.clock.advance(3_600_000);
        const a = assertion(); // exp = emulator now + 180 s, i.e. an hour ahead of real time
        const r = await postForm(tokenUrl, { grant_type: GRANT, assertion: a });
        expect(r.status).toBe(200);
        srv.clock.advance(200_000);
        await expectJwtError(a, 'invalid_grant', 'expired authorization code');
    });

    it('rejects each bad claim with Salesforce error and description', async () => {
        await expectJwtError(assertion({ aud: 'https://evil.example.com' }), 'invalid_grant', 'audience is invalid');
        await expectJwtError(assertion({ aud: undefined }), 'invalid_grant', 'audience is invalid');
        await expectJwtError(assertion({ iss: 'someone-else' }), 'invalid_client_id', 'client identifier invalid');
        await expectJwtError(assertion({ iss: undefined }), 'invalid_client_id', 'client identifier invalid');
        await expectJwtError(
            assertion({ sub: 'ghost@statisfy.test' }),
            'invalid_grant',
            "user hasn't approved this consumer"
        );
        await expectJwtError(assertion({ sub: undefined }), 'invalid_grant', "user hasn't approved this consumer");
        const now = Math.floor(srv.clock.nowMs() / 1000);
        await expectJwtError(assertion({ exp: now - 10 }), 'invalid_grant', 'expired authorization code');
        await expectJwtError(assertion({ exp: undefined }), 'invalid_grant', 'invalid assertion');
        await expectJwtError(assertion({ exp: now + 3600 }), 'invalid_grant', 'invalid assertion');
        await expectJwtError(assertion({ nbf: now + 3600 }), 'invalid_grant', 'invalid assertion');
    });

    it('rejects a wrong signature, another algorithm and garbage', async () => {
        const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
            type: 'pkcs8',
            format: 'pem'
        });
        await expectJwtError(assertion({}, other.toString()), 'invalid_grant', 'invalid assertion');
        await expectJwtError(assertion({}, 'shared-secret', 'HS256'), 'invalid_grant', 'invalid assertion');
        const good = assertion();
        const [h, p] = good.split('.');
        const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'admin@statisfy.test' })).toString('base64url')}.${good.split('.')[2]}`;
        await expectJwtError(tampered, 'invalid_grant', 'invalid assertion');
        await expectJwtError('not-a-jwt', 'invalid_grant', 'invalid assertion');
        await expectJwtError('a.b.c', 'invalid_grant', 'invalid assertion');
        await expectJwtError(undefined, 'invalid_grant', 'invalid assertion');
    });

    it('refuses inactive users', async () => {
        srv.users[1].isActive = false;
        await expectJwtError(assertion(), 'invalid_grant', 'inactive user');
    });

    it('refuses the grant when the connected app has no certificate', async () => {
        const bare = await startAuthServer({ certificatePem: null });
        try {
            const r = await postForm(`${bare.url}/services/oauth2/token`, {
                grant_type: GRANT,
                assertion: assertion()
            });
            expect([r.status, r.body]).toEqual([
                400,
                { error: 'invalid_client', error_description: 'invalid client credentials' }
            ]);
        } finally {
            await bare.close();
        }
    });

    it('jsforce with oauth2 client info but no refresh token cannot refresh a JWT session', async () => {
        const conn = new jsforce.Connection({
            oauth2: { loginUrl: srv.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
            version: '60.0'
        });
        await conn.authorize({ grant_type: GRANT, assertion: assertion() });
        srv.clock.advance(TTL_MS);
        await expect(conn.request('/services/data/v60.0/whoami')).rejects.toThrow(
            'Unable to refresh session due to: No refresh token found in the connection'
        );
    });

    it('refreshes an expired JWT session through a custom refreshFn that signs a new assertion', async () => {
        const conn = new jsforce.Connection({
            loginUrl: srv.url,
            version: '60.0',
            refreshFn: (c, callback) => {
                c.authorize({ grant_type: GRANT, assertion: assertion() }).then(
                    () => callback(null, c.accessToken ?? undefined),
                    (e: Error) => callback(e)
                );
            }
        });
        await conn.authorize({ grant_type: GRANT, assertion: assertion() });
        const first = conn.accessToken;
        const refreshed = jest.fn();
        conn.on('refresh', refreshed);
        srv.clock.advance(TTL_MS + 60_000);
        const who = await conn.request<{ userId: string }>('/services/data/v60.0/whoami');
        expect(who.userId).toBe(INTEGRATION_ID);
        expect(refreshed).toHaveBeenCalledTimes(1);
        expect(conn.accessToken).not.toBe(first);
    });
});
