/**
 * The soak: random edits on both sides at once — Statisfy users through the companion's REST API, Salesforce users
 * through jsforce — over the demo org's 300 Accounts, Contacts and Opportunities (three conflict policies:
 * Latest_Wins, Salesforce_Wins, Statisfy_Wins), while faults are injected in turn: a 503 storm on the flush
 * endpoint, UNABLE_TO_LOCK_ROW on single records inside Collections calls, 100 ms on every call, expired sessions,
 * dropped streams, SIGKILL of the companion mid-flush and restart, and an outage longer than the 72-hour event
 * retention (the emulator clock advanced 73 h while the companion is down). Then faults are cleared, both sides
 * drain, and ledger.ts judges. Used by `npm run soak` (scripts/soak/main.ts) and the short soak in `npm test`
 * (companion/test/soak/short-soak.test.ts).
 */
import { Connection } from 'jsforce';
import type { ChildCompanion } from '../bench/stack';
import { companionIdentity, controlClient, sleep, startChildCompanion, waitFor } from '../bench/stack';
import { startEmulator, type RunningEmulator } from '../../emulator/src/server';
import { clean, judge, type LedgerEdit, type OrgWrite, type Verdict } from './ledger';

/** Options of {@link runSoak}. */
export interface SoakOptions {
    /** An empty database for the companion; returns its URL. */
    createDatabase(): Promise<string>;
    /** How long each fault phase lasts (ms). */
    phaseMs: number;
    /** Statisfy edits per second and Salesforce edits per second (targets; the API may take fewer). */
    statisfyRate?: number;
    salesforceRate?: number;
    /** Progress lines (default: none). */
    log?: (line: string) => void;
}

/** The soak's figures and verdict. */
export interface SoakResult {
    verdict: Verdict;
    passed: boolean;
    accepted: { statisfy: number; salesforce: number };
    refused: { statisfy: number; salesforce: number };
    storm: { ms: number; flushCalls: number; allowedCalls: number; paced: boolean; drainedMs: number | null };
    restarts: number;
    phases: Array<{ name: string; ms: number }>;
    apiCalls: number;
    ms: number;
}

/** Watched fields: object → [Salesforce field, Statisfy key, kind]. Both sides edit every one. */
const FIELDS: Record<string, Array<[string, 'text' | 'number']>> = {
    Account: [
        ['Phone', 'text'],
        ['BillingCity', 'text'],
        ['Website', 'text']
    ],
    Contact: [
        ['Title', 'text'],
        ['Phone', 'text']
    ],
    Opportunity: [
        ['Name', 'text'],
        ['Amount', 'number']
    ]
};
const POLICIES: Record<string, string> = {
    Account: 'Latest_Wins',
    Contact: 'Salesforce_Wins',
    Opportunity: 'Statisfy_Wins'
};

/** The phases in which the companion is stopped and started again. */
export const RESTART_PHASES = ['SIGKILL mid-flush and restart', 'outage past the 72-hour retention'];

/** Breaker of the companion (docs/sync-engine.md): opens after 5 failures, then one probe per 30 s. */
const BREAKER_OPENS_AFTER = 5;
const BREAKER_PROBE_MS = 30_000;

interface Target {
    object: string;
    id: string;
}

