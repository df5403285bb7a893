/**
 * Conformance: Record_Change__e over CometD with unmodified jsforce 3 — durable replay resuming after
 * a client restart, Salesforce's invalid-replay error, recovery after dropped connections, and the
 * rate of events published by the package behaviour and delivered to one subscriber.
 */
import { expandRecordChange } from '../../contracts/record-change';
import type { RunningEmulator } from '../src/server';
import { StreamingExtension } from 'jsforce/api/streaming';
import { control, jsforce, sleep, soapLogin, start, waitFor } from './conformance.helpers';

const CHANNEL = '/event/Record_Change__e';

interface EventData {
    schema: string;
    payload: Record<string, unknown>;
    event: { replayId: number; EventUuid: string };
}

interface Sub {
    received: EventData[];
    subscribed: Promise<unknown>;
    stop(): void;
}

function subscribe(conn: jsforce.Connection, replayId: number): Sub {
    const received: EventData[] = [];
    const client = conn.streaming.createClient([
        new StreamingExtension.Replay(CHANNEL, replayId),
        new StreamingExtension.AuthFailure(() => undefined)
    ]);
    const subscription = client.subscribe(CHANNEL, (d: EventData) => received.push(d));
    return {
        received,
        subscribed: new Promise((resolve, reject) =>
            (subscription as unknown as PromiseLike<unknown>).then(resolve, reject)
        ),
        stop: () => (client as unknown as { disconnect(): void }).disconnect()
    };
}

/** Record ids carried by the received events, in order (batched shape: one event per chunk). */
const ids = (received: EventData[]): string[] =>
    received.flatMap((d) => expandRecordChange(d.payload).map((c) => c.recordId));

jest.setTimeout(30000);

describe('conformance: Record_Change__e over CometD', () => {
    let emu: RunningEmulator;
    let conn: jsforce.Connection;
    let accounts: string[];
    const subs: Sub[] = [];

    beforeAll(async () => {
        emu = await start({ seed: 'demo' });
        conn = await soapLogin(emu);
        accounts = (await conn.query<{ Id: string }>('SELECT Id FROM Account ORDER BY Name')).records.map((r) => r.Id);
    });
    afterAll(async () => {
        for (const s of subs) s.stop();
        await sleep(50);
        await emu.stop();
    });

    it('resumes after a client restart from the last replay id it saw (durable replay)', async () => {
        const a = subscribe(conn, -1);
        subs.push(a);
        await a.subscribed;
        await conn.sobject('Account').update(accounts.slice(0, 3).map((Id, i) => ({ Id, Phone: `+1 555 0100 ${i}` })));
        await waitFor(() => ids(a.received).length >= 3, 'three live record changes');
        expect(a.received).toHaveLength(1); // one event for the 3-record chunk
        expect(ids(a.received)).toEqual(accounts.slice(0, 3));
        const data = a.received[0];
        expect(data.payload).toMatchObject({
            Change_Type__c: 'UPDATE',
            CreatedById: emu.users[0].id,
            Origin__c: 'salesforce'
        });
        expect(data.payload.CreatedDate).toMatch(/Z$/);
        expect(data.event.EventUuid).toMatch(/^[0-9a-f-]{36}$/);
        const lastSeen = a.received[0].event.replayId;
        a.stop();
        await sleep(100);
        // Changes while no client is connected…
        await conn.sobject('Account').update(accounts.slice(3, 5).map((Id, i) => ({ Id, Phone: `+1 555 0200 ${i}` })));
        // …arrive when a new client resumes from the stored replay id.
        const b = subscribe(conn, lastSeen);
        subs.push(b);
        await b.subscribed;
        await waitFor(() => ids(b.received).length >= 2, 'the two missed record changes');
        await sleep(100);
        expect(ids(b.received)).toEqual(accounts.slice(3, 5));
        expect(b.received[0].event.replayId).toBeGreaterThan(lastSeen);
        b.stop();
    });

    it("answers an unknown replay id with Salesforce's invalid-replay error", async () => {
        const c = subscribe(conn, 987654321);
        subs.push(c);
        const err = await c.subscribed.then(
            () => null,
            (e: unknown) => e as { message?: string; code?: number }
        );
        expect(err).not.toBeNull();
        expect(String(err!.message)).toContain(
            'The replayId {987654321} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.'
        );
        c.stop();
    });

    it('keeps delivering after the control API drops CometD connections (re-handshake + replay)', async () => {
        const d = subscribe(conn, -1);
        subs.push(d);
        await d.subscribed;
        await conn.sobject('Account').update({ Id: accounts[6], Phone: '+1 555 0300' });
        await waitFor(() => ids(d.received).includes(accounts[6]), 'the event before the drop');
        const r = await control(emu, 'POST', '/faults/drop-cometd');
        expect(r.status).toBe(200);
        // Published while the client is "unknown": it re-handshakes, re-subscribes from the last
        // replay id it saw (jsforce's Replay extension) and still gets it.
        await conn.sobject('Account').update({ Id: accounts[7], Phone: '+1 555 0301' });
        await waitFor(() => ids(d.received).includes(accounts[7]), 'the event after the drop', 8000);
        expect(ids(d.received).filter((x) => x === accounts[6])).toHaveLength(1);
        d.stop();
    });

    it('measures records/s: package events published by REST writes and delivered to one subscriber', async () => {
        const s = subscribe(conn, -1);
        subs.push(s);
        await s.subscribed;
        const contacts = (await conn.query<{ Id: string }>('SELECT Id FROM Contact')).records
            .map((r) => r.Id)
            .slice(0, 150);
        const rounds = 20;
        const t0 = performance.now();
        for (let k = 0; k < rounds; k++)
            await conn.sobject('Contact').update(contacts.map((Id) => ({ Id, Title: `Title ${k}` })));
        const tPublished = performance.now();
        const n = rounds * contacts.length;
        await waitFor(() => ids(s.received).length >= n, `${n} record changes`, 20000);
        const tDelivered = performance.now();
        const pubRate = n / ((tPublished - t0) / 1000);
        const endToEnd = n / ((tDelivered - t0) / 1000);
        console.log(
            `Record_Change__e: ${n} record changes in ${s.received.length} events published via REST collections at ${Math.round(pubRate)} records/s; delivered to one jsforce subscriber end-to-end at ${Math.round(endToEnd)} records/s`
        );
        expect(s.received).toHaveLength(rounds);
        expect(ids(s.received).slice(-contacts.length)).toEqual(contacts);
        s.stop();
    });

    it('measures events/s of the package behaviour alone: 200-record commits in-process, one jsforce subscriber', async () => {
        const s = subscribe(conn, -1);
        subs.push(s);
        await s.subscribed;
        const store = emu.org.store;
        const contacts = [...store.records('Contact', false)].map((r) => r.Id as string).slice(0, 150);
        const n = 40 * contacts.length;
        const t0 = performance.now();
        for (let k = 0; k < 40; k++)
            store.run(emu.users[0].id, (tx) => {
                tx.nextOp();
                for (const id of contacts) store.update(tx, 'Contact', id, { Title: `Bulk title ${k}` });
            });
        const tPublished = performance.now();
        await waitFor(() => ids(s.received).length >= n, `${n} record changes`, 20000);
        const tDelivered = performance.now();
        const pub = n / ((tPublished - t0) / 1000);
        const del = n / ((tDelivered - t0) / 1000);
        console.log(
            `Record_Change__e from in-process commits: ${n} record changes published at ${Math.round(pub)} records/s; delivered to one jsforce subscriber at ${Math.round(del)} records/s`
        );
        expect(s.received).toHaveLength(40);
        s.stop();
    });
});
