/**
 * A route of the API, declared once: the router validates and dispatches from it, the OpenAPI document describes it.
 */
import type { Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import type { Role } from '../data/types';
import type { Actor } from '../domain/context';
import type { OrgSchemaProvider, SyncEngine } from '../domain/ports';
import type { ErrorHandler } from '../lib/errors';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';

/** What handlers reach. */
export interface ApiContext {
    dataSource: DataSource;
    metrics: Metrics;
    logger: Logger;
    /** The process's one error handler (for routes answering errors themselves). */
    errors: ErrorHandler;
    schema?: OrgSchemaProvider;
    engine?: SyncEngine;
    /** Readiness: true once migrations ran and (in worker roles) the engine started. */
    readiness(): Promise<{ ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> }>;
}

/** A JSON Schema (OpenAPI 3.1 dialect). */
export type JsonSchema = Record<string, unknown>;

/** Validated input of a handler. */
export interface RouteInput<P, Q, B> {
    actor: Actor;
    params: P;
    query: Q;
    body: B;
}

/** One route. */
export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
    method: 'get' | 'post' | 'patch' | 'delete';
    /** Express path, e.g. `/api/v1/objects/:object`. */
    path: string;
    /** Least role allowed; null = no token needed. */
    role: Role | null;
    tag: string;
    summary: string;
    description?: string;
    params?: z.ZodType<P>;
    query?: z.ZodType<Q>;
    body?: z.ZodType<B>;
    /** Success status (default 200). */
    status?: number;
    /**
     * Schema of the success body: a zod schema (responses.ts; the document and the answer-validating tests use
     * it), a media type for non-JSON answers, or `{}` when there is no body (204).
     */
    response: z.ZodType | { mediaType: string; schema: JsonSchema } | JsonSchema;
    handler?: (input: RouteInput<P, Q, B>, ctx: ApiContext) => Promise<unknown>;
    /** For answers that are not JSON (metrics) or need the raw response. */
    raw?: (req: Request, res: Response, ctx: ApiContext) => Promise<void>;
}

/** Declares a route with typed input (inference helper). */
export function route<P, Q, B>(def: RouteDef<P, Q, B>): RouteDef {
    return def as unknown as RouteDef;
}
