/**
 * Operations endpoints: liveness, readiness, Prometheus metrics. No token needed.
 */
import { z } from 'zod';
import { completeConnect } from '../domain/connect';
import { ref } from './responses';
import { route, type RouteDef } from './route';

export const opsRoutes: RouteDef[] = [
    route({
        method: 'get',
        path: '/oauth/callback',
        role: null,
        tag: 'Org',
        summary:
            'Where Salesforce returns the browser after consent (OAuth web-server flow); answers a short HTML page',
        query: z.object({
            code: z.string().max(2000).optional(),
            state: z.string().max(2000).optional(),
            error: z.string().max(200).optional(),
            error_description: z.string().max(2000).optional()
        }),
        response: { mediaType: 'text/html', schema: { type: 'string' } },
        raw: async (req, res, ctx) => {
            const query = req.query as Record<string, string | undefined>;
            const page = (status: number, title: string, text: string) =>
                res
                    .status(status)
                    .type('html')
                    .send(
                        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
                            `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`
                    );
            try {
                await completeConnect(ctx, {
                    code: query.code,
                    state: query.state,
                    error: query.error,
                    error_description: query.error_description
                });
                page(
                    200,
                    'Salesforce connected',
                    'Statisfy is connected to your org and starts syncing. You can close this window.'
                );
            } catch (error) {
                const appError = ctx.errors.handle(error, 'oauth-callback');
                page(appError.httpStatus, 'Salesforce not connected', appError.message);
            }
        }
    }),
    route({
        method: 'get',
        path: '/healthz',
        role: null,
        tag: 'Operations',
        summary: 'Liveness: the process answers',
        response: ref('Health'),
        handler: async () => ({ status: 'ok' })
    }),
    route({
        method: 'get',
        path: '/readyz',
        role: null,
        tag: 'Operations',
        summary: 'Readiness: database reachable, migrations done, engine started (worker roles); 503 otherwise',
        response: ref('Readiness'),
        raw: async (_req, res, ctx) => {
            const result = await ctx.readiness();
            res.status(result.ready ? 200 : 503).json(result);
        }
    }),
    route({
        method: 'get',
        path: '/metrics',
        role: null,
        tag: 'Operations',
        summary: 'Prometheus metrics: sync lag, pending and failed edits, API calls, events applied, HTTP',
        response: { mediaType: 'text/plain; version=0.0.4', schema: { type: 'string' } },
        raw: async (_req, res, ctx) => {
            const body = await ctx.metrics.registry.metrics();
            res.setHeader('Content-Type', ctx.metrics.registry.contentType);
            res.send(body);
        }
    })
];

function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
