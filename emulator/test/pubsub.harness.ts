/**
 * A plain `@grpc/grpc-js` client of the emulator's Pub/Sub API, loaded from Salesforce's own proto, for the Pub/Sub
 * tests: authenticated calls, a Subscribe stream whose responses are collected, and Avro decoding with `avsc`
 * from the schema GetSchema returns.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import avro from 'avsc';
import { PROTO_PATH } from '../src/pubsub';
import type { RunningEmulator } from '../src/server';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type PubSubClient = grpc.Client & Record<string, any>;

const def = protoLoader.loadSync(PROTO_PATH, { keepCase: true, defaults: true, enums: String, longs: Number });
const PubSub = (grpc.loadPackageDefinition(def) as any).eventbus.v1.PubSub as grpc.ServiceClientConstructor;

/** A client with the three metadata headers (override any of them to test refusals). */
export function pubsubClient(
    emu: RunningEmulator,
    token: string,
    headers: Partial<Record<'accesstoken' | 'instanceurl' | 'tenantid', string>> = {}
): { client: PubSubClient; md: grpc.Metadata } {
    const md = new grpc.Metadata();
    md.set('accesstoken', headers.accesstoken ?? token);
    md.set('instanceurl', headers.instanceurl ?? emu.url);
    md.set('tenantid', headers.tenantid ?? emu.orgId);
    const client = new PubSub(emu.pubsub!.endpoint, grpc.credentials.createInsecure()) as PubSubClient;
    return { client, md };
}

/** Calls a unary RPC; resolves with the response or rejects with the ServiceError. */
export function unary<T = any>(
    c: { client: PubSubClient; md: grpc.Metadata },
    method: string,
    req: unknown
): Promise<T> {
    return new Promise((resolve, reject) =>
        c.client[method](req, c.md, (err: grpc.ServiceError | null, res: T) => (err ? reject(err) : resolve(res)))
    );
}

/** One FetchResponse as received. */
export interface Fetched {
    events: Array<{ event: { id: string; schema_id: string; payload: Buffer }; replay_id: Buffer }>;
    latest_replay_id: Buffer;
    pending_num_requested: number;
}

/** A Subscribe stream with its responses and final error. */
export interface Stream {
    responses: Fetched[];
    error: grpc.ServiceError | null;
    ended: boolean;
    fetch(n: number, extra?: Record<string, unknown>): void;
    events(): Fetched['events'];
    cancel(): void;
}

/** Opens Subscribe and sends the first FetchRequest. */
export function subscribe(c: { client: PubSubClient; md: grpc.Metadata }, first: Record<string, unknown>): Stream {
    const call = c.client.Subscribe(c.md) as grpc.ClientDuplexStream<unknown, Fetched>;
    const s: Stream = {
        responses: [],
        error: null,
        ended: false,
        fetch: (n, extra = {}) => call.write({ num_requested: n, ...extra }),
        events: () => s.responses.flatMap((r) => r.events),
        cancel: () => call.cancel()
    };
    call.on('data', (r: Fetched) => s.responses.push(r));
    call.on('error', (e: grpc.ServiceError) => {
        s.error = e;
        s.ended = true;
    });
    call.on('end', () => (s.ended = true));
    call.write(first);
    return s;
}

/** The `error-code` trailer of a Pub/Sub error. */
export const errorCode = (e: grpc.ServiceError | null): string | undefined =>
    e?.metadata?.get('error-code')[0] as string;

/** Decodes an event's Avro payload with the schema GetSchema returns (cached per schema id). */
export async function decoder(c: { client: PubSubClient; md: grpc.Metadata }) {
    const types = new Map<string, avro.Type>();
    return async (ev: { schema_id: string; payload: Buffer }): Promise<Record<string, unknown>> => {
        let t = types.get(ev.schema_id);
        if (!t) {
            const info = await unary<{ schema_json: string }>(c, 'GetSchema', { schema_id: ev.schema_id });
            t = avro.Type.forSchema(JSON.parse(info.schema_json) as avro.Schema);
            types.set(ev.schema_id, t);
        }
        return t.fromBuffer(ev.payload) as Record<string, unknown>;
    };
}

export const u64 = (b: Buffer): number => Number(b.readBigUInt64BE());
