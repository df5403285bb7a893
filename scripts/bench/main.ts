/**
 * `npm run bench`: measures every product target of issue 10 in one run — ours beside a naive integration, with no
 * added latency and with 100 ms added to every Salesforce call — prints the table (target, goal, ours, naive, ratio,
 * pass/fail) with the load average, a one-line summary, and exits 1 when a target is missed. docs/performance.md
 * says how to read it and quotes measured figures.
 *
 *   npm run bench                  the full run (≈ 10 minutes on 2 cores)
 *   npm run bench -- --quick       smaller sizes (imports of 10,000 and 100,000, a 10,000-change backlog)
 *   npm run bench -- --only=outbound,inbound,workers,import   a subset
 *   npm run bench -- --emulator    the emulator's own figures (scripts/bench.ts)
 *
 * Loopback only: an embedded PostgreSQL, the emulator in this process, the companion as a child process.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { benchBacklog, benchImport, inboundLatency, linearity, stopImport } from './inbound';
import { benchOutbound } from './outbound';
import { load, printTable, record } from './report';
import { startPostgres } from './stack';
import { benchWorkers } from './workers';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
    .find((a) => a.startsWith('--only='))
    ?.slice(7)
    .split(',');
const want = (part: string) => !only || only.includes(part);

const SIZES = quick
    ? {
          edits: 1000,
          steadySeconds: 5,
          sqlPatches: 50,
          inbound: 100,
          workers: 1000,
          imports: [10_000, 100_000],
          backlog: 10_000
      }
    : {
          edits: 1000,
          steadySeconds: 10,
          sqlPatches: 200,
          inbound: 200,
          workers: 2000,
          imports: [100_000, 1_000_000],
          backlog: 100_000
      };
/** Longest an import may take before it is reported as not finished (keeps the run near 10 minutes). */
const IMPORT_LIMIT_MS = [120_000, 180_000];

async function step(name: string, fn: () => Promise<void>): Promise<void> {
    process.stdout.write(`\n${name} (load ${load()})\n`);
    try {
        await fn();
    } catch (err) {
        record({
            target: `${name}: did not complete`,
            goal: 'runs',
            ours: null,
            unit: '',
            pass: false,
            note: String((err as Error).message ?? err).slice(0, 160)
        });
    }
}

// A stray rejection in a scenario must not end the whole run: it is reported, and that scenario fails.
process.on('unhandledRejection', (err) => {
    process.stderr.write(`bench: unhandled rejection: ${String((err as Error)?.message ?? err)}\n`);
});

async function main(): Promise<number> {
    if (args.includes('--emulator')) {
        return (
            spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../bench.ts')], { stdio: 'inherit' })
                .status ?? 1
        );
    }
    const startedAt = Date.now();
    const loadAtStart = load();
    process.stdout.write(`npm run bench${quick ? ' --quick' : ''}: load average ${loadAtStart}\n`);
    const pg = await startPostgres();
    try {
        for (const latency of [0, 100]) {
            if (want('outbound') || want('inbound'))
                await step(`outbound and inbound latency, +${latency} ms per Salesforce call`, () =>
                    benchOutbound(pg, latency, SIZES, (s, label) => inboundLatency(pg, s, SIZES.inbound, 20, label))
                );
        }
        if (want('workers')) await step('two workers vs one', () => benchWorkers(pg, SIZES.workers));
        if (want('import')) {
            const [small, big] = SIZES.imports;
            let first: Awaited<ReturnType<typeof benchImport>> | undefined;
            let second: Awaited<ReturnType<typeof benchImport>> | undefined;
            await step(`first import of ${small.toLocaleString('en-US')} and a backlog`, async () => {
                first = await benchImport(pg, small, IMPORT_LIMIT_MS[0]);
                try {
                    if (first.done) await benchBacklog(pg, first, SIZES.backlog, 120_000);
                } finally {
                    await stopImport(first);
                }
            });
            await step(`first import of ${big.toLocaleString('en-US')}`, async () => {
                second = await benchImport(pg, big, IMPORT_LIMIT_MS[1]);
                await stopImport(second);
            });
            if (first && second) linearity(first, small, second, big);
        }
    } finally {
        await pg.stop();
    }
    return printTable(startedAt, loadAtStart) > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
        process.exit(2);
    }
);
