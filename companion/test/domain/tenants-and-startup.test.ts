/**
 * Tenants and start-up: the org from the environment (credentials encrypted at rest, refreshed not duplicated on
 * restart, STATISFY_ADMIN_TOKEN accepted), the development encryption key, and the default embedded PostgreSQL
 * under DATA_DIR surviving a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config';
import { createRepositories } from '../../src/data';
import { authenticate, bootstrapOrgFromConfig } from '../../src/domain/tenants';
import { SecretBox } from '../../src/lib/crypto';
import { resolveEncryptionKey } from '../../src/lib/keys';
import { createLogger } from '../../src/lib/logger';
import { openTestDataSource, type TestDataContext } from '../support/datasource';

const silent = createLogger('silent');
let ctx: TestDataContext;
let dir: string;

beforeAll(async () => {
    ctx = await openTestDataSource();
    dir = await mkdtemp(join(tmpdir(), 'statisfy-startup-'));
});
afterAll(async () => {
    await ctx.close();
    await rm(dir, { recursive: true, force: true });
});

describe('org from the environment', () => {
    it('When the companion starts twice with SF_* set, then one org exists, its key is stored encrypted, and the admin token works', async () => {
        const keyFile = join(dir, 'server.key');
        await writeFile(keyFile, '-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n');
        const env = {
            SF_LOGIN_URL: 'http://127.0.0.1:4455',
            SF_CONSUMER_KEY: 'statisfy-dev-client',
            SF_USERNAME: 'integration@statisfy.test',
            SF_PRIVATE_KEY_FILE: keyFile,
            STATISFY_ADMIN_TOKEN: 'dev-admin-token-0123456789',
            SF_ORG_NAME: 'Demo org'
        };
        const box = new SecretBox(randomBytes(32));
        const first = await bootstrapOrgFromConfig(ctx.dataSource, box, parseConfig(env), silent);
        const second = await bootstrapOrgFromConfig(
            ctx.dataSource,
            box,
            parseConfig({ ...env, SF_ORG_NAME: 'Renamed org' }),
            silent
        );
        expect(second!.id).toBe(first!.id);
        expect(second!.name).toBe('Renamed org');
        const stored = (await ctx.repos.orgs.get(first!.id))!;
        expect(stored.privateKeyEnc).not.toContain('PRIVATE KEY');
        expect(box.decrypt(stored.privateKeyEnc!)).toContain('MIIfake');
        const raw = await ctx.dataSource.query('SELECT private_key_enc FROM orgs WHERE id = $1', [first!.id]);
        expect(JSON.stringify(raw)).not.toContain('MIIfake');
        const identity = await authenticate(createRepositories(ctx.dataSource.manager), 'dev-admin-token-0123456789');
        expect(identity).toMatchObject({ orgId: first!.id, role: 'admin' });
        expect((await ctx.repos.apiTokens.list(first!.id)).length).toBe(1);
        expect(await authenticate(ctx.repos, 'dev-admin-token-wrong')).toBeNull();
    });
});

describe('development encryption key', () => {
    it('When ENCRYPTION_KEY is not set, then a key is generated once under DATA_DIR (mode 600) and reused', async () => {
        const dataDir = join(dir, 'keys');
        const config = parseConfig({ DATA_DIR: dataDir });
        const a = await resolveEncryptionKey(config, silent);
        const b = await resolveEncryptionKey(config, silent);
        expect(a.length).toBe(32);
        expect(b).toEqual(a);
        expect((await stat(join(dataDir, 'encryption.key'))).mode & 0o777).toBe(0o600);
        expect((await readFile(join(dataDir, 'encryption.key'), 'utf8')).trim()).toBe(a.toString('base64'));
        const given = randomBytes(32);
        expect(
            await resolveEncryptionKey(
                parseConfig({ DATA_DIR: dataDir, ENCRYPTION_KEY: given.toString('hex') }),
                silent
            )
        ).toEqual(given);
    });
});

describe('embedded PostgreSQL (the default), as a real process', () => {
    /** Runs `npm run companion`'s entry in a child process and resolves once it prints its URL. */
    async function startProcess(
        env: Record<string, string>
    ): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
        const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../src/main.ts')], {
            env: { ...process.env, ...env },
            stdio: ['ignore', 'pipe', 'pipe']
        });
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        let output = '';
        const url = await new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${output}`)), 60_000);
            const onData = (chunk: Buffer) => {
                output += chunk.toString();
                const match = /listening on (http:\/\/\S+)/.exec(output);
                if (match) {
                    clearTimeout(timer);
                    resolve(match[1]);
                }
            };
            child.stdout!.on('data', onData);
            child.stderr!.on('data', onData);
            child.on('exit', (code) => {
                clearTimeout(timer);
                reject(new Error(`exited with ${code}:\n${output}`));
            });
        });
        return { child, url, exited };
    }

    it('When DATABASE_URL is not set, then PostgreSQL runs under DATA_DIR, SIGTERM stops everything cleanly, and the data survives a restart', async () => {
        const dataDir = join(dir, 'embedded');
        // The cluster may run as the postgres user (tests may run as root): let it reach the temp dir.
        await chmod(dir, 0o755);
        const env = {
            NODE_ENV: 'development',
            DATA_DIR: dataDir,
            PORT: '0',
            LOG_LEVEL: 'warn',
            ENGINE_ENABLED: 'false',
            SF_LOGIN_URL: 'http://127.0.0.1:9',
            SF_CONSUMER_KEY: 'statisfy-dev-client',
            SF_USERNAME: 'integration@statisfy.test',
            SF_PRIVATE_KEY_FILE: join(__dirname, '../../../emulator/fixtures/dev-jwt/server.key')
        };
        const first = await startProcess({ ...env, STATISFY_ADMIN_TOKEN: 'first-run-admin-token-123' });
        const issued = await fetch(`${first.url}/api/v1/tokens`, {
            method: 'POST',
            headers: { Authorization: 'Bearer first-run-admin-token-123', 'Content-Type': 'application/json' },
            body: JSON.stringify({ name: 'kept', role: 'viewer' })
        });
        expect(issued.status).toBe(201);
        const { token } = (await issued.json()) as { token: string };
        expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
        first.child.kill('SIGTERM');
        expect(await first.exited).toBe(0);
        // A clean PostgreSQL shutdown removes its pid file.
        await expect(stat(join(dataDir, 'pg', 'postmaster.pid'))).rejects.toThrow();

        const second = await startProcess(env);
        try {
            const objects = await fetch(`${second.url}/api/v1/objects`, {
                headers: { Authorization: `Bearer ${token}` }
            });
            expect(objects.status).toBe(200);
        } finally {
            second.child.kill('SIGTERM');
            expect(await second.exited).toBe(0);
        }
    }, 180_000);

    (process.getuid?.() === 0 ? it : it.skip)(
        'When running as root with DATA_DIR inside a directory the postgres user cannot enter, then start-up fails naming that directory',
        async () => {
            const closed = await mkdtemp(join(tmpdir(), 'statisfy-closed-'));
            try {
                await expect(
                    startProcess({
                        DATA_DIR: join(closed, 'data'),
                        PORT: '0',
                        LOG_LEVEL: 'error',
                        ENGINE_ENABLED: 'false'
                    })
                ).rejects.toThrow(`cannot enter ${closed}: allow it (chmod o+x ${closed})`);
            } finally {
                await rm(closed, { recursive: true, force: true });
            }
        },
        60_000
    );
});
