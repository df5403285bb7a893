/**
 * "Connect Salesforce": the OAuth 2.0 web-server flow for an org configured with `SF_AUTH_KIND=oauth`
 * (docs/companion-config.md), started only by an admin of that tenant.
 *
 * - `GET /oauth/salesforce/start` answers a small page asking for an admin API token (or says what to configure);
 * - `POST /oauth/salesforce/start` (form field `token`, or `Authorization: Bearer`) checks the token is an admin
 *   token of an OAuth org, then sends the browser to Salesforce's consent page with a `state` sealed with the
 *   companion's encryption key (AES-256-GCM: org, token, expiry, a nonce also set as an HttpOnly cookie), so any
 *   companion process can check it and nobody can forge or reuse it from another browser;
 * - `GET /oauth/callback` (the connected app's callback URL, `PUBLIC_URL/oauth/callback`) opens the state, checks
 *   the cookie and that the admin token is still valid, and has the code exchanged; the exchange refuses a sign-in
 *   to another org than the tenant's or as another user than its integration user (salesforce/connection.ts).
 *
 * Every page escapes what it shows (Salesforce's `error_description`, error messages).
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { route, type ApiContext, type RouteDef } from '../api/route';
import { cspHeader } from '../api/security';
import { hasRole } from '../domain/context';
import { isActiveAdminToken, listOAuthOrgs, tokenAndOrg } from '../domain/tenants';
import type { SecretBox } from '../lib/crypto';

/** What the engine offers for the web-server flow (StatisfySyncEngine has both). */
interface OAuthCapable {
    authorizeUrl(orgId: string, state: string): Promise<string>;
    completeOAuth(orgId: string, code: string): Promise<void>;
}

/** How long a started connection may take to come back (ms). */
export const STATE_TTL_MS = 10 * 60_000;
const COOKIE = 'statisfy_oauth';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
    return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res: Response, status: number, title: string, body: string): void {
    res.status(status)
        .type('html')
        .send(
            `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} | Statisfy</title>` +
                `<link rel="stylesheet" href="/assets/styles/salesforce-lightning-design-system.min.css"></head>` +
                `<body class="slds-p-around_xx-large" style="background:#f3f3f3"><main class="slds-card slds-p-around_large" style="max-width:40rem;margin:auto">` +
                `<h1 class="slds-text-heading_medium slds-m-bottom_small">${escapeHtml(title)}</h1>${body}` +
                `<p class="slds-m-top_medium"><a href="/">Back to Statisfy</a></p></main></body></html>`
        );
}

const text = (s: string) => `<p>${escapeHtml(s)}</p>`;

function capable(engine: unknown): engine is OAuthCapable {
    return (
        !!engine &&
        typeof (engine as OAuthCapable).authorizeUrl === 'function' &&
        typeof (engine as OAuthCapable).completeOAuth === 'function'
    );
}

const NOT_CONFIGURED =
    '<p>No org is set up for the OAuth web-server flow in this companion. Start it with ' +
    '<code>SF_AUTH_KIND=oauth</code>, <code>SF_LOGIN_URL</code>, <code>SF_CONSUMER_KEY</code>, ' +
    '<code>SF_CLIENT_SECRET</code>, <code>SF_USERNAME</code> and <code>PUBLIC_URL</code> (the connected ' +
    "app's callback URL is <code>PUBLIC_URL/oauth/callback</code>), then come back here. " +
    'See docs/companion-config.md.</p>';

/** What the sealed state carries. */
const statePayload = z.object({ o: z.string(), t: z.string(), n: z.string(), e: z.number() });
type StatePayload = z.infer<typeof statePayload>;

/** Seals the state with the encryption key (URL-safe). */
export function sealState(box: SecretBox, payload: StatePayload): string {
    return Buffer.from(box.encrypt(JSON.stringify(payload)), 'utf8').toString('base64url');
}

/** Opens a sealed state; null when it was altered, sealed with another key, or is not one. */
export function openState(box: SecretBox, state: string): StatePayload | null {
    try {
        const parsed = statePayload.safeParse(
            JSON.parse(box.decrypt(Buffer.from(state, 'base64url').toString('utf8')))
        );
        return parsed.success ? parsed.data : null;
    } catch {
        return null;
    }
}

function cookieValue(req: Request, name: string): string | undefined {
    for (const part of (req.headers.cookie ?? '').split(';')) {
        const [k, ...v] = part.trim().split('=');
        if (k === name) return v.join('=');
    }
    return undefined;
}

function tokenFrom(req: Request): string | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (match) return match[1];
    const body = req.body as Record<string, unknown> | undefined;
    return body && typeof body.token === 'string' && body.token.trim() ? body.token.trim() : undefined;
}

const startForm =
    '<p>Only an admin of this Statisfy org may connect it to Salesforce. Enter an admin API token ' +
    '(the one <code>npm start</code> prints, or <code>STATISFY_ADMIN_TOKEN</code>); then sign in to Salesforce ' +
    'as the integration user and allow the connected app.</p>' +
    '<form method="post" action="/oauth/salesforce/start" class="slds-m-top_medium">' +
    '<label class="slds-form-element__label" for="oauth-token">Admin API token</label>' +
    '<input class="slds-input" type="password" id="oauth-token" name="token" autocomplete="off" required>' +
    '<button class="slds-button slds-button_brand slds-m-top_small" type="submit">Continue to Salesforce</button></form>';

