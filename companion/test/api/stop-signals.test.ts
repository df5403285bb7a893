/**
 * One Ctrl-C stops gracefully: a terminal's Ctrl-C signals the whole process group, and npm forwards the SIGINT
 * it got to its child, so the process sees two SIGINTs within milliseconds. Each test starts the real entry the
 * way a person does (`npm run companion`, `npm start`) in its own process group, sends SIGINT to the group twice
 * back to back, and expects the graceful stop, not "second signal: exiting now".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { classifySignal } from '../../src/lib/signals';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

jest.setTimeout(180_000);
const ROOT = resolve(__dirname, '..', '..', '..');

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'statisfy-signals-'));
    await chmod(dir, 0o755);
});
afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts `npm run <script>` as the leader of a new process group; resolves once `ready` appears in its output. */
async function startGroup(
    script: string,
    env: Record<string, string>,
    ready: RegExp
): Promise<{ child: ChildProcess; output: () => string; exited: Promise<string> }> {
    const child = spawn('npm', ['run', '--silent', script], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    // npm itself ends by the SIGINT it got (it re-raises it once its child has exited); the app's own exit is 0.
    // 'close', not 'exit': npm may exit before the app behind it has written its last line into the shared pipe;
    // 'close' fires once every holder of the pipe is done, so the output is complete.
    const exited = new Promise<string>((done) => child.on('close', (code, signal) => done(signal ?? `exit ${code}`)));
    const deadline = Date.now() + 150_000;
    while (!ready.test(output)) {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output}`);
        if (Date.now() > deadline) {
            process.kill(-child.pid!, 'SIGKILL');
            throw new Error(`not ready in time:\n${output}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    return { child, output: () => output, exited };
}

/**
 * What the terminal and npm do on one Ctrl-C: SIGINT to the group, and the forwarded one a few milliseconds
 * later (two signals sent with no gap at all may merge into one pending signal in the kernel).
 */
async function ctrlC(child: ChildProcess): Promise<void> {
    process.kill(-child.pid!, 'SIGINT');
    await new Promise((r) => setTimeout(r, 30));
    process.kill(-child.pid!, 'SIGINT');
}

describe('classifySignal', () => {
    it('When signals arrive, then the first stops, one within the window is the same request, a later one forces', () => {
        expect(classifySignal(null, 5000)).toBe('stop');
        expect(classifySignal(5000, 5003)).toBe('ignore');
        expect(classifySignal(5000, 6000)).toBe('ignore');
        expect(classifySignal(5000, 6001)).toBe('force');
    });
});

it('When `npm run companion` gets one Ctrl-C (two SIGINTs at once), then it stops gracefully', async () => {
    const run = await startGroup(
        'companion',
        {
            NODE_ENV: 'development',
            PORT: '0',
            DATA_DIR: join(dir, 'companion'),
            DATABASE_URL: db.url,
            ENGINE_ENABLED: 'false',
            LOG_LEVEL: 'info'
        },
        /listening on http/
    );
    await ctrlC(run.child);
    const code = await run.exited;
    expect(run.output()).toContain('companion stopped');
    expect(run.output()).not.toContain('second signal');
    expect(['exit 0', 'SIGINT']).toContain(code);
});

it('When `npm start` gets one Ctrl-C (two SIGINTs at once), then everything stops gracefully', async () => {
    const run = await startGroup(
        'start',
        {
            PORT: '0',
            EMULATOR_PORT: '0',
            DATA_DIR: join(dir, 'demo'),
            DATABASE_URL: db.url,
            SF_LOGIN_URL: '',
            LOG_LEVEL: 'warn'
        },
        /Statisfy is running/
    );
    await ctrlC(run.child);
    const code = await run.exited;
    expect(run.output()).toContain('Stopped.');
    expect(run.output()).not.toContain('Second signal');
    expect(['exit 0', 'SIGINT']).toContain(code);
});
