/**
 * The REST data plane of the emulated org (`/services/data/vNN.N/...`) as a pure request → reply
 * function, so the HTTP router and Composite subrequests share one implementation. This file only
 * routes: each resource lives in its own module (describe, sobjects, query, collections, composite,
 * events, limits, Bulk API 2.0 in `bulk.ts`) around the shared shapes of `reply.ts`.
 */
import type { Org } from '../org';
import type { FieldSchema, ObjectSchema } from '../schema/types';
import { SoqlError } from '../soql';
import { DmlError, type Rec } from '../store/store';
import { BulkApi } from './bulk';
import { collections } from './collections';
import { batch, composite } from './composite';
import { eventSchemaById } from './events';
import { limits } from './limits';
import { query, queryMore } from './query';
import { dmlReply, errorReply, notAllowed, notFound, type Call, type Reply } from './reply';
import { recordJson, sobjects } from './sobjects';
import { sobjectTree } from './tree';

/** The REST API of one org. */
export class RestApi {
    readonly bulk: BulkApi;

    constructor(readonly org: Org) {
        this.bulk = new BulkApi(org);
    }

    /** The entry point Composite subrequests go back through. */
    private readonly dispatch = (call: Call): Reply => this.handle(call);

    /** A record in REST JSON form (all fields, or `fields` in that order). */
    recordJson(o: ObjectSchema, rec: Rec, version: string, fields?: FieldSchema[]): Record<string, unknown> {
        return recordJson(this.org, o, rec, version, fields);
    }

    /** Objects a request touches (for fault rules). */
    objectsOf(method: string, path: string, body: unknown, query: URLSearchParams): string[] {
        const out: string[] = [];
        const m = /^\/(?:sobjects|composite\/sobjects|composite\/tree)\/([A-Za-z0-9_]+)/.exec(path);
        if (m) out.push(m[1]);
        const q = query.get('q');
        if (q) {
            const f = /\bfrom\s+([A-Za-z0-9_]+)/i.exec(q);
            if (f) out.push(f[1]);
        }
        const recs = (body as { records?: unknown })?.records;
        if (Array.isArray(recs))
            for (const r of recs) {
                const t = (r as { attributes?: { type?: unknown } })?.attributes?.type;
                if (typeof t === 'string' && !out.includes(t)) out.push(t);
            }
        const ids = query.get('ids');
        if (ids)
            for (const id of ids.split(',')) {
                const o = this.org.schema.byPrefix(id);
                if (o && !out.includes(o.name)) out.push(o.name);
            }
        if (method === 'POST' && path === '/jobs/ingest') {
            const o = (body as { object?: unknown })?.object;
            if (typeof o === 'string') out.push(o);
        }
        return out;
    }

    /** Label of the endpoint for the per-endpoint API counters. */
    endpointOf(method: string, path: string): string {
        const p = path
            .replace(/^\/sobjects\/[^/]+\/describe$/, '/sobjects/{T}/describe')
            .replace(/^\/sobjects\/[^/]+\/(updated|deleted)$/, '/sobjects/{T}/$1')
            .replace(/^\/sobjects\/[^/]+\/eventSchema$/, '/sobjects/{T}/eventSchema')
            .replace(/^\/sobjects\/[^/]+\/[^/]+\/[^/]+$/, '/sobjects/{T}/{field}/{value}')
            .replace(/^\/sobjects\/[^/]+\/[^/]+$/, '/sobjects/{T}/{id}')
            .replace(/^\/sobjects\/[^/]+$/, '/sobjects/{T}')
            .replace(/^\/(query|queryAll)\/[^/]+$/, '/$1/{locator}')
            .replace(/^\/composite\/sobjects\/[^/]+\/[^/]+$/, '/composite/sobjects/{T}/{field}')
            .replace(/^\/composite\/sobjects\/[^/]+$/, '/composite/sobjects/{T}')
            .replace(/^\/composite\/tree\/[^/]+$/, '/composite/tree/{T}')
            .replace(/^\/event\/eventSchema\/[^/]+$/, '/event/eventSchema/{id}')
            .replace(/^\/jobs\/(ingest|query)\/[^/]+(\/.*)?$/, '/jobs/$1/{id}$2');
        return `${method} ${p || '/'}`;
    }

    /** Handles one REST call. */
    handle(call: Call): Reply {
        try {
            return this.route(call);
        } catch (e) {
            if (e instanceof DmlError) return dmlReply(e);
            if (e instanceof SoqlError) return errorReply(400, e.errorCode, e.message);
            throw e;
        }
    }

    private route(call: Call): Reply {
        const { method, path } = call;
        const seg = path
            .split('/')
            .filter((s) => s !== '')
            .map(decodeURIComponent);
        if (seg.length === 0) {
            if (method !== 'GET') return notAllowed(method, 'GET');
            return { status: 200, body: this.resources(call.version) };
        }
        switch (seg[0]) {
            case 'limits':
                return method === 'GET'
                    ? { status: 200, body: limits(this.org, this.bulk.queryJobsToday()) }
                    : notAllowed(method, 'GET');
            case 'sobjects':
                return sobjects(this.org, call, seg.slice(1));
            case 'query':
            case 'queryAll':
                if (method !== 'GET') return notAllowed(method, 'GET');
                return seg.length === 1
                    ? query(this.org, call, seg[0] === 'queryAll')
                    : queryMore(this.org, call, seg[1]);
            case 'composite':
                if (seg.length === 1)
                    return method === 'POST' ? composite(this.org, call, this.dispatch) : notAllowed(method, 'POST');
                if (seg[1] === 'sobjects') return collections(this.org, call, seg.slice(2));
                if (seg[1] === 'tree' && seg.length === 3)
                    return method === 'POST' ? sobjectTree(this.org, call, seg[2]) : notAllowed(method, 'POST');
                if (seg[1] === 'batch' && seg.length === 2)
                    return method === 'POST' ? batch(this.org, call, this.dispatch) : notAllowed(method, 'POST');
                return notFound();
            case 'event':
                if (seg[1] === 'eventSchema' && seg.length === 3 && method === 'GET')
                    return eventSchemaById(this.org, call, seg[2]);
                return notFound();
            case 'jobs':
                return this.bulk.handle(call, seg.slice(1));
            default:
                return notFound();
        }
    }

    private resources(version: string): Record<string, string> {
        const b = `/services/data/v${version}`;
        const out: Record<string, string> = {};
        for (const r of ['sobjects', 'query', 'queryAll', 'composite', 'limits', 'jobs/ingest', 'jobs/query'])
            out[r.replace('jobs/', 'jobs')] = `${b}/${r}`;
        return out;
    }
}
