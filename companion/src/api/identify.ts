/**
 * Who a request is: the token identity of its `Authorization: Bearer <token>`. The one place a request's token is
 * checked — the route table's actors (server.ts) and the raw routes such as the event stream (web/routes.ts).
 */
import type { Request } from 'express';
import type { TokenIdentity } from '../data';
import { useToken } from '../domain/tenants';
import { unauthorized } from '../lib/errors';
import type { ApiContext } from './route';

/** The token identity of a request (401 without a bearer token, or for an unknown or revoked one). */
export async function identify(req: Request, ctx: ApiContext): Promise<TokenIdentity> {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw unauthorized();
    const identity = await useToken(ctx.dataSource, match[1]);
    if (!identity) throw unauthorized('Unknown or revoked API token');
    return identity;
}
