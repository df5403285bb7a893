import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventBus } from './event-bus';
import type { PayloadFormat } from './schema';

/**
 * An express-compatible handler for `GET /services/data/vNN.N/event/eventSchema/:schemaId`
 * (`?payloadFormat=EXPANDED|COMPACT`, default EXPANDED). Authentication is the REST layer's job:
 * mount it behind the same session check as the rest of `/services/data`.
 *
 * Unknown ids get 404 `[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`;
 * a bad payloadFormat gets 400 `INVALID_QUERY_PARAMETER_VALUE`, Salesforce's usual REST error shape.
 */
export function eventSchemaHandler(
    bus: EventBus
): (req: IncomingMessage & { params?: Record<string, string> }, res: ServerResponse) => void {
    return (req, res) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const schemaId = req.params?.schemaId ?? decodeURIComponent(url.pathname.split('/').pop() ?? '');
        const formatParam = url.searchParams.get('payloadFormat');
        const format = (formatParam ?? 'EXPANDED').toUpperCase();
        if (format !== 'EXPANDED' && format !== 'COMPACT')
            return reply(res, 400, [
                {
                    errorCode: 'INVALID_QUERY_PARAMETER_VALUE',
                    message: `Invalid value for payloadFormat: ${formatParam}. Use EXPANDED or COMPACT.`
                }
            ]);
        const doc = bus.eventSchema(schemaId, format as PayloadFormat);
        if (!doc)
            return reply(res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
        reply(res, 200, doc);
    };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
        'Content-Type': 'application/json;charset=UTF-8',
        'Content-Length': Buffer.byteLength(text)
    });
    res.end(text);
}
