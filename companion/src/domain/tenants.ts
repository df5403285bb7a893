/**
 * Tenants: creating orgs (credentials encrypted at rest), issuing and checking API tokens, and connecting the org
 * given in the environment (SF_*, STATISFY_ADMIN_TOKEN) at start.
 */
import { readFile } from 'node:fs/promises';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import {
    createRepositories,
    inTransaction,
    type ApiToken,
    type AuthKind,
    type Org,
    type Repositories,
    type Role,
    type TokenIdentity
} from '../data';
import { generateToken, hashToken, type SecretBox } from '../lib/crypto';
import { notFound } from '../lib/errors';
import type { Logger } from '../lib/logger';
import type { Actor } from './context';

/** What connecting an org needs; secrets in clear text here, encrypted before they are stored. */
export interface OrgRegistration {
    name: string;
    loginUrl: string;
    authKind: AuthKind;
    consumerKey?: string | null;
    username?: string | null;
    privateKey?: string | null;
    refreshToken?: string | null;
    instanceUrl?: string | null;
    sfOrgId?: string | null;
    namespace?: string;
}

/** Creates an org; its private key and refresh token are stored AES-256-GCM encrypted. */
export async function registerOrg(dataSource: DataSource, box: SecretBox, input: OrgRegistration): Promise<Org> {
    return createRepositories(dataSource.manager).orgs.create({
        name: input.name,
        loginUrl: input.loginUrl,
        authKind: input.authKind,
        consumerKey: input.consumerKey ?? null,
        username: input.username ?? null,
        privateKeyEnc: input.privateKey ? box.encrypt(input.privateKey) : null,
        refreshTokenEnc: input.refreshToken ? box.encrypt(input.refreshToken) : null,
        instanceUrl: input.instanceUrl ?? null,
        sfOrgId: input.sfOrgId ?? null,
        namespace: input.namespace ?? ''
    });
}

/** A newly issued token: the clear text is returned once and never stored. */
export interface IssuedToken {
    token: string;
    apiToken: ApiToken;
}

/** Issues a token for the org with a role. */
export async function issueToken(repos: Repositories, orgId: string, name: string, role: Role): Promise<IssuedToken> {
    const token = generateToken();
    const apiToken = await repos.apiTokens.create(orgId, { name, role, tokenHash: hashToken(token) });
    return { token, apiToken };
}

/** The identity behind a bearer token, or null when it is unknown or revoked. */
export async function authenticate(repos: Repositories, token: string): Promise<TokenIdentity | null> {
    if (!token || token.length > 512) return null;
    return repos.apiTokens.findActiveByHash(hashToken(token));
}

/** The org's tokens (never their values). */
export async function listTokens(dataSource: DataSource, actor: Actor): Promise<ApiToken[]> {
    return createRepositories(dataSource.manager).apiTokens.list(actor.orgId);
}

/** Creates a token in the actor's org; audited. */
export async function createToken(
    dataSource: DataSource,
    actor: Actor,
    name: string,
    role: Role
): Promise<IssuedToken> {
    return inTransaction(dataSource, async (repos) => {
        const issued = await issueToken(repos, actor.orgId, name, role);
        await repos.auditLog.append(actor.orgId, {
            actor: actor.name,
            action: 'token.create',
            target: `token:${issued.apiToken.id}`,
            before: null,
            after: { name, role }
        });
        return issued;
    });
}

/** Revokes a token of the actor's org; audited; 404 when the org has no such active token. */
export async function revokeToken(dataSource: DataSource, actor: Actor, tokenId: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/i.test(tokenId)) throw notFound(`No active token ${tokenId}`);
    await inTransaction(dataSource, async (repos) => {
        if (!(await repos.apiTokens.revoke(actor.orgId, tokenId))) throw notFound(`No active token ${tokenId}`);
        await repos.auditLog.append(actor.orgId, {
            actor: actor.name,
            action: 'token.revoke',
            target: `token:${tokenId}`,
            before: { revoked: false },
            after: { revoked: true }
        });
    });
}

