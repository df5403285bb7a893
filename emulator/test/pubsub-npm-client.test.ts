/**
 * The emulator's Pub/Sub API with the UNMODIFIED npm client `salesforce-pubsub-api-client` (v5, ESM, run in a
 * child Node process), which only speaks TLS: the emulator serves its development certificate
 * (emulator/fixtures/dev-pubsub-tls) and the client is told `rejectUnauthorizedSsl: false`, as its README says for
 * self-signed endpoints. Subscribe (live, earliest, from a replay id), Avro decoding with the schema it fetches,
 * keepalive, Publish, and the invalid-replay error.
 *
 * The client's Avro library `avro-js` 1.12.2 requires `underscore` without declaring it, so the client cannot load
 * until `underscore` is installed beside it; until then this suite is skipped with that reason printed (the same
 * server is exercised with raw grpc-js in pubsub-grpc.test.ts).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { expandRecordChange } from '../../contracts/record-change';
import type { RunningEmulator } from '../src/server';
import { jsforce, soapLogin, start, waitFor } from './conformance.helpers';

type Line = Record<string, unknown> & { step: string };
const TOPIC = '/event/Record_Change__e';

jest.setTimeout(40000);

/** Whether the npm client's dependencies resolve here (see the module comment). */
function clientLoads(): boolean {
    try {
        require.resolve('underscore', { paths: [path.dirname(require.resolve('avro-js'))] });
        return true;
    } catch {
        process.stdout.write(
            'pubsub-npm-client.test.ts skipped: avro-js (a dependency of salesforce-pubsub-api-client) needs `underscore`, which is not installed\n'
        );
        return false;
    }
}

(clientLoads() ? describe : describe.skip)('Pub/Sub API with the unmodified salesforce-pubsub-api-client (TLS)', () => {
    let emu: RunningEmulator;
    let conn: jsforce.Connection;
    const children: ChildProcessWithoutNullStreams[] = [];

    function run(cfg: Record<string, unknown>): { lines: Line[]; of: (step: string) => Line[] } {
        const child = spawn(
            process.execPath,
            [
                path.join(__dirname, 'pubsub-npm-client.child.mjs'),
                JSON.stringify({
                    accessToken: conn.accessToken,
                    instanceUrl: emu.url.replace('http://', 'https://'), // the client refuses http URLs
                    organizationId: emu.orgId,
                    endpoint: emu.pubsub!.endpoint,
                    topic: TOPIC,
                    numRequested: 10,
                    ...cfg
                })
            ],
            { cwd: path.join(__dirname, '..', '..') }
        );
        children.push(child);
        const lines: Line[] = [];
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
            buf += d.toString();
            let i: number;
            while ((i = buf.indexOf('\n')) >= 0) {
                lines.push(JSON.parse(buf.slice(0, i)) as Line);
                buf = buf.slice(i + 1);
            }
        });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (code) => {
            if (code) lines.push({ step: 'exit', code, stderr: err });
        });
        return { lines, of: (step) => lines.filter((l) => l.step === step) };
    }

    beforeAll(async () => {
        emu = await start({ seed: 'demo', pubsubTls: true, pubsubKeepaliveMs: 500 });
        conn = await soapLogin(emu);
    });
    afterAll(async () => {
        for (const c of children) c.kill();
        await emu.stop();
    });

    it('subscribes, receives batched Record_Change__e decoded from Avro, and sees keepalives', async () => {
        const c = run({});
        await waitFor(() => c.of('subscribed').length === 1 || c.of('exit').length > 0, 'the subscription');
        expect(c.of('exit')).toEqual([]);
        await waitFor(
            () => c.of('keepalive').length >= 1,
            `a keepalive (the stream is open): ${JSON.stringify(c.lines)}`,
            5000
        );
        const accounts = (await conn.query<{ Id: string }>('SELECT Id FROM Account LIMIT 3')).records.map((r) => r.Id);
        await conn.sobject('Account').update(accounts.map((Id) => ({ Id, Phone: '+1 555 0400' })));
        await waitFor(() => c.of('event').length >= 1, 'the event', 10000);
        const payload = c.of('event')[0].payload as Record<string, unknown>;
        expect(payload.Object_Api_Name__c).toBe('Account');
        expect(expandRecordChange(payload).map((r) => r.recordId)).toEqual(accounts);
        const n = c.of('keepalive').length;
        await waitFor(() => c.of('keepalive').length > n, 'a keepalive after the event', 5000);
        expect(Number(c.of('keepalive').at(-1)!.latestReplayId)).toBe(Number(c.of('event')[0].replayId));
    });

    it('replays from the earliest event and from a replay id; publishes through the client', async () => {
        const earliest = run({ earliest: true, numRequested: 100 });
        await waitFor(() => earliest.of('event').length >= 1, 'replayed events', 10000);
        const first = earliest.of('event')[0].replayId;
        const from = run({
            replayId: Number(first),
            publish: {
                topic: '/event/Sync_Request__e',
                payload: {
                    CreatedDate: Date.now(),
                    CreatedById: emu.users[0].id,
                    Object_Api_Name__c: { string: 'Account' },
                    Kind__c: { string: 'FULL' }
                }
            }
        });
        await waitFor(() => from.of('published').length === 1 || from.of('exit').length > 0, 'the publish', 10000);
        expect(from.of('published')[0]).toMatchObject({ correlationKey: 'npm-client' });
        const kept = emu.org.bus.backlog('Sync_Request__e', -2).at(-1)!;
        expect(kept.data.payload).toMatchObject({ Object_Api_Name__c: 'Account', Kind__c: 'FULL' });
    });

    it("reports Salesforce's invalid replay id error to the client", async () => {
        const c = run({ replayId: 987654321 });
        await waitFor(() => c.of('error').length >= 1, 'the error', 10000);
        expect(JSON.stringify(c.of('error'))).toMatch(/Replay ID validation failed/);
    });
});
