/**
 * Outbound targets: Salesforce API calls per 1,000 edits written back (pending at once, a burst sent as fast as the
 * API takes them, a steady 100 edits/s), edit accepted → committed in Salesforce, and SQL round trips per PATCH —
 * ours (edits through the companion's REST API) beside a naive integration (one jsforce `sobject.update` per edit),
 * with no added latency and with 100 ms added to every Salesforce call.
 *
 * API calls are the emulator's own count (GET /__emulator/api-usage) over the window from the first edit until the
 * last one is committed in the org (+300 ms for trailing calls). Nothing here is tuned to pass: the companion runs
 * with its production engine defaults.
 */
import { Connection } from 'jsforce';
import { startEmulator, type RunningEmulator } from '../../emulator/src/server';
import { createRepositories } from '../../companion/src/data';
import { createDataSource } from '../../companion/src/data/db/datasource';
import { record } from './report';
import {
    companionIdentity,
    controlClient,
    percentile,
    pool,
    sleep,
    startChildCompanion,
    waitFor,
    type ChildCompanion,
    type Postgres
} from './stack';
import { CommitWatcher } from './watch';

/** Sizes of the outbound scenarios. */
export interface OutboundSizes {
    edits: number;
    steadySeconds: number;
    sqlPatches: number;
}

/** A companion with imported Accounts, ready for edits. */
export interface OutboundStage {
    emu: RunningEmulator;
    child: ChildCompanion;
    dbUrl: string;
    orgId: string;
    ids: string[];
    watcher: CommitWatcher;
    control: ReturnType<typeof controlClient>;
    /** The companion's data directory and secrets (a second process on the same database reuses them). */
    who: Awaited<ReturnType<typeof companionIdentity>>;
    stop(): Promise<void>;
}

/** Starts emulator + companion with `n` extra Accounts imported. */
export async function stageOutbound(
    pg: Postgres,
    n: number,
    engine: Record<string, unknown> = {}
): Promise<OutboundStage> {
    const emu = await startEmulator({ seed: 'demo' });
    const control = controlClient(emu.url);
    await control.seed(`bench:${n}`, false);
    const dbUrl = await pg.createDatabase();
    const who = await companionIdentity();
    const child = await startChildCompanion({
        ...who,
        databaseUrl: dbUrl,
        emulatorUrl: emu.url,
        clientId: emu.clientId,
        engine
    });
    await child.waitRunning();
    const rows = await waitFor(
        async () => {
            const r = await pg.query<{ sf_id: string }>(
                dbUrl,
                `SELECT sf_id FROM records WHERE object_api_name = 'Account' AND sf_values->>'Name' LIKE 'Bench Account %' ORDER BY sf_id`
            );
            return r.length >= n ? r : null;
        },
        120_000,
        `${n} Accounts imported`,
        200
    );
    const [{ id: orgId }] = await pg.query<{ id: string }>(dbUrl, 'SELECT id FROM orgs LIMIT 1');
    await sleep(1000); // let the import's trailing work settle
    return {
        emu,
        child,
        dbUrl,
        orgId,
        ids: rows.map((r) => r.sf_id),
        watcher: new CommitWatcher(emu),
        control,
        who,
        async stop() {
            await child.stop();
            await emu.stop();
            await who.cleanup();
        }
    };
}

interface Run {
    calls: number;
    p95: number;
    ms: number;
}

async function countCalls(s: OutboundStage, fn: () => Promise<number[]>): Promise<Run> {
    const before = (await s.control.apiUsage()).total;
    const t0 = Date.now();
    const lat = await fn();
    const ms = Date.now() - t0;
    await sleep(300);
    const after = (await s.control.apiUsage()).total;
    return { calls: after - before, p95: percentile(lat, 95), ms };
}