/** Runs the soak. */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
    const log = o.log ?? (() => undefined);
    const started = Date.now();
    const emu = await startEmulator({ seed: 'demo', cometdTimeoutMs: 1000 });
    const control = controlClient(emu.url);
    const org = emu.org;
    const integration = org.integrationUser.id;
    let child: ChildCompanion | null = null;
    let restarts = 0;
    const who = await companionIdentity();
    try {
        // Conflict policies, before the companion reads the configuration.
        for (const so of org.store.records('Sync_Object__c', false)) {
            const policy = POLICIES[String(so.Object_Api_Name__c)];
            if (policy)
                org.store.run(org.adminUser.id, (tx) => {
                    tx.nextOp();
                    org.store.update(tx, 'Sync_Object__c', String(so.Id), { Conflict_Policy__c: policy });
                });
        }
        const targets: Target[] = [];
        for (const object of Object.keys(FIELDS))
            for (const r of org.store.records(object, false)) targets.push({ object, id: String(r.Id) });
        const startCounts = Object.fromEntries(
            Object.keys(FIELDS).map((ob) => [ob, [...org.store.records(ob, false)].length])
        );

        // Every committed write on a watched field, by whom.
        const writes: OrgWrite[] = [];
        let current = 'start';
        org.store.onCommit((changes, tx) => {
            for (const c of changes) {
                const fields = FIELDS[c.objectName];
                if (!fields || c.type !== 'UPDATE' || !c.new) continue;
                for (const [f] of fields)
                    if (!sameValue(c.old?.[f], c.new[f]))
                        writes.push({
                            at: Date.now(),
                            userId: tx.userId,
                            object: c.objectName,
                            id: c.id,
                            field: f,
                            value: c.new[f],
                            phase: current
                        });
            }
        });

        const dbUrl = await o.createDatabase();
        const start = async () => {
            const offset = org.clock.offset;
            child = await startChildCompanion({
                ...who,
                databaseUrl: dbUrl,
                emulatorUrl: emu.url,
                clientId: emu.clientId,
                engine: { statusIntervalMs: 5000, configPushIntervalMs: 1000 },
                env: offset ? { BENCH_JWT_OFFSET_MS: String(offset) } : {}
            });
            await child.waitRunning(60_000);
        };
        await start();
        log(`companion running; ${targets.length} records of ${Object.keys(FIELDS).join(', ')}`);
        await waitFor(
            async () => {
                const s = await child!.api.get('/api/v1/objects/Opportunity/records?limit=1');
                return s.status === 200 && s.body.items?.length > 0;
            },
            60_000,
            'the first import'
        );

        // The editors.
        const edits: LedgerEdit[] = [];
        const refused = { statisfy: 0, salesforce: 0 };
        let seq = 0;
        let editing = true;
        const pick = () => {
            const t = targets[Math.floor(Math.random() * targets.length)];
            const fields = FIELDS[t.object];
            const [field, kind] = fields[Math.floor(Math.random() * fields.length)];
            const n = ++seq;
            return { ...t, field, value: kind === 'number' ? 1000 + n : `soak ${n}` };
        };
        const statisfyEditor = async () => {
            const every = 1000 / (o.statisfyRate ?? 20);
            while (editing) {
                const e = pick();
                const c = child;
                if (c)
                    try {
                        const res = await c.api.patch(`/api/v1/objects/${e.object}/records/${e.id}`, {
                            fields: { [`${e.object}.${e.field}`]: e.value }
                        });
                        if (res.status === 200) edits.push({ side: 'statisfy', ...e, at: Date.now(), phase: current });
                        else refused.statisfy++;
                    } catch {
                        refused.statisfy++; // the companion is down (restart phases): not accepted
                    }
                await sleep(every);
            }
        };
        const sfUsers = await Promise.all(['sales@statisfy.test', 'admin@statisfy.test'].map(loginAs(emu)));
        const salesforceEditor = async (conn: { c: Connection; relogin: () => Promise<void> }) => {
            const every = 1000 / ((o.salesforceRate ?? 10) / sfUsers.length);
            while (editing) {
                const e = pick();
                for (let attempt = 0; attempt < 2; attempt++) {
                    try {
                        const r = await conn.c.sobject(e.object).update({ Id: e.id, [e.field]: e.value });
                        if (r.success) edits.push({ side: 'salesforce', ...e, at: Date.now(), phase: current });
                        else refused.salesforce++;
                        break;
                    } catch (err) {
                        if ((err as { errorCode?: string }).errorCode === 'INVALID_SESSION_ID' && attempt === 0) {
                            await conn.relogin();
                            continue;
                        }
                        refused.salesforce++;
                        break;
                    }
                }
                await sleep(every);
            }
        };
        const editors = Promise.all([statisfyEditor(), statisfyEditor(), ...sfUsers.map(salesforceEditor)]);

        const phases: Array<{ name: string; ms: number }> = [];
        const phase = async (name: string, fn: () => Promise<void>) => {
            const t0 = Date.now();
            log(`phase: ${name}`);
            current = name;
            await fn();
            phases.push({ name, ms: Date.now() - t0 });
        };
        const status = async () => (await child?.api.get('/api/v1/sync/status'))?.body;
        const storm = { ms: 0, flushCalls: 0, allowedCalls: 0, paced: true, drainedMs: null as number | null };
        let drainWatch: Promise<void> = Promise.resolve();

        await phase('calm', async () => {
            await sleep(o.phaseMs);
        });
        await phase('503 storm on /composite', async () => {
            const rule = (await control.fault({ path: '/services/data/*/composite', status: 503 })).rule;
            const t0 = Date.now();
            await sleep(o.phaseMs);
            const rules = (await controlFaults(emu)).filter((r) => r.id === rule.id);
            storm.flushCalls = rules[0]?.hits ?? 0;
            storm.ms = Date.now() - t0;
            storm.allowedCalls = BREAKER_OPENS_AFTER + Math.ceil(storm.ms / BREAKER_PROBE_MS) + 1;
            storm.paced = storm.flushCalls <= storm.allowedCalls;
            await control.clearFaults();
            const ended = Date.now();
            // Drained: the breaker closed and nothing pending, watched while the next phases run.
            drainWatch = waitFor(
                async () => {
                    const s = await status();
                    return s && s.pendingCount === 0 && s.engine?.circuit === 'closed';
                },
                BREAKER_PROBE_MS + 30_000,
                'the storm to drain',
                100
            ).then(
                () => void (storm.drainedMs = Date.now() - ended),
                () => undefined
            );
        });
        await phase('UNABLE_TO_LOCK_ROW on single records in Collections', async () => {
            await control.fault({ recordError: 'UNABLE_TO_LOCK_ROW', probability: 0.3 });
            await sleep(o.phaseMs);
            await control.clearFaults();
        });
        await phase('+100 ms on every Salesforce call', async () => {
            await control.fault({ path: '/services/**', latencyMs: 100 });
            await sleep(o.phaseMs);
            await control.clearFaults();
        });
        await phase('expired sessions', async () => {
            for (let t = 0; t < o.phaseMs; t += 1500) {
                await control.expireSessions();
                await sleep(1500);
            }
        });
        await phase('dropped streams', async () => {
            for (let t = 0; t < o.phaseMs; t += 1500) {
                await control.dropStreams();
                await sleep(1500);
            }
        });
        await phase(RESTART_PHASES[0], async () => {
            const rule = (await control.fault({ path: '/services/data/*/composite', latencyMs: 800 })).rule;
            const hit = await waitFor(
                async () => ((await controlFaults(emu)).find((r) => r.id === rule.id)?.hits ?? 0) > 0,
                o.phaseMs + 20_000,
                'a flush in flight',
                5
            ).catch(() => false);
            const c = child!;
            child = null;
            await c.kill();
            await control.clearFaults();
            log(`  killed the companion ${hit ? 'with a flush in flight' : '(no flush seen in flight)'}`);
            await sleep(500);
            await start();
            restarts++;
            await sleep(o.phaseMs / 2);
        });
        await phase(RESTART_PHASES[1], async () => {
            const c = child!;
            child = null;
            await c.stop();
            await sleep(o.phaseMs / 2); // Salesforce edits go on while the companion is down
            await control.advance({ hours: 73 });
            await start();
            restarts++;
            await sleep(o.phaseMs / 2);
        });
        current = 'drain';
        editing = false;
        await editors;
        log('edits stopped; draining');
        await drainWatch;

        // Drain: nothing pending, and both sides stable for a moment.
        await waitFor(async () => (await status())?.pendingCount === 0, 120_000, 'pending edits to drain', 200).catch(
            () => undefined
        );
        const read = () => readSides(emu, child!, targets);
        let sides = await read();
        for (let i = 0; i < 30; i++) {
            await sleep(1000);
            const next = await read();
            const moved =
                [...next.salesforce].some(([k, v]) => !sameValue(sides.salesforce.get(k), v)) ||
                [...next.statisfy].some(([k, v]) => !sameValue(sides.statisfy.get(k), v));
            sides = next;
            if (!moved && [...sides.salesforce].every(([k, v]) => sameValue(sides.statisfy.get(k), v))) break;
            if (!moved && i >= 5) break;
        }
        const { conflicts, failed } = await recorded(child!);
        const endCounts = Object.fromEntries(
            Object.keys(FIELDS).map((ob) => [ob, [...org.store.records(ob, false)].length])
        );
        let duplicates = 0;
        for (const ob of Object.keys(FIELDS)) {
            duplicates += Math.max(0, endCounts[ob] - startCounts[ob]);
            const st = await countStatisfy(child!, ob);
            duplicates += Math.max(0, st - endCounts[ob]);
        }
        const verdict = judge({
            edits,
            writes,
            integrationUserId: integration,
            salesforce: sides.salesforce,
            statisfy: sides.statisfy,
            conflicts,
            failed,
            statisfyWins: new Set(Object.keys(POLICIES).filter((k) => POLICIES[k] === 'Statisfy_Wins')),
            duplicates
        });
        const apiCalls = (await control.apiUsage()).total;
        const passed = clean(verdict) && storm.paced && storm.drainedMs !== null;
        return {
            verdict,
            passed,
            accepted: {
                statisfy: edits.filter((e) => e.side === 'statisfy').length,
                salesforce: edits.filter((e) => e.side === 'salesforce').length
            },
            refused,
            storm,
            restarts,
            phases,
            apiCalls,
            ms: Date.now() - started
        };
    } finally {
        await (child as ChildCompanion | null)?.stop().catch(() => undefined);
        await emu.stop();
        await who.cleanup();
    }
}

