/**
 * A companion as its own process, for the crash tests: configuration from the environment (as main.ts reads it),
 * the real sync engine with the options in E2E_ENGINE (JSON). Prints `READY <url>` once started. The test kills it
 * with SIGKILL — no graceful stop, exactly like a crash.
 */
import { createCompanion, type CompanionServices } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createSyncEngine, type StatisfySyncEngine } from '../../src/sync/engine';

async function main(): Promise<void> {
    const config = loadConfig();
    let engine: StatisfySyncEngine | undefined;
    const options = JSON.parse(process.env.E2E_ENGINE ?? '{}') as Parameters<typeof createSyncEngine>[1];
    const build = (s: CompanionServices) => (engine ??= createSyncEngine(s, options));
    const companion = createCompanion(config, { engine: build, schema: build });
    await companion.start();
    process.stdout.write(`READY ${companion.url}\n`);
    process.on('SIGTERM', () => void companion.stop().then(() => process.exit(0)));
}

main().catch((err) => {
    process.stderr.write(`child companion failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
});
