/**
 * Connecting an org with the OAuth web-server flow ("Connect Salesforce" → Salesforce's consent page → callback):
 * the admin asks for the consent URL; Salesforce sends the browser back to `/oauth/callback` with a code and the
 * signed state, which names the org. The connector (the sync engine) redeems the code, checks the org id, stores the
 * refresh token encrypted and starts the sync.
 */
import type { DataSource } from 'typeorm';
import { createRepositories } from '../data';
import type { StateSigner } from '../lib/crypto';
import { AppError, badRequest, unavailable, unprocessable } from '../lib/errors';
import type { Actor } from './context';
import type { OrgConnector } from './ports';

/** How long the consent step may take. */
const STATE_TTL_MS = 15 * 60_000;

/** Dependencies of the connect use cases. */
export interface ConnectDeps {
    dataSource: DataSource;
    connector?: OrgConnector;
    state: StateSigner;
}

/** The org as the API shows it (never its credentials). */
export interface OrgView {
    id: string;
    name: string;
    authKind: 'jwt' | 'oauth';
    loginUrl: string;
    instanceUrl: string | null;
    sfOrgId: string | null;
    username: string | null;
    namespace: string;
    status: string;
    statusMessage: string | null;
    connected: boolean;
}

/** The actor's org. */
export async function getOrg(dataSource: DataSource, actor: Actor): Promise<OrgView> {
    const org = (await createRepositories(dataSource.manager).orgs.get(actor.orgId))!;
    return {
        id: org.id,
        name: org.name,
        authKind: org.authKind,
        loginUrl: org.loginUrl,
        instanceUrl: org.instanceUrl,
        sfOrgId: org.sfOrgId,
        username: org.username,
        namespace: org.namespace,
        status: org.status,
        statusMessage: org.statusMessage,
        connected: org.status === 'connected'
    };
}

/** The consent URL to send the admin's browser to. */
export async function startConnect(
    deps: ConnectDeps,
    actor: Actor
): Promise<{ authorizeUrl: string; expiresAt: string }> {
    if (!deps.connector) throw unavailable('OAUTH_UNAVAILABLE', 'No Salesforce connection side runs in this companion');
    const org = (await createRepositories(deps.dataSource.manager).orgs.get(actor.orgId))!;
    if (org.authKind !== 'oauth') {
        throw unprocessable(
            'WRONG_AUTH_KIND',
            'This org connects with the JWT bearer flow (consumer key, username, private key); the OAuth flow is not used'
        );
    }
    const state = deps.state.sign(org.id, STATE_TTL_MS);
    try {
        return {
            authorizeUrl: await deps.connector.authorizeUrl(org.id, state),
            expiresAt: new Date(Date.now() + STATE_TTL_MS).toISOString()
        };
    } catch (cause) {
        throw new AppError('OAUTH_NOT_CONFIGURED', (cause as Error).message, 503, { cause });
    }
}

/** What Salesforce sends back to the callback. */
export interface CallbackQuery {
    code?: string;
    state?: string;
    error?: string;
    error_description?: string;
}

/**
 * Completes the flow. Refused (400) when Salesforce reports an error or the state is altered or expired; an org
 * other than the one connected before is 409 `ORG_MISMATCH` (a refreshed sandbox is never mixed in).
 */
export async function completeConnect(deps: ConnectDeps, query: CallbackQuery): Promise<{ orgId: string }> {
    if (query.error) {
        throw badRequest(`Salesforce did not authorize the connection: ${query.error_description ?? query.error}`);
    }
    const orgId = query.state ? deps.state.verify(query.state) : null;
    if (!orgId) throw badRequest('The sign-in link is invalid or expired: start "Connect Salesforce" again');
    if (!query.code) throw badRequest('Salesforce sent no authorization code');
    if (!deps.connector) throw unavailable('OAUTH_UNAVAILABLE', 'No Salesforce connection side runs in this companion');
    try {
        await deps.connector.completeOAuth(orgId, query.code);
    } catch (cause) {
        if ((cause as Error)?.name === 'OrgMismatchError') {
            throw new AppError('ORG_MISMATCH', (cause as Error).message, 409, { cause });
        }
        throw new AppError(
            'OAUTH_FAILED',
            `Connecting to Salesforce failed: ${(cause as Error)?.message ?? cause}`,
            502,
            {
                cause
            }
        );
    }
    return { orgId };
}