function sameValue(a: unknown, b: unknown): boolean {
    const n = (x: unknown) => (x === null || x === undefined || x === '' ? '' : String(x));
    return n(a) === n(b);
}

function loginAs(emu: RunningEmulator) {
    return async (username: string) => {
        const holder = { c: new Connection({ loginUrl: emu.url, version: '60.0' }), relogin: async () => undefined };
        holder.relogin = async () => {
            const c = new Connection({ loginUrl: emu.url, version: '60.0' });
            await c.login(username, 'statisfy');
            holder.c = c;
        };
        await holder.relogin();
        return holder;
    };
}

async function controlFaults(emu: RunningEmulator): Promise<Array<{ id: string; hits: number }>> {
    return emu.org.faults.list();
}

/** Final values of every watched field on both sides: the org's store, and the companion's REST API. */
async function readSides(emu: RunningEmulator, child: ChildCompanion, targets: Target[]) {
    const salesforce = new Map<string, unknown>();
    const statisfy = new Map<string, unknown>();
    for (const t of targets) {
        const rec = emu.org.store.get(t.id)?.rec ?? {};
        for (const [f] of FIELDS[t.object]) salesforce.set(`${t.id}.${f}`, rec[f]);
    }
    let next = 0;
    await Promise.all(
        Array.from({ length: 8 }, async () => {
            while (next < targets.length) {
                const t = targets[next++];
                const r = await child.api.get(`/api/v1/objects/${t.object}/records/${t.id}`);
                for (const [f] of FIELDS[t.object]) statisfy.set(`${t.id}.${f}`, r.body?.fields?.[`${t.object}.${f}`]);
            }
        })
    );
    return { salesforce, statisfy };
}

