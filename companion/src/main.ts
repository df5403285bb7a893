/**
 * Process entry: configuration → createCompanion → start; SIGTERM/SIGINT stop it gracefully (a second signal
 * within 1 s is the same request; a later one exits at once).
 */
import { createCompanion } from './app';
import { ConfigError, loadConfig } from './config';
import { onStopSignals } from './lib/signals';
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
    // One Ctrl-C may arrive twice within milliseconds (terminal + npm): lib/signals.ts treats that as one request.
    onStopSignals({
        stop: (signal) => {
            companion.logger.info({ signal }, 'signal received: stopping');
            void companion.stop().then(() => {
                removeHandlers();
                process.exit(process.exitCode ?? 0);
            });
        },
        force: (signal) => {
            companion.logger.warn({ signal }, 'second signal: exiting now');
            process.exit(130);
        }
    });
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
