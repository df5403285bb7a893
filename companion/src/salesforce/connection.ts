/**
 * One jsforce 3 connection per org, authenticated with the JWT bearer flow (a fresh RS256 assertion on
 * every connect and every refresh, through a custom `refreshFn`, since jsforce 3 has no JWT refresh) or the
 * OAuth web-server flow (authorize URL, code exchange, refresh token stored encrypted, jsforce's own refresh
 * on 401). Every connect and every refresh checks the org id in the identity (`id`) URL against the org's
 * stored `sf_org_id`: a different org (a refreshed sandbox) marks the org `org_mismatch` and refuses the
 * connection, so data of two orgs is never mixed.
 */
import { Connection } from 'jsforce';
import type { TokenResponse } from 'jsforce/lib/oauth2';
import jwt from 'jsonwebtoken';
import { PackageNames } from './names';

/**
 * `Sforce-Call-Options` of every call the companion makes (jsforce sends it on REST and SOAP calls): Salesforce
 * records the client id, so the companion's own writes can be told apart in the org (event monitoring, Change Data
 * Capture's `changeOrigin`). Echo suppression still compares values (ARCHITECTURE §4).
 */
export const CALL_OPTIONS = { client: 'statisfy-companion' };

/** The Salesforce API version the companion speaks. */
export const API_VERSION = '60.0';
/** JWT bearer grant type. */
export const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** What the factory needs to know about an org (a row of `orgs`, secrets still encrypted). */
export interface SalesforceOrg {
    id: string;
    name: string;
    sfOrgId: string | null;
    instanceUrl: string | null;
    loginUrl: string;
    authKind: 'jwt' | 'oauth';
    consumerKey: string;
    username: string | null;
    privateKeyEnc: string | null;
    refreshTokenEnc: string | null;
    namespace: string;
}

/** Persistence and secrets the factory calls back into (the companion's crypto and orgs repository). */
export interface ConnectionHooks {
    decrypt(ciphertext: string): string;
    encrypt(plaintext: string): string;
    /** The org authenticated: record its Salesforce org id (first connect) and instance URL; status `connected`. */
    onConnected(orgId: string, info: { sfOrgId: string; instanceUrl: string; userId: string }): Promise<void>;
    /** The credentials lead to another org than the one stored: status `org_mismatch` with the message. */
    onMismatch(orgId: string, message: string): Promise<void>;
    /** The OAuth callback produced a refresh token (already encrypted). */
    onRefreshToken(orgId: string, refreshTokenEnc: string): Promise<void>;
}

/** Factory options. */
export interface ConnectionFactoryOptions {
    hooks: ConnectionHooks;
    apiVersion?: string;
    /** OAuth web-server flow: the connected app's secret and the companion's callback URL. */
    oauthClientSecret?: string;
    oauthRedirectUri?: string;
    /** JWT lifetime in seconds (Salesforce accepts up to 3 minutes). */
    jwtLifetimeSeconds?: number;
    /** Clock for the assertion's `exp` (epoch ms; default Date.now). */
    jwtClock?: () => number;
}

/** Raised when the credentials authenticate against a different org than the stored one. */
export class OrgMismatchError extends Error {
    override readonly name = 'OrgMismatchError';
    constructor(
        readonly orgId: string,
        readonly expected: string,
        readonly actual: string
    ) {
        super(
            `Salesforce org mismatch: this connection was set up for org ${expected} but the credentials now lead to org ${actual} ` +
                `(a refreshed sandbox?). Sync is stopped so data of two orgs is never mixed; reconnect the org to continue.`
        );
    }
}

/** Raised for an org that cannot connect because its configuration is incomplete. */
export class OrgConfigError extends Error {
    override readonly name = 'OrgConfigError';
}

/** Raised when the OAuth callback's sign-in is not the org or user the tenant expects (nothing is stored). */
export class SignInRefusedError extends Error {
    override readonly name = 'SignInRefusedError';
}

/** An authenticated connection of one org. */
export interface OrgConnection {
    org: SalesforceOrg;
    conn: Connection;
    names: PackageNames;
    sfOrgId: string;
    userId: string;
    /** Gets a new access token now (JWT: a fresh assertion; OAuth: the refresh token), checking the org again. */
    refresh(): Promise<void>;
}

/** Extracts org id and user id from an identity URL (`…/id/00D…/005…`), as jsforce's parseIdUrl does. */
export function parseIdentityUrl(idUrl: string | undefined): { organizationId: string; userId: string } {
    if (!idUrl) throw new Error('The token response has no identity (id) URL');
    const parts = idUrl.split('?')[0].split('/').filter(Boolean);
    const userId = parts.pop();
    const organizationId = parts.pop();
    if (!userId || !organizationId || !/^00D/.test(organizationId))
        throw new Error(`The identity URL ${idUrl} does not name an org and a user`);
    return { organizationId, userId };
}

