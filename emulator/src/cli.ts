/**
 * `npm run emulator -- --port 4455 [--host 127.0.0.1] [--seed demo|empty|bench:N] [--namespace statisfy]
 *  [--data-dir DIR] [--no-control-api] [--token-ttl-ms N] [--cometd-timeout-ms N] [--pubsub-port N|off]
 *  [--pubsub-tls] [--daily-delivery-max N]`
 * Starts the org emulator and prints its URL, users and connected-app client id.
 */
import { parseSeed, type SeedName } from './seed/seed';
import { startEmulator, type EmulatorOptions } from './server';

const USAGE = `usage: npm run emulator -- [--port 4455] [--host 127.0.0.1] [--seed demo|empty|bench:N]
       [--namespace statisfy] [--data-dir DIR] [--no-control-api] [--token-ttl-ms N] [--cometd-timeout-ms N]
       [--pubsub-port 4456|0|off] [--pubsub-tls] [--daily-delivery-max 25000]`;

/** Default Pub/Sub API port of `npm run emulator` (beside the default REST port 4455). */
export const DEFAULT_PUBSUB_PORT = 4456;

/** Parses CLI flags; throws an Error naming the bad flag. */
export function parseArgs(argv: string[]): EmulatorOptions {
    const o: EmulatorOptions = { port: 4455, seed: 'demo', controlApi: true, pubsubPort: DEFAULT_PUBSUB_PORT };
    const value = (i: number, flag: string): string => {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
        return v;
    };
    const int = (v: string, flag: string, min: number, max: number): number => {
        if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
            throw new Error(`${flag} must be an integer from ${min} to ${max}, got '${v}'`);
        return Number(v);
    };
    for (let i = 0; i < argv.length; i++) {
        const raw = argv[i];
        const [flag, inline] = raw.includes('=')
            ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)]
            : [raw, undefined];
        const take = () => {
            if (inline !== undefined) return inline;
            const v = value(i, flag);
            i++;
            return v;
        };
        switch (flag) {
            case '--port':
                o.port = int(take(), '--port', 0, 65535);
                break;
            case '--host':
                o.host = take();
                break;
            case '--seed': {
                const v = take();
                try {
                    o.seed = parseSeed(v) as SeedName;
                } catch (e) {
                    throw new Error(`--seed: ${(e as Error).message}`);
                }
                break;
            }
            case '--namespace': {
                const v = take();
                if (v !== '' && !/^[A-Za-z][A-Za-z0-9]{0,14}$/.test(v))
                    throw new Error(`--namespace must be letters and digits (or ''), got '${v}'`);
                o.namespace = v;
                break;
            }
            case '--data-dir':
                o.dataDir = take();
                break;
            case '--no-control-api':
                o.controlApi = false;
                break;
            case '--token-ttl-ms':
                o.accessTokenTtlMs = int(take(), '--token-ttl-ms', 1000, 365 * 86400_000);
                break;
            case '--cometd-timeout-ms':
                o.cometdTimeoutMs = int(take(), '--cometd-timeout-ms', 100, 110_000);
                break;
            case '--pubsub-port': {
                const v = take();
                o.pubsubPort = v === 'off' ? null : int(v, '--pubsub-port', 0, 65535);
                break;
            }
            case '--pubsub-tls':
                o.pubsubTls = true;
                break;
            case '--daily-delivery-max':
                o.dailyDeliveryMax = int(take(), '--daily-delivery-max', 0, 100_000_000);
                break;
            case '--help':
            case '-h':
                console.log(USAGE);
                process.exit(0);
                break;
            default:
                throw new Error(`unknown flag '${raw}'\n${USAGE}`);
        }
    }
    return o;
}

async function main(): Promise<void> {
    const t0 = process.hrtime.bigint();
    let opts: EmulatorOptions;
    try {
        opts = parseArgs(process.argv.slice(2));
    } catch (e) {
        console.error(`emulator: ${(e as Error).message}`);
        process.exit(2);
    }
    let emu: Awaited<ReturnType<typeof startEmulator>>;
    try {
        emu = await startEmulator(opts);
    } catch (e) {
        console.error(`emulator: ${(e as Error).message}`);
        process.exit(1);
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const lines = [
        `Salesforce org emulator ready at ${emu.url} (${Math.round(ms)} ms; ${Math.round(process.uptime() * 1000)} ms since process start)`,
        `  org ${emu.orgId}${opts.namespace ? `, namespace '${opts.namespace}'` : ''}, seed ${opts.seed}${opts.dataDir ? `, data in ${opts.dataDir}` : ''}`,
        `  login URL / instance URL: ${emu.url}`,
        `  OAuth client id: ${emu.clientId}  secret: ${emu.clientSecret}`,
        ...emu.users.map((u) => `  user ${u.username} / ${u.password}  (${u.id})`),
        emu.pubsub
            ? `  Pub/Sub API (gRPC${emu.pubsub.tls ? ', TLS with emulator/fixtures/dev-pubsub-tls' : ', plaintext'}): ${emu.pubsub.endpoint}`
            : '  Pub/Sub API: off',
        opts.controlApi !== false ? `  control API: ${emu.url}/__emulator/` : '  control API: off'
    ];
    console.log(lines.join('\n'));
    const shutdown = () => {
        void emu.stop().then(() => process.exit(0));
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
}

if (require.main === module) void main();
