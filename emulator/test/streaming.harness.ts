/**
 * Shared set-up for the streaming tests: an EventBus mounted in a tiny express app on
 * 127.0.0.1:0, a few known tokens, and helpers for unmodified jsforce 3 clients and raw Bayeux POSTs.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/api/streaming';
import { Clock } from '../src/clock';
import { EventBus, type EventData, type StreamingConfig } from '../src/streaming';

export const ALICE = '005000000000001AAA';
export const BOB = '005000000000002AAA';
export const LOW_INK = '/event/Low_Ink__e';

/** Event definitions the test org knows. */
export const EVENTS: Record<string, string[]> = {
    Low_Ink__e: ['Printer_Model__c', 'Serial_Number__c', 'Ink_Percentage__c'],
    Order_Shipped__e: ['Order_Number__c']
};

export interface Harness {
    bus: EventBus;
    clock: Clock;
    url: string;
    /** token → user id; delete a token to revoke it. */
    tokens: Map<string, string>;
    close(): Promise<void>;
}

export interface HarnessOptions {
    connectTimeoutMs?: number;
    retentionMs?: number;
    /** Put `express.json()` in front of the handler (the body arrives pre-parsed). */
    jsonBodyParser?: boolean;
    clock?: Clock;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
    const clock = opts.clock ?? new Clock();
    const tokens = new Map([
        ['tok-alice', ALICE],
        ['tok-bob', BOB]
    ]);
    const cfg: StreamingConfig = {
        clock,
        connectTimeoutMs: opts.connectTimeoutMs ?? 1000,
        retentionMs: opts.retentionMs,
        authenticate: (t) => (tokens.has(t) ? { userId: tokens.get(t) as string } : null),
        eventExists: (n) => Object.prototype.hasOwnProperty.call(EVENTS, n),
        eventFields: (n) => EVENTS[n] ?? [],
        eventFieldTypes: (n): Record<string, string> => (n === 'Low_Ink__e' ? { Ink_Percentage__c: 'double' } : {})
    };
    const bus = new EventBus(cfg);
    const app = express();
    if (opts.jsonBodyParser) app.use(express.json());
    app.all('/cometd/:version', (req, res) => bus.handle(req, res));
    const server: Server = await new Promise((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        bus,
        clock,
        url,
        tokens,
        async close() {
            await bus.close();
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    };
}

/** The parts of a faye client jsforce hands back that the tests use (jsforce's typings omit disconnect). */
export interface TestClient {
    received: EventData[];
    /** Messages passed to the AuthFailure extension. */
    authFailures: Array<Record<string, unknown>>;
    subscribed: Promise<void>;
    /** Sends /meta/disconnect (when connected) and resolves once the server answered it (or after 1 s). */
    disconnect(): Promise<void>;
}

/**
 * A durable subscriber exactly as the companion builds one: Replay + AuthFailure extensions on
 * `conn.streaming.createClient`.
 */
export function durableClient(h: Harness, channel: string, replayId: number, token = 'tok-alice'): TestClient {
    const conn = new Connection({ instanceUrl: h.url, accessToken: token, version: '60.0' });
    const received: EventData[] = [];
    const authFailures: Array<Record<string, unknown>> = [];
    const client = conn.streaming.createClient([
        new StreamingExtension.Replay(channel, replayId),
        new StreamingExtension.AuthFailure((m: unknown) => authFailures.push(m as Record<string, unknown>))
    ]);
    const subscription = client.subscribe(channel, (data: EventData) => received.push(data));
    return {
        received,
        authFailures,
        subscribed: Promise.resolve(subscription),
        disconnect: async () => {
            const done = (client as unknown as { disconnect(): PromiseLike<void> | undefined }).disconnect();
            if (!done) return;
            await Promise.race([Promise.resolve(done).then(undefined, () => undefined), sleep(1000)]);
        }
    };
}

/** Polls until `cond()` holds, failing with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
    }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Disconnects clients and waits until the bus has let them go, so no long-poll is left open. */
export async function disconnectAll(h: Harness, clients: TestClient[]): Promise<void> {
    await Promise.all(clients.map((c) => c.disconnect()));
}

/** One raw Bayeux POST, as faye sends it (JSON array body); returns status and parsed reply. */
export async function bayeux(
    h: Harness,
    messages: unknown,
    token: string | null = 'tok-alice',
    path = '/cometd/60.0'
): Promise<{ status: number; body: Array<Record<string, unknown>>; ms: number }> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (token !== null) headers.Authorization = `OAuth ${token}`;
    const t0 = Date.now();
    const res = await fetch(h.url + path, { method: 'POST', headers, body: JSON.stringify(messages) });
    const body = (await res.json()) as Array<Record<string, unknown>>;
    return { status: res.status, body, ms: Date.now() - t0 };
}

/** Handshakes over raw HTTP and returns the client id. */
export async function rawHandshake(h: Harness, token = 'tok-alice'): Promise<string> {
    const r = await bayeux(
        h,
        [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: '1' }],
        token
    );
    const clientId = r.body[0]?.clientId;
    if (typeof clientId !== 'string') throw new Error(`handshake failed: ${JSON.stringify(r.body)}`);
    return clientId;
}

/** Raw subscribe with an optional replay value. */
export async function rawSubscribe(
    h: Harness,
    clientId: string,
    channel: string,
    replay?: unknown,
    token = 'tok-alice'
) {
    const msg: Record<string, unknown> = { channel: '/meta/subscribe', clientId, subscription: channel, id: '3' };
    if (replay !== undefined) msg.ext = { replay: { [channel]: replay } };
    return bayeux(h, [msg], token);
}

/** Raw connect (held by the server until events or its timeout). */
export async function rawConnect(h: Harness, clientId: string, token = 'tok-alice') {
    return bayeux(h, [{ channel: '/meta/connect', clientId, connectionType: 'long-polling', id: '2' }], token);
}

export function publishInk(h: Harness, n: number, start = 0) {
    return h.bus.publish(
        'Low_Ink__e',
        Array.from({ length: n }, (_, i) => ({
            Printer_Model__c: `P-${start + i}`,
            Ink_Percentage__c: (start + i) / 100
        })),
        ALICE
    );
}

export const INVALID_REPLAY = (n: unknown) =>
    `400::The replayId {${String(n)}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`;