/** True when two Salesforce org ids (15 or 18 characters) name the same org. */
export function sameOrgId(a: string, b: string): boolean {
    return a.slice(0, 15) === b.slice(0, 15);
}

/** Builds a signed JWT bearer assertion (RS256; iss = consumer key, sub = username, aud = login URL). */
export function mintAssertion(
    org: Pick<SalesforceOrg, 'consumerKey' | 'username' | 'loginUrl'>,
    privateKeyPem: string,
    lifetimeSeconds = 180,
    nowSeconds = Math.floor(Date.now() / 1000)
): string {
    if (!org.username) throw new OrgConfigError('JWT bearer flow needs the integration user name');
    if (!org.consumerKey) throw new OrgConfigError('JWT bearer flow needs the connected app consumer key');
    return jwt.sign(
        {
            iss: org.consumerKey,
            sub: org.username,
            aud: org.loginUrl.replace(/\/+$/, ''),
            exp: nowSeconds + lifetimeSeconds
        },
        privateKeyPem,
        { algorithm: 'RS256', noTimestamp: true }
    );
}

/** Creates authenticated connections per org (see the module comment). */
export class SalesforceConnectionFactory {
    private readonly version: string;

    constructor(private readonly options: ConnectionFactoryOptions) {
        this.version = options.apiVersion ?? API_VERSION;
    }

    /** Authenticates an org and returns its connection; throws {@link OrgMismatchError} on a different org. */
    async connect(org: SalesforceOrg): Promise<OrgConnection> {
        return org.authKind === 'jwt' ? this.connectJwt(org) : this.connectOAuth(org);
    }

    /** The URL to send the admin's browser to ("Connect Salesforce"). */
    authorizeUrl(org: Pick<SalesforceOrg, 'consumerKey' | 'loginUrl'>, state: string): string {
        return this.oauth2(org).getAuthorizationUrl({ state, scope: 'api refresh_token id' });
    }

    /**
     * Exchanges the callback's authorization code for tokens, checks the org, stores the refresh token
     * encrypted, and returns the connection.
     */
    async exchangeCode(org: SalesforceOrg, code: string): Promise<OrgConnection> {
        if (!code) throw new OrgConfigError('The OAuth callback carries no authorization code');
        const oauth2 = this.oauth2(org);
        const res = await oauth2.requestToken(code);
        if (!res.refresh_token)
            throw new OrgConfigError(
                'Salesforce returned no refresh token: give the connected app the refresh_token scope'
            );
        const { organizationId, userId } = await this.checkSignIn(org, res);
        const refreshTokenEnc = this.options.hooks.encrypt(res.refresh_token);
        await this.options.hooks.onRefreshToken(org.id, refreshTokenEnc);
        const updated: SalesforceOrg = {
            ...org,
            refreshTokenEnc,
            sfOrgId: organizationId,
            instanceUrl: res.instance_url
        };
        const conn = new Connection({
            callOptions: CALL_OPTIONS,
            oauth2,
            version: this.version,
            instanceUrl: res.instance_url,
            accessToken: res.access_token,
            refreshToken: res.refresh_token
        });
        this.watchRefresh(updated, conn);
        await this.options.hooks.onConnected(org.id, {
            sfOrgId: organizationId,
            instanceUrl: res.instance_url,
            userId
        });
        return {
            org: updated,
            conn,
            names: new PackageNames(org.namespace),
            sfOrgId: organizationId,
            userId,
            refresh: () => this.refreshOAuth(updated, conn, res.refresh_token as string)
        };
    }

    private oauth2(org: Pick<SalesforceOrg, 'consumerKey' | 'loginUrl'>) {
        if (!this.options.oauthRedirectUri)
            throw new OrgConfigError('OAuth web-server flow needs the callback URL (redirect URI)');
        return new Connection({
            oauth2: {
                loginUrl: org.loginUrl,
                clientId: org.consumerKey,
                clientSecret: this.options.oauthClientSecret,
                redirectUri: this.options.oauthRedirectUri
            }
        }).oauth2;
    }

    private async connectJwt(org: SalesforceOrg): Promise<OrgConnection> {
        if (!org.privateKeyEnc)
            throw new OrgConfigError(`Org ${org.name} uses the JWT bearer flow but has no private key`);
        const privateKey = this.options.hooks.decrypt(org.privateKeyEnc);
        const lifetime = this.options.jwtLifetimeSeconds ?? 180;
        const authorize = async (c: Connection): Promise<TokenResponse> => {
            const now = Math.floor((this.options.jwtClock ?? Date.now)() / 1000);
            const assertion = mintAssertion(org, privateKey, lifetime, now);
            const res = await c.oauth2.requestToken({ grant_type: JWT_GRANT, assertion });
            await this.checkOrg(org, res);
            c.instanceUrl = res.instance_url;
            c.accessToken = res.access_token;
            return res;
        };
        const conn = new Connection({
            callOptions: CALL_OPTIONS,
            loginUrl: org.loginUrl,
            version: this.version,
            oauth2: { loginUrl: org.loginUrl, clientId: org.consumerKey },
            refreshFn: (c, callback) => {
                authorize(c).then(
                    (res) => callback(null, res.access_token, res),
                    (err: Error) => callback(err)
                );
            }
        });
        const res = await authorize(conn);
        const { organizationId, userId } = parseIdentityUrl(res.id);
        await this.options.hooks.onConnected(org.id, {
            sfOrgId: organizationId,
            instanceUrl: res.instance_url,
            userId
        });
        const refresh = async () => {
            const next = await authorize(conn);
            conn.emit('refresh', next.access_token, next);
        };
        return { org, conn, names: new PackageNames(org.namespace), sfOrgId: organizationId, userId, refresh };
    }