/** Record ids (and `id.field`) named by conflicts (open and resolved) and by failed edits. */
async function recorded(child: ChildCompanion): Promise<{ conflicts: Set<string>; failed: Set<string> }> {
    const collect = async (path: string) => {
        const out = new Set<string>();
        for (let offset = 0; offset < 20_000; offset += 100) {
            const r = await child.api.get(`${path}${path.includes('?') ? '&' : '?'}limit=100&offset=${offset}`);
            const items: unknown[] = r.body?.items ?? [];
            for (const it of items) {
                const text = JSON.stringify(it);
                for (const m of text.matchAll(/"([a-zA-Z0-9]{18})"/g)) out.add(m[1]);
                const id = /"(?:sfId|recordId)":"([a-zA-Z0-9]{18})"/.exec(text)?.[1];
                const field = /"(?:salesforceField|field)":"([A-Za-z0-9_]+)"/.exec(text)?.[1];
                const key = /"fieldKey":"[A-Za-z0-9_]+\.([A-Za-z0-9_]+)"/.exec(text)?.[1];
                if (id && (field || key)) out.add(`${id}.${field ?? key}`);
            }
            if (items.length < 100) break;
        }
        return out;
    };
    return {
        conflicts: new Set([
            ...(await collect('/api/v1/conflicts?status=open')),
            ...(await collect('/api/v1/conflicts?status=resolved'))
        ]),
        failed: await collect('/api/v1/sync/errors')
    };
}

