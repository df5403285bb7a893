/**
 * Outbound throughput with two companion worker processes on one PostgreSQL versus one: the same burst of edits
 * (PATCHes spread over every process's API, 16 at once) with 100 ms added to every Salesforce call, timed from the
 * first PATCH until every edit is committed in the org. Each process's flushed edits come from its engine totals,
 * so the table shows whether the second process flushes at all (today only the org's leader does).
 */
import { record } from './report';
import { stageOutbound, type OutboundStage } from './outbound';
import { companionIdentity, pool, startChildCompanion, type ChildCompanion, type Postgres } from './stack';

async function burst(s: OutboundStage, apis: ChildCompanion[], n: number, tag: string): Promise<number> {
    const ids = s.ids.slice(0, n);
    const t0 = Date.now();
    const landed: Promise<number>[] = [];
    await pool(ids, 16, async (id, i) => {
        const value = `${tag}-${i}`;
        const res = await apis[i % apis.length].api.patch(`/api/v1/objects/Account/records/${id}`, {
            fields: { 'Account.Phone': value }
        });
        if (res.status !== 200) throw new Error(`PATCH answered ${res.status}: ${JSON.stringify(res.body)}`);
        landed.push(s.watcher.expect(id, 'Phone', value, t0));
    });
    await Promise.all(landed);
    return n / ((Date.now() - t0) / 1000);
}

const sent = async (c: ChildCompanion) => (await c.stats()).orgs.reduce((a, o) => a + (o.totals.editsSent ?? 0), 0);

/** One worker, then two on a fresh database; records the ratio. */
export async function benchWorkers(pg: Postgres, n: number): Promise<void> {
    let one: number;
    {
        const s = await stageOutbound(pg, n);
        try {
            await s.control.fault({ path: '/services/**', latencyMs: 100 });
            one = await burst(s, [s.child], n, 'w1');
        } finally {
            await s.stop();
        }
    }
    const s = await stageOutbound(pg, n);
    const who = await companionIdentity();
    let second: ChildCompanion | undefined;
    try {
        // The second process shares the first one's database (and so its secrets): reuse its environment.
        second = await startChildCompanion({
            ...s.who,
            dataDir: who.dataDir,
            databaseUrl: s.dbUrl,
            emulatorUrl: s.emu.url,
            clientId: s.emu.clientId
        });
        await s.control.fault({ path: '/services/**', latencyMs: 100 });
        const before = [await sent(s.child), await sent(second)];
        const two = await burst(s, [s.child, second], n, 'w2');
        const flushed = [(await sent(s.child)) - before[0], (await sent(second)) - before[1]];
        const ratio = two / one;
        record({
            target: 'outbound throughput, 2 worker processes ÷ 1 (+100 ms)',
            goal: '> 1, both flush',
            ours: ratio,
            unit: '×',
            pass: ratio > 1 && flushed[0] > 0 && flushed[1] > 0,
            note: `1 process ${Math.round(one)} edits/s, 2 processes ${Math.round(two)} edits/s; edits flushed per process ${flushed.join(' / ')}; 2 cores shared by the bench, the emulator, PostgreSQL and both processes`
        });
    } finally {
        await second?.stop();
        await s.stop();
        await who.cleanup();
    }
}
