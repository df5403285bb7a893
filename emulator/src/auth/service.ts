import { createPublicKey, createHash, timingSafeEqual } from 'node:crypto';
import { JWT_CLOCK_SKEW_MS, SALESFORCE_AUDIENCES, verifyJwtAssertion } from './jwt';
import { newAccessToken, newAuthorizationCode, newRefreshToken, tokenSignature } from './tokens';
import { OAuthError, type AuthConfig, type EmulatorUser, type Session, type TokenResponse } from './types';

/** The OAuth `jwt-bearer` grant type. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Authorization codes live 15 minutes, as Salesforce's do. */
export const AUTHORIZATION_CODE_TTL_MS = 15 * 60_000;

/** Scopes the emulator's connected app may grant. */
export const SUPPORTED_SCOPES = [
    'api',
    'id',
    'refresh_token',
    'offline_access',
    'web',
    'full',
    'openid',
    'profile',
    'email',
    'address',
    'phone'
] as const;

/** Scopes granted when the client asks for none (the dev connected app's selected scopes). */
export const DEFAULT_SCOPE = 'refresh_token api id';

/** Scope reported for the JWT bearer grant, which never carries refresh rights. */
const JWT_SCOPE = 'api id';

/** How a session id was obtained; SOAP sessions can be ended with SOAP `logout()`. */
type TokenSource = 'soap' | 'oauth' | 'control';

interface AccessTokenRecord {
    token: string;
    userId: string;
    issuedAtMs: number;
    expiresAtMs: number;
    /** The refresh token this access token was minted from or alongside, for revoke cascading. */
    refreshToken: string | null;
    source: TokenSource;
}

interface RefreshTokenRecord {
    token: string;
    userId: string;
    clientId: string;
    scope: string;
    issuedAtMs: number;
    /** The authorization code that produced it (a replayed code revokes it, per RFC 6749 §4.1.2). */
    code: string | null;
}

interface AuthorizationCodeRecord {
    code: string;
    userId: string;
    clientId: string;
    redirectUri: string;
    scope: string;
    expiresAtMs: number;
    codeChallenge: string | null;
    used: boolean;
    /** Refresh token issued when the code was redeemed. */
    refreshToken: string | null;
}

interface AuthSnapshotV1 {
    version: 1;
    accessTokens: AccessTokenRecord[];
    refreshTokens: RefreshTokenRecord[];
    codes: AuthorizationCodeRecord[];
}

/** Client credentials as sent by HTTP Basic authentication on the token endpoint. */
export interface BasicClientCredentials {
    clientId: string;
    clientSecret: string;
}

/** What `GET /services/oauth2/authorize` asks for, after validation. */
export interface AuthorizeRequest {
    clientId: string;
    redirectUri: string;
    state: string | null;
    scope: string;
    codeChallenge: string | null;
    loginHint: string | null;
}

/**
 * Outcome of checking an authorization request. `page` errors must be shown to the user (bad client or
 * redirect URI: never redirect there); `redirect` errors go back to the client's callback.
 */
export type AuthorizeCheck =
    | { kind: 'ok'; request: AuthorizeRequest }
    | { kind: 'page'; error: string; description: string }
    | { kind: 'redirect'; redirectUri: string; state: string | null; error: string; description: string };