/** Our edits: PATCH through the REST API; `when(i)` = the ms offset to send edit i at (null = as fast as possible). */
async function oursEdits(s: OutboundStage, tag: string, n: number, rate: number | null): Promise<number[]> {
    const ids = s.ids.slice(0, n);
    const lat: Promise<number>[] = [];
    const refused = new Map<string, number>();
    const one = async (id: string, i: number) => {
        const value = `${tag}-${i}`;
        const res = await s.child.api.patch(`/api/v1/objects/Account/records/${id}`, {
            fields: { 'Account.Phone': value }
        });
        if (res.status !== 200) {
            const k = `${res.status} ${res.body?.error?.code ?? ''}`.trim();
            refused.set(k, (refused.get(k) ?? 0) + 1);
            return;
        }
        lat.push(s.watcher.expect(id, 'Phone', value, Date.now()));
    };
    if (rate === null) await pool(ids, 16, one);
    else {
        const start = Date.now();
        const sent: Promise<void>[] = [];
        for (const [i, id] of ids.entries()) {
            const due = start + (i * 1000) / rate;
            if (due > Date.now()) await sleep(due - Date.now());
            sent.push(
                one(id, i).catch((e: Error) => {
                    refused.set(e.message.slice(0, 80), (refused.get(e.message.slice(0, 80)) ?? 0) + 1);
                })
            );
        }
        await Promise.all(sent);
    }
    if (refused.size > 0) throw new Error(`PATCHes refused: ${[...refused].map(([k, n]) => `${n}× ${k}`).join(', ')}`);
    return Promise.all(lat);
}

/** A naive integration's edits: one `sobject.update` per edit, made as soon as the edit is. */
async function naiveEdits(
    s: OutboundStage,
    conn: Connection,
    tag: string,
    n: number,
    rate: number | null
): Promise<number[]> {
    const ids = s.ids.slice(0, n);
    const lat: number[] = [];
    const failures: string[] = [];
    const one = async (id: string, i: number) => {
        const value = `${tag}-${i}`;
        const t0 = Date.now();
        const watched = s.watcher.expect(id, 'Phone', value, t0);
        const r = await conn.sobject('Account').update({ Id: id, Phone: value });
        if (!r.success) throw new Error(`naive update failed: ${JSON.stringify(r)}`);
        lat.push(await watched);
    };
    if (rate === null) await pool(ids, 16, one);
    else {
        const start = Date.now();
        const sent: Promise<void>[] = [];
        for (const [i, id] of ids.entries()) {
            const due = start + (i * 1000) / rate;
            if (due > Date.now()) await sleep(due - Date.now());
            sent.push(one(id, i).catch((e: Error) => void failures.push(e.message)));
        }
        await Promise.all(sent);
    }
    if (failures.length) throw new Error(`naive updates failed: ${failures.length}× ${failures[0]}`);
    return lat;
}

/** 1,000 edits pending at once: enqueued in one transaction (as the volume test does), then flushed. */
async function oursPending(s: OutboundStage, tag: string, n: number): Promise<number[]> {
    const ds = createDataSource({ url: s.dbUrl, migrationsRun: false, poolSize: 2 });
    await ds.initialize();
    try {
        const ids = s.ids.slice(0, n);
        const base = await ds.query(
            `SELECT sf_id, sf_values->'Phone' AS phone FROM records WHERE org_id = $1 AND sf_id = ANY($2)`,
            [s.orgId, ids]
        );
        const phone = new Map<string, unknown>(base.map((r: { sf_id: string; phone: unknown }) => [r.sf_id, r.phone]));
        await ds.transaction(async (m) => {
            const repos = createRepositories(m);
            for (const [i, id] of ids.entries()) {
                const value = `${tag}-${i}`;
                await repos.records.mergeFields(s.orgId, id, { 'Account.Phone': value });
                await repos.pendingEdits.enqueue(s.orgId, {
                    objectApiName: 'Account',
                    sfId: id,
                    fieldKey: 'Account.Phone',
                    salesforceField: 'Phone',
                    newValue: value,
                    baseValue: (phone.get(id) ?? null) as string | null
                });
            }
        });
        const t = Date.now();
        return await Promise.all(ids.map((id, i) => s.watcher.expect(id, 'Phone', `${tag}-${i}`, t)));
    } finally {
        await ds.destroy();
    }
}

