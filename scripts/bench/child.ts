/**
 * A companion as its own process for `npm run bench` and `npm run soak`: configuration from the environment (as
 * main.ts reads it), the real sync engine with the options in BENCH_ENGINE (JSON), exactly as the crash tests' child.
 * Prints `READY <url>` once started. BENCH_JWT_OFFSET_MS signs JWT assertions on the emulator's advanced clock.
 *
 * It adds one measuring aid and changes nothing in the companion: every `pg` client query is counted, split by
 * whether it ran inside an HTTP request (an AsyncLocalStorage context entered when the server emits `request`) or
 * in the background (sync engine, flusher, notifications). The parent asks over IPC (`{type:'stats'}`) and gets
 * `{type:'stats', sql:{http, background}, rss, orgs:[{state, totals}]}`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import pg from 'pg';
import { createCompanion, type CompanionServices } from '../../companion/src/app';
import { loadConfig } from '../../companion/src/config';
import { createSyncEngine, type StatisfySyncEngine } from '../../companion/src/sync/engine';

const inRequest = new AsyncLocalStorage<true>();
const sql = { http: 0, background: 0 };

type QueryFn = (...args: unknown[]) => unknown;
const clientProto = pg.Client.prototype as unknown as { query: QueryFn };
const originalQuery = clientProto.query;
clientProto.query = function (this: unknown, ...args: unknown[]) {
    if (inRequest.getStore()) sql.http++;
    else sql.background++;
    return originalQuery.apply(this, args);
};
type EmitFn = (event: string | symbol, ...args: unknown[]) => boolean;
const serverProto = http.Server.prototype as unknown as { emit: EmitFn };
const originalEmit = serverProto.emit;
serverProto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
    if (event === 'request') return inRequest.run(true, () => originalEmit.call(this, event, ...args));
    return originalEmit.call(this, event, ...args);
};

async function main(): Promise<void> {
    const config = loadConfig();
    let engine: StatisfySyncEngine | undefined;
    const options = JSON.parse(process.env.BENCH_ENGINE ?? '{}') as NonNullable<Parameters<typeof createSyncEngine>[1]>;
    // The emulator's clock may have been advanced (the soak's outage past event retention): sign JWTs on its clock.
    const offset = Number(process.env.BENCH_JWT_OFFSET_MS ?? 0);
    if (offset) options.jwtClock = () => Date.now() + offset;
    const build = (s: CompanionServices) => (engine ??= createSyncEngine(s, options));
    const companion = createCompanion(config, { engine: build, schema: build });
    process.on('message', (m: { type?: string }) => {
        if (m?.type !== 'stats') return;
        const orgs = engine ? Array.from(engine.orgs.values()).map((o) => ({ state: o.state, totals: o.totals })) : [];
        process.send?.({ type: 'stats', sql: { ...sql }, rss: process.memoryUsage().rss, orgs });
    });
    await companion.start();
    process.stdout.write(`READY ${companion.url}\n`);
    process.on('SIGTERM', () => void companion.stop().then(() => process.exit(0)));
}

main().catch((err) => {
    process.stderr.write(`bench companion failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
});
