/* eslint-disable @typescript-eslint/no-explicit-any -- the OpenAPI document is walked as plain JSON */
/**
 * Malformed input to every route, driven from the served OpenAPI document: for each operation the path
 * parameters, query parameters and JSON body are replaced one at a time by hostile values (bad percent-encoding,
 * NUL bytes, lone surrogates, deep nesting where a scalar is expected, ids that look right but are not, numbers
 * beyond any column, `constructor`/`__proto__` names). Every answer must be below 500 and, when refused, carry the
 * documented error body; a refused request must leave the database exactly as it was (nothing half-applied).
 *
 * Bounded: a fixed list of mutations per operation (a few hundred requests), loopback only, 60 s at most.
 */
import { createHash } from 'node:crypto';
import { apiClient, startTestCompanion, type TestCompanion } from '../support/companion';
import { seedAccount, seedObjects, seedOrg, type SeededOrg } from '../support/factories';
import { recordConflict, setEdits } from '../support/inspect';
import { FixedSchemaProvider } from '../support/schema';
import { createSyncEngine } from '../../src/sync/engine';

jest.setTimeout(120_000);

let t: TestCompanion;
let org: SeededOrg;
let recordId: string;
let conflictId: string;
let failedEditId: string;
let tokenId: string;

beforeAll(async () => {
    const schema = new FixedSchemaProvider();
    // A real engine, not started (ENGINE_ENABLED=false): routes needing one answer as they would with it.
    t = await startTestCompanion({
        env: { ENGINE_ENABLED: 'false' },
        deps: { schema: () => schema, engine: (s) => createSyncEngine(s) }
    });
    org = await seedOrg(t.repos, { name: 'Fuzzed org' });
    await seedObjects(t.repos, org.org.id);
    recordId = (await seedAccount(t.repos, org.org.id, { name: 'Fuzz target' })).sfId;
    conflictId = (
        await recordConflict(t.companion.dataSource.manager, org.org.id, {
            objectApiName: 'Account',
            sfId: recordId,
            fieldKey: 'Account.Name',
            salesforceField: 'Name',
            statisfyValue: 'a',
            salesforceValue: 'b',
            baseValue: 'Fuzz target',
            policy: 'Manual'
        })
    ).id;
    const failed = await t.repos.pendingEdits.enqueue(org.org.id, {
        objectApiName: 'Account',
        sfId: recordId,
        fieldKey: 'Account.AnnualRevenue',
        salesforceField: 'AnnualRevenue',
        newValue: 5,
        baseValue: 1000
    });
    await setEdits(t.companion.dataSource.manager, org.org.id, [failed.edit.id], {
        status: 'failed',
        errorCode: 'X',
        errorMessage: 'failed for the fuzz test'
    });
    failedEditId = failed.edit.id;
    tokenId = (await t.repos.apiTokens.list(org.org.id)).find((x) => x.role === 'viewer')!.id;
});
afterAll(() => t?.stop());

/** Tables a request could change, hashed (last_used_at of tokens is bookkeeping, not data). */
async function fingerprint(): Promise<string> {
    const tables: { table_name: string }[] = await t.companion.dataSource.query(
        `SELECT table_name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('migrations')
         ORDER BY table_name`
    );
    const hash = createHash('sha256');
    for (const { table_name } of tables) {
        const [row] = await t.companion.dataSource.query(
            `SELECT count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h
             FROM (SELECT to_jsonb(r) - 'last_used_at' AS x FROM "${table_name}" r) s`
        );
        hash.update(`${table_name}:${row.n}:${row.h};`);
    }
    return hash.digest('hex');
}

/** Hostile stand-ins for a path segment (already encoded as they go on the wire). */
const BAD_SEGMENTS = [
    '%E0%A4%A', // truncated percent-encoding
    '%ZZ',
    '%00',
    '%ED%A0%80', // a lone surrogate, UTF-8 encoded (not valid UTF-8)
    'constructor',
    '__proto__',
    'hasOwnProperty',
    '001000000000000AAB', // right shape, wrong checksum
    '99999999999999999999999',
    '9999999999999999999', // 19 digits, beyond a 64-bit id
    '-1',
    'x'.repeat(300),
    '%F0%9F%92%A9'
];

