/**
 * `npx tsx scripts/bench-events.ts [pubsub|cometd …]`: the inbound event figures of issue 11, measured on the real
 * stack (embedded PostgreSQL, the org emulator, the companion with its sync engine, via scripts/start.ts) and NOT in
 * a timed unit test:
 *
 * - event deliveries per 1,000 Salesforce changes made in chunks of 200, with the package's old one-event-per-record
 *   shape (the emulator's `legacy` package version) and with the batched shape, counted by the emulator's delivery
 *   allocation;
 * - Salesforce change → applied in Statisfy (PostgreSQL) latency, p50 and p95 over single-record edits;
 * - throughput: a backlog of record changes (REST Collections updates of 200) applied, in events/s and records/s.
 *
 * Each transport (`SF_EVENT_TRANSPORT`) gets its own fresh stack in a temporary data directory.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as jsforce from 'jsforce';
import { createRepositories } from '../companion/src/data';
import { startDemo } from './start';

type Transport = 'pubsub' | 'cometd';

const pct = (values: number[], p: number) => {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(2);
    }
}

async function bench(transport: Transport): Promise<Record<string, number>> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `statisfy-bench-${transport}-`));
    fs.chmodSync(dataDir, 0o755); // embedded PostgreSQL runs as its own user and must reach it
    const demo = await startDemo({
        port: 0,
        emulatorPort: 0,
        dataDir,
        adminToken: 'bench-admin-token',
        logLevel: 'warn',
        cometdTimeoutMs: 25_000,
        env: { SF_EVENT_TRANSPORT: transport, ENGINE_ENABLED: 'true' }
    });
    try {
        const emu = demo.emulator!;
        const ds = demo.companion.dataSource;
        const repos = () => createRepositories(ds.manager);
        const orgId = (await repos().orgs.listAll())[0].id;
        const name = async (sfId: string) => (await repos().records.get(orgId, sfId))?.fields['Account.Name'];
        const conn = new jsforce.Connection({ loginUrl: emu.url, version: '60.0' });
        await conn.login('admin@statisfy.test', 'statisfy');
        const ids = (await conn.query<{ Id: string }>('SELECT Id FROM Account')).records.map((r) => r.Id);
        const created: string[] = [];
        for (let k = 0; k < 5; k++)
            created.push(
                ...(
                    await conn
                        .sobject('Account')
                        .create(Array.from({ length: 200 }, (_, i) => ({ Name: `Bench ${k}-${i}` })))
                ).map((r) => r.id!)
            );
        await until(async () => (await name(created[created.length - 1])) !== undefined, 60_000, 'the load');

        // Deliveries per 1,000 changes: old shape (before) and batched (after).
        const deliveries = async (shape: 'legacy' | 'batched', tag: string) => {
            emu.org.publisher.shape = shape;
            const before = emu.org.deliveries.used();
            for (let k = 0; k < 5; k++)
                await conn
                    .sobject('Account')
                    .update(created.slice(k * 200, k * 200 + 200).map((Id, i) => ({ Id, Name: `${tag} ${k}-${i}` })));
            const last = created[created.length - 1];
            await until(async () => (await name(last)) === `${tag} 4-199`, 60_000, `${shape} changes applied`);
            await sleep(200);
            return emu.org.deliveries.used() - before;
        };
        const legacy = await deliveries('legacy', 'Legacy');
        const batched = await deliveries('batched', 'Batched');

        // Latency: one record changed at a time, Salesforce change → applied in PostgreSQL.
        const lat: number[] = [];
        for (let i = 0; i < 60; i++) {
            const id = ids[i % ids.length];
            const value = `Latency ${i} ${Date.now()}`;
            const t0 = performance.now();
            await conn.sobject('Account').update({ Id: id, Name: value });
            await until(async () => (await name(id)) === value, 10_000, 'the edit');
            if (i >= 10) lat.push(performance.now() - t0); // first 10 are warm-up
        }

        // Throughput: 50 chunks of 200 (10,000 record changes) made as fast as the API takes them.
        const rounds = 50;
        const t0 = performance.now();
        const eventsBefore = emu.org.publisher.stats.published;
        for (let k = 0; k < rounds; k++)
            await conn
                .sobject('Account')
                .update(created.slice(0, 200).map((Id, i) => ({ Id, Name: `Throughput ${k}-${i}` })));
        await until(
            async () => (await name(created[199])) === `Throughput ${rounds - 1}-199`,
            120_000,
            'the backlog applied'
        );
        const secs = (performance.now() - t0) / 1000;
        const events = emu.org.publisher.stats.published - eventsBefore;
        return {
            deliveriesPer1000Legacy: legacy,
            deliveriesPer1000Batched: batched,
            latencyP50Ms: Math.round(pct(lat, 50)),
            latencyP95Ms: Math.round(pct(lat, 95)),
            eventsPerSec: Math.round(events / secs),
            recordsPerSec: Math.round((rounds * 200) / secs)
        };
    } finally {
        await demo.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
    }
}

async function main(): Promise<void> {
    const asked = process.argv.slice(2).filter((a): a is Transport => a === 'pubsub' || a === 'cometd');
    const transports: Transport[] = asked.length ? asked : ['pubsub', 'cometd'];
    const out: Record<string, Record<string, number>> = {};
    for (const t of transports) {
        out[t] = await bench(t);
        const f = out[t];
        console.log(
            `${t.padEnd(7)} deliveries/1,000 changes: ${f.deliveriesPer1000Legacy} (one event per record) → ${f.deliveriesPer1000Batched} (batched); ` +
                `change → applied p50 ${f.latencyP50Ms} ms, p95 ${f.latencyP95Ms} ms; ` +
                `backlog ${f.eventsPerSec} events/s, ${f.recordsPerSec} records/s (REST Collections writes included)`
        );
    }
    console.log(JSON.stringify(out));
}

void main().then(
    () => process.exit(0),
    (err: unknown) => {
        console.error(err);
        process.exit(1);
    }
);