function sameSecret(a: string, b: string): boolean {
    const x = createHash('sha256').update(a).digest();
    const y = createHash('sha256').update(b).digest();
    return timingSafeEqual(x, y);
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Sessions, tokens and logins of one emulated org: SOAP `login()`, the OAuth 2.0 grants (password,
 * refresh token, JWT bearer, authorization code), revocation and session validation. All times are
 * read from the emulator clock, so advancing the clock expires tokens exactly as waiting would.
 */
export class AuthService {
    private readonly accessTokens = new Map<string, AccessTokenRecord>();
    private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
    private readonly codes = new Map<string, AuthorizationCodeRecord>();
    private issuedSinceSweep = 0;
    /** When this org "was last modified", for the identity service's `last_modified_date`. */
    readonly createdAt: Date;

    constructor(readonly cfg: AuthConfig) {
        if (!/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/.test(cfg.orgId)) {
            throw new Error(`AuthConfig.orgId must be a 15- or 18-character 00D… organization id, got '${cfg.orgId}'`);
        }
        if (!Number.isFinite(cfg.accessTokenTtlMs) || cfg.accessTokenTtlMs <= 0) {
            throw new Error(
                `AuthConfig.accessTokenTtlMs must be a positive number of milliseconds, got ${cfg.accessTokenTtlMs}`
            );
        }
        if (!cfg.connectedApp.clientId || !cfg.connectedApp.clientSecret) {
            throw new Error('AuthConfig.connectedApp needs a clientId and a clientSecret');
        }
        if (cfg.connectedApp.certificatePem !== null) {
            try {
                createPublicKey(cfg.connectedApp.certificatePem);
            } catch (e) {
                throw new Error(
                    `AuthConfig.connectedApp.certificatePem is not a PEM certificate or public key: ${(e as Error).message}`
                );
            }
        }
        for (const url of cfg.connectedApp.callbackUrls) {
            try {
                new URL(url);
            } catch {
                throw new Error(`AuthConfig.connectedApp.callbackUrls contains an invalid URL: '${url}'`);
            }
        }
        this.createdAt = cfg.clock.now();
    }

    // ---------------------------------------------------------------- users

    /** The org's base URL without a trailing slash. */
    baseUrl(): string {
        return this.cfg.instanceUrl().replace(/\/+$/, '');
    }

    /** The identity URL of a user: `{instance}/id/{orgId}/{userId}`. */
    identityUrl(userId: string): string {
        return `${this.baseUrl()}/id/${this.cfg.orgId}/${userId}`;
    }

    /** A user by id, or undefined. */
    userById(userId: string): EmulatorUser | undefined {
        return this.cfg.users().find((u) => u.id === userId);
    }

    /** A user by username (case-insensitive, as Salesforce usernames are), or undefined. */
    userByUsername(username: string): EmulatorUser | undefined {
        const wanted = username.trim().toLowerCase();
        return this.cfg.users().find((u) => u.username.toLowerCase() === wanted);
    }

    /**
     * Checks a username and password. Returns the user only when it exists, is active and the password
     * matches; Salesforce does not say which of the three failed, and neither does this.
     */
    authenticate(username: string | undefined, password: string | undefined): EmulatorUser | null {
        if (typeof username !== 'string' || typeof password !== 'string') return null;
        const user = this.userByUsername(username);
        if (!user || !user.isActive) return null;
        return sameSecret(user.password, password) ? user : null;
    }

    // ---------------------------------------------------------------- sessions

    /** The session an access token (or SOAP session id) stands for, or null when unknown, revoked or expired. */
    validate(accessToken: string): Session | null {
        if (typeof accessToken !== 'string') return null;
        const rec = this.accessTokens.get(accessToken);
        if (!rec) return null;
        if (this.cfg.clock.nowMs() >= rec.expiresAtMs) return null;
        const user = this.userById(rec.userId);
        if (!user || !user.isActive) return null;
        return this.toSession(rec, user);
    }

    /**
     * Issues an access token for a user without any login (the control API's "act as user").
     * Throws when the user does not exist or is inactive.
     */
    issueFor(userId: string): Session {
        const user = this.userById(userId);
        if (!user) throw new Error(`issueFor: no user with id '${userId}' in org ${this.cfg.orgId}`);
        if (!user.isActive) throw new Error(`issueFor: user '${user.username}' (${userId}) is inactive`);
        return this.toSession(this.mintAccessToken(user.id, 'control', null), user);
    }

    /** Revokes an access token, SOAP session id or refresh token; unknown tokens are ignored. */
    revoke(token: string): void {
        this.revokeToken(token);
    }

    /**
     * Revokes a token and reports whether it was known. A refresh token takes every access token minted
     * from it along (as Salesforce documents for `/services/oauth2/revoke`).
     */
    revokeToken(token: string): boolean {
        if (typeof token !== 'string' || token === '') return false;
        if (this.accessTokens.delete(token)) return true;
        if (this.refreshTokens.delete(token)) {
            for (const [t, rec] of this.accessTokens) if (rec.refreshToken === token) this.accessTokens.delete(t);
            return true;
        }
        return false;
    }

    /**
     * Fault hook: every access token and SOAP session id expires now. Refresh tokens keep working, so
     * clients that refresh on 401 recover as they would after a real session timeout.
     */
    expireAllSessions(): void {
        const now = this.cfg.clock.nowMs();
        for (const rec of this.accessTokens.values()) rec.expiresAtMs = Math.min(rec.expiresAtMs, now);
    }

    /** Serialisable state (tokens and pending authorization codes) for the data directory. */
    snapshot(): unknown {
        const snap: AuthSnapshotV1 = {
            version: 1,
            accessTokens: [...this.accessTokens.values()].map((r) => ({ ...r })),
            refreshTokens: [...this.refreshTokens.values()].map((r) => ({ ...r })),
            codes: [...this.codes.values()].map((r) => ({ ...r }))
        };
        return snap;
    }

    /** Replaces the state with one taken by {@link snapshot}. Throws, naming the problem, on malformed input. */
    restore(s: unknown): void {
        const fail = (what: string): never => {
            throw new Error(`AuthService.restore: ${what}`);
        };
        if (!isRecord(s)) return fail('snapshot must be an object');
        if (s.version !== 1) return fail(`unsupported snapshot version ${JSON.stringify(s.version)} (expected 1)`);
        const list = (name: string): Record<string, unknown>[] => {
            const v = s[name];
            if (!Array.isArray(v) || !v.every(isRecord)) return fail(`'${name}' must be an array of objects`);
            return v as Record<string, unknown>[];
        };
        const str = (o: Record<string, unknown>, k: string, where: string): string =>
            typeof o[k] === 'string' ? (o[k] as string) : fail(`${where}.${k} must be a string`);
        const strOrNull = (o: Record<string, unknown>, k: string, where: string): string | null =>
            o[k] === null || o[k] === undefined ? null : str(o, k, where);
        const num = (o: Record<string, unknown>, k: string, where: string): number =>
            typeof o[k] === 'number' && Number.isFinite(o[k])
                ? (o[k] as number)
                : fail(`${where}.${k} must be a number`);

        const access = list('accessTokens').map((o, i): AccessTokenRecord => {
            const w = `accessTokens[${i}]`;
            const source = str(o, 'source', w);
            if (source !== 'soap' && source !== 'oauth' && source !== 'control') {
                fail(`${w}.source must be 'soap', 'oauth' or 'control'`);
            }
            return {
                token: str(o, 'token', w),
                userId: str(o, 'userId', w),
                issuedAtMs: num(o, 'issuedAtMs', w),
                expiresAtMs: num(o, 'expiresAtMs', w),
                refreshToken: strOrNull(o, 'refreshToken', w),
                source: source as TokenSource
            };
        });
        const refresh = list('refreshTokens').map((o, i): RefreshTokenRecord => ({
            token: str(o, 'token', `refreshTokens[${i}]`),
            userId: str(o, 'userId', `refreshTokens[${i}]`),
            clientId: str(o, 'clientId', `refreshTokens[${i}]`),
            scope: str(o, 'scope', `refreshTokens[${i}]`),
            issuedAtMs: num(o, 'issuedAtMs', `refreshTokens[${i}]`),
            code: strOrNull(o, 'code', `refreshTokens[${i}]`)
        }));
        const codes = list('codes').map((o, i): AuthorizationCodeRecord => {
            const w = `codes[${i}]`;
            if (typeof o.used !== 'boolean') fail(`${w}.used must be a boolean`);
            return {
                code: str(o, 'code', w),
                userId: str(o, 'userId', w),
                clientId: str(o, 'clientId', w),
                redirectUri: str(o, 'redirectUri', w),
                scope: str(o, 'scope', w),
                expiresAtMs: num(o, 'expiresAtMs', w),
                codeChallenge: strOrNull(o, 'codeChallenge', w),
                used: o.used as boolean,
                refreshToken: strOrNull(o, 'refreshToken', w)
            };
        });
        this.reset();
        for (const r of access) this.accessTokens.set(r.token, r);
        for (const r of refresh) this.refreshTokens.set(r.token, r);
        for (const r of codes) this.codes.set(r.code, r);
    }

    /** Forgets every token and code (all clients must log in again). */
    reset(): void {
        this.accessTokens.clear();
        this.refreshTokens.clear();
        this.codes.clear();
        this.issuedSinceSweep = 0;
    }

    // ---------------------------------------------------------------- SOAP

    /** SOAP `login()`: a session for valid credentials, or null (the caller answers `INVALID_LOGIN`). */
    soapLogin(
        username: string | undefined,
        password: string | undefined
    ): { session: Session; user: EmulatorUser } | null {
        const user = this.authenticate(username, password);
        if (!user) return null;
        return { session: this.toSession(this.mintAccessToken(user.id, 'soap', null), user), user };
    }

    /** SOAP `logout()`: ends the session; false when the session id is not valid. */
    soapLogout(sessionId: string | undefined): boolean {
        if (typeof sessionId !== 'string' || !this.validate(sessionId)) return false;
        return this.revokeToken(sessionId);
    }

    // ---------------------------------------------------------------- OAuth token endpoint

    /**
     * `POST /services/oauth2/token`: runs the grant named by `grant_type` and returns the success body.
     * Unknown form fields are ignored. Throws {@link OAuthError} in Salesforce's wording.
     */
    token(params: Record<string, string | undefined>, basic?: BasicClientCredentials | null): TokenResponse {
        const clientId = params.client_id ?? basic?.clientId;
        const clientSecret = params.client_secret ?? basic?.clientSecret;
        switch (params.grant_type) {
            case 'password':
                return this.passwordGrant(params, clientId, clientSecret);
            case 'refresh_token':
                return this.refreshGrant(params, clientId, clientSecret);
            case JWT_BEARER_GRANT:
                return this.jwtGrant(params);
            case 'authorization_code':
                return this.authorizationCodeGrant(params, clientId, clientSecret);
            default:
                throw new OAuthError('unsupported_grant_type', 'grant type not supported');
        }
    }

    private requireClientId(clientId: string | undefined): void {
        if (!clientId || clientId !== this.cfg.connectedApp.clientId) {
            throw new OAuthError('invalid_client_id', 'client identifier invalid');
        }
    }

    private requireClientSecret(clientSecret: string | undefined): void {
        if (typeof clientSecret !== 'string' || !sameSecret(clientSecret, this.cfg.connectedApp.clientSecret)) {
            throw new OAuthError('invalid_client', 'invalid client credentials');
        }
    }

    private passwordGrant(
        params: Record<string, string | undefined>,
        clientId: string | undefined,
        clientSecret: string | undefined
    ): TokenResponse {
        this.requireClientId(clientId);
        this.requireClientSecret(clientSecret);
        const user = this.authenticate(params.username, params.password);
        if (!user) throw new OAuthError('invalid_grant', 'authentication failure');
        // The username-password flow never issues a refresh token (Salesforce: the user cannot authorize
        // the app in this flow); jsforce re-logs in with the password instead.
        return this.tokenResponse(this.mintAccessToken(user.id, 'oauth', null), DEFAULT_SCOPE, null);
    }

    private refreshGrant(
        params: Record<string, string | undefined>,
        clientId: string | undefined,
        clientSecret: string | undefined
    ): TokenResponse {
        this.requireClientId(clientId);
        // The secret is optional for refresh requests, but a wrong one is rejected.
        if (clientSecret !== undefined) this.requireClientSecret(clientSecret);
        const rec = params.refresh_token ? this.refreshTokens.get(params.refresh_token) : undefined;
        if (!rec || rec.clientId !== clientId) {
            throw new OAuthError('invalid_grant', 'expired access/refresh token');
        }
        const user = this.userById(rec.userId);
        if (!user || !user.isActive) throw new OAuthError('invalid_grant', 'inactive user');
        return this.tokenResponse(this.mintAccessToken(user.id, 'oauth', rec.token), rec.scope, null);
    }

    private jwtGrant(params: Record<string, string | undefined>): TokenResponse {
        const app = this.cfg.connectedApp;
        const claims = verifyJwtAssertion(params.assertion, {
            clientId: app.clientId,
            certificatePem: app.certificatePem,
            audiences: [...SALESFORCE_AUDIENCES, this.baseUrl()],
            nowMs: this.cfg.clock.nowMs()
        });
        const user = this.userByUsername(claims.sub);
        if (!user) throw new OAuthError('invalid_grant', "user hasn't approved this consumer");
        if (!user.isActive) throw new OAuthError('invalid_grant', 'inactive user');
        return this.tokenResponse(this.mintAccessToken(user.id, 'oauth', null), JWT_SCOPE, null);
    }

    private authorizationCodeGrant(
        params: Record<string, string | undefined>,
        clientId: string | undefined,
        clientSecret: string | undefined
    ): TokenResponse {
        this.requireClientId(clientId);
        const rec = params.code ? this.codes.get(params.code) : undefined;
        // PKCE clients may leave the secret out; confidential clients must send the right one.
        if (!(rec?.codeChallenge && clientSecret === undefined)) this.requireClientSecret(clientSecret);
        if (!rec || rec.clientId !== clientId) throw new OAuthError('invalid_grant', 'invalid authorization code');
        if (rec.used) {
            // A replayed code is treated as stolen: whatever it produced is revoked.
            if (rec.refreshToken) this.revokeToken(rec.refreshToken);
            throw new OAuthError('invalid_grant', 'expired authorization code');
        }
        if (this.cfg.clock.nowMs() >= rec.expiresAtMs) {
            throw new OAuthError('invalid_grant', 'expired authorization code');
        }
        if (params.redirect_uri !== rec.redirectUri) {
            throw new OAuthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
        }
        if (rec.codeChallenge) {
            const verifier = params.code_verifier;
            if (!verifier || createHash('sha256').update(verifier).digest('base64url') !== rec.codeChallenge) {
                throw new OAuthError('invalid_grant', 'invalid code verifier');
            }
        }
        const user = this.userById(rec.userId);
        if (!user || !user.isActive) throw new OAuthError('invalid_grant', 'inactive user');
        rec.used = true;
        const scopes = rec.scope.split(' ');
        let refresh: RefreshTokenRecord | null = null;
        if (scopes.includes('refresh_token') || scopes.includes('offline_access')) {
            refresh = {
                token: newRefreshToken(),
                userId: user.id,
                clientId: rec.clientId,
                scope: rec.scope,
                issuedAtMs: this.cfg.clock.nowMs(),
                code: rec.code
            };
            this.refreshTokens.set(refresh.token, refresh);
            rec.refreshToken = refresh.token;
        }
        return this.tokenResponse(this.mintAccessToken(user.id, 'oauth', refresh?.token ?? null), rec.scope, refresh);
    }

    // ---------------------------------------------------------------- web-server flow

    /**
     * Checks the query of `GET /services/oauth2/authorize` (or the hidden fields of its form). Bad client ids
     * and unregistered redirect URIs are `page` errors: Salesforce never redirects to an unverified URI.
     */
    checkAuthorizeRequest(q: Record<string, string | undefined>): AuthorizeCheck {
        const app = this.cfg.connectedApp;
        if (!q.client_id || q.client_id !== app.clientId) {
            return { kind: 'page', error: 'invalid_client_id', description: 'client identifier invalid' };
        }
        if (!q.redirect_uri || !app.callbackUrls.includes(q.redirect_uri)) {
            return {
                kind: 'page',
                error: 'redirect_uri_mismatch',
                description: 'redirect_uri must match configuration'
            };
        }
        const state = q.state ?? null;
        const back = (error: string, description: string): AuthorizeCheck => ({
            kind: 'redirect',
            redirectUri: q.redirect_uri as string,
            state,
            error,
            description
        });
        if (q.response_type !== 'code') return back('unsupported_response_type', 'response type not supported');
        const scope = (q.scope ?? '').trim() === '' ? DEFAULT_SCOPE : (q.scope as string).trim().split(/\s+/).join(' ');
        const supported = new Set<string>(SUPPORTED_SCOPES);
        if (scope.split(' ').some((s) => !supported.has(s))) {
            return back('invalid_scope', 'the requested scope is not allowed');
        }
        let codeChallenge: string | null = null;
        if (q.code_challenge) {
            if (q.code_challenge_method && q.code_challenge_method !== 'S256') {
                return back('invalid_request', 'invalid code_challenge_method');
            }
            if (!/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge)) return back('invalid_request', 'invalid code_challenge');
            codeChallenge = q.code_challenge;
        }
        return {
            kind: 'ok',
            request: {
                clientId: q.client_id,
                redirectUri: q.redirect_uri,
                state,
                scope,
                codeChallenge,
                loginHint: q.login_hint ?? null
            }
        };
    }

    /** Issues a one-use authorization code for an approved request (valid {@link AUTHORIZATION_CODE_TTL_MS}). */
    createAuthorizationCode(request: AuthorizeRequest, userId: string): string {
        const code = newAuthorizationCode();
        this.codes.set(code, {
            code,
            userId,
            clientId: request.clientId,
            redirectUri: request.redirectUri,
            scope: request.scope,
            expiresAtMs: this.cfg.clock.nowMs() + AUTHORIZATION_CODE_TTL_MS,
            codeChallenge: request.codeChallenge,
            used: false,
            refreshToken: null
        });
        return code;
    }

    // ---------------------------------------------------------------- internals

    private mintAccessToken(userId: string, source: TokenSource, refreshToken: string | null): AccessTokenRecord {
        const now = this.cfg.clock.nowMs();
        if (++this.issuedSinceSweep >= 1000) this.sweep(now);
        const rec: AccessTokenRecord = {
            token: newAccessToken(this.cfg.orgId),
            userId,
            issuedAtMs: now,
            expiresAtMs: now + this.cfg.accessTokenTtlMs,
            refreshToken,
            source
        };
        this.accessTokens.set(rec.token, rec);
        return rec;
    }

    /** Drops long-expired access tokens and codes so a long-running emulator does not grow without bound. */
    private sweep(now: number): void {
        this.issuedSinceSweep = 0;
        const horizon = now - Math.max(this.cfg.accessTokenTtlMs, 3_600_000);
        for (const [t, r] of this.accessTokens) if (r.expiresAtMs < horizon) this.accessTokens.delete(t);
        for (const [c, r] of this.codes) if (r.expiresAtMs + JWT_CLOCK_SKEW_MS < horizon) this.codes.delete(c);
    }

    private tokenResponse(rec: AccessTokenRecord, scope: string, refresh: RefreshTokenRecord | null): TokenResponse {
        const id = this.identityUrl(rec.userId);
        const issuedAt = String(rec.issuedAtMs);
        // Field order as Salesforce sends it; refresh_token right after access_token when there is one.
        return {
            access_token: rec.token,
            ...(refresh ? { refresh_token: refresh.token } : {}),
            signature: tokenSignature(id, issuedAt, this.cfg.connectedApp.clientSecret),
            scope,
            instance_url: this.baseUrl(),
            id,
            token_type: 'Bearer',
            issued_at: issuedAt
        };
    }

    private toSession(rec: AccessTokenRecord, user: EmulatorUser): Session {
        return {
            accessToken: rec.token,
            userId: user.id,
            username: user.username,
            orgId: this.cfg.orgId,
            issuedAt: new Date(rec.issuedAtMs),
            expiresAt: new Date(rec.expiresAtMs)
        };
    }
}
