/**
 * Platform events over REST: publishing (`POST /sobjects/{Event__e}`, and events inside a create
 * collection, each answered `OPERATION_ENQUEUED` with the EventUuid) and the event schema by id
 * (`GET /event/eventSchema/{id}`). Delivery itself is the event bus (`streaming/`).
 */
import type { Org } from '../org';
import type { ObjectSchema } from '../schema/types';
import { DmlError, type Rec } from '../store/store';
import { errorReply, failure, notFound, type Call, type Reply } from './reply';

export function publishEvent(org: Org, call: Call, o: ObjectSchema): Reply {
    const r = publishEvents(org, o, [call.body as Rec], call.userId)[0];
    if (!r.success) return { status: 400, body: (r.errors as unknown[]).map((e) => asErrorCode(e)) };
    return { status: 201, body: r };
}

function asErrorCode(e: unknown): Record<string, unknown> {
    const x = e as { statusCode: string; message: string; fields: string[] };
    return { message: x.message, errorCode: x.statusCode, fields: x.fields };
}

/** Publishes platform events given as REST records; one result per event. */
export function publishEvents(
    org: Org,
    o: ObjectSchema,
    bodies: Rec[],
    userId: string
): Array<Record<string, unknown>> {
    const results: Array<Record<string, unknown>> = [];
    const payloads: Array<{ i: number; p: Rec }> = [];
    bodies.forEach((b, i) => {
        try {
            if (!b || typeof b !== 'object' || Array.isArray(b))
                throw new DmlError('JSON_PARSER_ERROR', 'The event must be a JSON object');
            const p: Rec = {};
            for (const [k, v] of Object.entries(b)) {
                if (k === 'attributes') continue;
                const f = org.schema.getField(o, k);
                if (!f) throw new DmlError('INVALID_FIELD', `No such column '${k}' on sobject of type ${o.name}`, []);
                if (!f.createable)
                    throw new DmlError(
                        'INVALID_FIELD_FOR_INSERT_UPDATE',
                        `Unable to create/update fields: ${f.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
                        [f.name]
                    );
                p[f.name] = org.store.coerce(o, f, v);
            }
            payloads.push({ i, p });
            results[i] = {};
        } catch (e) {
            results[i] = failure(e);
        }
    });
    if (payloads.length) {
        const published = org.bus.publish(
            o.name,
            payloads.map((x) => x.p),
            userId
        );
        payloads.forEach((x, k) => {
            results[x.i] = {
                id: org.store.ids.next(o.keyPrefix),
                success: true,
                errors: [{ statusCode: 'OPERATION_ENQUEUED', message: published[k].eventUuid, fields: [] }]
            };
        });
    }
    return results;
}

/** `GET /event/eventSchema/{id}` and `/sobjects/{Event__e}/eventSchema` (`payloadFormat` EXPANDED or COMPACT). */
export function eventSchemaById(org: Org, call: Call, id: string): Reply {
    const fmt = (call.query.get('payloadFormat') ?? 'EXPANDED').toUpperCase();
    if (fmt !== 'EXPANDED' && fmt !== 'COMPACT')
        return errorReply(
            400,
            'INVALID_QUERY_PARAMETER_VALUE',
            `Invalid value for payloadFormat: ${call.query.get('payloadFormat')}. Use EXPANDED or COMPACT.`
        );
    const doc = org.bus.eventSchema(id, fmt);
    return doc ? { status: 200, body: doc } : notFound();
}
