/**
 * Who a request is: the token identity of its `Authorization: Bearer <token>`. The one place a request's token is
 * checked — the route table's actors (server.ts) and the raw routes such as the event stream (web/routes.ts).
 */
import type { Request } from 'express';
import { createRepositories, type TokenIdentity } from '../data';
import { authenticate } from '../domain/tenants';
import { unauthorized } from '../lib/errors';
import type { ApiContext } from './route';

const lastTouched = new Map<string, number>();

/** The token identity of a request (401 without a bearer token, or for an unknown or revoked one). */
export async function identify(req: Request, ctx: ApiContext): Promise<TokenIdentity> {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw unauthorized();
    const repos = createRepositories(ctx.dataSource.manager);
    const identity = await authenticate(repos, match[1]);
    if (!identity) throw unauthorized('Unknown or revoked API token');
    // last_used_at is kept to the minute: skip the write entirely when this process touched the token recently.
    const now = Date.now();
    if ((lastTouched.get(identity.id) ?? 0) < now - 60_000) {
        lastTouched.set(identity.id, now);
        repos.apiTokens.touch(identity.orgId, identity.id).catch(() => undefined);
    }
    return identity;
}