/** Makes sure `token` is an admin token of the org (STATISFY_ADMIN_TOKEN). */
export async function ensureAdminToken(repos: Repositories, orgId: string, token: string): Promise<void> {
    const hash = hashToken(token);
    if (await repos.apiTokens.existsByHash(orgId, hash)) return;
    await repos.apiTokens.create(orgId, { name: 'STATISFY_ADMIN_TOKEN', role: 'admin', tokenHash: hash });
}

/**
 * Connects the org described by SF_* at start: creates it on first start, refreshes its credentials afterwards,
 * and registers STATISFY_ADMIN_TOKEN as its admin token. Returns the org, or null when SF_* is not set.
 */
export async function bootstrapOrgFromConfig(
    dataSource: DataSource,
    box: SecretBox,
    config: Config,
    logger: Logger
): Promise<Org | null> {
    const sf = config.salesforce;
    if (!sf) {
        if (config.adminToken) {
            logger.warn(
                'STATISFY_ADMIN_TOKEN is set but no org is configured (SF_LOGIN_URL, SF_CONSUMER_KEY, SF_USERNAME): ignored'
            );
        }
        return null;
    }
    const privateKey = sf.privateKey ?? (sf.privateKeyFile ? await readFile(sf.privateKeyFile, 'utf8') : null);
    return inTransaction(dataSource, async (repos) => {
        const existing = await repos.orgs.findByLogin(sf.loginUrl, sf.username);
        const secrets = {
            consumerKey: sf.consumerKey,
            authKind: sf.authKind,
            privateKeyEnc: privateKey ? box.encrypt(privateKey) : undefined,
            refreshTokenEnc: sf.refreshToken ? box.encrypt(sf.refreshToken) : undefined,
            namespace: sf.namespace
        };
        const org = existing
            ? ((await repos.orgs.update(existing.id, { name: sf.name, ...secrets })) as Org)
            : await repos.orgs.create({
                  name: sf.name,
                  loginUrl: sf.loginUrl,
                  username: sf.username,
                  sfOrgId: sf.sfOrgId ?? null,
                  ...secrets,
                  privateKeyEnc: secrets.privateKeyEnc ?? null,
                  refreshTokenEnc: secrets.refreshTokenEnc ?? null
              });
        if (config.adminToken) await ensureAdminToken(repos, org.id, config.adminToken);
        logger.info({ orgId: org.id, name: org.name, created: !existing }, 'org from the environment ready');
        return org;
    });
}

/** The orgs that connect through the OAuth web-server flow (the Connect Salesforce page). */
export async function listOAuthOrgs(dataSource: DataSource): Promise<Org[]> {
    return (await createRepositories(dataSource.manager).orgs.listAll()).filter((o) => o.authKind === 'oauth');
}

/** The identity of an API token and its org (nulls for an unknown or revoked token). */
export async function tokenAndOrg(
    dataSource: DataSource,
    token: string
): Promise<{ identity: TokenIdentity; org: Org | null } | { identity: null; org: null }> {
    const repos = createRepositories(dataSource.manager);
    const identity = await authenticate(repos, token);
    if (!identity) return { identity: null, org: null };
    return { identity, org: await repos.orgs.get(identity.orgId) };
}

/** True while the token is an active admin token of the org (the one that started a Salesforce connection). */
export async function isActiveAdminToken(dataSource: DataSource, orgId: string, tokenId: string): Promise<boolean> {
    const token = (await createRepositories(dataSource.manager).apiTokens.list(orgId)).find((x) => x.id === tokenId);
    return !!token && !token.revokedAt && token.role === 'admin';
}

const lastTouched = new Map<string, number>();

/**
 * The identity of a token presented to the API, or null; records its use (`last_used_at`, kept to the minute: no
 * write when this process recorded it within the last minute).
 */
export async function useToken(dataSource: DataSource, token: string): Promise<TokenIdentity | null> {
    const repos = createRepositories(dataSource.manager);
    const identity = await authenticate(repos, token);
    if (!identity) return null;
    const now = Date.now();
    if ((lastTouched.get(identity.id) ?? 0) < now - 60_000) {
        lastTouched.set(identity.id, now);
        repos.apiTokens.touch(identity.orgId, identity.id).catch(() => undefined);
    }
    return identity;
}
