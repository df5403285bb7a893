/**
 * "Connect Salesforce": the OAuth 2.0 web-server flow for an org configured with `SF_AUTH_KIND=oauth`
 * (docs/companion-config.md). `GET /oauth/salesforce/start` sends the browser to Salesforce's consent page with a
 * one-time `state`; Salesforce sends it back to `GET /oauth/callback` (the connected app's callback URL,
 * `PUBLIC_URL/oauth/callback`), where the code is exchanged for a refresh token (stored encrypted) and the org's
 * sync starts. Both answer small HTML pages when something is missing, naming what to configure.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { route, type ApiContext, type RouteDef } from '../api/route';
import { createRepositories } from '../data';

/** What the engine offers for the web-server flow (StatisfySyncEngine has both). */
interface OAuthCapable {
    authorizeUrl(orgId: string, state: string): Promise<string>;
    completeOAuth(orgId: string, code: string): Promise<void>;
}

const STATE_TTL_MS = 10 * 60_000;

function page(res: Response, status: number, title: string, body: string): void {
    const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    res.status(status)
        .type('html')
        .send(
            `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} | Statisfy</title>` +
                `<link rel="stylesheet" href="/assets/styles/salesforce-lightning-design-system.min.css"></head>` +
                `<body class="slds-p-around_xx-large" style="background:#f3f3f3"><main class="slds-card slds-p-around_large" style="max-width:40rem;margin:auto">` +
                `<h1 class="slds-text-heading_medium slds-m-bottom_small">${esc(title)}</h1>${body}` +
                `<p class="slds-m-top_medium"><a href="/">Back to Statisfy</a></p></main></body></html>`
        );
}

function capable(engine: unknown): engine is OAuthCapable {
    return (
        !!engine &&
        typeof (engine as OAuthCapable).authorizeUrl === 'function' &&
        typeof (engine as OAuthCapable).completeOAuth === 'function'
    );
}

/** The two routes of the flow; `states` holds the one-time states in memory (one process serves a flow). */
export function oauthRoutes(states = new Map<string, { orgId: string; expires: number }>()): RouteDef[] {
    const start = async (_req: Request, res: Response, ctx: ApiContext) => {
        const orgs = (await createRepositories(ctx.dataSource.manager).orgs.listAll()).filter(
            (o) => o.authKind === 'oauth'
        );
        if (orgs.length === 0 || !capable(ctx.engine)) {
            page(
                res,
                409,
                'Connect Salesforce',
                '<p>No org is set up for the OAuth web-server flow in this companion. Start it with ' +
                    '<code>SF_AUTH_KIND=oauth</code>, <code>SF_LOGIN_URL</code>, <code>SF_CONSUMER_KEY</code>, ' +
                    '<code>SF_CLIENT_SECRET</code>, <code>SF_USERNAME</code> and <code>PUBLIC_URL</code> (the connected ' +
                    "app's callback URL is <code>PUBLIC_URL/oauth/callback</code>), then come back here. " +
                    'See docs/companion-config.md.</p>'
            );
            return;
        }
        const org = orgs.find((o) => o.status !== 'connected') ?? orgs[0];
        const now = Date.now();
        for (const [k, v] of states) if (v.expires < now) states.delete(k);
        const state = randomBytes(24).toString('base64url');
        states.set(state, { orgId: org.id, expires: now + STATE_TTL_MS });
        res.redirect(302, await ctx.engine.authorizeUrl(org.id, state));
    };
    const callback = async (req: Request, res: Response, ctx: ApiContext) => {
        const q = req.query as Record<string, string | undefined>;
        const pending = q.state ? states.get(q.state) : undefined;
        if (q.state) states.delete(q.state);
        if (q.error) {
            page(
                res,
                400,
                'Salesforce did not connect',
                `<p>Salesforce answered: ${q.error_description ?? q.error}</p>`
            );
            return;
        }
        if (!pending || pending.expires < Date.now() || !q.code) {
            page(res, 400, 'Connect Salesforce', '<p>This sign-in link expired or was already used. Start again.</p>');
            return;
        }
        if (!capable(ctx.engine)) {
            page(res, 503, 'Connect Salesforce', '<p>The sync engine is not running in this companion.</p>');
            return;
        }
        try {
            await ctx.engine.completeOAuth(pending.orgId, q.code);
        } catch (error) {
            page(res, 502, 'Salesforce did not connect', `<p>${String((error as Error).message)}</p>`);
            return;
        }
        res.redirect(303, '/#/sync');
    };
    return [
        route({
            method: 'get',
            path: '/oauth/salesforce/start',
            role: null,
            tag: 'Web app',
            summary: '"Connect Salesforce": redirects to the org\'s OAuth consent page (web-server flow)',
            response: { mediaType: 'text/html', schema: { type: 'string' } },
            raw: start
        }),
        route({
            method: 'get',
            path: '/oauth/callback',
            role: null,
            tag: 'Web app',
            summary: "The connected app's callback: exchanges the code, stores the refresh token, starts the sync",
            response: { mediaType: 'text/html', schema: { type: 'string' } },
            raw: callback
        })
    ];
}
