/**
 * Avro payloads and replay ids of the emulated Pub/Sub API. An event's Avro schema is the one its schema id names
 * (streaming/schema.ts: the MD5 fingerprint of the normalised schema, base64url, shared with CometD's `schema`):
 * `CreatedDate` long (epoch ms), `CreatedById` string, every custom field a nullable union (`["null", <type>]`,
 * default null), DateTime fields as long. Payloads are kept on the bus in their CometD JSON form and converted here.
 * Replay ids are opaque bytes on the wire; the emulator sends the bus's numeric replay id as an 8-byte big-endian
 * unsigned integer (what the npm client `salesforce-pubsub-api-client` decodes).
 */
import avro from 'avsc';
import { avroSchemaOf, type EventDefinition } from '../streaming/schema';

const types = new Map<string, { type: avro.Type; def: EventDefinition; dateTimes: Set<string> }>();

function codec(schemaId: string, def: EventDefinition): { type: avro.Type; dateTimes: Set<string> } {
    let c = types.get(schemaId);
    if (!c) {
        const dateTimes = new Set(
            def.fields.filter((f) => (def.types[f] ?? '').toLowerCase() === 'datetime').concat('CreatedDate')
        );
        c = { type: avro.Type.forSchema(avroSchemaOf(def) as avro.Schema), def, dateTimes };
        types.set(schemaId, c);
    }
    return c;
}

/** The `schema_json` of GetSchema. */
export function schemaJson(def: EventDefinition): string {
    return JSON.stringify(avroSchemaOf(def));
}

/** Encodes a bus payload (CometD JSON form) as the Avro binary a ConsumerEvent carries. */
export function encodePayload(schemaId: string, def: EventDefinition, payload: Record<string, unknown>): Buffer {
    const { type, dateTimes } = codec(schemaId, def);
    const record: Record<string, unknown> = {};
    record.CreatedDate = toMillis(payload.CreatedDate) ?? 0;
    record.CreatedById = String(payload.CreatedById ?? '');
    for (const f of def.fields) {
        const v = payload[f] ?? null;
        record[f] = v !== null && dateTimes.has(f) ? toMillis(v) : v;
    }
    return type.toBuffer(record);
}

/**
 * Decodes a published ProducerEvent payload into bus values (JSON form: DateTime as ISO strings); CreatedDate and
 * CreatedById are the server's, so they are dropped.
 * @throws Error when the bytes are not a record of that schema
 */
export function decodePayload(schemaId: string, def: EventDefinition, bytes: Buffer): Record<string, unknown> {
    const { type, dateTimes } = codec(schemaId, def);
    const record = type.fromBuffer(bytes) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of def.fields) {
        const v = record[f] ?? null;
        out[f] = v !== null && dateTimes.has(f) ? new Date(Number(v)).toISOString() : v;
    }
    return out;
}

function toMillis(v: unknown): number | null {
    if (typeof v === 'number') return Math.trunc(v);
    if (typeof v === 'string') {
        const ms = Date.parse(v);
        return Number.isFinite(ms) ? ms : null;
    }
    return null;
}

/** A numeric replay id as the 8-byte big-endian opaque bytes the wire carries. */
export function replayIdBytes(n: number): Buffer {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    return b;
}

/** Reads replay-id bytes back (null when they are not 8 bytes: no id the emulator ever issued). */
export function replayIdOf(bytes: Uint8Array | null | undefined): number | null {
    if (!bytes || bytes.length !== 8) return null;
    const n = Buffer.from(bytes).readBigUInt64BE();
    return n > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(n);
}
