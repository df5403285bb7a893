/**
 * Composite (`POST /composite`, up to 25 subrequests, `@{ref.path}` references, allOrNone in one
 * transaction) and Composite Batch (`POST /composite/batch`, independent subrequests, haltOnError).
 * Subrequests go back through `dispatch`, the same pure handler the HTTP router calls.
 */
import type { Org } from '../org';
import type { Transaction } from '../store/store';
import { errorReply, notFound, type Call, type Reply } from './reply';

/** Handles one REST call (the API's own entry point, for subrequests). */
export type Dispatch = (call: Call) => Reply;

function isHeavy(method: string, url: string): boolean {
    return /\/(query|queryAll)(\/|\?|$)/.test(url) || /\/composite\/sobjects/.test(url);
}

export function composite(org: Org, call: Call, dispatch: Dispatch): Reply {
    const b = call.body as
        { allOrNone?: unknown; compositeRequest?: unknown; collateSubrequests?: unknown } | undefined;
    if (!b || typeof b !== 'object' || !Array.isArray(b.compositeRequest))
        return errorReply(
            400,
            'JSON_PARSER_ERROR',
            "The request body must be a JSON object with a 'compositeRequest' array"
        );
    const subs = b.compositeRequest as Array<Record<string, unknown>>;
    if (subs.length === 0)
        return errorReply(400, 'INVALID_API_INPUT', 'compositeRequest must contain at least one subrequest');
    if (subs.length > 25)
        return errorReply(
            400,
            'LIMIT_EXCEEDED',
            `A composite request can contain at most 25 subrequests; this one has ${subs.length}.`
        );
    const refs = new Set<string>();
    let heavy = 0;
    for (const [i, s] of subs.entries()) {
        if (!s || typeof s !== 'object')
            return errorReply(400, 'JSON_PARSER_ERROR', `compositeRequest[${i}] must be an object`);
        if (
            typeof s.method !== 'string' ||
            !['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD'].includes(s.method.toUpperCase())
        )
            return errorReply(
                400,
                'INVALID_API_INPUT',
                `compositeRequest[${i}].method is missing or not an HTTP method`
            );
        if (typeof s.url !== 'string')
            return errorReply(400, 'INVALID_API_INPUT', `compositeRequest[${i}].url is required`);
        if (typeof s.referenceId !== 'string' || !/^[A-Za-z0-9_]+$/.test(s.referenceId))
            return errorReply(
                400,
                'INVALID_API_INPUT',
                `compositeRequest[${i}].referenceId is required and must be alphanumeric`
            );
        if (refs.has(s.referenceId))
            return errorReply(400, 'INVALID_API_INPUT', `Duplicate referenceId: ${s.referenceId}`);
        refs.add(s.referenceId);
        const hh = s.httpHeaders as Record<string, unknown> | undefined;
        if (hh && Object.keys(hh).some((k) => ['accept', 'authorization', 'content-type'].includes(k.toLowerCase())))
            return errorReply(
                400,
                'INVALID_API_INPUT',
                `compositeRequest[${i}]: the Accept, Authorization and Content-Type headers cannot be set on a subrequest`
            );
        if (isHeavy(s.method, s.url)) heavy++;
    }
    if (heavy > 5)
        return errorReply(
            400,
            'LIMIT_EXCEEDED',
            `A composite request can contain at most 5 query or sObject Collections subrequests; this one has ${heavy}.`
        );
    const allOrNone = b.allOrNone === true;
    const store = org.store;
    const tx = allOrNone ? (call.tx ?? store.begin(call.userId)) : undefined;
    const start = tx?.savepoint();
    const results = new Map<string, { status: number; body: unknown }>();
    const out: Array<Record<string, unknown>> = [];
    const halted = (referenceId: string) => ({
        body: [
            {
                errorCode: 'PROCESSING_HALTED',
                message: 'The transaction was rolled back since another operation in the same transaction failed.'
            }
        ],
        httpHeaders: {},
        httpStatusCode: 400,
        referenceId
    });
    let failedAt = -1;
    for (const [i, s] of subs.entries()) {
        const referenceId = s.referenceId as string;
        let reply: Reply;
        try {
            const url = resolveRefs(s.url as string, results, true) as string;
            const body = s.body === undefined ? undefined : resolveRefs(s.body, results, false);
            reply = subrequest(
                dispatch,
                call,
                (s.method as string).toUpperCase(),
                url,
                body,
                (s.httpHeaders ?? {}) as Record<string, string>,
                tx
            );
        } catch (e) {
            if (e instanceof RefError) reply = errorReply(400, 'PROCESSING_HALTED', e.message);
            else throw e;
        }
        results.set(referenceId, { status: reply.status, body: reply.body });
        out.push({
            body: reply.body ?? null,
            httpHeaders: reply.headers ?? {},
            httpStatusCode: reply.status,
            referenceId
        });
        if (allOrNone && reply.status >= 400) {
            failedAt = i;
            break;
        }
    }
    if (allOrNone && tx) {
        if (failedAt >= 0) {
            if (call.tx) store.rollbackTo(tx, start!);
            else store.rollback(tx);
            const final = subs.map((s, i) => (i === failedAt ? out[i] : halted(s.referenceId as string)));
            return { status: 200, body: { compositeResponse: final } };
        }
        if (!call.tx) store.commit(tx);
    }
    return { status: 200, body: { compositeResponse: out } };
}

