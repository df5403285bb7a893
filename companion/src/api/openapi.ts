/**
 * The OpenAPI 3.1 document, generated from the routes the server mounts (request and response schemas from zod),
 * served at /api/v1/openapi.json. Named answers (responses.ts) become `components.schemas`; an answer built for
 * one route (a list) becomes `<operationId>Response` there, so every response is a `$ref`.
 */
import { z } from 'zod';
import { responseSchemas } from './responses';
import type { JsonSchema, RouteDef } from './route';

/** The operationId of a route, e.g. `getApiV1ObjectsObjectRecords`. */
export function operationId(def: Pick<RouteDef, 'method' | 'path'>): string {
    return `${def.method}${def.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;
}

/** The zod schema of a route's JSON answer, or null (no body, or not JSON). */
export function responseSchemaOf(def: RouteDef): z.ZodType | null {
    return def.response instanceof z.ZodType ? def.response : null;
}

/** components.schemas for these routes, and the component name of each route's answer. */
function responseComponents(routes: RouteDef[]): { schemas: Record<string, JsonSchema>; names: Map<RouteDef, string> } {
    const registry = z.registry<{ id: string }>();
    const bySchema = new Map<z.ZodType, string>();
    for (const [name, schema] of Object.entries(responseSchemas)) {
        registry.add(schema, { id: name });
        bySchema.set(schema, name);
    }
    const names = new Map<RouteDef, string>();
    for (const def of routes) {
        const schema = responseSchemaOf(def);
        if (!schema) continue;
        let name = bySchema.get(schema);
        if (!name) {
            name = `${operationId(def)[0].toUpperCase()}${operationId(def).slice(1)}Response`;
            registry.add(schema, { id: name });
            bySchema.set(schema, name);
        }
        names.set(def, name);
    }
    const generated = z.toJSONSchema(registry, {
        uri: (id) => `#/components/schemas/${id}`,
        io: 'input',
        unrepresentable: 'any'
    }) as { schemas: Record<string, JsonSchema> };
    for (const schema of Object.values(generated.schemas)) {
        delete schema.$schema;
        delete schema.$id;
    }
    return { schemas: generated.schemas, names };
}

function toSchema(schema: z.ZodType): JsonSchema {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    delete json.$schema;
    return json;
}

function parameters(def: RouteDef): unknown[] {
    const out: unknown[] = [];
    for (const [where, schema] of [
        ['path', def.params],
        ['query', def.query]
    ] as const) {
        if (!schema) continue;
        const json = toSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
        for (const [name, prop] of Object.entries(json.properties ?? {})) {
            out.push({
                name,
                in: where,
                required: where === 'path' || (json.required ?? []).includes(name),
                ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
                schema: prop
            });
        }
    }
    return out;
}

const errorResponse = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } }
});

/** Builds the document for these routes. */
export function buildOpenApi(routes: RouteDef[], version: string): JsonSchema {
    const paths: Record<string, Record<string, unknown>> = {};
    const components = responseComponents(routes);
    for (const def of routes) {
        const path = def.path.replace(/:([A-Za-z]+)/g, '{$1}');
        const status = String(def.status ?? 200);
        const named = components.names.get(def);
        const media = def.response as { mediaType?: string; schema?: JsonSchema };
        const success =
            status === '204'
                ? { description: 'Done' }
                : {
                      description: 'OK',
                      content: named
                          ? { 'application/json': { schema: { $ref: `#/components/schemas/${named}` } } }
                          : media.mediaType
                            ? { [media.mediaType]: { schema: media.schema } }
                            : { 'application/json': { schema: def.response } }
                  };
        const responses: Record<string, unknown> = { [status]: success };
        if (def.params || def.query || def.body)
            responses['400'] = errorResponse('Malformed request (the problem is named)');
        else responses['400'] = errorResponse('Malformed path or query (bad percent-encoding, NUL)');
        if (def.role) {
            responses['401'] = errorResponse('No or unknown token');
            responses['403'] = errorResponse(`Role below ${def.role}`);
            responses['429'] = errorResponse('Too many failed token attempts from this address (see Retry-After)');
        }
        if (def.params) responses['404'] = errorResponse('Not found in this org');
        if (def.role)
            responses['503'] = errorResponse('A part this request needs is not running (the sync engine, the org)');
        if (def.method !== 'get')
            responses['409'] = errorResponse('Conflicts with the current state (the message says why)');
        if (def.method !== 'get') responses['422'] = errorResponse('Refused by a rule (details name each problem)');
        if (def.path === '/readyz')
            responses['503'] = {
                description: 'Not ready',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } }
            };
        if (def.path === '/metrics') {
            responses['401'] = errorResponse(
                'METRICS_TOKEN is set and the request does not carry it as a bearer token'
            );
            responses['403'] = errorResponse('No METRICS_TOKEN: only loopback clients outside production are answered');
        }
        paths[path] ??= {};
        paths[path][def.method] = {
            operationId: operationId(def),
            tags: [def.tag],
            summary: def.summary,
            ...(def.description ? { description: def.description } : {}),
            ...(def.role ? { security: [{ bearer: [] }], 'x-required-role': def.role } : { security: [] }),
            parameters: parameters(def),
            ...(def.body
                ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(def.body) } } } }
                : {}),
            responses
        };
    }
    return {
        openapi: '3.1.0',
        info: {
            title: 'Statisfy companion REST API',
            version,
            description:
                'The Statisfy side of Statisfy for Salesforce. Authorization: Bearer <token>; the token decides the org. ' +
                'Errors are {"error":{"code","message","details"?}}.'
        },
        servers: [{ url: '/' }],
        components: {
            securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token of the org' } },
            schemas: components.schemas
        },
        security: [{ bearer: [] }],
        paths
    };
}