    private async connectOAuth(org: SalesforceOrg): Promise<OrgConnection> {
        if (!org.refreshTokenEnc)
            throw new OrgConfigError(`Org ${org.name} has not completed "Connect Salesforce" yet (no refresh token)`);
        const refreshToken = this.options.hooks.decrypt(org.refreshTokenEnc);
        const oauth2 = new Connection({
            oauth2: {
                loginUrl: org.loginUrl,
                clientId: org.consumerKey,
                clientSecret: this.options.oauthClientSecret,
                redirectUri: this.options.oauthRedirectUri
            }
        }).oauth2;
        const res = await oauth2.refreshToken(refreshToken);
        const { organizationId, userId } = await this.checkOrg(org, res);
        const conn = new Connection({
            callOptions: CALL_OPTIONS,
            oauth2,
            version: this.version,
            instanceUrl: res.instance_url,
            accessToken: res.access_token,
            refreshToken
        });
        this.watchRefresh(org, conn);
        await this.options.hooks.onConnected(org.id, {
            sfOrgId: organizationId,
            instanceUrl: res.instance_url,
            userId
        });
        return {
            org,
            conn,
            names: new PackageNames(org.namespace),
            sfOrgId: organizationId,
            userId,
            refresh: () => this.refreshOAuth(org, conn, refreshToken)
        };
    }

    private async refreshOAuth(org: SalesforceOrg, conn: Connection, refreshToken: string): Promise<void> {
        const res = await conn.oauth2.refreshToken(refreshToken);
        await this.checkOrg(org, res);
        conn.accessToken = res.access_token;
        conn.instanceUrl = res.instance_url;
    }

    /** jsforce refreshes an OAuth session itself on a 401; check each refreshed session's org as well. */
    private watchRefresh(org: SalesforceOrg, conn: Connection): void {
        conn.on('refresh', (_token: string, res: TokenResponse) => {
            if (!res?.id) return;
            this.checkOrg(org, res).catch(() => {
                // Stop using a connection that now leads to another org: every later call fails.
                conn.accessToken = '';
                conn.instanceUrl = 'http://org-mismatch.invalid';
            });
        });
    }

    /**
     * The OAuth callback's sign-in must be the one the tenant expects: its org (`sf_org_id`, once known) and its
     * integration user (`username`, when set). Anything else is refused before a token is kept, the tokens are
     * revoked, and the org's status is left alone (a wrong sign-in is not a refreshed sandbox).
     */
    private async checkSignIn(
        org: SalesforceOrg,
        res: TokenResponse
    ): Promise<{ organizationId: string; userId: string }> {
        const ids = parseIdentityUrl(res.id);
        let refusal: string | null = null;
        if (org.sfOrgId && !sameOrgId(org.sfOrgId, ids.organizationId)) {
            refusal = `The sign-in was to Salesforce org ${ids.organizationId}, but this Statisfy org is connected to ${org.sfOrgId}. Sign in to that org.`;
        } else if (org.username) {
            const identity = await fetch(res.id, { headers: { Authorization: `Bearer ${res.access_token}` } });
            const who = identity.ok ? ((await identity.json()) as { username?: string }).username : undefined;
            if (!who || who.toLowerCase() !== org.username.toLowerCase()) {
                refusal = `Signed in as ${who ?? 'an unknown user'}, but this Statisfy org connects as ${org.username}. Sign in as that user.`;
            }
        }
        if (refusal) {
            const oauth2 = this.oauth2(org);
            await oauth2.revokeToken(res.refresh_token ?? res.access_token).catch(() => undefined);
            throw new SignInRefusedError(refusal);
        }
        return ids;
    }

    private async checkOrg(
        org: SalesforceOrg,
        res: TokenResponse
    ): Promise<{ organizationId: string; userId: string }> {
        const ids = parseIdentityUrl(res.id);
        if (org.sfOrgId && !sameOrgId(org.sfOrgId, ids.organizationId)) {
            const err = new OrgMismatchError(org.id, org.sfOrgId, ids.organizationId);
            await this.options.hooks.onMismatch(org.id, err.message);
            throw err;
        }
        return ids;
    }
}