function subrequest(
    dispatch: Dispatch,
    call: Call,
    method: string,
    url: string,
    body: unknown,
    headers: Record<string, string>,
    tx: Transaction | undefined
): Reply {
    const u = new URL(url, 'http://emulator');
    const m = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(u.pathname);
    if (!m) return notFound();
    const lower: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = String(v);
    return dispatch({
        method,
        path: m[2] ?? '',
        query: u.searchParams,
        body,
        raw: body === undefined ? '' : JSON.stringify(body),
        headers: lower,
        userId: call.userId,
        version: m[1],
        tx
    });
}

/** Replaces `@{ref.path}` references with values from earlier subrequest results. */
function resolveRefs(v: unknown, results: Map<string, { status: number; body: unknown }>, inUrl: boolean): unknown {
    if (typeof v === 'string') {
        const whole = /^@\{([^}]+)\}$/.exec(v);
        if (whole && !inUrl) return lookupRef(whole[1], results);
        return v.replace(/@\{([^}]+)\}/g, (_m, expr: string) => {
            const x = lookupRef(expr, results);
            return inUrl ? encodeURIComponent(String(x)) : String(x);
        });
    }
    if (Array.isArray(v)) return v.map((x) => resolveRefs(x, results, inUrl));
    if (v && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) out[k] = resolveRefs(x, results, inUrl);
        return out;
    }
    return v;
}

function lookupRef(expr: string, results: Map<string, { status: number; body: unknown }>): unknown {
    const parts = expr.match(/[^.[\]]+/g) ?? [];
    const ref = parts[0] ?? '';
    const r = results.get(ref);
    const fail = () =>
        new RefError(
            `Invalid reference specified. No value for ${expr} found in ${ref}. Provided referenceId ('${ref}') must be defined in a prior subrequest and must be valid.`
        );
    if (!r || r.status >= 400) throw fail();
    let cur: unknown = r.body;
    for (const p of parts.slice(1)) {
        if (cur === null || typeof cur !== 'object') throw fail();
        cur = (cur as Record<string, unknown>)[p];
    }
    if (cur === undefined || (cur !== null && typeof cur === 'object')) throw fail();
    return cur;
}

export function batch(org: Org, call: Call, dispatch: Dispatch): Reply {
    const b = call.body as { batchRequests?: unknown; haltOnError?: unknown } | undefined;
    if (!b || !Array.isArray(b.batchRequests))
        return errorReply(
            400,
            'JSON_PARSER_ERROR',
            "The request body must be a JSON object with a 'batchRequests' array"
        );
    if (b.batchRequests.length > 25)
        return errorReply(
            400,
            'LIMIT_EXCEEDED',
            `A batch request can contain at most 25 subrequests; this one has ${b.batchRequests.length}.`
        );
    const results: Array<Record<string, unknown>> = [];
    let hasErrors = false;
    let halted = false;
    for (const s of b.batchRequests as Array<Record<string, unknown>>) {
        if (halted) {
            results.push({
                statusCode: 412,
                result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' }]
            });
            continue;
        }
        const url = `/services/data/v${call.version}/${String(s.url ?? '')
            .replace(/^\/?(services\/data\/)?v\d+\.\d\//, '')
            .replace(/^\//, '')}`;
        const r = subrequest(dispatch, call, String(s.method ?? 'GET').toUpperCase(), url, s.richInput, {}, undefined);
        if (r.status >= 400) {
            hasErrors = true;
            if (b.haltOnError === true) halted = true;
        }
        results.push({ statusCode: r.status, result: r.body ?? null });
    }
    return { status: 200, body: { hasErrors, results } };
}
/** A `@{ref}` that names no earlier result: the subrequest fails with PROCESSING_HALTED. */
class RefError extends Error {}
