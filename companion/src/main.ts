/**
 * Process entry: configuration → createCompanion → start; SIGTERM/SIGINT stop it gracefully.
 */
import { createCompanion } from './app';
import { ConfigError, loadConfig } from './config';
import { defaultDeps } from './wiring';

async function main(): Promise<void> {
    let config;
    try {
        config = loadConfig();
    } catch (error) {
        if (error instanceof ConfigError) {
            process.stderr.write(`${error.message}\n`);
            process.exit(78); // EX_CONFIG
        }
        throw error;
    }
    const companion = createCompanion(config, defaultDeps());
    const removeHandlers = companion.errors.installProcessHandlers();
    let signals = 0;
    const shutdown = (signal: string) => {
        signals++;
        if (signals > 1) {
            companion.logger.warn({ signal }, 'second signal: exiting now');
            process.exit(130);
        }
        companion.logger.info({ signal }, 'signal received: stopping');
        void companion.stop().then(() => {
            removeHandlers();
            process.exit(process.exitCode ?? 0);
        });
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    try {
        await companion.start();
    } catch (error) {
        companion.errors.handle(error, 'startup');
        await companion.stop();
        process.exit(1);
    }
    process.stdout.write(`Statisfy companion listening on ${companion.url} (role ${config.role})\n`);
}

void main();
