/**
 * Salesforce's Pub/Sub API (gRPC, `eventbus.v1.PubSub` from Salesforce's own `pubsub_api.proto`, shipped in the npm
 * package `salesforce-pubsub-api-client`) in front of the emulated org's event bus, on its own port. It serves the
 * same retained events, replay ids and schema ids as the org's CometD endpoint:
 *
 * - `GetTopic`, `GetSchema` (Avro `schema_json`, see avro.ts), `Publish`, `PublishStream`;
 * - `Subscribe`: bidirectional stream; the first `FetchRequest` names the topic and the start (`LATEST` default,
 *   `EARLIEST` = every retained event, `CUSTOM` = the events after `replay_id`); every `FetchRequest` adds
 *   `num_requested` to what the server may send (at most 100 outstanding, as Salesforce caps it); the server sends
 *   at most that many events, then waits; with nothing to send it sends a keepalive (an empty `FetchResponse` with
 *   the latest replay id) every `keepaliveMs` (Salesforce: within 270 s);
 * - authentication by the `accesstoken`, `instanceurl` and `tenantid` metadata headers, checked against the
 *   emulator's sessions, URL and org id on every call and every FetchRequest;
 * - errors as Salesforce reports them: a gRPC status, the custom code in the `error-code` trailer and
 *   ` rpcId: <uuid>` appended to the message. Expired or unknown replay id (outside the 72 h retention, the same
 *   rule as CometD): `INVALID_ARGUMENT` + `sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted`;
 *   bad credentials: `UNAUTHENTICATED` + `sfdc.platform.eventbus.grpc.service.auth.error`; the org's delivery
 *   allocation used up: the stream ends with `RESOURCE_EXHAUSTED` +
 *   `sfdc.platform.eventbus.grpc.subscription.limit.exceeded` ("You have exceeded the event delivery limit for your
 *   org."), events stay retained.
 *
 * Not served: `ManagedSubscribe` (beta; answers UNIMPLEMENTED), Change Data Capture topics (`/data/…`).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Org } from '../org';
import { InvalidReplayIdError } from '../streaming';
import type { RetainedEvent } from '../streaming/event-log';
import { decodePayload, encodePayload, replayIdBytes, replayIdOf, schemaJson } from './avro';

/** Salesforce's error codes (the `error-code` trailer). */
export const PUBSUB_ERRORS = {
    auth: 'sfdc.platform.eventbus.grpc.service.auth.error',
    replayCorrupted: 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted',
    requestedInvalid: 'sfdc.platform.eventbus.grpc.subscription.fetch.requested.events.invalid',
    limitExceeded: 'sfdc.platform.eventbus.grpc.subscription.limit.exceeded',
    topicNotFound: 'sfdc.platform.eventbus.grpc.service.topic.notfound'
} as const;

/** At most this many events may be requested and outstanding on one Subscribe stream (Salesforce's cap). */
export const MAX_REQUESTED = 100;
/** Salesforce sends a keepalive within this long when there is nothing to deliver. */
export const KEEPALIVE_MS = 270_000;
/** Bytes of events per FetchResponse (below gRPC's 4 MB default message limit). */
const RESPONSE_BYTES = 3 * 1024 * 1024;

/** Where Salesforce's proto ships. */
export const PROTO_PATH = path.resolve(
    __dirname,
    '..',
    '..',
    '..',
    'node_modules',
    'salesforce-pubsub-api-client',
    'pubsub_api.proto'
);
/** The development TLS certificate (emulator/fixtures/dev-pubsub-tls). */
export const TLS_DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'dev-pubsub-tls');

/** Options of the Pub/Sub endpoint. */
export interface PubSubOptions {
    /** TCP port; 0 picks a free one. */
    port?: number;
    /** Interface to bind (default 127.0.0.1). */
    host?: string;
    /** Serve TLS with the development certificate (the npm client insists on TLS). Default plaintext. */
    tls?: boolean;
    /** Keepalive interval in ms (default 270 000; tests use less). */
    keepaliveMs?: number;
}

type Handler = grpc.UntypedServiceImplementation;
interface FetchRequest {
    topic_name?: string;
    replay_preset?: number | string;
    replay_id?: Buffer;
    num_requested?: number;
}
interface ProducerEvent {
    id?: string;
    schema_id?: string;
    payload?: Buffer;
}

class PubSubError extends Error {
    constructor(
        readonly code: grpc.status,
        readonly errorCode: string,
        message: string
    ) {
        super(message);
    }

    toServiceError(): grpc.ServiceError {
        const rpcId = randomUUID();
        const metadata = new grpc.Metadata();
        metadata.set('error-code', this.errorCode);
        metadata.set('rpc-id', rpcId);
        const details = `${this.message} rpcId: ${rpcId}`;
        return Object.assign(new Error(details), { code: this.code, details, metadata }) as grpc.ServiceError;
    }
}