/** Hostile stand-ins for a query value (encoded). */
const BAD_QUERY = ['%E0%A4%A', '%00', '%ED%A0%80', '1e309', '-1', '99999999999999999999', 'constructor', '%5B%5D'];

/** Hostile stand-ins for a JSON value (raw JSON text). */
function badJsonValues(): string[] {
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    const deepArray = '['.repeat(5000) + ']'.repeat(5000);
    return [
        '"a\\u0000b"',
        '"\\ud800"',
        '"\\udfff tail"',
        deep,
        deepArray,
        '{"__proto__":{"polluted":true}}',
        '{"constructor":{"prototype":{"polluted":true}}}',
        '1e400',
        '-1e400',
        '99999999999999999999999999',
        '1.5',
        '[]',
        'null',
        'true',
        '"' + 'x'.repeat(70_000) + '"'
    ];
}

/** Whole-body stand-ins (raw text). */
const BAD_BODIES = [
    '',
    '{',
    'null',
    '[]',
    '"\\u0000"',
    '{"__proto__":{"admin":true}}',
    '{"constructor":1}',
    '{"fields":{"__proto__":"x"}}',
    '{"fields":{"constructor":"x"}}',
    '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000)
];

interface Operation {
    method: string;
    path: string;
    op: any;
}

function operations(doc: any): Operation[] {
    const out: Operation[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths))
        for (const [method, op] of Object.entries<any>(item)) out.push({ method, path, op });
    return out;
}

/** A well-formed stand-in for a path parameter, so other parts of the request are what is tested. */
function goodParam(path: string, name: string): string {
    if (name === 'object') return 'Account';
    if (name === 'key') return 'Account.Name';
    if (name === 'id' && path.includes('/records/')) return recordId;
    if (name === 'id' && path.includes('/conflicts/')) return conflictId;
    if (name === 'id' && path.includes('/sync/errors/')) return failedEditId;
    if (name === 'id' && path.includes('/tokens/')) return tokenId;
    return 'x';
}

/** A minimal well-formed body for an operation (the fuzzer then spoils one property at a time). */
function goodBody(path: string, method: string): Record<string, unknown> | undefined {
    if (path.endsWith('/records/{id}') && method === 'patch') return { fields: { 'Account.Name': 'Fuzzed' } };
    if (path.endsWith('/fields/{key}')) return { displayName: 'Fuzzed' };
    if (path.endsWith('/fields')) return { key: 'Fuzz', displayName: 'Fuzz', type: 'text', editable: false };
    if (path.endsWith('/objects/{object}')) return { displayName: 'Fuzzed' };
    if (path.endsWith('/resolve')) return { resolution: 'value', value: 'x' };
    if (path === '/api/v1/tokens') return { name: 'fuzz', role: 'viewer' };
    if (path === '/api/v1/sync') return { kind: 'incremental' };
    return undefined;
}

interface Probe {
    method: string;
    url: string;
    body?: string;
    contentType?: string;
    why: string;
}

