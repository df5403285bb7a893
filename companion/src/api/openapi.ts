/**
 * The OpenAPI 3.1 document, generated from the route table (request schemas from zod), served at
 * /api/v1/openapi.json.
 */
import { z } from 'zod';
import { schemas } from './responses';
import type { JsonSchema, RouteDef } from './route';

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
    for (const def of routes) {
        const path = def.path.replace(/:([A-Za-z]+)/g, '{$1}');
        const status = String(def.status ?? 200);
        const response = def.response as { mediaType?: string; schema?: JsonSchema };
        const success =
            status === '204'
                ? { description: 'Done' }
                : {
                      description: 'OK',
                      content: response.mediaType
                          ? { [response.mediaType]: { schema: response.schema } }
                          : { 'application/json': { schema: def.response } }
                  };
        const responses: Record<string, unknown> = { [status]: success };
        if (def.params || def.query || def.body)
            responses['400'] = errorResponse('Malformed request (the problem is named)');
        if (def.role) {
            responses['401'] = errorResponse('No or unknown token');
            responses['403'] = errorResponse(`Role below ${def.role}`);
        }
        if (def.params) responses['404'] = errorResponse('Not found in this org');
        if (def.method !== 'get') responses['422'] = errorResponse('Refused by a rule (details name each problem)');
        if (def.path === '/readyz')
            responses['503'] = { description: 'Not ready', content: { 'application/json': { schema: def.response } } };
        paths[path] ??= {};
        paths[path][def.method] = {
            operationId: `${def.method}${def.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
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
            schemas
        },
        security: [{ bearer: [] }],
        paths
    };
}
