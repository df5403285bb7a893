import { Clock } from '../src/clock';
import { AuthService, devJwtCertificatePem, type AuthConfig } from '../src/auth';
import {
    ADMIN_ID,
    CALLBACK,
    CLIENT_ID,
    CLIENT_SECRET,
    INTEGRATION_ID,
    ORG_ID,
    PASSWORD,
    TTL_MS,
    makeUsers
} from './auth-harness';

function config(over: Partial<AuthConfig> = {}): AuthConfig {
    const users = makeUsers();
    return {
        clock: new Clock(),
        orgId: ORG_ID,
        orgName: 'Statisfy Test Org',
        instanceUrl: () => 'http://127.0.0.1:4455',
        users: () => users,
        connectedApp: {
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            callbackUrls: [CALLBACK],
            certificatePem: devJwtCertificatePem()
        },
        accessTokenTtlMs: TTL_MS,
        ...over
    };
}

describe('AuthService', () => {
    it('issueFor() mints a session that validate() returns until it expires on the emulator clock', () => {
        const cfg = config();
        const auth = new AuthService(cfg);
        const s = auth.issueFor(ADMIN_ID);
        expect(s).toMatchObject({ userId: ADMIN_ID, username: 'admin@statisfy.test', orgId: ORG_ID });
        expect(s.expiresAt.getTime() - s.issuedAt.getTime()).toBe(TTL_MS);
        expect(auth.validate(s.accessToken)).toEqual(s);
        cfg.clock.advance(TTL_MS);
        expect(auth.validate(s.accessToken)).toBeNull();
        expect(auth.validate('')).toBeNull();
    });

    it('issueFor() names the problem for unknown and inactive users', () => {
        const cfg = config();
        const auth = new AuthService(cfg);
        expect(() => auth.issueFor('005000000000000AAA')).toThrow(
            "issueFor: no user with id '005000000000000AAA' in org 00D5g000004StFyEAK"
        );
        cfg.users()[1].isActive = false;
        expect(() => auth.issueFor(INTEGRATION_ID)).toThrow(
            `issueFor: user 'integration@statisfy.test' (${INTEGRATION_ID}) is inactive`
        );
    });

    it('rejects a bad configuration with a clear message', () => {
        expect(() => new AuthService(config({ orgId: 'org1' }))).toThrow(/orgId must be a 15- or 18-character 00D/);
        expect(() => new AuthService(config({ accessTokenTtlMs: 0 }))).toThrow(
            /accessTokenTtlMs must be a positive number/
        );
        const app = config().connectedApp;
        expect(() => new AuthService(config({ connectedApp: { ...app, certificatePem: 'not a pem' } }))).toThrow(
            /certificatePem is not a PEM certificate/
        );
        expect(() => new AuthService(config({ connectedApp: { ...app, callbackUrls: ['not a url'] } }))).toThrow(
            "AuthConfig.connectedApp.callbackUrls contains an invalid URL: 'not a url'"
        );
    });

    it('snapshot() and restore() carry tokens across a restart; reset() forgets them', () => {
        const cfg = config();
        const a = new AuthService(cfg);
        const access = a.issueFor(ADMIN_ID);
        const login = a.soapLogin('integration@statisfy.test', PASSWORD)!;
        const snap = JSON.parse(JSON.stringify(a.snapshot())) as unknown;

        const b = new AuthService(config({ clock: cfg.clock }));
        expect(b.validate(access.accessToken)).toBeNull();
        b.restore(snap);
        expect(b.validate(access.accessToken)?.userId).toBe(ADMIN_ID);
        expect(b.validate(login.session.accessToken)?.userId).toBe(INTEGRATION_ID);
        b.reset();
        expect(b.validate(access.accessToken)).toBeNull();
    });

    it('restore() keeps refresh tokens and pending codes', () => {
        const cfg = config();
        const a = new AuthService(cfg);
        const check = a.checkAuthorizeRequest({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: CALLBACK });
        if (check.kind !== 'ok') throw new Error('authorize request rejected');
        const code = a.createAuthorizationCode(check.request, ADMIN_ID);
        const pendingCode = a.createAuthorizationCode(check.request, ADMIN_ID);
        const tok = a.token({
            grant_type: 'authorization_code',
            code,
            client_id: CLIENT_ID,
            client_secret: CLIENT_SECRET,
            redirect_uri: CALLBACK
        });
        const b = new AuthService(config({ clock: cfg.clock }));
        b.restore(JSON.parse(JSON.stringify(a.snapshot())));
        const refreshed = b.token({
            grant_type: 'refresh_token',
            refresh_token: tok.refresh_token!,
            client_id: CLIENT_ID
        });
        expect(b.validate(refreshed.access_token)?.userId).toBe(ADMIN_ID);
        const redeemed = b.token({
            grant_type: 'authorization_code',
            code: pendingCode,
            client_id: CLIENT_ID,
            client_secret: CLIENT_SECRET,
            redirect_uri: CALLBACK
        });
        expect(redeemed.refresh_token).toBeDefined();
    });

    it('restore() rejects malformed snapshots, naming the problem, and keeps its state', () => {
        const auth = new AuthService(config());
        const s = auth.issueFor(ADMIN_ID);
        expect(() => auth.restore(null)).toThrow('AuthService.restore: snapshot must be an object');
        expect(() => auth.restore({ version: 2 })).toThrow(
            'AuthService.restore: unsupported snapshot version 2 (expected 1)'
        );
        expect(() => auth.restore({ version: 1, accessTokens: {}, refreshTokens: [], codes: [] })).toThrow(
            "AuthService.restore: 'accessTokens' must be an array of objects"
        );
        expect(() =>
            auth.restore({
                version: 1,
                accessTokens: [
                    {
                        token: 't',
                        userId: ADMIN_ID,
                        issuedAtMs: 1,
                        expiresAtMs: 'soon',
                        refreshToken: null,
                        source: 'oauth'
                    }
                ],
                refreshTokens: [],
                codes: []
            })
        ).toThrow('AuthService.restore: accessTokens[0].expiresAtMs must be a number');
        expect(auth.validate(s.accessToken)).not.toBeNull();
    });

    it('revoke() ignores unknown tokens; revokeToken() reports them', () => {
        const auth = new AuthService(config());
        expect(() => auth.revoke('nope')).not.toThrow();
        expect(auth.revokeToken('nope')).toBe(false);
        const s = auth.issueFor(ADMIN_ID);
        expect(auth.revokeToken(s.accessToken)).toBe(true);
        expect(auth.validate(s.accessToken)).toBeNull();
    });

    it('reads users on every call, so a user added later can log in', () => {
        const users = makeUsers();
        const auth = new AuthService(config({ users: () => users }));
        expect(auth.soapLogin('new@statisfy.test', 'pw')).toBeNull();
        users.push({ ...users[0], id: '0055g00000A1bCfAAJ', username: 'new@statisfy.test', password: 'pw' });
        expect(auth.soapLogin('new@statisfy.test', 'pw')?.user.id).toBe('0055g00000A1bCfAAJ');
    });

    it('keeps memory bounded: long-expired tokens are swept as new ones are issued', () => {
        const cfg = config({ accessTokenTtlMs: 1000 });
        const auth = new AuthService(cfg);
        const old = auth.issueFor(ADMIN_ID);
        cfg.clock.advance(2 * 3_600_000);
        for (let i = 0; i < 1000; i++) auth.issueFor(ADMIN_ID);
        const snap = auth.snapshot() as { accessTokens: Array<{ token: string }> };
        expect(snap.accessTokens.some((t) => t.token === old.accessToken)).toBe(false);
        expect(snap.accessTokens.length).toBeLessThanOrEqual(1000);
    });
});
