import { createHash } from 'node:crypto';

/**
 * Platform-event schemas: the `schema` id carried by every delivered event and the documents
 * served by `GET /services/data/vNN.N/event/eventSchema/{schemaId}` and
 * `GET /services/data/vNN.N/sobjects/{Event__e}/eventSchema`.
 *
 * Salesforce documents the schema id as "the MD5 fingerprint of the normalized Avro schema,
 * encoded as a base-64 URL variant" (22 characters). The emulator does the same over its own
 * normalised compact schema, so the id is stable for a given event name and field list and
 * changes when a field is added or removed.
 */

/** Payload formats accepted by the eventSchema resources (`?payloadFormat=`). */
export type PayloadFormat = 'EXPANDED' | 'COMPACT';

/** One platform event's definition as the bus knows it. */
export interface EventDefinition {
    eventApiName: string;
    /** Custom fields in definition order (CreatedDate/CreatedById excluded). */
    fields: string[];
    /** Salesforce field types by field name, when the host supplied them (else every field is text). */
    types: Record<string, string>;
}

/** Standard payload fields every platform event carries. */
export const STANDARD_PAYLOAD_FIELDS = ['CreatedDate', 'CreatedById'] as const;

/** Fields Salesforce keeps out of the payload (they travel in `event` or not at all). */
const NON_PAYLOAD_FIELDS = new Set(['createddate', 'createdbyid', 'replayid', 'eventuuid', 'id']);

/** Normalises a host-supplied field list: drops standard/system fields and duplicates, keeps order. */
export function payloadFieldsOf(fields: readonly string[]): string[] {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const f of fields) {
        if (typeof f !== 'string' || f.length === 0) throw new TypeError(`event field names must be strings, got ${f}`);
        const key = f.toLowerCase();
        if (NON_PAYLOAD_FIELDS.has(key) || seen.has(key)) continue;
        seen.add(key);
        out.push(f);
    }
    return out;
}

function avroType(sfType: string | undefined): { avro: string; doc: string } {
    switch ((sfType ?? 'string').toLowerCase()) {
        case 'double':
        case 'currency':
        case 'percent':
            return { avro: 'double', doc: 'Number' };
        case 'int':
            return { avro: 'int', doc: 'Number' };
        case 'boolean':
            return { avro: 'boolean', doc: 'Checkbox' };
        case 'datetime':
            // Salesforce's Avro schemas carry DateTime as epoch milliseconds (as CreatedDate).
            return { avro: 'long', doc: 'DateTime' };
        case 'date':
            return { avro: 'string', doc: 'Date' };
        case 'textarea':
            return { avro: 'string', doc: 'LongTextArea' };
        default:
            return { avro: 'string', doc: 'Text' };
    }
}

function compactFields(def: EventDefinition): Array<Record<string, unknown>> {
    return [
        { name: 'CreatedDate', type: 'long', doc: 'CreatedDate:DateTime' },
        { name: 'CreatedById', type: 'string', doc: 'CreatedBy:EntityId' },
        ...def.fields.map((name) => {
            const t = avroType(def.types[name]);
            return { name, type: ['null', t.avro], doc: `Data:${t.doc}`, default: null };
        })
    ];
}

/** The Avro record schema of an event's payload, as the Pub/Sub API's `GetSchema` returns it (`schema_json`). */
export function avroSchemaOf(def: EventDefinition): Record<string, unknown> {
    return { type: 'record', name: def.eventApiName, namespace: 'com.sforce.eventbus', fields: compactFields(def) };
}

/** The schema id: base64url MD5 of the normalised compact Avro schema (without its uuid). */
export function schemaIdOf(def: EventDefinition): string {
    const normalised = JSON.stringify({
        name: def.eventApiName,
        namespace: 'com.sforce.eventbus',
        type: 'record',
        fields: compactFields(def)
    });
    return createHash('md5').update(normalised).digest('base64url');
}

/**
 * The schema document for an event in Salesforce's JSON shape.
 * EXPANDED (the default since API 43.0) describes the delivered `{data:{schema,payload,event},channel}`
 * message; COMPACT is the Avro record of the payload with its `uuid`.
 */
export function schemaDocument(def: EventDefinition, format: PayloadFormat = 'EXPANDED'): Record<string, unknown> {
    const uuid = schemaIdOf(def);
    if (format === 'COMPACT') {
        return {
            name: def.eventApiName,
            namespace: 'com.sforce.eventbus',
            type: 'record',
            fields: compactFields(def),
            uuid
        };
    }
    const payloadFields = [
        { name: 'CreatedDate', type: 'string', doc: 'CreatedDate:DateTime' },
        { name: 'CreatedById', type: 'string', doc: 'CreatedBy:EntityId' },
        ...def.fields.map((name) => {
            const t = avroType(def.types[name]);
            return { name, type: ['null', t.avro], doc: `Data:${t.doc}`, default: null };
        })
    ];
    return {
        name: def.eventApiName,
        namespace: 'com.sforce.eventbus',
        type: 'expanded-record',
        fields: [
            {
                name: 'data',
                type: {
                    type: 'record',
                    name: 'Data',
                    namespace: '',
                    fields: [
                        { name: 'schema', type: 'string' },
                        { name: 'payload', type: { type: 'record', name: 'Payload', doc: '', fields: payloadFields } },
                        {
                            name: 'event',
                            type: {
                                type: 'record',
                                name: 'Event',
                                fields: [
                                    { name: 'replayId', type: 'long' },
                                    { name: 'EventUuid', type: 'string' }
                                ]
                            }
                        }
                    ]
                }
            },
            { name: 'channel', type: 'string' }
        ],
        uuid
    };
}
