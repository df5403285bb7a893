/**
 * Inbound and volume targets: Salesforce change → visible in Statisfy (read back through the companion's REST
 * API), first import of N records with the companion's peak RSS (VmHWM of the child process, so "throughout" and
 * not a sample), a backlog of record changes made while the companion was down caught up after its restart, and
 * the apply rate and records per delivered event of that catch-up.
 *
 * The Salesforce-side changes are ordinary DML as the sales user: over jsforce for the latency figure, and for the
 * backlog in the emulator's store in transactions of 200 records (a data loader's batch; each publishes the
 * package's Record_Change__e as any Salesforce edit does).
 */
import { Connection } from 'jsforce';
import { startEmulator, type RunningEmulator } from '../../emulator/src/server';
import type { OutboundStage } from './outbound';
import { record } from './report';
import {
    companionIdentity,
    controlClient,
    percentile,
    sleep,
    startChildCompanion,
    waitFor,
    type ChildCompanion,
    type Postgres
} from './stack';

const MB = 1024 * 1024;
/** An import whose record count has not moved for this long is reported as stalled. */
const STALL_MS = 45_000;

/**
 * Salesforce edits by a Salesforce user (jsforce) at `rate`/s → the value stored by the companion. One SQL poll
 * every 5 ms looks for all outstanding values at once (polling the REST API per edit would load the companion more
 * than the edits do); the last edit is read back through GET /api/v1/…/records/:id as well.
 */
export async function inboundLatency(
    pg: Postgres,
    s: OutboundStage,
    n: number,
    rate: number,
    label: string
): Promise<void> {
    const sales = new Connection({ loginUrl: s.emu.url, version: '60.0' });
    await sales.login('sales@statisfy.test', 'statisfy');
    const open = new Map<string, { value: string; t0: number; resolve: (ms: number) => void }>();
    let polling = true;
    const poller = (async () => {
        while (polling || open.size > 0) {
            if (open.size > 0) {
                const rows = await pg.query<{ sf_id: string; v: string | null }>(
                    s.dbUrl,
                    `SELECT sf_id, fields->>'Account.BillingCity' AS v FROM records WHERE org_id = $1 AND sf_id = ANY($2)`,
                    [s.orgId, [...open.keys()]]
                );
                const now = Date.now();
                for (const r of rows) {
                    const w = open.get(r.sf_id);
                    if (w && r.v === w.value) {
                        open.delete(r.sf_id);
                        w.resolve(now - w.t0);
                    }
                }
            }
            await sleep(5);
        }
    })();
    const lat: Promise<number>[] = [];
    const start = Date.now();
    let last = { id: '', value: '' };
    for (let i = 0; i < n; i++) {
        const due = start + (i * 1000) / rate;
        if (due > Date.now()) await sleep(due - Date.now());
        const id = s.ids[i % s.ids.length];
        const value = `Inbound ${label} ${i}`;
        await waitFor(() => !open.has(id), 30_000, 'the previous edit of the record to arrive', 5);
        await sales.sobject('Account').update({ Id: id, BillingCity: value });
        const t0 = Date.now();
        lat.push(new Promise<number>((resolve) => open.set(id, { value, t0, resolve })));
        last = { id, value };
    }
    const all = await Promise.race([
        Promise.all(lat),
        sleep(60_000).then(() => {
            throw new Error(`${open.size} Salesforce edits never arrived in Statisfy`);
        })
    ]);
    polling = false;
    await poller;
    const api = await s.child.api.get(`/api/v1/objects/Account/records/${last.id}`);
    const p95 = percentile(all, 95);
    record({
        target: `Salesforce change → visible in Statisfy p95 ${label}`,
        goal: '< 500',
        ours: p95,
        unit: 'ms',
        pass: p95 < 500 && api.body?.fields?.['Account.BillingCity'] === last.value,
        note: `${n} edits by a Salesforce user at ${rate}/s; median ${percentile(all, 50)} ms`
    });
}

/** An import stage: emulator with N bench Accounts and a companion that imported them. */
export interface ImportStage {
    emu: RunningEmulator;
    child: ChildCompanion;
    dbUrl: string;
    who: Awaited<ReturnType<typeof companionIdentity>>;
    ms: number;
    peakMb: number;
    done: boolean;
}

async function accountCount(pg: Postgres, dbUrl: string): Promise<number> {
    const [row] = await pg
        .query<{ n: number }>(dbUrl, `SELECT count(*)::int AS n FROM records WHERE object_api_name = 'Account'`)
        .catch(() => [{ n: 0 }]);
    return row?.n ?? 0;
}