/** SQL round trips of one PATCH (HTTP-request context only), over `n` sequential PATCHes. */
async function sqlPerPatch(s: OutboundStage, n: number): Promise<number> {
    const before = (await s.child.stats()).sql.http;
    for (let i = 0; i < n; i++) {
        const res = await s.child.api.patch(`/api/v1/objects/Account/records/${s.ids[i]}`, {
            fields: { 'Account.Website': `https://sql-${i}.example.com` }
        });
        if (res.status !== 200) throw new Error(`PATCH answered ${res.status}`);
    }
    const after = (await s.child.stats()).sql.http;
    return (after - before) / n;
}

/** Measures the outbound rows at one added latency. */
export async function benchOutbound(
    pg: Postgres,
    latencyMs: number,
    sizes: OutboundSizes,
    after?: (s: OutboundStage, label: string) => Promise<void>
): Promise<void> {
    const s = await stageOutbound(pg, sizes.edits);
    const lbl = `(+${latencyMs} ms)`;
    try {
        const naive = new Connection({ loginUrl: s.emu.url, version: '60.0' });
        await naive.login('admin@statisfy.test', 'statisfy');
        if (latencyMs > 0) await s.control.fault({ path: '/services/**', latencyMs });
        const per1000 = (r: Run) => (r.calls * 1000) / sizes.edits;
        const tag = `L${latencyMs}`;

        const pendingOurs = await countCalls(s, () => oursPending(s, `${tag}-pend`, sizes.edits));
        const pendingNaive = await countCalls(s, () => naiveEdits(s, naive, `${tag}-npend`, sizes.edits, null));
        record({
            target: `API calls / 1,000 edits, pending at once ${lbl}`,
            goal: '1',
            ours: per1000(pendingOurs),
            naive: per1000(pendingNaive),
            unit: 'calls',
            pass: per1000(pendingOurs) <= 1,
            note: `${sizes.edits} edits, all in Salesforce after ${pendingOurs.ms} ms (naive ${pendingNaive.ms} ms)`
        });

        const burstOurs = await countCalls(s, () => oursEdits(s, `${tag}-burst`, sizes.edits, null));
        const burstNaive = await countCalls(s, () => naiveEdits(s, naive, `${tag}-nburst`, sizes.edits, null));
        record({
            target: `API calls / 1,000 edits, burst ${lbl}`,
            goal: '≤ 20',
            ours: per1000(burstOurs),
            naive: per1000(burstNaive),
            unit: 'calls',
            pass: per1000(burstOurs) <= 20,
            note: `16 clients at once; ${sizes.edits} edits in ${burstOurs.ms} ms (naive ${burstNaive.ms} ms)`
        });

        const steadyN = Math.min(sizes.edits, sizes.steadySeconds * 100);
        const steadyOurs = await countCalls(s, () => oursEdits(s, `${tag}-steady`, steadyN, 100));
        const steadyNaive = await countCalls(s, () => naiveEdits(s, naive, `${tag}-nsteady`, steadyN, 100));
        const steady1000 = (r: Run) => (r.calls * 1000) / steadyN;
        record({
            target: `API calls / 1,000 edits, steady 100 edits/s ${lbl}`,
            goal: '≤ 50',
            ours: steady1000(steadyOurs),
            naive: steady1000(steadyNaive),
            unit: 'calls',
            pass: steady1000(steadyOurs) <= 50,
            note: `${steadyN} edits over ${sizes.steadySeconds} s`
        });
        record({
            target: `edit accepted → committed in Salesforce p95, 100/s ${lbl}`,
            goal: '< 300',
            ours: steadyOurs.p95,
            naive: steadyNaive.p95,
            unit: 'ms',
            pass: steadyOurs.p95 < 300,
            note: 'naive: from the edit to its update call committed'
        });
        if (latencyMs === 0) {
            const sql = await sqlPerPatch(s, sizes.sqlPatches);
            record({
                target: 'SQL round trips per PATCH (common case)',
                goal: '≤ 4',
                ours: sql,
                unit: 'queries',
                pass: sql <= 4,
                note: `${sizes.sqlPatches} sequential PATCHes, pg client queries inside the HTTP request (BEGIN/COMMIT count)`
            });
        }
        await after?.(s, lbl);
    } finally {
        await s.control.clearFaults().catch(() => undefined);
        await s.stop();
    }
}