function probesFor(o: Operation): Probe[] {
    const params: any[] = o.op.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name as string);
    const queryParams = params.filter((p) => p.in === 'query').map((p) => p.name as string);
    const fill = (override: Record<string, string> = {}) =>
        o.path.replace(/\{([A-Za-z]+)\}/g, (_m, name: string) =>
            name in override ? override[name] : encodeURIComponent(goodParam(o.path, name))
        );
    const method = o.method.toUpperCase();
    const probes: Probe[] = [];
    const body = goodBody(o.path, o.method);
    const bodyText = o.op.requestBody ? JSON.stringify(body ?? {}) : undefined;
    for (const name of pathParams)
        for (const bad of BAD_SEGMENTS)
            probes.push({ method, url: fill({ [name]: bad }), body: bodyText, why: `path ${name}=${bad}` });
    for (const name of queryParams)
        for (const bad of BAD_QUERY)
            probes.push({ method, url: `${fill()}?${name}=${bad}`, body: bodyText, why: `query ${name}=${bad}` });
    probes.push({ method, url: `${fill()}?__proto__=1&constructor=2`, body: bodyText, why: 'query __proto__' });
    if (o.op.requestBody) {
        for (const raw of BAD_BODIES) probes.push({ method, url: fill(), body: raw, why: `body ${raw.slice(0, 40)}` });
        probes.push({ method, url: fill(), body: bodyText, contentType: 'text/plain', why: 'body as text/plain' });
        const schema = o.op.requestBody.content['application/json'].schema;
        const props = new Set<string>(Object.keys(schema.properties ?? {}));
        for (const alt of schema.oneOf ?? schema.anyOf ?? [])
            for (const k of Object.keys(alt.properties ?? {})) props.add(k);
        for (const prop of props)
            for (const bad of badJsonValues()) {
                const raw = JSON.stringify({ ...(body ?? {}), [prop]: '__BAD__' }).replace('"__BAD__"', bad);
                probes.push({ method, url: fill(), body: raw, why: `body.${prop}=${bad.slice(0, 40)}` });
            }
        if (body && 'fields' in body)
            for (const bad of badJsonValues()) {
                for (const key of ['Account.Name', 'Account.AnnualRevenue', 'Account.Industry']) {
                    const raw = `{"fields":{"${key}":${bad}}}`;
                    probes.push({ method, url: fill(), body: raw, why: `fields.${key}=${bad.slice(0, 40)}` });
                }
            }
    }
    return probes;
}

/** Whether an answer is the documented error body. */
function isErrorBody(body: any): boolean {
    return (
        !!body &&
        typeof body === 'object' &&
        typeof body.error?.code === 'string' &&
        typeof body.error?.message === 'string'
    );
}

it('When every route of the OpenAPI document gets malformed input, then no answer is a 5xx and a refused request changes nothing', async () => {
    const doc = (await apiClient(t.url).get('/api/v1/openapi.json')).body;
    const ops = operations(doc).filter(
        // The event stream stays open by design; it is fuzzed below with a short deadline.
        (o) => o.path !== '/api/v1/events'
    );
    const probes = ops.flatMap(probesFor);
    const started = Date.now();
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let before = await fingerprint();
    for (const p of probes) {
        if (Date.now() - started > 60_000) throw new Error(`fuzzing took over 60 s (${failures.length} failures)`);
        const res = await fetch(`${t.url}${p.url}`, {
            method: p.method,
            headers: {
                Authorization: `Bearer ${org.tokens.admin}`,
                ...(p.body !== undefined ? { 'Content-Type': p.contentType ?? 'application/json' } : {})
            },
            body: p.body
        });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        let json: unknown;
        try {
            json = JSON.parse(text);
        } catch {
            json = undefined;
        }
        const after = await fingerprint();
        if (res.status >= 500)
            failures.push(`${res.status} ${p.method} ${p.url.slice(0, 120)} (${p.why}): ${text.slice(0, 160)}`);
        else if (res.status >= 400) {
            if (!isErrorBody(json) && (res.headers.get('content-type') ?? '').includes('json'))
                failures.push(`${res.status} without the error body: ${p.method} ${p.url} (${p.why})`);
            if (after !== before)
                failures.push(`${res.status} but the database changed: ${p.method} ${p.url} (${p.why})`);
        }
        before = after;
    }
    // The event stream: malformed query, bad tokens; each must answer (not hang) below 500.
    for (const suffix of ['?x=%E0%A4%A', '?__proto__=1', '/%00']) {
        const res = await fetch(`${t.url}/api/v1/events${suffix}`, {
            headers: { Authorization: 'Bearer \u00ff' },
            signal: AbortSignal.timeout(5000)
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) failures.push(`${res.status} GET /api/v1/events${suffix}`);
        await res.body?.cancel();
    }
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const fiveXX = [...statuses.entries()].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
    process.stdout.write(
        `fuzz: ${total} requests, ${fiveXX} answered 5xx, ${Date.now() - started} ms; statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`
    );
    expect(failures).toEqual([]);
});
