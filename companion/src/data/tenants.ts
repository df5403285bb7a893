/**
 * Tenants: orgs and their API tokens.
 *
 * Two lookups do not take an org id, by nature: `OrgsRepository.listAll` (the engine starts every org) and
 * `ApiTokensRepository.findActiveByHash` (authentication: the token is what decides the org). Everything else does.
 */
import type { EntityManager } from 'typeorm';
import { rows, toApiToken, toOrg } from './rows';
import type { ApiToken, AuthKind, Org, OrgStatus, Role } from './types';

/** What creating an org needs; credentials arrive already encrypted (SecretBox). */
export interface NewOrg {
    name: string;
    loginUrl: string;
    authKind: AuthKind;
    instanceUrl?: string | null;
    sfOrgId?: string | null;
    consumerKey?: string | null;
    username?: string | null;
    privateKeyEnc?: string | null;
    refreshTokenEnc?: string | null;
    namespace?: string;
}

/** Fields of an org that may change after creation. */
export type OrgPatch = Partial<
    Omit<NewOrg, 'loginUrl'> & { loginUrl: string; status: OrgStatus; statusMessage: string | null }
>;

const ORG_COLUMNS: Record<keyof OrgPatch, string> = {
    name: 'name',
    loginUrl: 'login_url',
    authKind: 'auth_kind',
    instanceUrl: 'instance_url',
    sfOrgId: 'sf_org_id',
    consumerKey: 'consumer_key',
    username: 'username',
    privateKeyEnc: 'private_key_enc',
    refreshTokenEnc: 'refresh_token_enc',
    namespace: 'namespace',
    status: 'status',
    statusMessage: 'status_message'
};

/** Orgs (tenants). */
export class OrgsRepository {
    constructor(private readonly m: EntityManager) {}

    /** Creates an org in status `new`. */
    async create(input: NewOrg): Promise<Org> {
        const [row] = await rows(
            this.m,
            `INSERT INTO orgs (name, login_url, auth_kind, instance_url, sf_org_id, consumer_key, username,
                               private_key_enc, refresh_token_enc, namespace)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING *`,
            [
                input.name,
                input.loginUrl,
                input.authKind,
                input.instanceUrl ?? null,
                input.sfOrgId ?? null,
                input.consumerKey ?? null,
                input.username ?? null,
                input.privateKeyEnc ?? null,
                input.refreshTokenEnc ?? null,
                input.namespace ?? ''
            ]
        );
        return toOrg(row);
    }

    /** The org, or null. */
    async get(orgId: string): Promise<Org | null> {
        const [row] = await rows(this.m, 'SELECT * FROM orgs WHERE id = $1', [orgId]);
        return row ? toOrg(row) : null;
    }

    /** Every org (engine start-up). */
    async listAll(): Promise<Org[]> {
        return (await rows(this.m, 'SELECT * FROM orgs ORDER BY created_at')).map(toOrg);
    }

    /** The org connected from the environment with these credentials, if it exists (bootstrap). */
    async findByLogin(loginUrl: string, username: string): Promise<Org | null> {
        const [row] = await rows(this.m, 'SELECT * FROM orgs WHERE login_url = $1 AND username = $2', [
            loginUrl,
            username
        ]);
        return row ? toOrg(row) : null;
    }

    /** Changes some fields; returns the org after the change, or null when it does not exist. */
    async update(orgId: string, patch: OrgPatch): Promise<Org | null> {
        const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof OrgPatch, unknown][];
        if (entries.length === 0) return this.get(orgId);
        const sets = entries.map(([k], i) => `${ORG_COLUMNS[k]} = $${i + 2}`);
        const [row] = await rows(
            this.m,
            `UPDATE orgs SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING *`,
            [orgId, ...entries.map(([, v]) => v)]
        );
        return row ? toOrg(row) : null;
    }

    /** Records the connection state shown by /sync/status and in the org. */
    async setStatus(orgId: string, status: OrgStatus, message: string | null = null): Promise<void> {
        await rows(this.m, 'UPDATE orgs SET status = $2, status_message = $3, updated_at = now() WHERE id = $1', [
            orgId,
            status,
            message
        ]);
    }
}

/** An active token with what authentication needs. */
export interface TokenIdentity extends ApiToken {
    orgId: string;
}

/** API tokens, stored as SHA-256 only. */
export class ApiTokensRepository {
    constructor(private readonly m: EntityManager) {}

    /** Which of these token ids are still active (not revoked, not deleted). */
    async activeIds(ids: readonly string[]): Promise<string[]> {
        if (ids.length === 0) return [];
        return (
            await rows(this.m, 'SELECT id FROM api_tokens WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL', [ids])
        ).map((r) => String(r.id));
    }

    /** Stores a token's hash. */
    async create(orgId: string, input: { name: string; role: Role; tokenHash: string }): Promise<ApiToken> {
        const [row] = await rows(
            this.m,
            'INSERT INTO api_tokens (org_id, name, role, token_hash) VALUES ($1,$2,$3,$4) RETURNING *',
            [orgId, input.name, input.role, input.tokenHash]
        );
        return toApiToken(row);
    }

    /** The unrevoked token with this hash (authentication), or null. */
    async findActiveByHash(tokenHash: string): Promise<TokenIdentity | null> {
        const [row] = await rows(this.m, 'SELECT * FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL', [
            tokenHash
        ]);
        return row ? toApiToken(row) : null;
    }

    /** True when a token with this hash exists for the org (revoked or not). */
    async existsByHash(orgId: string, tokenHash: string): Promise<boolean> {
        const found = await rows(this.m, 'SELECT 1 FROM api_tokens WHERE org_id = $1 AND token_hash = $2', [
            orgId,
            tokenHash
        ]);
        return found.length > 0;
    }

    /** The org's tokens, newest first. */
    async list(orgId: string): Promise<ApiToken[]> {
        return (
            await rows(this.m, 'SELECT * FROM api_tokens WHERE org_id = $1 ORDER BY created_at DESC, id', [orgId])
        ).map(toApiToken);
    }

    /** Revokes a token of the org; false when the org has no such active token. */
    async revoke(orgId: string, tokenId: string): Promise<boolean> {
        const done = await rows(
            this.m,
            'UPDATE api_tokens SET revoked_at = now() WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id',
            [orgId, tokenId]
        );
        return done.length > 0;
    }

    /** Notes that a token was used (at most once a minute per token). */
    async touch(orgId: string, tokenId: string): Promise<void> {
        await rows(
            this.m,
            `UPDATE api_tokens SET last_used_at = now() WHERE org_id = $1 AND id = $2
               AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
            [orgId, tokenId]
        );
    }
}