/** First import of `n` Accounts (plus the demo's 50) into an empty companion. */
export async function benchImport(pg: Postgres, n: number, limitMs: number): Promise<ImportStage> {
    const emu = await startEmulator({ seed: 'demo' });
    await controlClient(emu.url).seed(`bench:${n}`, false);
    const dbUrl = await pg.createDatabase();
    const who = await companionIdentity();
    const t0 = Date.now();
    const child = await startChildCompanion({
        ...who,
        databaseUrl: dbUrl,
        emulatorUrl: emu.url,
        clientId: emu.clientId
    });
    let done = false;
    let stalled = false;
    const end = t0 + limitMs;
    let last = -1;
    let lastMoved = Date.now();
    while (Date.now() < end && child.proc.exitCode === null) {
        const count = await accountCount(pg, dbUrl);
        if (count >= n + 50) {
            done = true;
            break;
        }
        if (count !== last) [last, lastMoved] = [count, Date.now()];
        else if (count > 0 && Date.now() - lastMoved > STALL_MS) {
            stalled = true;
            break;
        }
        await sleep(250);
    }
    const ms = Date.now() - t0;
    const peakMb = child.peakRss() / MB;
    const label = n.toLocaleString('en-US');
    record({
        target: `first import of ${label} records: peak RSS`,
        goal: '< 300',
        ours: peakMb,
        unit: 'MB',
        pass: done && peakMb < 300,
        note: done ? '' : stalled ? 'stalled' : `not finished after ${Math.round(limitMs / 1000)} s`
    });
    record({
        target: `first import of ${label} records: time`,
        goal: 'linear',
        ours: done ? ms / 1000 : null,
        unit: 's',
        pass: done ? null : false,
        note: done
            ? `${Math.round(n / (ms / 1000)).toLocaleString('en-US')} records/s, companion start included`
            : `${(await accountCount(pg, dbUrl)).toLocaleString('en-US')} of ${label} imported ${stalled ? `and no progress for ${STALL_MS / 1000} s (stalled)` : `after ${Math.round(limitMs / 1000)} s`}${child.proc.exitCode !== null ? ` (companion exited ${child.proc.exitCode})` : ''}`
    });
    return { emu, child, dbUrl, who, ms, peakMb, done };
}

/** Stops the companion, makes `n` record changes in Salesforce, restarts it and times the catch-up. */
export async function benchBacklog(pg: Postgres, st: ImportStage, n: number, limitMs: number): Promise<void> {
    await st.child.stop();
    const org = st.emu.org;
    const sales = org.user('sales@statisfy.test')!.id;
    const ids: string[] = [];
    for (const rec of org.store.records('Account', false))
        if (String(rec.Name).startsWith('Bench Account ')) ids.push(String(rec.Id));
    const before = org.bus.stats().published;
    for (let i = 0; i < Math.min(n, ids.length); i += 200) {
        org.store.run(sales, (tx) => {
            tx.nextOp();
            for (let j = i; j < Math.min(i + 200, n, ids.length); j++)
                org.store.update(tx, 'Account', ids[j], { BillingCity: `Backlog ${j}` });
        });
    }
    const events = org.bus.stats().published - before;
    const changed = Math.min(n, ids.length);
    const t0 = Date.now();
    const child = await startChildCompanion({
        ...st.who,
        databaseUrl: st.dbUrl,
        emulatorUrl: st.emu.url,
        clientId: st.emu.clientId
    });
    st.child = child;
    let caughtUp = false;
    while (Date.now() < t0 + limitMs && child.proc.exitCode === null) {
        const [row] = await pg.query<{ n: number }>(
            st.dbUrl,
            `SELECT count(*)::int AS n FROM records WHERE object_api_name = 'Account' AND fields->>'Account.BillingCity' LIKE 'Backlog %'`
        );
        if (row.n >= changed) {
            caughtUp = true;
            break;
        }
        await sleep(250);
    }
    const ms = Date.now() - t0;
    const totals = (await child.stats()).orgs[0]?.totals ?? {};
    const label = changed.toLocaleString('en-US');
    record({
        target: `backlog of ${label} record changes caught up`,
        goal: '< 60',
        ours: caughtUp ? ms / 1000 : null,
        unit: 's',
        pass: caughtUp && ms < 60_000,
        note: `companion restart included; ${events.toLocaleString('en-US')} Record_Change__e published for them${caughtUp ? '' : ' — not caught up in time'}`
    });
    const applySeconds = (totals.applyMs ?? 0) / 1000;
    const rate = applySeconds > 0 ? changed / applySeconds : null;
    record({
        target: 'inbound apply rate (record changes / s of apply)',
        goal: '≥ 5,000',
        ours: rate,
        unit: 'changes/s',
        pass: rate !== null && rate >= 5000,
        note: `${totals.eventsApplied ?? 0} events applied in ${totals.batches ?? 0} batches, ${Math.round(totals.applyMs ?? 0)} ms of apply; wall ${caughtUp ? Math.round(changed / (ms / 1000)) : '—'}/s`
    });
    record({
        target: 'records per delivered Record_Change__e',
        goal: 'info',
        ours: events > 0 ? changed / events : null,
        unit: 'records',
        pass: null,
        note: 'transactions of 200 records'
    });
}

/** Stops an import stage. */
export async function stopImport(st: ImportStage): Promise<void> {
    await st.child.stop();
    await st.emu.stop();
    await st.who.cleanup();
}

/** Linear time check between two import sizes. */
export function linearity(small: ImportStage, nSmall: number, big: ImportStage, nBig: number): void {
    const ok = small.done && big.done;
    const perSmall = small.ms / nSmall;
    const perBig = big.ms / nBig;
    record({
        target: `import time per record, ${nBig.toLocaleString('en-US')} vs ${nSmall.toLocaleString('en-US')}`,
        goal: '≤ 1.5×',
        ours: ok ? perBig / perSmall : null,
        unit: '×',
        pass: ok && perBig / perSmall <= 1.5,
        note: ok ? 'linear growth = 1.0×' : 'an import did not finish'
    });
}
