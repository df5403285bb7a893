/**
 * Operations endpoints: liveness, readiness, Prometheus metrics. No API token needed; /metrics is guarded by
 * METRICS_TOKEN (api/security.ts).
 */
import { ref } from './responses';
import { route, type RouteDef } from './route';

export const opsRoutes: RouteDef[] = [
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
        description:
            'Send `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set; without it only loopback clients are ' +
            'answered, and never in production (docs/operating.md, Metrics).',
        response: { mediaType: 'text/plain; version=0.0.4', schema: { type: 'string' } },
        raw: async (_req, res, ctx) => {
            const body = await ctx.metrics.registry.metrics();
            res.setHeader('Content-Type', ctx.metrics.registry.contentType);
            res.send(body);
        }
    })
];
