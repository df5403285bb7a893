/**
 * The durable Pub/Sub API (gRPC) subscriber of one org — the default inbound transport (`SF_EVENT_TRANSPORT=pubsub`),
 * with the same interface as the CometD `OrgSubscriber`: one Subscribe stream per channel (Record_Change__e,
 * Sync_Request__e), batches handed to the same `applyBatch` (one transaction that also stores the channel's replay
 * id), batches applied one at a time in arrival order, a failed apply retried, never dropped.
 *
 * - Start: CUSTOM from the stored replay id (EARLIEST the first time, as CometD's -2); replay ids travel as the
 *   8-byte opaque bytes Salesforce sends and are stored as their unsigned integer value.
 * - Flow control sized to the batch apply: `num_requested` = the batch size (at most 100, Salesforce's cap); the
 *   next FetchRequest goes out only after the events received so far were applied, so a slow apply never builds
 *   an unbounded backlog in memory.
 * - Payloads are Avro: the schema of each schema id is read once with GetSchema; DateTime longs become ISO strings.
 * - Errors: `replayid.corrupted` (stored id past the 72 h retention) → resubscribe LATEST and `onInvalidReplay`
 *   (the engine reconciles); `auth.error` → `refreshSession`, then resubscribe; anything else (stream ended,
 *   server gone, allocation exhausted) → reconnect with exponential backoff and jitter (1 s … 60 s), resuming after
 *   the last replay id applied.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import avro from 'avsc';
import * as path from 'node:path';
import type { ChannelEvent } from '../domain/sync/inbound-batch';
import { backoffDelay } from '../domain/sync/rules/classify';
import { EventBatcher } from './batch-apply';

/** Salesforce's Pub/Sub endpoint. */
export const SALESFORCE_PUBSUB_ENDPOINT = 'api.pubsub.salesforce.com:7443';
const PROTO = path.resolve(
    __dirname,
    '..',
    '..',
    '..',
    'node_modules',
    'salesforce-pubsub-api-client',
    'pubsub_api.proto'
);
const ERR_REPLAY = 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted';
const ERR_AUTH = 'sfdc.platform.eventbus.grpc.service.auth.error';
const ERR_LIMIT = 'sfdc.platform.eventbus.grpc.subscription.limit.exceeded';

/** Where and how to reach the Pub/Sub API: `grpc://host:port` plaintext, `grpcs://host:port` or `host:port` TLS. */
export function parsePubSubUrl(url: string | undefined): { endpoint: string; tls: boolean } {
    if (!url) return { endpoint: SALESFORCE_PUBSUB_ENDPOINT, tls: true };
    const m = /^(grpcs?):\/\/(.+)$/i.exec(url.trim());
    if (m) return { endpoint: m[2].replace(/\/+$/, ''), tls: m[1].toLowerCase() === 'grpcs' };
    return { endpoint: url.trim(), tls: true };
}

/** Options of {@link PubSubSubscriber}. */
export interface PubSubSubscriberOptions {
    /** `host:port` and whether it speaks TLS. */
    endpoint: { endpoint: string; tls: boolean };
    /** The current session: token, instance URL and org id (the three metadata headers). */
    session: () => { accessToken: string; instanceUrl: string; orgId: string };
    channels: string[];
    storedReplayId: (channel: string) => Promise<number | null>;
    applyBatch: (events: ChannelEvent[]) => Promise<void>;
    onInvalidReplay: (channel: string, error: string) => void;
    refreshSession: () => Promise<void>;
    onError?: (err: unknown, context: string) => void;
    /** Events per batch and per FetchRequest (default 100, Salesforce's maximum). */
    batchSize?: number;
    /** How long received events wait for more before they are applied (default 50 ms). */
    batchWindowMs?: number;
    /** Trusted root certificate (PEM) for a TLS endpoint with a private CA (the emulator's development cert). */
    rootCert?: Buffer;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Stream = grpc.ClientDuplexStream<any, any>;
let service: grpc.ServiceClientConstructor | null = null;
function pubSubService(): grpc.ServiceClientConstructor {
    if (!service) {
        const def = protoLoader.loadSync(PROTO, { keepCase: true, defaults: true, enums: String, longs: Number });
        service = (grpc.loadPackageDefinition(def) as any).eventbus.v1.PubSub as grpc.ServiceClientConstructor;
    }
    return service;
}

const u64 = (b: Buffer | Uint8Array | undefined): number | null =>
    b && b.length === 8 ? Number(Buffer.from(b).readBigUInt64BE()) : null;
function bytes(n: number): Buffer {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    return b;
}

/** See the module comment. */
export class PubSubSubscriber {
    private client: grpc.Client & Record<string, any>;
    private readonly streams = new Map<string, Stream>();
    private readonly lastSeen = new Map<string, number>();
    private readonly schemas = new Map<string, { type: avro.Type; dateTimes: string[] }>();
    private readonly attempts = new Map<string, number>();
    private stopped = true;
    /** Events received and batches applied since start (metrics, tests). */
    readonly counters = { received: 0, batches: 0, applied: 0, invalidReplays: 0, authFailures: 0, reconnects: 0 };
    private readonly batcher = new EventBatcher({
        size: () => this.batchSize,
        windowMs: () => this.options.batchWindowMs ?? 50,
        apply: (batch) => this.options.applyBatch(batch),
        counters: this.counters,
        stopping: () => this.stopped,
        onError: (err, context) => this.options.onError?.(err, context)
    });

    constructor(private readonly options: PubSubSubscriberOptions) {
        const Service = pubSubService();
        const creds = options.endpoint.tls
            ? grpc.credentials.createSsl(options.rootCert ?? null)
            : grpc.credentials.createInsecure();
        this.client = new Service(options.endpoint.endpoint, creds) as grpc.Client & Record<string, any>;
    }

