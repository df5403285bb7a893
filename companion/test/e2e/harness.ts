/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers of the emulator's control API */
/**
 * End-to-end harness: the real org emulator (HTTP, OAuth JWT bearer, REST, CometD), a real companion in-process
 * (its own PostgreSQL database, real HTTP API) running the real sync engine with real jsforce. Helpers edit records
 * as a Salesforce user through the emulator's control API, inject faults and advance its clock.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../../emulator/src/server';
import type { CompanionServices } from '../../src/app';
import { createSyncEngine, EngineOptions, StatisfySyncEngine } from '../../src/sync/engine';
import { apiClient, startTestCompanion, type TestCompanion } from '../support/companion';
import { waitFor } from '../support/wait';

export const KEY_FILE = join(__dirname, '../../../emulator/fixtures/dev-jwt/server.key');

/** A running emulator + companion pair. */
export interface E2E {
    emu: RunningEmulator;
    app: TestCompanion;
    engine: StatisfySyncEngine;
    orgId: string;
    token: string;
    api: ReturnType<typeof apiClient>;
    control: ReturnType<typeof controlClient>;
    stop(): Promise<void>;
}

/** A client of the emulator's `/__emulator` control API. */
export function controlClient(url: string) {
    const call = async (method: string, path: string, body?: unknown): Promise<any> => {
        const res = await fetch(`${url}/__emulator${path}`, {
            method,
            headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body)
        });
        const json = await res.json().catch(() => null);
        if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
        return json;
    };
    return {
        call,
        get: (object: string, id: string) => call('GET', `/records/${object}/${id}`),
        update: (object: string, id: string, values: Record<string, unknown>, as = 'admin@statisfy.test') =>
            call('PATCH', `/records/${object}/${id}`, { values, as }),
        create: (object: string, values: Record<string, unknown>, as = 'admin@statisfy.test') =>
            call('POST', `/records/${object}`, { values, as }),
        fault: (rule: Record<string, unknown>) => call('POST', '/faults', rule),
        clearFaults: () => call('DELETE', '/faults'),
        advance: (by: Record<string, number>) => call('POST', '/clock/advance', by),
        apiUsage: () => call('GET', '/api-usage'),
        events: () => call('GET', '/events')
    };
}

/** Options of {@link startE2E}. */
export interface E2EOptions {
    emulator?: RunningEmulator;
    seed?: 'demo' | 'empty';
    engine?: EngineOptions;
    /** Keep the same database as an earlier companion (restart tests): pass its DATABASE_URL. */
    databaseUrl?: string;
    encryptionKey?: string;
    adminToken?: string;
    /** Wait until the org's sync runs in this companion (default true; false for followers and failures). */
    waitRunning?: boolean;
    /** Extra environment variables. */
    env?: Record<string, string>;
    /** Inbound transport (`SF_EVENT_TRANSPORT`; default pubsub, the companion's default). */
    transport?: Transport;
}

/** The two inbound transports; suites that cover inbound run over both (`describe.each(TRANSPORTS)`). */
export type Transport = 'pubsub' | 'cometd';
export const TRANSPORTS: Transport[] = ['pubsub', 'cometd'];

/** Fast settings for tests: flush every 25 ms, events batched for 20 ms, short CometD holds. */
export const TEST_ENGINE: EngineOptions = {
    flushIntervalMs: 25,
    batchWindowMs: 20,
    statusIntervalMs: 500,
    configPushIntervalMs: 200,
    orgScanIntervalMs: 500,
    leaderRetryMs: 300,
    budgetCheckMs: 500
};

/** Starts the emulator (unless given) and a companion with the sync engine connected to it by JWT bearer. */
export async function startE2E(options: E2EOptions = {}): Promise<E2E> {
    const emu = options.emulator ?? (await startEmulator({ seed: options.seed ?? 'demo', cometdTimeoutMs: 1000 }));
    const token = options.adminToken ?? `stf_test_${randomBytes(12).toString('hex')}`;
    let engine: StatisfySyncEngine | undefined;
    const build = (s: CompanionServices) =>
        (engine ??= createSyncEngine(s, {
            ...TEST_ENGINE,
            jwtClock: () => emu.clock.now().getTime(),
            ...options.engine
        }));
    const env: Record<string, string> = {
        SF_LOGIN_URL: emu.url,
        SF_CONSUMER_KEY: emu.clientId,
        SF_USERNAME: 'integration@statisfy.test',
        SF_PRIVATE_KEY_FILE: KEY_FILE,
        STATISFY_ADMIN_TOKEN: token,
        SF_API_VERSION: '60.0',
        SF_EVENT_TRANSPORT: options.transport ?? 'pubsub',
        SF_PUBSUB_URL: emu.pubsub ? `grpc://${emu.pubsub.endpoint}` : ''
    };
    if (!env.SF_PUBSUB_URL) delete env.SF_PUBSUB_URL;
    if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
    if (options.encryptionKey) env.ENCRYPTION_KEY = options.encryptionKey;
    Object.assign(env, options.env);
    const app = await startTestCompanion({ env, deps: { engine: build, schema: build } });
    const org = (await app.repos.orgs.listAll())[0];
    const e2e: E2E = {
        emu,
        app,
        engine: engine!,
        orgId: org.id,
        token,
        api: apiClient(app.url, token),
        control: controlClient(emu.url),
        async stop() {
            await app.stop();
            if (!options.emulator) await emu.stop();
        }
    };
    if (options.waitRunning !== false)
        await waitFor(() => e2e.engine.orgs.get(org.id)?.state === 'running', 20_000, 'the org sync to run');
    return e2e;
}

export { waitFor };

/** Median of numbers. */
export function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
