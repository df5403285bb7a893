/**
 * The CometD endpoint driven by unmodified jsforce 3 (faye client with jsforce's Replay and
 * AuthFailure extensions), exactly as the companion subscribes.
 */
import {
    ALICE,
    INVALID_REPLAY,
    LOW_INK,
    disconnectAll,
    durableClient,
    publishInk,
    sleep,
    startHarness,
    waitFor,
    type Harness,
    type TestClient
} from './streaming.harness';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HOUR = 3_600_000;

describe('CometD platform events with jsforce', () => {
    let h: Harness;
    let clients: TestClient[];

    beforeEach(async () => {
        h = await startHarness({ connectTimeoutMs: 1000 });
        clients = [];
    });

    afterEach(async () => {
        await disconnectAll(h, clients);
        await h.close();
    });

    function client(channel: string, replayId: number, token = 'tok-alice'): TestClient {
        const c = durableClient(h, channel, replayId, token);
        clients.push(c);
        return c;
    }

    it('delivers a live event in Salesforce shape, and -1 does not replay older events', async () => {
        publishInk(h, 1, 100); // before the subscription: must not arrive with -1
        const c = client(LOW_INK, -1);
        await c.subscribed;
        const [ack] = h.bus.publish('Low_Ink__e', [{ Printer_Model__c: 'XZO-5', Ink_Percentage__c: 0.2 }], ALICE);
        await waitFor(() => c.received.length >= 1, 'the live event');
        await sleep(50);
        expect(c.received).toHaveLength(1);
        const data = c.received[0];
        expect(Object.keys(data).sort()).toEqual(['event', 'payload', 'schema']);
        expect(data.schema).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(data.payload).toEqual({
            CreatedDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
            CreatedById: ALICE,
            Printer_Model__c: 'XZO-5',
            Serial_Number__c: null,
            Ink_Percentage__c: 0.2
        });
        expect(Math.abs(Date.parse(data.payload.CreatedDate as string) - h.clock.nowMs())).toBeLessThan(5000);
        expect(data.event).toEqual({ EventUuid: ack.eventUuid, replayId: ack.replayId });
        expect(data.event.EventUuid).toMatch(UUID_V4);
        expect(h.bus.eventSchema(data.schema)).toMatchObject({ name: 'Low_Ink__e', type: 'expanded-record' });
        expect(h.bus.stats()).toMatchObject({ published: 2, delivered: 1, clients: 1 });
    });

    it('-2 replays every retained event, then live ones; replay ids increase but are not contiguous', async () => {
        const before = publishInk(h, 60);
        const c = client(LOW_INK, -2);
        await c.subscribed;
        await waitFor(() => c.received.length >= 60, 'the retained events');
        const after = publishInk(h, 5, 60);
        await waitFor(() => c.received.length >= 65, 'the live events');
        await sleep(50);
        const ids = c.received.map((d) => d.event.replayId);
        expect(ids).toEqual([...before, ...after].map((e) => e.replayId));
        expect(c.received.map((d) => d.payload.Printer_Model__c)).toEqual(
            Array.from({ length: 65 }, (_, i) => `P-${i}`)
        );
        for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]);
        expect(ids.some((id, i) => i > 0 && id !== ids[i - 1] + 1)).toBe(true);
    });

    it('resumes after a client restart from the last seen replay id: no gaps, no repeats', async () => {
        const first = publishInk(h, 20);
        const a = client(LOW_INK, -2);
        await a.subscribed;
        await waitFor(() => a.received.length >= 20, 'client A to catch up');
        const lastSeen = a.received[a.received.length - 1].event.replayId;
        expect(lastSeen).toBe(first[19].replayId);
        await a.disconnect();
        await waitFor(() => h.bus.stats().clients === 0, 'client A to go away');

        const offline = publishInk(h, 30, 20); // published while nobody listens
        const b = client(LOW_INK, lastSeen);
        await b.subscribed;
        await waitFor(() => b.received.length >= 30, 'client B to replay the missed events');
        const live = publishInk(h, 5, 50);
        await waitFor(() => b.received.length >= 35, 'client B live events');
        await sleep(50);
        expect(b.received.map((d) => d.event.replayId)).toEqual([...offline, ...live].map((e) => e.replayId));
        expect(b.received.map((d) => d.event.EventUuid)).toEqual([...offline, ...live].map((e) => e.eventUuid));
    });

    it('rejects the subscription for an invalid replay id (jsforce sees the failed subscribe)', async () => {
        const published = publishInk(h, 3);
        const tooNew = published[2].replayId + 100;
        const c = client(LOW_INK, tooNew);
        const err = await c.subscribed.then(
            () => null,
            (e: { message?: string }) => e
        );
        // faye cannot split Salesforce's error into code and text, so the whole string is the message.
        expect(err?.message).toBe(INVALID_REPLAY(tooNew));
        expect(c.received).toHaveLength(0);
    });

    it('expires events after 72 hours of emulator time', async () => {
        publishInk(h, 3);
        h.clock.advance(71 * HOUR);
        const young = client(LOW_INK, -2);
        await young.subscribed;
        await waitFor(() => young.received.length >= 3, 'events still inside the window');

        h.clock.advance(HOUR + 1);
        const old = client(LOW_INK, -2);
        await old.subscribed;
        await sleep(300);
        expect(old.received).toHaveLength(0);
        expect(h.bus.snapshot()).toMatchObject({ log: { channels: {} } });
    });

    it('calls AuthFailure when the token is revoked, on connect and on a new handshake', async () => {
        const c = client(LOW_INK, -1);
        await c.subscribed;
        h.tokens.delete('tok-alice');
        await waitFor(() => c.authFailures.length >= 1, 'the connect after revocation', 4000);
        expect(c.authFailures[0]).toMatchObject({
            channel: '/meta/connect',
            error: '401::Authentication invalid',
            advice: { reconnect: 'none', interval: 0 },
            successful: false
        });
        expect(h.bus.stats().clients).toBe(0);

        const again = client(LOW_INK, -1);
        await waitFor(() => again.authFailures.length >= 1, 'the denied handshake');
        expect(again.authFailures[0]).toEqual({
            channel: '/meta/handshake',
            id: expect.any(String),
            error: '403::Handshake denied',
            advice: { reconnect: 'none' },
            ext: { sfdc: { failureReason: '401::Authentication invalid' } },
            successful: false
        });
    });

    it('after dropConnections the client re-handshakes, re-subscribes from its last id and misses nothing', async () => {
        const c = client(LOW_INK, -2);
        await c.subscribed;
        const first = publishInk(h, 5);
        await waitFor(() => c.received.length >= 5, 'first events');
        h.bus.dropConnections();
        expect(h.bus.stats().clients).toBe(0);
        const whileDropped = publishInk(h, 5, 5);
        await waitFor(() => h.bus.stats().clients === 1, 'the re-handshake');
        await waitFor(() => c.received.length >= 10, 'events published while dropped');
        const after = publishInk(h, 5, 10);
        await waitFor(() => c.received.length >= 15, 'live events after the reconnect');
        await sleep(50);
        expect(c.received.map((d) => d.event.replayId)).toEqual(
            [...first, ...whileDropped, ...after].map((e) => e.replayId)
        );
    });

    it('delivers 20,000 events to one subscriber in order, each exactly once', async () => {
        const c = client(LOW_INK, -1);
        await c.subscribed;
        // Warm-up (JIT, HTTP keep-alive sockets), not measured.
        const WARM = 5000;
        publishInk(h, WARM, -WARM);
        await waitFor(() => c.received.length >= WARM, 'the warm-up events');
        c.received.length = 0;
        const N = 20_000;
        const cpu0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < N; i += 1000) {
            publishInk(h, 1000, i);
            await new Promise((r) => setImmediate(r));
        }
        await waitFor(() => c.received.length >= N, 'all 20,000 events', 30_000);
        const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
        const cpu = process.cpuUsage(cpu0);
        const cpuMs = (cpu.user + cpu.system) / 1000;
        // The rate is printed for the log only: `npm run bench` measures the > 10,000 events/s target on
        // its own, since a timed unit test fails on a busy CI machine and proves nothing on a quiet one.
        const wallRate = Math.round((N / wallMs) * 1000);
        const cpuRate = Math.round((N / Math.max(cpuMs, 1)) * 1000);
        console.log(
            `streaming throughput: ${N} events published and delivered in ${wallMs.toFixed(0)} ms wall ` +
                `(${wallRate} events/s), ${cpuMs.toFixed(0)} ms CPU (${cpuRate} events/s per CPU-second)`
        );
        expect(c.received.map((d) => d.payload.Printer_Model__c)).toEqual(
            Array.from({ length: N }, (_, i) => `P-${i}`)
        );
        expect(h.bus.stats()).toMatchObject({ published: N + WARM, delivered: N + WARM });
    });
});