const PRESETS: Record<string, number> = { LATEST: 0, EARLIEST: 1, CUSTOM: 2 };

/** The Pub/Sub API endpoint of one emulated org. */
export class PubSubServer {
    private server: grpc.Server | null = null;
    private readonly streams = new Set<() => void>();
    private readonly keepaliveMs: number;
    private subscriptionSeq = 0;
    private delivered = 0;
    /** The bound port once started. */
    port = 0;

    constructor(
        private readonly org: Org,
        private readonly opts: PubSubOptions = {}
    ) {
        this.keepaliveMs = opts.keepaliveMs ?? KEEPALIVE_MS;
    }

    /** `host:port` clients connect to. */
    get endpoint(): string {
        return `${this.opts.host ?? '127.0.0.1'}:${this.port}`;
    }

    /** Whether the endpoint serves TLS. */
    get tls(): boolean {
        return this.opts.tls === true;
    }

    /** Starts listening; resolves with the bound port. */
    async start(): Promise<number> {
        const def = protoLoader.loadSync(PROTO_PATH, { keepCase: true, defaults: true, enums: String, longs: Number });
        const pkg = grpc.loadPackageDefinition(def) as unknown as {
            eventbus: { v1: { PubSub: { service: grpc.ServiceDefinition } } };
        };
        const server = new grpc.Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
        server.addService(pkg.eventbus.v1.PubSub.service, this.handlers());
        const creds = this.opts.tls
            ? grpc.ServerCredentials.createSsl(
                  null,
                  [
                      {
                          cert_chain: fs.readFileSync(path.join(TLS_DIR, 'server.crt')),
                          private_key: fs.readFileSync(path.join(TLS_DIR, 'server.key'))
                      }
                  ],
                  false
              )
            : grpc.ServerCredentials.createInsecure();
        this.port = await new Promise<number>((resolve, reject) =>
            server.bindAsync(`${this.opts.host ?? '127.0.0.1'}:${this.opts.port ?? 0}`, creds, (err, port) =>
                err ? reject(err) : resolve(port)
            )
        );
        this.server = server;
        return this.port;
    }

    /** Ends every stream and stops the server. */
    async stop(): Promise<void> {
        for (const end of [...this.streams]) end();
        const server = this.server;
        this.server = null;
        if (!server) return;
        await new Promise<void>((resolve) => {
            const t = setTimeout(() => {
                server.forceShutdown();
                resolve();
            }, 1000);
            server.tryShutdown(() => {
                clearTimeout(t);
                resolve();
            });
        });
    }

    /** Counters for the control API. */
    stats(): { subscriptions: number; delivered: number } {
        return { subscriptions: this.streams.size, delivered: this.delivered };
    }

    /** Fault injection: ends every Subscribe stream with UNAVAILABLE (clients reconnect and resume by replay id). */
    dropStreams(): number {
        const n = this.streams.size;
        for (const end of [...this.streams]) end();
        return n;
    }

    // ------------------------------------------------------------------ checks

