/**
 * `GET /query?q=` and `/queryAll?q=` with `Sforce-Query-Options: batchSize`, and the
 * `nextRecordsUrl` locators (`/query/{cursor}-{offset}`) that page through an open cursor.
 */
import type { Org } from '../org';
import { queryColumns } from '../soql';
import { errorReply, type Call, type Reply } from './reply';

/** Batch size from `Sforce-Query-Options: batchSize=N` (200–2000, default 2000). */
export function batchSize(call: Call): number | null {
    const h = call.headers['sforce-query-options'];
    if (!h) return null;
    const m = /batchSize\s*=\s*(\d+)/i.exec(h);
    if (!m) return null;
    return Math.min(2000, Math.max(200, Number(m[1])));
}

export function query(org: Org, call: Call, all: boolean): Reply {
    const q = call.query.get('q');
    if (q === null || q.trim() === '') return errorReply(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    // `columns=true` (the sf CLI's `data query`) asks for the column metadata instead of the rows.
    if (call.query.get('columns') === 'true') return { status: 200, body: queryColumns(q, org.soqlSource) };
    const result = org.query(q, all, call.version);
    const size = batchSize(call) ?? 2000;
    if (result.records.length <= size)
        return { status: 200, body: { totalSize: result.totalSize, done: true, records: result.records } };
    const qid = org.openCursor(result, size);
    return {
        status: 200,
        body: {
            totalSize: result.totalSize,
            done: false,
            nextRecordsUrl: `/services/data/v${call.version}/${all ? 'queryAll' : 'query'}/${qid}-${size}`,
            records: result.records.slice(0, size)
        }
    };
}

export function queryMore(org: Org, call: Call, locator: string): Reply {
    const dash = locator.lastIndexOf('-');
    const qid = dash > 0 ? locator.slice(0, dash) : '';
    const offset = dash > 0 ? Number(locator.slice(dash + 1)) : NaN;
    const cursor = qid ? org.cursor(qid) : undefined;
    if (!cursor || !Number.isInteger(offset) || offset < 0 || offset > cursor.records.length)
        return errorReply(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    const size = batchSize(call) ?? cursor.batchSize;
    const end = Math.min(cursor.records.length, offset + size);
    const done = end >= cursor.records.length;
    const kind = call.path.startsWith('/queryAll') ? 'queryAll' : 'query';
    const body: Record<string, unknown> = { totalSize: cursor.totalSize, done };
    if (!done) body.nextRecordsUrl = `/services/data/v${call.version}/${kind}/${qid}-${end}`;
    body.records = cursor.records.slice(offset, end);
    return { status: 200, body };
}
