/* eslint-disable @typescript-eslint/no-explicit-any -- HTTP answers in tests are checked field by field */
/**
 * Starts a real companion in-process for a test file: its own fresh database, HTTP on 127.0.0.1 port 0, logs
 * silent unless TEST_LOG_LEVEL is set. Call with fetch through {@link apiClient}.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCompanion, type Companion, type CompanionDeps } from '../../src/app';
import { parseConfig } from '../../src/config';
import { createRepositories, type Repositories } from '../../src/data';
import { createTestDatabase, type TestDatabase } from './postgres';

/** A started companion and what to clean up. */
export interface TestCompanion {
    companion: Companion;
    url: string;
    db: TestDatabase;
    repos: Repositories;
    /** Stops the companion, drops its database, removes its DATA_DIR. */
    stop(): Promise<void>;
}

/** Starts a companion on a fresh database. `env` adds or overrides environment variables. */
export async function startTestCompanion(
    options: { env?: Record<string, string>; deps?: CompanionDeps } = {}
): Promise<TestCompanion> {
    const db = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'statisfy-companion-'));
    const config = parseConfig({
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        DB_POOL_SIZE: '5',
        // Suites send hundreds of bad tokens on purpose; the throttle's own test sets a low limit.
        AUTH_FAILURE_LIMIT: '100000',
        ...options.env
    });
    const companion = createCompanion(config, options.deps);
    await companion.start();
    return {
        companion,
        url: companion.url,
        db,
        repos: createRepositories(companion.dataSource.manager),
        async stop() {
            await companion.stop();
            await db.drop();
            await rm(dataDir, { recursive: true, force: true });
        }
    };
}

/** An HTTP answer. */
export interface ApiAnswer<T = any> {
    status: number;
    body: T;
    headers: Headers;
}

/** A fetch-based client bound to a base URL and (optionally) a bearer token. */
export function apiClient(baseUrl: string, token?: string) {
    const call = async <T = any>(
        method: string,
        path: string,
        body?: unknown,
        headers: Record<string, string> = {}
    ): Promise<ApiAnswer<T>> => {
        const response = await fetch(`${baseUrl}${path}`, {
            method,
            headers: {
                ...(token ? { Authorization: `Bearer ${token}` } : {}),
                ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
                ...headers
            },
            body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
        });
        const text = await response.text();
        let parsed: unknown = text;
        if ((response.headers.get('content-type') ?? '').includes('application/json') && text)
            parsed = JSON.parse(text);
        return { status: response.status, body: parsed as T, headers: response.headers };
    };
    return {
        get: <T = any>(path: string, headers?: Record<string, string>) => call<T>('GET', path, undefined, headers),
        post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
            call<T>('POST', path, body ?? {}, headers),
        patch: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
            call<T>('PATCH', path, body, headers),
        delete: <T = any>(path: string) => call<T>('DELETE', path),
        call
    };
}
