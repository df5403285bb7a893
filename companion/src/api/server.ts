/**
 * The Express application: request context and logging, metrics, the edge's protections (security.ts: headers,
 * malformed input, failed-token throttling, /metrics guard), bearer authentication, role checks, zod validation,
 * the routes, and the one error handler.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { hasRole, type Actor } from '../domain/context';
import { identify } from './identify';
import { AppError, forbidden, fromZodError, notFound, type ErrorHandler } from '../lib/errors';
import { extendLogContext, requestIdFrom, withLogContext } from '../lib/logger';
import { buildOpenApi } from './openapi';
import { opsRoutes } from './ops';
import type { ApiContext, RouteDef } from './route';
import { apiRoutes } from './routes';
import {
    failedTokenThrottle,
    metricsGuard,
    noStore,
    securityHeaders,
    wellFormedBody,
    wellFormedPath,
    wellFormedQuery,
    type HttpSecurityOptions
} from './security';

/** Every route the server answers, for the OpenAPI document and tests. */
export const allRoutes: RouteDef[] = [...apiRoutes, ...opsRoutes];

const API_VERSION = '1.0.0';

function parse<T>(
    schema:
        | { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }
        | undefined,
    value: unknown,
    where: string
): T {
    if (!schema) return undefined as T;
    // No body at all is an empty object; a body of `null` (or any non-object) is the schema's to refuse.
    const result = schema.safeParse(value === undefined ? {} : value);
    if (!result.success) throw fromZodError(result.error, where);
    return result.data;
}

async function actorFrom(req: Request, ctx: ApiContext): Promise<Actor> {
    const identity = await identify(req, ctx);
    extendLogContext({ orgId: identity.orgId });
    return { orgId: identity.orgId, role: identity.role, name: `token:${identity.name}` };
}

function mount(app: express.Express, def: RouteDef, ctx: ApiContext): void {
    app[def.method](def.path, async (req: Request, res: Response) => {
        res.locals.route = def.path;
        if (def.raw) return def.raw(req, res, ctx);
        const actor = def.role
            ? await actorFrom(req, ctx)
            : ({ orgId: '', role: 'viewer', name: 'anonymous' } as Actor);
        if (def.role && !hasRole(actor.role, def.role)) {
            throw forbidden(`This needs the ${def.role} role; the token has ${actor.role}`);
        }
        if (def.body && !req.is('application/json')) {
            throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Expected a JSON body (Content-Type: application/json)', 415);
        }
        const input = {
            actor,
            params: parse(def.params, req.params, 'path'),
            query: parse(def.query, req.query, 'query'),
            body: parse(def.body, req.body, 'body')
        };
        const result = await def.handler!(input, ctx);
        const status = def.status ?? 200;
        if (status === 204 || result === undefined) res.status(status).end();
        else res.status(status).json(result);
    });
}

/** The document's own route (its handler is set when the document is built). */
const openApiRoute: RouteDef = {
    method: 'get',
    path: '/api/v1/openapi.json',
    role: null,
    tag: 'Operations',
    summary: 'This OpenAPI 3.1 document',
    response: { type: 'object' }
};

/**
 * Builds the Express app. `errors` is the process's one error handler. With `api: false` (ROLE=worker) only the
 * operations endpoints are served.
 */
export function createExpressApp(
    ctx: ApiContext,
    errors: ErrorHandler,
    options: {
        api?: boolean;
        web?: { routes: RouteDef[]; router: express.Router };
        /** Throttling and /metrics settings (from the configuration). */
        security?: HttpSecurityOptions;
    } = {}
): express.Express {
    const app = express();
    app.disable('x-powered-by');
    app.set('query parser', 'simple');

    app.use((req, res, next) => {
        const requestId = requestIdFrom(req.header('x-request-id'));
        res.setHeader('X-Request-Id', requestId);
        const started = process.hrtime.bigint();
        res.on('finish', () => {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            const routePath = (res.locals.route as string | undefined) ?? 'unmatched';
            ctx.metrics.httpRequests.inc({ method: req.method, route: routePath, status: String(res.statusCode) });
            ctx.metrics.httpDuration.observe({ method: req.method, route: routePath }, seconds);
            withLogContext({ requestId }, () =>
                ctx.logger.info(
                    { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 },
                    'request'
                )
            );
        });
        withLogContext({ requestId }, () => next());
    });
    app.use(securityHeaders());
    app.use(noStore);
    app.use(wellFormedPath);
    app.use(['/api', '/oauth', '/metrics'], failedTokenThrottle(options.security));
    app.use(metricsGuard(options.security));
    app.use(express.json({ limit: '1mb', strict: false }));
    // The OAuth start form posts its token form-encoded.
    app.use('/oauth', express.urlencoded({ extended: false, limit: '4kb' }));
    app.use(wellFormedBody);
    app.use(wellFormedQuery);

    const web = options.api === false ? undefined : options.web;
    const routes = [...(options.api === false ? [] : apiRoutes), ...(web?.routes ?? []), ...opsRoutes];
    const openapi = buildOpenApi([openApiRoute, ...routes], API_VERSION);
    mount(app, { ...openApiRoute, handler: async () => openapi }, ctx);
    for (const def of routes) mount(app, def, ctx);
    if (web) app.use(web.router);

    app.use((req: Request, _res: Response, next: NextFunction) => next(notFound(`No route ${req.method} ${req.path}`)));
    app.use(errors.express());
    return app;
}
