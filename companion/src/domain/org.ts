/**
 * The tenant's org as the API shows it: how it connects and its state, never its credentials. (Connecting an org
 * with the OAuth web-server flow is served by companion/src/web/oauth.ts through the engine.)
 */
import type { DataSource } from 'typeorm';
import { createRepositories } from '../data';
import type { Actor } from './context';

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