async function countStatisfy(child: ChildCompanion, object: string): Promise<number> {
    let n = 0;
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
        const r = await child.api.get(
            `/api/v1/objects/${object}/records?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
        );
        n += r.body?.items?.length ?? 0;
        cursor = r.body?.nextCursor ?? null;
        if (!cursor) break;
    }
    return n;
}

/** Prints a soak result as a few lines of figures. */
export function describe(r: SoakResult): string {
    const v = r.verdict;
    return [
        `accepted edits: ${r.accepted.statisfy} in Statisfy, ${r.accepted.salesforce} in Salesforce (refused while down or faulted: ${r.refused.statisfy} / ${r.refused.salesforce})`,
        `phases: ${r.phases.map((p) => `${p.name} ${Math.round(p.ms / 100) / 10} s`).join('; ')}`,
        `fields compared: ${v.compared}; agreed on the last edit ${v.agreedOnLast}; explained by conflict ${v.explainedByConflict}, by failed edit ${v.explainedByFailedEdit}, by a race between the sides ${v.explainedByRace}`,
        `lost accepted edits: ${v.lost.length}; unexplained differences: ${v.differences.length}; echoes: ${v.echoes.length}; duplicate records: ${v.duplicates}`,
        `503 storm ${Math.round(r.storm.ms / 1000)} s: ${r.storm.flushCalls} flush calls (allowed ${r.storm.allowedCalls}: ${BREAKER_OPENS_AFTER} to open + one probe per 30 s) — ${r.storm.paced ? 'paced' : 'NOT paced'}; drained ${r.storm.drainedMs === null ? 'NOT within the probe time + 30 s' : `${Math.round(r.storm.drainedMs / 100) / 10} s after it ended`}`,
        `companion restarts: ${r.restarts}; API calls: ${r.apiCalls}; ${Math.round(r.ms / 1000)} s`,
        ...v.lost
            .slice(0, 5)
            .map(
                (x) =>
                    `  lost: ${x.object} ${x.id}.${x.field} ended ${JSON.stringify(x.final)}, last accepted ${JSON.stringify(x.last)}`
            ),
        ...v.differences
            .slice(0, 5)
            .map(
                (x) =>
                    `  differs: ${x.object} ${x.id}.${x.field} Salesforce ${JSON.stringify(x.salesforce)} vs Statisfy ${JSON.stringify(x.statisfy)}`
            ),
        ...v.echoes
            .slice(0, 5)
            .map((x) => `  echo: ${x.object} ${x.id}.${x.field} = ${JSON.stringify(x.value)}: ${x.why}`)
    ].join('\n');
}
