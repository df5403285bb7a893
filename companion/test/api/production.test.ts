/**
 * NODE_ENV=production refuses what is only fit for a laptop, each with a message naming the variable: the
 * emulator's public development JWT key (inline or as a file), an `http://` login URL, the example admin token
 * printed in the docs; and `npm start` refuses to run the demo (the emulator and its control API), exiting 78 like
 * the companion's configuration check.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, DOCUMENTED_EXAMPLE_TOKENS, parseConfig } from '../../src/config';

const ROOT = resolve(__dirname, '..', '..', '..');
const DEV_KEY_FILE = join(ROOT, 'emulator', 'fixtures', 'dev-jwt', 'server.key');

const production = (extra: Record<string, string>) => ({
    NODE_ENV: 'production',
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    SF_LOGIN_URL: 'https://login.salesforce.com',
    SF_CONSUMER_KEY: 'consumer-key',
    SF_USERNAME: 'integration@example.com',
    SF_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nMIIsomethingelse\n-----END PRIVATE KEY-----',
    ...extra
});

function problems(env: Record<string, string>): string[] {
    try {
        parseConfig(env);
        return [];
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return error.problems.map((p) => `${p.variable}: ${p.message}`);
    }
}

describe('NODE_ENV=production', () => {
    it('When the configuration is fit for production, then it is accepted', () => {
        expect(problems(production({}))).toEqual([]);
    });

    it('When the development JWT key is given as a file or inline, then it is refused by name', () => {
        expect(problems(production({ SF_PRIVATE_KEY: '', SF_PRIVATE_KEY_FILE: DEV_KEY_FILE }))).toEqual([
            expect.stringMatching(/^SF_PRIVATE_KEY_FILE: is the emulator's public development key/)
        ]);
        const inline = readFileSync(DEV_KEY_FILE, 'utf8').replace(/\n/g, '\r\n');
        expect(problems(production({ SF_PRIVATE_KEY: inline }))).toEqual([
            expect.stringMatching(/^SF_PRIVATE_KEY: is the emulator's public development key/)
        ]);
        // Outside production the demo uses it.
        expect(problems({ ...production({ SF_PRIVATE_KEY_FILE: DEV_KEY_FILE }), NODE_ENV: 'development' })).toEqual([]);
    });

    it('When the login URL is http://, then it is refused', () => {
        expect(problems(production({ SF_LOGIN_URL: 'http://login.salesforce.com' }))).toEqual([
            'SF_LOGIN_URL: must be https:// when NODE_ENV=production (e.g. https://login.salesforce.com)'
        ]);
    });

    it('When the admin token is the example from the docs, then it is refused', () => {
        expect(problems(production({ STATISFY_ADMIN_TOKEN: 'dev-admin-token-please-change' }))).toEqual([
            expect.stringMatching(/^STATISFY_ADMIN_TOKEN: is the example value from the docs/)
        ]);
    });

    it('When the docs show an example admin token, then production refuses that value too', () => {
        const docs = [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs')).map((f) => join(ROOT, 'docs', f))];
        const examples = new Set<string>();
        for (const file of docs.filter((f) => f.endsWith('.md')))
            for (const m of readFileSync(file, 'utf8').matchAll(/(?:STATISFY_ADMIN_TOKEN|METRICS_TOKEN)=([^\s`'"]+)/g))
                if (!m[1].startsWith('$')) examples.add(m[1]);
        expect(examples.size).toBeGreaterThan(0);
        for (const example of examples) expect(DOCUMENTED_EXAMPLE_TOKENS).toContain(example);
    });

    it('When `npm start` runs with NODE_ENV=production and no org of its own, then it refuses the demo with exit 78', async () => {
        const child = spawn('npm', ['start', '--silent'], {
            cwd: ROOT,
            env: { ...process.env, NODE_ENV: 'production', SF_LOGIN_URL: '', PORT: '0', EMULATOR_PORT: '0' },
            stdio: ['ignore', 'pipe', 'pipe']
        });
        let output = '';
        child.stdout.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => (output += d.toString()));
        const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
        expect(output).toContain('NODE_ENV=production: npm start will not run the demo');
        expect(output).toContain('control API (/__emulator)');
        expect(output).not.toContain('Salesforce org emulator at');
        expect(code).toBe(78);
    }, 60_000);
});
