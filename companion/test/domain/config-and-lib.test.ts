/**
 * Configuration validation, secrets, token hashing, log redaction and the one error handler.
 */
import { Writable } from 'node:stream';
import { z } from 'zod';
import { ConfigError, parseConfig, parseEncryptionKey } from '../../src/config';
import { SecretBox, generateToken, hashToken } from '../../src/lib/crypto';
import { AppError, ErrorHandler, normalize } from '../../src/lib/errors';
import { createLogger, withLogContext } from '../../src/lib/logger';

function capture() {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
        write(chunk, _e, done) {
            lines.push(
                ...String(chunk)
                    .split('\n')
                    .filter(Boolean)
                    .map((l) => JSON.parse(l))
            );
            done();
        }
    });
    return { lines, logger: createLogger('debug', stream) };
}

describe('configuration', () => {
    it('When nothing is set, then development defaults apply', () => {
        const config = parseConfig({});
        expect(config).toMatchObject({
            env: 'development',
            port: 3000,
            host: '127.0.0.1',
            role: 'all',
            dataDir: './.data',
            logLevel: 'info',
            engineEnabled: true
        });
        expect(config.databaseUrl).toBeUndefined();
        expect(config.salesforce).toBeUndefined();
    });

    it('When several variables are wrong, then one ConfigError names each of them', () => {
        let error: unknown;
        try {
            parseConfig({
                PORT: 'eighty',
                ROLE: 'boss',
                DATABASE_URL: 'mysql://x',
                ENCRYPTION_KEY: 'short',
                LOG_LEVEL: 'loud'
            });
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const problems = (error as ConfigError).problems;
        expect(problems.map((p) => p.variable).sort()).toEqual([
            'DATABASE_URL',
            'ENCRYPTION_KEY',
            'LOG_LEVEL',
            'PORT',
            'ROLE'
        ]);
        expect((error as Error).message).toContain('ROLE: expected web, worker or all');
        expect((error as Error).message).toContain('See docs/companion-config.md');
    });

    it('When production has no ENCRYPTION_KEY or an org lacks credentials, then those variables are named', () => {
        expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(
            /ENCRYPTION_KEY: required when NODE_ENV=production/
        );
        expect(() => parseConfig({ SF_LOGIN_URL: 'https://login.salesforce.com' })).toThrow(
            /SF_CONSUMER_KEY[\s\S]*SF_USERNAME[\s\S]*SF_PRIVATE_KEY/
        );
    });

    it('When an org is configured with JWT, then the credentials are gathered; ROLE=web runs no engine; empty values count as unset', () => {
        const config = parseConfig({
            SF_LOGIN_URL: 'http://127.0.0.1:4455',
            SF_CONSUMER_KEY: 'statisfy-dev-client',
            SF_USERNAME: 'integration@statisfy.test',
            SF_PRIVATE_KEY_FILE: '/keys/server.key',
            SF_NAMESPACE: 'statisfy',
            ROLE: 'web',
            PORT: ''
        });
        expect(config.salesforce).toMatchObject({
            authKind: 'jwt',
            privateKeyFile: '/keys/server.key',
            namespace: 'statisfy'
        });
        expect(config.engineEnabled).toBe(false);
        expect(config.port).toBe(3000);
    });

    it('When keys are given as hex or base64, then both parse to 32 bytes; anything else is refused', () => {
        const key = Buffer.alloc(32, 7);
        expect(parseEncryptionKey(key.toString('hex'))).toEqual(key);
        expect(parseEncryptionKey(key.toString('base64'))).toEqual(key);
        expect(parseEncryptionKey(Buffer.alloc(16).toString('base64'))).toBeNull();
        expect(parseConfig({ ENCRYPTION_KEY: key.toString('base64') }).encryptionKey).toEqual(key);
    });
});

describe('secrets', () => {
    it('When a secret is encrypted twice, then the texts differ, both decrypt, and a changed byte or key is detected', () => {
        const box = new SecretBox(Buffer.alloc(32, 1));
        const a = box.encrypt('-----BEGIN PRIVATE KEY-----x');
        const b = box.encrypt('-----BEGIN PRIVATE KEY-----x');
        expect(a).not.toEqual(b);
        expect(a).not.toContain('PRIVATE');
        expect(box.decrypt(a)).toBe('-----BEGIN PRIVATE KEY-----x');
        const raw = Buffer.from(a.slice(3), 'base64');
        raw[raw.length - 1] ^= 1;
        expect(() => box.decrypt(`v1:${raw.toString('base64')}`)).toThrow(AppError);
        expect(() => new SecretBox(Buffer.alloc(32, 2)).decrypt(a)).toThrow(/ENCRYPTION_KEY changed/);
    });

    it('When tokens are generated, then they are random and stored only as 64-hex sha256', () => {
        const token = generateToken();
        expect(token).not.toEqual(generateToken());
        expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
        expect(hashToken(token)).toEqual(hashToken(token));
    });
});

describe('logging and errors', () => {
    it('When secrets are logged, then they are redacted at any of the known places', () => {
        const { lines, logger } = capture();
        logger.info(
            {
                token: 't1',
                org: { private_key_enc: 'k', refresh_token_enc: 'r', name: 'ok' },
                req: { headers: { authorization: 'Bearer t2' } },
                password: 'p'
            },
            'x'
        );
        expect(JSON.stringify(lines)).not.toMatch(/t1|"k"|"r"|t2|"p"/);
        expect(lines[0]).toMatchObject({
            token: '[redacted]',
            org: { name: 'ok', private_key_enc: '[redacted]' },
            password: '[redacted]'
        });
    });

    it('When code runs inside a log context, then every line carries it, across awaits', async () => {
        const { lines, logger } = capture();
        await withLogContext({ requestId: 'r-1', orgId: 'o-1' }, async () => {
            await new Promise((r) => setTimeout(r, 1));
            logger.info('inside');
        });
        logger.info('outside');
        expect(lines[0]).toMatchObject({ requestId: 'r-1', orgId: 'o-1', msg: 'inside' });
        expect(lines[1].requestId).toBeUndefined();
    });

    it('When anything is thrown, then the one handler normalises it: AppErrors keep their status, zod errors are 400, others a 500 without their text', () => {
        const { lines, logger } = capture();
        const seen: string[] = [];
        const handler = new ErrorHandler(logger);
        handler.observe((e) => seen.push(e.code));
        expect(handler.handle(new AppError('X', 'x', 409)).httpStatus).toBe(409);
        const zodError = z.object({ a: z.number() }).safeParse({ a: 'no' }).error!;
        expect(handler.handle(zodError).toBody().error.code).toBe('VALIDATION_FAILED');
        const internal = handler.handle(new Error('password=hunter2 at db'));
        expect(internal.toBody()).toEqual({
            error: { code: 'INTERNAL', message: 'Internal error; see the companion log for details' }
        });
        expect(seen).toEqual(['X', 'VALIDATION_FAILED', 'INTERNAL']);
        expect(lines.find((l) => l.code === 'INTERNAL')).toMatchObject({ level: 'error' });
        expect(normalize('a string').httpStatus).toBe(500);
    });

    it('When a catastrophic error is handled, then the shutdown callback runs once per error', () => {
        const { logger } = capture();
        const calls: string[] = [];
        const handler = new ErrorHandler(logger, (e) => calls.push(e.code));
        handler.handle(new AppError('DB_GONE', 'gone', 500, { isCatastrophic: true }));
        handler.handle(new AppError('MINOR', 'minor', 400));
        expect(calls).toEqual(['DB_GONE']);
    });
});