    private get batchSize(): number {
        return Math.max(1, Math.min(100, this.options.batchSize ?? 100));
    }

    private metadata(): grpc.Metadata {
        const s = this.options.session();
        const md = new grpc.Metadata();
        md.set('accesstoken', s.accessToken);
        md.set('instanceurl', s.instanceUrl);
        md.set('tenantid', s.orgId);
        return md;
    }

    /** Subscribes every channel. */
    async start(): Promise<void> {
        this.stopped = false;
        for (const ch of this.options.channels) await this.subscribe(ch, null);
    }

    /** Ends the streams, then applies what is still queued (graceful stop). */
    async stop(): Promise<void> {
        this.stopped = true;
        for (const s of this.streams.values()) s.cancel();
        this.streams.clear();
        await this.drain();
        this.client.close();
    }

    /** Resolves when everything received so far has been applied. */
    async drain(): Promise<void> {
        await this.batcher.drain();
    }

    private async subscribe(channel: string, preset: 'LATEST' | null): Promise<void> {
        if (this.stopped) return;
        const stored = preset ? null : (this.lastSeen.get(channel) ?? (await this.options.storedReplayId(channel)));
        const first: Record<string, unknown> = { topic_name: channel, num_requested: this.batchSize };
        if (preset) first.replay_preset = preset;
        else if (stored === null) first.replay_preset = 'EARLIEST';
        else Object.assign(first, { replay_preset: 'CUSTOM', replay_id: bytes(stored) });
        const stream = this.client.Subscribe(this.metadata()) as Stream;
        this.streams.set(channel, stream);
        let outstanding = this.batchSize;
        stream.on('data', (res: { events: any[]; latest_replay_id?: Buffer }) => {
            if (res.events.length > 0) this.attempts.delete(channel);
            outstanding -= res.events.length;
            const decoded = res.events.map((e) => this.decode(channel, e));
            void Promise.all(decoded).then(
                (events) => {
                    for (const ev of events) this.receive(ev);
                    if (outstanding <= 0 && !this.stopped) {
                        // Ask for the next batch only once this one is applied (flow control sized to the apply).
                        this.batcher.flush();
                        void this.batcher.applied.then(() => {
                            if (this.streams.get(channel) !== stream || this.stopped) return;
                            outstanding = this.batchSize;
                            stream.write({ num_requested: this.batchSize });
                        });
                    }
                },
                (err: unknown) => this.options.onError?.(err, `decode ${channel}`)
            );
        });
        stream.on('error', (err: grpc.ServiceError) => void this.failed(channel, stream, err));
        stream.on('end', () => void this.failed(channel, stream, null));
        stream.write(first);
    }

    private async decode(channel: string, ce: any): Promise<ChannelEvent> {
        const schemaId: string = ce.event.schema_id;
        let schema = this.schemas.get(schemaId);
        if (!schema) {
            const info = await new Promise<{ schema_json: string }>((resolve, reject) =>
                this.client.GetSchema({ schema_id: schemaId }, this.metadata(), (e: Error | null, r: any) =>
                    e ? reject(e) : resolve(r)
                )
            );
            const json = JSON.parse(info.schema_json) as { fields: Array<{ name: string; doc?: string }> };
            const dateTimes = json.fields.filter((f) => /DateTime$/.test(f.doc ?? '')).map((f) => f.name);
            schema = { type: avro.Type.forSchema(json as avro.Schema), dateTimes };
            this.schemas.set(schemaId, schema);
        }
        const payload = schema.type.fromBuffer(Buffer.from(ce.event.payload)) as Record<string, unknown>;
        for (const f of schema.dateTimes)
            if (typeof payload[f] === 'number' || typeof payload[f] === 'bigint')
                payload[f] = new Date(Number(payload[f])).toISOString();
        return {
            channel,
            data: { schema: schemaId, payload, event: { replayId: u64(ce.replay_id) ?? NaN, EventUuid: ce.event.id } }
        };
    }

    private async failed(channel: string, stream: Stream, err: grpc.ServiceError | null): Promise<void> {
        if (this.stopped || this.streams.get(channel) !== stream) return;
        this.streams.delete(channel);
        const code = err?.metadata?.get('error-code')[0] as string | undefined;
        if (code === ERR_REPLAY || /replay id/i.test(err?.details ?? '')) {
            this.counters.invalidReplays += 1;
            this.lastSeen.delete(channel);
            await this.subscribe(channel, 'LATEST');
            this.options.onInvalidReplay(channel, err?.details ?? 'invalid replay id');
            return;
        }
        if (code === ERR_AUTH) {
            this.counters.authFailures += 1;
            try {
                await this.options.refreshSession();
            } catch (e) {
                this.options.onError?.(e, 'Pub/Sub re-authentication');
            }
        } else if (err && err.code !== grpc.status.CANCELLED)
            this.options.onError?.(
                err,
                `Pub/Sub stream ${channel}${code === ERR_LIMIT ? ' (delivery allocation)' : ''}`
            );
        // Resume after what was received (it is applied before the new stream's events).
        const attempt = (this.attempts.get(channel) ?? 0) + 1;
        this.attempts.set(channel, attempt);
        const delay = code === ERR_AUTH && attempt === 1 ? 0 : Math.max(500, backoffDelay(attempt));
        this.counters.reconnects += 1;
        setTimeout(() => void this.subscribe(channel, null), delay).unref();
    }

    private receive(ev: ChannelEvent): void {
        this.counters.received += 1;
        const id = Number(ev.data.event.replayId);
        if (Number.isFinite(id))
            this.lastSeen.set(ev.channel, Math.max(this.lastSeen.get(ev.channel) ?? -Infinity, id));
        this.batcher.push(ev);
    }
}
