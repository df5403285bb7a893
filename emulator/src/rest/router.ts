/**
 * HTTP front of the REST data plane: `/services/data` (versions list) and `/services/data/vNN.N/…`
 * with session check, fault rules, API-call accounting, `Sforce-Limit-Info`, JSON body parsing
 * (`JSON_PARSER_ERROR`) and Salesforce's content type on every reply. Also the SOAP partner
 * `undelete()` call, which has no REST equivalent.
 */
import express, { type Request, type Response, type Router } from 'express';
import { bearerToken } from '../auth/router';
import type { Org } from '../org';
import { to18 } from '../store/ids';
import { DmlError } from '../store/store';
import type { RestApi } from './api';
import { errorReply, type Reply } from './reply';
import { versionRefusal, versionsList } from './versions';

/** Salesforce's JSON content type. */
export const JSON_UTF8 = 'application/json;charset=UTF-8';

/** Writes a REST reply. */
export function send(res: Response, reply: Reply, limitInfo: string | null): void {
    if (limitInfo) res.setHeader('Sforce-Limit-Info', limitInfo);
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    if (reply.text !== undefined) {
        res.status(reply.status)
            .type(reply.contentType ?? 'text/plain')
            .send(reply.text);
        return;
    }
    res.status(reply.status);
    if (reply.body === undefined || reply.status === 204) {
        res.end();
        return;
    }
    const text = JSON.stringify(reply.body);
    res.setHeader('Content-Type', JSON_UTF8);
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Applies the fault rules to a request; returns true when a fault answered it. */
export async function applyFaults(
    org: Org,
    req: Request,
    res: Response,
    path: string,
    objects: string[]
): Promise<boolean> {
    const f = org.faults.match(req.method, path, objects);
    if (!f) return false;
    if (f.latencyMs > 0) await sleep(f.latencyMs);
    if (!f.error) return false;
    send(res, errorReply(f.error.status, f.error.errorCode, f.error.message), null);
    return true;
}

/** The `/services/data` router. `onWrite` is called after requests that may have changed data. */
export function createDataRouter(org: Org, api: RestApi, onWrite: () => void): Router {
    const router = express.Router();
    router.use(express.text({ type: () => true, limit: '200mb' }));

    router.get('/', (_req, res) => {
        send(res, { status: 200, body: versionsList() }, null);
    });

    router.all(/^\/v(\d+\.\d)(\/.*)?$/, async (req, res) => {
        const m = /^\/v(\d+\.\d)(\/.*)?$/.exec(req.path)!;
        const version = m[1];
        const path = (m[2] ?? '').replace(/\/+$/, '');
        const refusal = versionRefusal(version);
        if (refusal) {
            send(res, refusal, null);
            return;
        }
        const token = bearerToken(req);
        const session = token ? org.auth.validate(token) : null;
        if (!session) {
            send(
                res,
                { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] },
                null
            );
            return;
        }
        const raw = typeof req.body === 'string' ? req.body : '';
        const headers: Record<string, string | undefined> = {};
        for (const [k, hv] of Object.entries(req.headers)) headers[k] = Array.isArray(hv) ? hv.join(',') : hv;
        const isCsv = /text\/csv/i.test(headers['content-type'] ?? '');
        let body: unknown = undefined;
        if (raw.trim() !== '' && !isCsv) {
            try {
                body = JSON.parse(raw);
            } catch (e) {
                org.api.count(api.endpointOf(req.method, path));
                send(
                    res,
                    errorReply(
                        400,
                        'JSON_PARSER_ERROR',
                        `Unexpected character in the request body: ${(e as Error).message}`
                    ),
                    org.api.header()
                );
                return;
            }
        }
        const query = new URL(req.originalUrl, 'http://emulator').searchParams;
        if (
            await applyFaults(
                org,
                req,
                res,
                req.originalUrl.split('?')[0],
                api.objectsOf(req.method, path, body, query)
            )
        )
            return;
        if (!org.api.count(api.endpointOf(req.method, path), headers['sforce-call-options'])) {
            send(res, errorReply(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), org.api.header());
            return;
        }
        const reply = api.handle({
            method: req.method,
            path,
            query,
            body,
            raw,
            headers,
            userId: session.userId,
            version
        });
        send(res, reply, org.api.header());
        if (req.method !== 'GET') onWrite();
    });
    return router;
}

/** Handles the SOAP partner API's `undelete()` (jsforce `conn.soap.undelete`); other calls go on to auth. */
export function createSoapDataHandler(org: Org, onWrite: () => void): express.RequestHandler {
    const text = express.text({ type: () => true, limit: '10mb' });
    return (req, res, next) => {
        text(req, res, (err?: unknown) => {
            if (err) return next(err);
            const body = typeof req.body === 'string' ? req.body : '';
            if (!/<(\w+:)?undelete[\s>]/.test(body)) return next();
            const sid = /<(?:\w+:)?sessionId>([^<]+)</.exec(body)?.[1];
            const session = sid ? org.auth.validate(sid) : null;
            const xml = (inner: string) =>
                `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;
            res.type('text/xml;charset=UTF-8');
            if (!session) {
                res.status(500).send(
                    xml(
                        '<soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring></soapenv:Fault>'
                    )
                );
                return;
            }
            org.api.count('POST /services/Soap/u undelete');
            const ids = [...body.matchAll(/<(?:\w+:)?ids>([^<]*)</g)].map((x) => x[1].trim());
            const results: string[] = [];
            for (const id of ids) {
                try {
                    org.store.run(session.userId, (tx) => {
                        tx.nextOp();
                        org.store.undelete(tx, null, id);
                    });
                    results.push(`<result><id>${to18(id)}</id><success>true</success></result>`);
                } catch (e) {
                    const err = e instanceof DmlError ? e : new DmlError('UNKNOWN_EXCEPTION', String(e));
                    results.push(
                        `<result><errors>${err.fields.map((f) => `<fields>${f}</fields>`).join('')}<message>${err.message}</message><statusCode>${err.statusCode}</statusCode></errors><id xsi:nil="true"/><success>false</success></result>`
                    );
                }
            }
            res.status(200).send(xml(`<undeleteResponse>${results.join('')}</undeleteResponse>`));
            onWrite();
        });
    };
}
