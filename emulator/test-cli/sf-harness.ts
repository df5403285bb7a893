/**
 * Runs the project's own Salesforce CLI (`npm run sf`: Node 22 + node_modules/@salesforce/cli) against an
 * emulator, offline: a temp HOME per suite (the CLI keeps its auth files, config and caches there), no
 * telemetry, no update checks, the generic Unix keychain, and `offline-guard.cjs` preloaded to refuse and
 * record any connection that is not to the loopback interface.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const NODE22 = join(ROOT, 'node_modules', '.bin', 'node22');
const SF_RUN = join(ROOT, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');
const GUARD = join(__dirname, 'offline-guard.cjs');

/** What one `sf … --json` run gave. */
export interface SfResult {
    /** Process exit code. */
    code: number;
    /** The parsed `--json` output (`{status, result}` or `{status, name, message}`), or null when not JSON. */
    json: { status: number; result?: unknown; name?: string; message?: string; [k: string]: unknown } | null;
    stdout: string;
    stderr: string;
}

/** One CLI home: every command of a suite shares it (and so the orgs logged in). */
export class SfCli {
    readonly home: string;
    readonly guardLog: string;

    constructor() {
        this.home = mkdtempSync(join(tmpdir(), 'sf-cli-suite-'));
        this.guardLog = join(this.home, 'offline-guard.log');
    }

    /** The environment of every run: nothing of the developer's own CLI setup leaks in. */
    env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
        const keep: NodeJS.ProcessEnv = {};
        for (const k of ['PATH', 'LANG', 'TZ', 'TMPDIR']) if (process.env[k] !== undefined) keep[k] = process.env[k];
        return {
            ...keep,
            HOME: this.home,
            XDG_CONFIG_HOME: join(this.home, '.config'),
            XDG_DATA_HOME: join(this.home, '.local', 'share'),
            XDG_CACHE_HOME: join(this.home, '.cache'),
            SF_DISABLE_TELEMETRY: 'true',
            SF_AUTOUPDATE_DISABLE: 'true',
            SF_SKIP_NEW_VERSION_CHECK: 'true',
            SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
            SF_DISABLE_DNS_CHECK: 'true',
            SF_CONTAINER_MODE: 'false',
            SF_LOG_LEVEL: 'warn',
            SF_OFFLINE_GUARD_LOG: this.guardLog,
            NODE_OPTIONS: `--require ${GUARD}`,
            NO_COLOR: '1',
            ...extra
        };
    }

    /** Runs `sf <args> --json` (with `--json` added unless present) in `cwd`. */
    run(args: string[], opts: { env?: Record<string, string>; cwd?: string; json?: boolean } = {}): Promise<SfResult> {
        const full = opts.json === false || args.includes('--json') ? args : [...args, '--json'];
        return new Promise((resolve) => {
            execFile(
                NODE22,
                [SF_RUN, ...full],
                { env: this.env(opts.env), cwd: opts.cwd ?? this.home, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
                (err, stdout, stderr) => {
                    const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
                    let json: SfResult['json'] = null;
                    try {
                        json = JSON.parse(stdout) as SfResult['json'];
                    } catch {
                        json = null;
                    }
                    resolve({ code, json, stdout, stderr });
                }
            );
        });
    }

    /** Connections the offline guard refused so far (empty when the CLI stayed offline). */
    refusedConnections(): string[] {
        if (!existsSync(this.guardLog)) return [];
        return readFileSync(this.guardLog, 'utf8')
            .split('\n')
            .filter((l) => l !== '');
    }

    /** Removes the temp HOME. */
    dispose(): void {
        rmSync(this.home, { recursive: true, force: true });
    }
}