    private authenticate(metadata: grpc.Metadata): { userId: string } {
        const one = (k: string) => {
            const v = metadata.get(k)[0];
            return v === undefined ? '' : String(v);
        };
        const token = one('accesstoken');
        // Compared without the scheme: the emulator serves REST over http, while Pub/Sub clients (the npm one
        // insists on it) send the https form of the instance URL.
        const instanceUrl = one('instanceurl')
            .replace(/\/+$/, '')
            .replace(/^https?:\/\//i, '')
            .toLowerCase();
        const tenant = one('tenantid');
        const session = token ? this.org.bus.authenticate(token) : null;
        const ourUrl = this.org.opts
            .instanceUrl()
            .replace(/\/+$/, '')
            .replace(/^https?:\/\//i, '')
            .toLowerCase();
        const orgId = this.org.orgId;
        const tenantOk = tenant === orgId || tenant === orgId.slice(0, 15);
        if (!session || instanceUrl !== ourUrl || !tenantOk)
            throw new PubSubError(
                grpc.status.UNAUTHENTICATED,
                PUBSUB_ERRORS.auth,
                !token || !session
                    ? 'Authentication exception: the access token is missing, invalid or expired.'
                    : 'Authentication exception: the instance URL or tenant id does not match the access token.'
            );
        return session;
    }

    /** `/event/X__e` → `X__e`, or a NOT_FOUND error. */
    private eventOf(topic: string | undefined): string {
        const name = typeof topic === 'string' && topic.startsWith('/event/') ? topic.slice('/event/'.length) : '';
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || !this.org.bus.eventExists(name))
            throw new PubSubError(
                grpc.status.NOT_FOUND,
                PUBSUB_ERRORS.topicNotFound,
                `Topic ${JSON.stringify(topic ?? '')} does not exist or you do not have access to it.`
            );
        return name;
    }

    private rpc<Req, Res>(fn: (req: Req, metadata: grpc.Metadata) => Res): grpc.handleUnaryCall<Req, Res> {
        return (call, callback) => {
            try {
                callback(null, fn(call.request, call.metadata));
            } catch (e) {
                callback(e instanceof PubSubError ? e.toServiceError() : internal(e));
            }
        };
    }

    // ------------------------------------------------------------------ RPCs

    private handlers(): Handler {
        return {
            GetTopic: this.rpc((req: { topic_name?: string }, md) => {
                this.authenticate(md);
                const name = this.eventOf(req.topic_name);
                return {
                    topic_name: req.topic_name,
                    tenant_guid: this.org.orgId,
                    can_publish: true,
                    can_subscribe: true,
                    schema_id: this.org.bus.schemaIdFor(name),
                    rpc_id: randomUUID()
                };
            }),
            GetSchema: this.rpc((req: { schema_id?: string }, md) => {
                this.authenticate(md);
                const def = req.schema_id ? this.org.bus.definitionForSchema(req.schema_id) : undefined;
                if (!def)
                    throw new PubSubError(
                        grpc.status.NOT_FOUND,
                        'sfdc.platform.eventbus.grpc.schema.notfound',
                        `Schema ${JSON.stringify(req.schema_id ?? '')} not found.`
                    );
                return { schema_json: schemaJson(def), schema_id: req.schema_id, rpc_id: randomUUID() };
            }),
            Publish: this.rpc((req: { topic_name?: string; events?: ProducerEvent[] }, md) => this.publish(req, md)),
            PublishStream: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
                call.on('data', (req: { topic_name?: string; events?: ProducerEvent[] }) => {
                    try {
                        call.write(this.publish(req, call.metadata));
                    } catch (e) {
                        call.emit('error', e instanceof PubSubError ? e.toServiceError() : internal(e));
                    }
                });
                call.on('end', () => call.end());
                call.on('error', () => undefined);
            },
            Subscribe: (call: grpc.ServerDuplexStream<FetchRequest, unknown>) => this.subscribe(call),
            ManagedSubscribe: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
                call.on('error', () => undefined);
                call.emit(
                    'error',
                    new PubSubError(
                        grpc.status.UNIMPLEMENTED,
                        'sfdc.platform.eventbus.grpc.service.unimplemented',
                        'ManagedSubscribe is not available in the org emulator.'
                    ).toServiceError()
                );
            }
        };
    }

    private publish(
        req: { topic_name?: string; events?: ProducerEvent[] },
        md: grpc.Metadata
    ): { results: unknown[]; schema_id: string; rpc_id: string } {
        const user = this.authenticate(md);
        const name = this.eventOf(req.topic_name);
        const schemaId = this.org.bus.schemaIdFor(name);
        const def = this.org.bus.definitionOf(name);
        const results = (req.events ?? []).map((ev) => {
            const correlation_key = ev.id ?? '';
            try {
                if (ev.schema_id !== schemaId)
                    throw new Error(`Schema id ${ev.schema_id ?? ''} is not the current schema of ${req.topic_name}`);
                if ((ev.payload?.length ?? 0) > 1024 * 1024) throw new Error('Event message exceeds 1 MB');
                const values = decodePayload(schemaId, def, ev.payload ?? Buffer.alloc(0));
                const [r] = this.org.bus.publish(name, [values], user.userId);
                return { replay_id: replayIdBytes(r.replayId), correlation_key };
            } catch (e) {
                return { error: { code: 'PUBLISH', msg: (e as Error).message }, correlation_key };
            }
        });
        return { results, schema_id: schemaId, rpc_id: randomUUID() };
    }

    private subscribe(call: grpc.ServerDuplexStream<FetchRequest, unknown>): void {
        const id = `pubsub:${++this.subscriptionSeq}`;
        const rpcId = randomUUID();
        let eventName: string | null = null;
        let schemaId = '';
        let pending = 0;
        let position: number | null = null;
        let queue: RetainedEvent[] = [];
        let unlisten: (() => void) | null = null;
        let keepalive: NodeJS.Timeout | null = null;
        let done = false;

        const finish = (err?: PubSubError) => {
            if (done) return;
            done = true;
            unlisten?.();
            if (keepalive) clearInterval(keepalive);
            this.streams.delete(end);
            if (err) call.emit('error', err.toServiceError());
            else call.end();
        };
        const end = () =>
            finish(
                new PubSubError(
                    grpc.status.UNAVAILABLE,
                    'sfdc.platform.eventbus.grpc.service.unavailable',
                    'The server closed the stream.'
                )
            );
        this.streams.add(end);

        const latest = () => {
            const l = eventName ? this.org.bus.latestReplayId(eventName) : null;
            return replayIdBytes(Math.max(l ?? 0, position ?? 0));
        };
        const resetKeepalive = () => {
            if (keepalive) clearInterval(keepalive);
            keepalive = setInterval(() => {
                if (!done)
                    call.write({
                        events: [],
                        latest_replay_id: latest(),
                        rpc_id: rpcId,
                        pending_num_requested: pending
                    });
            }, this.keepaliveMs);
            keepalive.unref();
        };
        const pump = () => {
            if (done || !eventName) return;
            const def = this.org.bus.definitionOf(eventName);
            while (pending > 0 && queue.length > 0) {
                const batch: unknown[] = [];
                let bytes = 0;
                let last = 0;
                while (batch.length < pending && queue.length > 0 && bytes < RESPONSE_BYTES) {
                    const ev = queue[0];
                    const payload = encodePayload(ev.data.schema, def, ev.data.payload);
                    if (batch.length > 0 && bytes + payload.length > RESPONSE_BYTES) break;
                    queue.shift();
                    bytes += payload.length;
                    last = ev.replayId;
                    batch.push({
                        event: { id: ev.data.event.EventUuid, schema_id: ev.data.schema, payload, headers: [] },
                        replay_id: replayIdBytes(ev.replayId)
                    });
                }
                const allocation = this.org.bus.allocation;
                const allowed = allocation ? allocation.take(id, batch.length) : batch.length;
                const send = batch.slice(0, allowed);
                if (send.length > 0) {
                    pending -= send.length;
                    position =
                        allowed === batch.length ? last : replayIdOf((send.at(-1) as { replay_id: Buffer }).replay_id);
                    this.delivered += send.length;
                    this.org.bus.countDelivered(send.length);
                    call.write({
                        events: send,
                        latest_replay_id: replayIdBytes(position ?? 0),
                        rpc_id: rpcId,
                        pending_num_requested: pending
                    });
                    resetKeepalive();
                }
                if (allowed < batch.length) return finish(limitExceeded());
            }
        };

        call.on('data', (req: FetchRequest) => {
            if (done) return;
            try {
                this.authenticate(call.metadata);
                const n = Number(req.num_requested ?? 0);
                if (!Number.isInteger(n) || n < 0)
                    throw new PubSubError(
                        grpc.status.INVALID_ARGUMENT,
                        PUBSUB_ERRORS.requestedInvalid,
                        `The number of requested events must be a positive integer, got ${req.num_requested}.`
                    );
                if (!eventName) {
                    const name = this.eventOf(req.topic_name);
                    if (this.org.bus.allocation?.exhausted()) throw limitExceeded();
                    const preset =
                        typeof req.replay_preset === 'string' ? PRESETS[req.replay_preset] : (req.replay_preset ?? 0);
                    let from = -1;
                    if (preset === 1) from = -2;
                    else if (preset === 2) {
                        const n2 = replayIdOf(req.replay_id);
                        if (n2 === null) throw replayCorrupted();
                        from = n2;
                    }
                    try {
                        queue = this.org.bus.backlog(name, from).slice();
                    } catch (e) {
                        if (e instanceof InvalidReplayIdError) throw replayCorrupted();
                        throw e;
                    }
                    position = from >= 0 ? from : null;
                    eventName = name;
                    schemaId = this.org.bus.schemaIdFor(name);
                    void schemaId;
                    unlisten = this.org.bus.onPublish((evName, events) => {
                        if (evName !== eventName) return;
                        for (const e of events) queue.push(e);
                        pump();
                    });
                    resetKeepalive();
                }
                pending = Math.min(MAX_REQUESTED, pending + n);
                pump();
            } catch (e) {
                finish(
                    e instanceof PubSubError
                        ? e
                        : new PubSubError(
                              grpc.status.INTERNAL,
                              'sfdc.platform.eventbus.grpc.service.internal',
                              String(e)
                          )
                );
            }
        });
        call.on('end', () => finish());
        call.on('cancelled', () => finish());
        call.on('error', () => finish());
    }
}

function replayCorrupted(): PubSubError {
    return new PubSubError(
        grpc.status.INVALID_ARGUMENT,
        PUBSUB_ERRORS.replayCorrupted,
        'The Replay ID validation failed. Ensure that the Replay ID is valid and within the retention window.'
    );
}

function limitExceeded(): PubSubError {
    return new PubSubError(
        grpc.status.RESOURCE_EXHAUSTED,
        PUBSUB_ERRORS.limitExceeded,
        'You have exceeded the event delivery limit for your org.'
    );
}

function internal(e: unknown): grpc.ServiceError {
    return new PubSubError(
        grpc.status.INTERNAL,
        'sfdc.platform.eventbus.grpc.service.internal',
        String(e)
    ).toServiceError();
}