/** The routes of the flow. `secretBox` seals the state (the companion's encryption key). */
export function oauthRoutes(deps: { secretBox: SecretBox }): RouteDef[] {
    const oauthOrgs = (ctx: ApiContext) => listOAuthOrgs(ctx.dataSource);

    const startPage = async (_req: Request, res: Response, ctx: ApiContext) => {
        const orgs = await oauthOrgs(ctx);
        if (orgs.length === 0 || !capable(ctx.engine)) return page(res, 409, 'Connect Salesforce', NOT_CONFIGURED);
        // The form's answer redirects to Salesforce's login: allow those origins as form targets.
        const origins = [...new Set(orgs.map((o) => new URL(o.loginUrl).origin))];
        res.setHeader('Content-Security-Policy', cspHeader(origins));
        page(res, 200, 'Connect Salesforce', startForm);
    };

    const start = async (req: Request, res: Response, ctx: ApiContext) => {
        const token = tokenFrom(req);
        if (!token) return page(res, 401, 'Connect Salesforce', text('Enter an admin API token of this org.'));
        const { identity, org } = await tokenAndOrg(ctx.dataSource, token);
        if (!identity)
            return page(res, 401, 'Connect Salesforce', text('This API token is not valid (unknown or revoked).'));
        if (!hasRole(identity.role, 'admin'))
            return page(
                res,
                403,
                'Connect Salesforce',
                text(`Connecting Salesforce needs an admin token; this one is ${identity.role}.`)
            );
        if (!org || org.authKind !== 'oauth')
            return page(
                res,
                409,
                'Connect Salesforce',
                text('This org connects with the JWT bearer flow, not through this page.')
            );
        if (!capable(ctx.engine))
            return page(res, 503, 'Connect Salesforce', text('The sync engine is not running in this companion.'));
        const nonce = randomBytes(18).toString('base64url');
        const state = sealState(deps.secretBox, { o: org.id, t: identity.id, n: nonce, e: Date.now() + STATE_TTL_MS });
        res.cookie(COOKIE, nonce, {
            httpOnly: true,
            sameSite: 'lax',
            secure: req.secure,
            path: '/oauth/callback',
            maxAge: STATE_TTL_MS
        });
        res.redirect(303, await ctx.engine.authorizeUrl(org.id, state));
    };

    const callback = async (req: Request, res: Response, ctx: ApiContext) => {
        const q = req.query as Record<string, string | undefined>;
        res.clearCookie(COOKIE, { path: '/oauth/callback' });
        if (q.error) {
            return page(
                res,
                400,
                'Salesforce did not connect',
                text(`Salesforce answered: ${q.error_description ?? q.error}`)
            );
        }
        const pending = typeof q.state === 'string' ? openState(deps.secretBox, q.state) : null;
        const expired = () =>
            page(res, 400, 'Connect Salesforce', text('This sign-in link expired or was already used. Start again.'));
        if (!pending || pending.e < Date.now() || typeof q.code !== 'string' || !q.code) return expired();
        if (cookieValue(req, COOKIE) !== pending.n) {
            return page(
                res,
                400,
                'Connect Salesforce',
                text('This sign-in was started in another browser. Start again here.')
            );
        }
        if (!(await isActiveAdminToken(ctx.dataSource, pending.o, pending.t))) {
            return page(
                res,
                403,
                'Connect Salesforce',
                text('The admin token that started this connection is no longer valid.')
            );
        }
        if (!capable(ctx.engine))
            return page(res, 503, 'Connect Salesforce', text('The sync engine is not running in this companion.'));
        try {
            await ctx.engine.completeOAuth(pending.o, q.code);
        } catch (error) {
            const refused = (error as Error).name === 'SignInRefusedError';
            return page(res, refused ? 403 : 502, 'Salesforce did not connect', text(String((error as Error).message)));
        }
        res.redirect(303, '/#/sync');
    };

    const html = { mediaType: 'text/html', schema: { type: 'string' } };
    return [
        route({
            method: 'get',
            path: '/oauth/salesforce/start',
            role: null,
            tag: 'Web app',
            summary: '"Connect Salesforce": a page asking for an admin API token (or naming what to configure)',
            response: html,
            raw: startPage
        }),
        route({
            method: 'post',
            path: '/oauth/salesforce/start',
            role: null,
            tag: 'Web app',
            summary:
                "Starts the OAuth web-server flow: an admin token of an OAuth org redirects (303) to Salesforce's consent page",
            description:
                'The token comes as the form field `token` (application/x-www-form-urlencoded) or as `Authorization: Bearer`. ' +
                '401 unknown token, 403 not admin, 409 the org does not use OAuth.',
            response: html,
            raw: start
        }),
        route({
            method: 'get',
            path: '/oauth/callback',
            role: null,
            tag: 'Web app',
            summary:
                "The connected app's callback: checks the state, the org and the user, exchanges the code, stores the refresh token, starts the sync",
            description: '403 when the sign-in is to another org or as another user than the tenant expects.',
            response: html,
            raw: callback
        })
    ];
}
