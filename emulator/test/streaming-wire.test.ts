/**
 * The CometD endpoint on the wire: raw Bayeux POSTs checked against Salesforce's exact reply
 * shapes, plus the bus API (publish validation, stats, snapshot/restore, eventSchema, close).
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { Clock } from '../src/clock';
import { EventBus, EventPublishError, eventSchemaHandler } from '../src/streaming';
import {
    ALICE,
    EVENTS,
    INVALID_REPLAY,
    LOW_INK,
    bayeux,
    publishInk,
    rawConnect,
    rawHandshake,
    rawSubscribe,
    startHarness,
    type Harness
} from './streaming.harness';

const HOUR = 3_600_000;

describe('CometD wire format', () => {
    let h: Harness;

    beforeEach(async () => {
        h = await startHarness({ connectTimeoutMs: 400 });
    });

    afterEach(async () => {
        await h.close();
    });

    it('answers the handshake like Salesforce, advertising only long-polling', async () => {
        const r = await bayeux(h, [
            {
                channel: '/meta/handshake',
                version: '1.0',
                supportedConnectionTypes: ['long-polling', 'callback-polling', 'in-process'],
                id: '1'
            }
        ]);
        expect(r.status).toBe(200);
        expect(r.body).toEqual([
            {
                ext: { replay: true, 'payload.format': true },
                minimumVersion: '1.0',
                clientId: expect.stringMatching(/^[a-z0-9]{20,}$/),
                supportedConnectionTypes: ['long-polling'],
                channel: '/meta/handshake',
                id: '1',
                version: '1.0',
                successful: true
            }
        ]);
        expect(h.bus.stats().clients).toBe(1);
    });

    it('accepts Bearer as well as OAuth, and a body already parsed by express.json()', async () => {
        const parsed = await startHarness({ connectTimeoutMs: 400, jsonBodyParser: true });
        try {
            const res = await fetch(`${parsed.url}/cometd/60.0`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json', Authorization: 'Bearer tok-bob' },
                body: JSON.stringify([
                    { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: '1' }
                ])
            });
            const body = (await res.json()) as Array<Record<string, unknown>>;
            expect(body[0]).toMatchObject({ channel: '/meta/handshake', successful: true });
        } finally {
            await parsed.close();
        }
    });

    it('rejects a request without a token with 401::Request requires authentication', async () => {
        const r = await bayeux(
            h,
            [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: '1' }],
            null
        );
        expect(r.status).toBe(401);
        expect(r.body).toEqual([{ error: '401::Request requires authentication', successful: false }]);
        expect(h.bus.stats().clients).toBe(0);
    });

    it('denies a handshake with a bad token in Salesforce shape', async () => {
        const r = await bayeux(
            h,
            [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: '1' }],
            'tok-nobody'
        );
        expect(r.body).toEqual([
            {
                channel: '/meta/handshake',
                id: '1',
                error: '403::Handshake denied',
                advice: { reconnect: 'none' },
                ext: { sfdc: { failureReason: '401::Authentication invalid' } },
                successful: false
            }
        ]);
        expect(h.bus.stats().clients).toBe(0);
    });

    it('answers a connect after the token was revoked with 401::Authentication invalid and forgets the client', async () => {
        const clientId = await rawHandshake(h);
        h.tokens.delete('tok-alice');
        const r = await rawConnect(h, clientId);
        expect(r.body).toEqual([
            {
                channel: '/meta/connect',
                id: '2',
                error: '401::Authentication invalid',
                advice: { reconnect: 'none', interval: 0 },
                successful: false
            }
        ]);
        expect(h.bus.stats().clients).toBe(0);
    });

    it('answers an unknown client with 403::Unknown client and advice to re-handshake', async () => {
        const r = await rawConnect(h, 'nosuchclient123');
        expect(r.body).toEqual([
            {
                advice: { interval: 0, reconnect: 'handshake' },
                channel: '/meta/connect',
                id: '2',
                error: '403::Unknown client',
                successful: false
            }
        ]);
    });

    it('makes every client unknown after dropConnections, ending held connects at once', async () => {
        const clientId = await rawHandshake(h);
        const held = rawConnect(h, clientId);
        await new Promise((r) => setTimeout(r, 50));
        h.bus.dropConnections();
        const first = await held;
        expect(first.ms).toBeLessThan(300);
        const r = await rawConnect(h, clientId);
        expect(r.body[0]).toMatchObject({ error: '403::Unknown client', advice: { reconnect: 'handshake' } });
        expect(h.bus.stats().clients).toBe(0);
    });

    it('holds /meta/connect for connectTimeoutMs and advises interval 0 with the timeout', async () => {
        const clientId = await rawHandshake(h);
        const r = await rawConnect(h, clientId);
        expect(r.ms).toBeGreaterThanOrEqual(350);
        expect(r.body).toEqual([
            {
                clientId,
                channel: '/meta/connect',
                id: '2',
                successful: true,
                advice: { interval: 0, timeout: 400, reconnect: 'retry' }
            }
        ]);
    });

    it('answers a held connect as soon as events arrive, events first and the connect reply last', async () => {
        const clientId = await rawHandshake(h);
        expect((await rawSubscribe(h, clientId, LOW_INK)).body[0]).toEqual({
            clientId,
            channel: '/meta/subscribe',
            id: '3',
            subscription: LOW_INK,
            successful: true
        });
        const held = rawConnect(h, clientId);
        await new Promise((r) => setTimeout(r, 50));
        const published = publishInk(h, 3);
        const r = await held;
        expect(r.ms).toBeLessThan(300);
        expect(r.body.map((m) => m.channel)).toEqual([LOW_INK, LOW_INK, LOW_INK, '/meta/connect']);
        expect(r.body.slice(0, 3).map((m) => (m.data as { event: { replayId: number } }).event.replayId)).toEqual(
            published.map((p) => p.replayId)
        );
        expect(r.body[0]).not.toHaveProperty('clientId');
        expect(h.bus.stats()).toMatchObject({ published: 3, delivered: 3 });
    });

    it('rejects a subscription to an event the org does not have', async () => {
        const clientId = await rawHandshake(h);
        const r = await rawSubscribe(h, clientId, '/event/Foo__e');
        expect(r.body).toEqual([
            {
                clientId,
                channel: '/meta/subscribe',
                id: '3',
                subscription: '/event/Foo__e',
                error: '400::The channel you requested to subscribe to does not exist {/event/Foo__e}',
                successful: false
            }
        ]);
        const wildcard = await rawSubscribe(h, clientId, '/event/*');
        expect(wildcard.body[0].error).toBe('400::The channel you requested to subscribe to does not exist {/event/*}');
    });

    it('gives the exact invalid-replay error above the newest and below the oldest retained id', async () => {
        const clientId = await rawHandshake(h);
        const published = publishInk(h, 3);
        const newest = published[2].replayId;
        const above = await rawSubscribe(h, clientId, LOW_INK, newest + 1);
        expect(above.body).toEqual([
            {
                clientId,
                channel: '/meta/subscribe',
                id: '3',
                subscription: LOW_INK,
                successful: false,
                error: INVALID_REPLAY(newest + 1)
            }
        ]);
        expect(INVALID_REPLAY(1)).toContain('invalid.  Please');
        expect((await rawSubscribe(h, clientId, LOW_INK, published[0].replayId - 1)).body[0].error).toBe(
            INVALID_REPLAY(published[0].replayId - 1)
        );
        expect((await rawSubscribe(h, clientId, LOW_INK, -3)).body[0].error).toBe(INVALID_REPLAY(-3));
        expect((await rawSubscribe(h, clientId, LOW_INK, 'soon')).body[0].error).toBe(INVALID_REPLAY('soon'));
        // A subscriber that is fully caught up may resume from the newest id.
        expect((await rawSubscribe(h, clientId, LOW_INK, newest)).body[0].successful).toBe(true);
    });

    it('replays only events after N, in the first connect after the subscribe', async () => {
        const clientId = await rawHandshake(h);
        const published = publishInk(h, 6);
        expect((await rawSubscribe(h, clientId, LOW_INK, published[2].replayId)).body[0].successful).toBe(true);
        const r = await rawConnect(h, clientId);
        expect(r.ms).toBeLessThan(300);
        const ids = r.body
            .filter((m) => m.channel === LOW_INK)
            .map((m) => (m.data as { event: { replayId: number } }).event.replayId);
        expect(ids).toEqual(published.slice(3).map((p) => p.replayId));
    });

    it('invalidates a stored replay id once its channel has been quiet for 72 hours', async () => {
        const clientId = await rawHandshake(h);
        const published = publishInk(h, 2);
        const last = published[1].replayId;
        h.clock.advance(72 * HOUR - 1000);
        expect((await rawSubscribe(h, clientId, LOW_INK, last)).body[0].successful).toBe(true);
        h.clock.advance(1000);
        expect((await rawSubscribe(h, clientId, LOW_INK, last)).body[0].error).toBe(INVALID_REPLAY(last));
        expect((await rawSubscribe(h, clientId, LOW_INK, -2)).body[0].successful).toBe(true);
        expect((await rawSubscribe(h, clientId, LOW_INK, -1)).body[0].successful).toBe(true);
    });

    it('does not let clients publish over Bayeux', async () => {
        const clientId = await rawHandshake(h);
        const r = await bayeux(h, [{ channel: LOW_INK, clientId, data: { x: 1 }, id: '4' }]);
        expect(r.body[0]).toMatchObject({ channel: LOW_INK, successful: false, error: '403::Publish denied' });
        expect(h.bus.stats().published).toBe(0);
    });

    it('checks the API version in the URL and the request shape', async () => {
        const hs = [
            { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: '1' }
        ];
        const old = await bayeux(h, hs, 'tok-alice', '/cometd/22.0');
        expect(old.status).toBe(400);
        expect(old.body[0].error).toBe(
            "400::Unsupported API version. Only API versions '23.0' and above are supported. URI format: '/cometd/60.0'"
        );
        const bad = await fetch(`${h.url}/cometd/60.0`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: 'OAuth tok-alice' },
            body: '[{"channel":'
        });
        expect(bad.status).toBe(400);
        expect(await bad.json()).toEqual([{ error: '400::Request body is not valid JSON', successful: false }]);
        const get = await fetch(`${h.url}/cometd/60.0`, { headers: { Authorization: 'OAuth tok-alice' } });
        expect(get.status).toBe(405);
    });

    it('counts deliveries per client and message', async () => {
        const a = await rawHandshake(h, 'tok-alice');
        const b = await rawHandshake(h, 'tok-bob');
        await rawSubscribe(h, a, LOW_INK);
        await rawSubscribe(h, b, LOW_INK, undefined, 'tok-bob');
        publishInk(h, 4);
        await Promise.all([rawConnect(h, a), rawConnect(h, b, 'tok-bob')]);
        expect(h.bus.stats()).toEqual({ published: 4, delivered: 8, clients: 2 });
    });

    it('close() answers held connects promptly and refuses later requests', async () => {
        const slow = await startHarness({ connectTimeoutMs: 20_000 });
        try {
            const clientId = await rawHandshake(slow);
            const held = rawConnect(slow, clientId);
            await new Promise((r) => setTimeout(r, 50));
            const t0 = Date.now();
            await slow.bus.close();
            const r = await held;
            expect(Date.now() - t0).toBeLessThan(500);
            expect(r.body[r.body.length - 1]).toMatchObject({ channel: '/meta/connect' });
            const after = await bayeux(slow, [{ channel: '/meta/handshake', version: '1.0', id: '1' }]);
            expect(after.status).toBe(503);
        } finally {
            await slow.close();
        }
    });
});

describe('EventBus API', () => {
    const cfg = (clock = new Clock()) => ({
        clock,
        connectTimeoutMs: 200,
        authenticate: (t: string) => (t === 'tok-alice' ? { userId: ALICE } : null),
        eventExists: (n: string) => n in EVENTS,
        eventFields: (n: string) => EVENTS[n] ?? []
    });

    it('validates publish input and publishes a batch all-or-nothing', async () => {
        const bus = new EventBus(cfg());
        try {
            expect(() => bus.publish('Nope__e', [{}], ALICE)).toThrow(
                new EventPublishError('Unknown platform event: Nope__e')
            );
            expect(() => bus.publish('Low_Ink__e', [{ Printer_Model__c: 'a' }, { Colour__c: 'red' }], ALICE)).toThrow(
                "No such column 'Colour__c' on entity 'Low_Ink__e'"
            );
            expect(bus.stats().published).toBe(0);
            const [r] = bus.publish('Low_Ink__e', [{ printer_model__c: 'lower-case key' }], ALICE);
            expect(r.replayId).toBeGreaterThan(0);
            expect(bus.stats().published).toBe(1);
        } finally {
            await bus.close();
        }
    });

    it('round-trips retained events, replay ids and counters through snapshot/restore', async () => {
        const clock = new Clock();
        const bus = new EventBus(cfg(clock));
        const first = bus.publish('Low_Ink__e', [{ Printer_Model__c: 'a' }, { Printer_Model__c: 'b' }], ALICE);
        const snap = JSON.parse(JSON.stringify(bus.snapshot()));
        await bus.close();

        const again = new EventBus(cfg(clock));
        const h = await mount(again);
        try {
            again.restore(snap);
            expect(again.stats()).toEqual({ published: 2, delivered: 0, clients: 0 });
            const next = again.publish('Low_Ink__e', [{ Printer_Model__c: 'c' }], ALICE);
            expect(next[0].replayId).toBeGreaterThan(first[1].replayId);
            const clientId = await rawHandshake(h);
            expect((await rawSubscribe(h, clientId, LOW_INK, first[0].replayId)).body[0].successful).toBe(true);
            const r = await rawConnect(h, clientId);
            const data = r.body.filter((m) => m.channel === LOW_INK).map((m) => m.data as Record<string, never>);
            expect(data.map((d) => d['event'])).toEqual([
                { replayId: first[1].replayId, EventUuid: first[1].eventUuid },
                { replayId: next[0].replayId, EventUuid: next[0].eventUuid }
            ]);
            expect(() => again.restore({ format: 'other' })).toThrow(TypeError);
            expect(() =>
                again.restore({ ...snap, log: { ...snap.log, channels: { Low_Ink__e: [{ replayId: 'x' }] } } })
            ).toThrow(/malformed or out-of-order event/);
        } finally {
            await h.close();
        }
    });

    it('serves event schemas by id, stable for a field list, in EXPANDED and COMPACT form', async () => {
        const bus = new EventBus({ ...cfg(), eventFieldTypes: () => ({ Ink_Percentage__c: 'double' }) });
        const app = express();
        app.get('/services/data/:version/event/eventSchema/:schemaId', eventSchemaHandler(bus));
        const server = app.listen(0, '127.0.0.1');
        await new Promise((r) => server.once('listening', r));
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/data/v60.0/event/eventSchema/`;
        try {
            const id = bus.schemaIdFor('Low_Ink__e');
            expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
            expect(bus.schemaIdFor('Low_Ink__e')).toBe(id);
            expect(bus.schemaIdFor('Order_Shipped__e')).not.toBe(id);
            const [ev] = bus.publish('Low_Ink__e', [{}], ALICE);
            expect(ev.replayId).toBeGreaterThan(0);

            const expanded = await (await fetch(base + id)).json();
            expect(expanded).toMatchObject({
                name: 'Low_Ink__e',
                namespace: 'com.sforce.eventbus',
                type: 'expanded-record'
            });
            const compact = await (await fetch(`${base}${id}?payloadFormat=COMPACT`)).json();
            expect(compact).toEqual({
                name: 'Low_Ink__e',
                namespace: 'com.sforce.eventbus',
                type: 'record',
                fields: [
                    { name: 'CreatedDate', type: 'long', doc: 'CreatedDate:DateTime' },
                    { name: 'CreatedById', type: 'string', doc: 'CreatedBy:EntityId' },
                    { name: 'Printer_Model__c', type: ['null', 'string'], doc: 'Data:Text', default: null },
                    { name: 'Serial_Number__c', type: ['null', 'string'], doc: 'Data:Text', default: null },
                    { name: 'Ink_Percentage__c', type: ['null', 'double'], doc: 'Data:Number', default: null }
                ],
                uuid: id
            });
            const missing = await fetch(base + 'AAAAAAAAAAAAAAAAAAAAAA');
            expect(missing.status).toBe(404);
            expect(await missing.json()).toEqual([
                { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }
            ]);
            expect((await fetch(`${base}${id}?payloadFormat=XML`)).status).toBe(400);
        } finally {
            server.closeAllConnections();
            await new Promise((r) => server.close(r));
            await bus.close();
        }
    });
});

/** Mounts an existing bus on a fresh express app (for restore tests). */
async function mount(bus: EventBus): Promise<Harness> {
    const app = express();
    app.all('/cometd/:version', (req, res) => bus.handle(req, res));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    return {
        bus,
        clock: new Clock(),
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        tokens: new Map(),
        async close() {
            await bus.close();
            server.closeAllConnections();
            await new Promise<void>((r) => server.close(() => r()));
        }
    };
}
