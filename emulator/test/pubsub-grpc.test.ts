/**
 * The emulator's Pub/Sub API over real gRPC (`@grpc/grpc-js` with Salesforce's proto, Avro decoded with `avsc`):
 * GetTopic/GetSchema, Subscribe with FetchRequest flow control and the LATEST/EARLIEST/CUSTOM presets, Publish,
 * the metadata-header authentication, keepalive, 72 h retention and the invalid-replay error, and the delivery
 * allocation shared with CometD.
 */
import * as grpc from '@grpc/grpc-js';
import { expandRecordChange } from '../../contracts/record-change';
import { PUBSUB_ERRORS } from '../src/pubsub';
import type { RunningEmulator } from '../src/server';
import { control, jsforce, sleep, soapLogin, start, waitFor } from './conformance.helpers';
import { decoder, errorCode, pubsubClient, subscribe, u64, unary } from './pubsub.harness';

const TOPIC = '/event/Record_Change__e';

jest.setTimeout(30000);

describe('Pub/Sub API (gRPC)', () => {
    let emu: RunningEmulator;
    let conn: jsforce.Connection;
    let token: string;
    let accounts: string[];
    const streams: Array<{ cancel(): void }> = [];
    const open = (first: Record<string, unknown>, headers = {}, as = token) => {
        const s = subscribe(pubsubClient(emu, as, headers), { topic_name: TOPIC, ...first });
        streams.push(s);
        return s;
    };
    const touch = (ids: string[], tag: string) =>
        conn.sobject('Account').update(ids.map((Id, i) => ({ Id, Phone: `${tag} ${i}` })));

    beforeAll(async () => {
        emu = await start({ seed: 'demo', pubsubKeepaliveMs: 300 });
        conn = await soapLogin(emu);
        token = conn.accessToken!;
        accounts = (await conn.query<{ Id: string }>('SELECT Id FROM Account ORDER BY Name')).records.map((r) => r.Id);
    });
    afterEach(() => {
        for (const s of streams.splice(0)) s.cancel();
    });
    afterAll(() => emu.stop());

    it('GetTopic and GetSchema: the schema id is the one CometD carries; Salesforce-shaped Avro schema', async () => {
        const c = pubsubClient(emu, token);
        const topic = await unary(c, 'GetTopic', { topic_name: TOPIC });
        expect(topic).toMatchObject({
            topic_name: TOPIC,
            tenant_guid: emu.orgId,
            can_publish: true,
            can_subscribe: true,
            schema_id: emu.org.bus.schemaIdFor('Record_Change__e')
        });
        expect(topic.schema_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
        const schema = await unary(c, 'GetSchema', { schema_id: topic.schema_id });
        const json = JSON.parse(schema.schema_json);
        expect(json).toMatchObject({ type: 'record', name: 'Record_Change__e', namespace: 'com.sforce.eventbus' });
        const field = (n: string) => json.fields.find((f: { name: string }) => f.name === n);
        expect(field('CreatedDate')).toMatchObject({ type: 'long' });
        expect(field('CreatedById')).toMatchObject({ type: 'string' });
        expect(field('Records__c')).toMatchObject({ type: ['null', 'string'], default: null });
        expect(field('Part__c')).toMatchObject({ type: ['null', 'double'] });
        expect(field('Modstamp__c')).toMatchObject({ type: ['null', 'long'], doc: 'Data:DateTime' });
        expect(field('EventUuid')).toBeUndefined();
        const err = await unary(c, 'GetSchema', { schema_id: 'nope' }).catch((e: grpc.ServiceError) => e);
        expect(err).toMatchObject({ code: grpc.status.NOT_FOUND });
        const bad = await unary(c, 'GetTopic', { topic_name: '/event/Nope__e' }).catch((e: grpc.ServiceError) => e);
        expect(bad).toMatchObject({ code: grpc.status.NOT_FOUND });
    });

    it('refuses a missing or bad access token, a wrong instance URL or tenant id (auth error trailer)', async () => {
        for (const headers of [
            { accesstoken: 'not-a-token' },
            { instanceurl: 'https://elsewhere.my.salesforce.com' },
            { tenantid: '00D000000000000AAA' }
        ]) {
            const err = await unary(pubsubClient(emu, token, headers), 'GetTopic', { topic_name: TOPIC }).catch(
                (e: grpc.ServiceError) => e
            );
            expect(err).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
            expect(errorCode(err)).toBe(PUBSUB_ERRORS.auth);
            expect(err.details).toMatch(/rpcId: [0-9a-f-]{36}$/);
        }
        const s = open({ num_requested: 1 }, { accesstoken: 'bad' });
        await waitFor(() => s.ended, 'the refused stream');
        expect(errorCode(s.error)).toBe(PUBSUB_ERRORS.auth);
    });

    it('LATEST: delivers new events only, at most num_requested, then waits for the next FetchRequest', async () => {
        const s = open({ replay_preset: 'LATEST', num_requested: 2 });
        await sleep(100);
        const decode = await decoder(pubsubClient(emu, token));
        for (let k = 0; k < 3; k++) await touch(accounts.slice(k * 2, k * 2 + 2), `latest ${k}`);
        await waitFor(() => s.events().length >= 2, 'two events');
        await sleep(200);
        expect(s.events()).toHaveLength(2); // flow control: the third waits
        expect(s.responses.at(-1)!.pending_num_requested).toBe(0);
        s.fetch(5);
        await waitFor(() => s.events().length >= 3, 'the third event');
        const payloads = await Promise.all(s.events().map((e) => decode(e.event)));
        expect(payloads.flatMap((p) => expandRecordChange(p).map((c) => c.recordId))).toEqual(accounts.slice(0, 6));
        expect(typeof payloads[0].CreatedDate).toBe('number');
        expect(payloads[0].CreatedById).toBe(emu.users[0].id);
        const ids = s.events().map((e) => u64(e.replay_id));
        expect([...ids].sort((a, b) => a - b)).toEqual(ids);
        expect(s.events()[0].event.id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('EARLIEST replays every retained event; CUSTOM resumes after a stored replay id', async () => {
        const all = open({ replay_preset: 'EARLIEST', num_requested: 100 });
        const retained = emu.org.bus.backlog('Record_Change__e', -2).length;
        await waitFor(() => all.events().length >= retained, 'every retained event');
        const third = all.events()[2];
        const custom = open({ replay_preset: 'CUSTOM', replay_id: third.replay_id, num_requested: 100 });
        await waitFor(() => custom.events().length >= retained - 3, 'the events after the third');
        expect(custom.events().map((e) => u64(e.replay_id))).toEqual(
            all
                .events()
                .slice(3)
                .map((e) => u64(e.replay_id))
        );
    });

    it('sends keepalives (empty FetchResponse with the latest replay id) when there is nothing to deliver', async () => {
        const s = open({ num_requested: 10 });
        await waitFor(() => s.responses.length >= 2, 'two keepalives', 3000);
        expect(s.responses[0].events).toEqual([]);
        expect(u64(s.responses[0].latest_replay_id)).toBe(emu.org.bus.latestReplayId('Record_Change__e'));
        expect(s.responses[0].pending_num_requested).toBe(10);
    });

    it('an unknown or expired replay id (72 h retention, emulator clock) is INVALID_ARGUMENT replayid.corrupted', async () => {
        const bogus = Buffer.alloc(8);
        bogus.writeBigUInt64BE(987654321n);
        const s = open({ replay_preset: 'CUSTOM', replay_id: bogus, num_requested: 1 });
        await waitFor(() => s.ended, 'the refused subscription');
        expect(s.error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
        expect(errorCode(s.error)).toBe(PUBSUB_ERRORS.replayCorrupted);
        const garbage = open({ replay_preset: 'CUSTOM', replay_id: Buffer.from('xyz'), num_requested: 1 });
        await waitFor(() => garbage.ended, 'the garbage replay id');
        expect(errorCode(garbage.error)).toBe(PUBSUB_ERRORS.replayCorrupted);
        // A stored id that was valid becomes invalid once its event is past retention.
        const stored = emu.org.bus.latestReplayId('Record_Change__e')!;
        const id = Buffer.alloc(8);
        id.writeBigUInt64BE(BigInt(stored));
        const ok = open({ replay_preset: 'CUSTOM', replay_id: id, num_requested: 1 });
        await sleep(100);
        expect(ok.error).toBeNull();
        emu.clock.advance(72 * 3600_000 + 1000);
        try {
            const fresh = (await soapLogin(emu)).accessToken!; // the 2 h session expired too
            const late = open({ replay_preset: 'CUSTOM', replay_id: id, num_requested: 1 }, {}, fresh);
            await waitFor(() => late.ended, 'the expired replay id');
            expect(errorCode(late.error)).toBe(PUBSUB_ERRORS.replayCorrupted);
        } finally {
            emu.clock.setOffset(0);
        }
    });

    it('Publish: Avro events published over gRPC reach CometD-equal subscribers with replay ids', async () => {
        const c = pubsubClient(emu, token);
        const topic = await unary(c, 'GetTopic', { topic_name: '/event/Sync_Request__e' });
        const info = await unary(c, 'GetSchema', { schema_id: topic.schema_id });
        const avro = (await import('avsc')).default;
        const type = avro.Type.forSchema(JSON.parse(info.schema_json));
        const s = open({ topic_name: '/event/Sync_Request__e', num_requested: 10 });
        await sleep(100);
        const payload = type.toBuffer({
            CreatedDate: Date.now(),
            CreatedById: emu.users[0].id,
            Object_Api_Name__c: 'Account',
            Kind__c: 'FULL',
            Requested_By_Id__c: emu.users[0].id
        });
        const res = await unary(c, 'Publish', {
            topic_name: '/event/Sync_Request__e',
            events: [
                { id: 'k1', schema_id: topic.schema_id, payload },
                { id: 'k2', schema_id: 'wrong', payload }
            ]
        });
        expect(res.results[0]).toMatchObject({ correlation_key: 'k1' });
        expect(res.results[0].replay_id).toHaveLength(8);
        expect(res.results[1]).toMatchObject({ correlation_key: 'k2', error: { code: 'PUBLISH' } });
        await waitFor(() => s.events().length >= 1, 'the published event');
        const decoded = type.fromBuffer(s.events()[0].event.payload) as Record<string, unknown>;
        expect(decoded).toMatchObject({ Object_Api_Name__c: 'Account', Kind__c: 'FULL' });
    });

    it('1,000 changes in chunks of 200 are 5 deliveries to a Pub/Sub subscriber, counted in /limits', async () => {
        const before = emu.org.deliveries.used();
        const s = open({ num_requested: 100 });
        await sleep(100);
        for (let k = 0; k < 5; k++)
            await conn.sobject('Account').create(Array.from({ length: 200 }, (_, i) => ({ Name: `PubSub ${k}-${i}` })));
        await waitFor(() => s.events().length >= 5, 'five events');
        await sleep(100);
        expect(s.events()).toHaveLength(5);
        expect(emu.org.deliveries.used() - before).toBe(5);
        const limits =
            await conn.request<Record<string, { Max: number; Remaining: number }>>('/services/data/v60.0/limits');
        expect(limits.DailyDeliveredPlatformEvents).toEqual({
            Max: 25000,
            Remaining: 25000 - emu.org.deliveries.used()
        });
    });

    it('when the delivery allocation runs out, Pub/Sub and CometD subscribers are disconnected as Salesforce does', async () => {
        const s = open({ num_requested: 100 });
        await sleep(100);
        const r = await control(emu, 'POST', '/event-deliveries', { used: 25000 - 1 });
        expect(r.body).toMatchObject({ max: 25000, remaining: 1 });
        await touch(accounts.slice(0, 1), 'limit a');
        await touch(accounts.slice(1, 2), 'limit b');
        await waitFor(() => s.ended, 'the cut-off stream');
        expect(s.events()).toHaveLength(1);
        expect(s.error).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
        expect(errorCode(s.error)).toBe(PUBSUB_ERRORS.limitExceeded);
        expect(s.error!.details).toMatch(/^You have exceeded the event delivery limit for your org\./);
        const again = open({ num_requested: 1 });
        await waitFor(() => again.ended, 'the refused resubscribe');
        expect(errorCode(again.error)).toBe(PUBSUB_ERRORS.limitExceeded);
        // CometD: the connect fails with Salesforce's Streaming API error.
        const res = await fetch(`${emu.url}/cometd/60.0`, {
            method: 'POST',
            headers: { Authorization: `OAuth ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify([
                { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }
            ])
        });
        const [hs] = (await res.json()) as Array<{ clientId: string }>;
        const connect = await fetch(`${emu.url}/cometd/60.0`, {
            method: 'POST',
            headers: { Authorization: `OAuth ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify([{ channel: '/meta/connect', clientId: hs.clientId, connectionType: 'long-polling' }])
        });
        expect(await connect.json()).toEqual([
            expect.objectContaining({
                channel: '/meta/connect',
                successful: false,
                error: '403::Organization total events daily limit exceeded',
                advice: { reconnect: 'none', interval: 0 }
            })
        ]);
        const limits =
            await conn.request<Record<string, { Max: number; Remaining: number }>>('/services/data/v60.0/limits');
        expect(limits.DailyDeliveredPlatformEvents).toEqual({ Max: 25000, Remaining: 0 });
        // Rolling 24 h: a day later the subscriber resumes from its replay id and gets what it missed.
        emu.clock.advance(24 * 3600_000 + 60_000);
        try {
            const fresh = (await soapLogin(emu)).accessToken!;
            const resumed = open(
                { replay_preset: 'CUSTOM', replay_id: s.events()[0].replay_id, num_requested: 10 },
                {},
                fresh
            );
            await waitFor(() => resumed.events().length >= 1, 'the event kept back');
            expect(resumed.error).toBeNull();
        } finally {
            emu.clock.setOffset(0);
            await control(emu, 'POST', '/event-deliveries', { used: 0 });
        }
    });
});
