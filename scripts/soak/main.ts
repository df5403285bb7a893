/**
 * `npm run soak`: the long soak (scripts/soak/soak.ts) on its own embedded PostgreSQL — each fault phase 20 s by
 * default (`--phase-seconds=N`) — prints the figures, ends with a one-line summary and exits 1 when a check fails.
 */
import { startPostgres } from '../bench/stack';
import { load } from '../bench/report';
import { describe, runSoak } from './soak';

async function main(): Promise<number> {
    const arg = process.argv.find((a) => a.startsWith('--phase-seconds='));
    const phaseMs = (arg ? Number(arg.slice(16)) : 20) * 1000;
    const loadAtStart = load();
    const pg = await startPostgres();
    try {
        const r = await runSoak({
            createDatabase: () => pg.createDatabase(),
            phaseMs,
            log: (l) => process.stdout.write(`${l}\n`)
        });
        process.stdout.write(`\n${describe(r)}\nload average: at start ${loadAtStart}, at end ${load()}\n`);
        process.stdout.write(
            `\nsoak: ${r.passed ? 'PASSED' : 'FAILED'} — ${r.verdict.lost.length} lost, ${r.verdict.differences.length} unexplained differences, ${r.verdict.echoes.length} echoes, ${r.verdict.duplicates} duplicates, storm ${r.storm.paced ? 'paced' : 'NOT paced'} and ${r.storm.drainedMs === null ? 'NOT drained' : 'drained'}\n`
        );
        return r.passed ? 0 : 1;
    } finally {
        await pg.stop();
    }
}

main().then(
    (code) => process.exit(code),
    (err) => {
        process.stderr.write(`soak failed: ${(err as Error).stack ?? String(err)}\n`);
        process.exit(2);
    }
);
