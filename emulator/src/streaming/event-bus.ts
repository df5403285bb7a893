import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock';
import { EventLog, InvalidReplayIdError, type EventData, type EventLogSnapshot, type RetainedEvent } from './event-log';
import { createFayeAdapter, type BayeuxMessage, type FayeEngine, type FayeNodeAdapter } from './faye-server';
import { payloadFieldsOf, schemaDocument, schemaIdOf, type EventDefinition, type PayloadFormat } from './schema';

/** How the host (the emulator core) plugs the bus into the org. */
export interface StreamingConfig {
    /** The emulator's clock: CreatedDate of events and the retention window are measured on it. */
    clock: Clock;
    /** How long events stay replayable. Default 72 hours (high-volume platform events). */
    retentionMs?: number;
    /** How long a `/meta/connect` is held when there is nothing to deliver. Default 110 000 ms, as Salesforce. */
    connectTimeoutMs?: number;
    /**
     * The org's delivery allocation (limits.ts `DeliveryAllocation`): every event handed to a subscriber is taken
     * from it; a CometD client that finds it used up gets `403::Organization total events daily limit exceeded`.
     */
    allocation?: { take(subscriber: string, n: number): number; exhausted(): boolean };
    /** Resolves an access token to its user, or null when unknown, expired or revoked. */
    authenticate(accessToken: string): { userId: string } | null;
    /** Whether `eventApiName` (e.g. `Low_Ink__e`, `statisfy__Record_Change__e`) is a platform event of the org. */
    eventExists(eventApiName: string): boolean;
    /** The event's field API names (custom fields; CreatedDate/CreatedById/ReplayId are ignored if present). */
    eventFields(eventApiName: string): string[];
    /**
     * Optional: Salesforce field types (`string`, `double`, `boolean`, `datetime`, …) by field name,
     * used only to make the eventSchema documents precise. Without it every field is described as text.
     */
    eventFieldTypes?(eventApiName: string): Record<string, string>;
}

/** Counters exposed to the control API. */
export interface StreamingStats {
    /** Events accepted by {@link EventBus.publish}. */
    published: number;
    /** Event messages handed to subscribers (one per message per client, replays included). */
    delivered: number;
    /** Bayeux clients currently known (handshaken and not expired, disconnected or dropped). */
    clients: number;
}

/** Result of publishing one event. */
export interface PublishedEvent {
    replayId: number;
    eventUuid: string;
}

/** Raised by {@link EventBus.publish} for bad input (unknown event, unknown field, bad payload). */
export class EventPublishError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'EventPublishError';
    }
}

/** Persisted form of the bus (see {@link EventBus.snapshot}). */
interface BusSnapshot {
    format: 'statisfy-emulator-streaming/1';
    published: number;
    delivered: number;
    log: EventLogSnapshot;
}

type AuthState = { kind: 'missing' } | { kind: 'invalid' } | { kind: 'ok'; userId: string };

/** Replays decided while processing a subscribe, applied when its successful reply goes out. */
interface PendingReplay {
    clientId: string;
    channel: string;
    events: EventData[];
}

const HOUR_MS = 3_600_000;
const EVENT_PREFIX = '/event/';
const ERR_NO_AUTH = '401::Request requires authentication';
const ERR_AUTH_INVALID = '401::Authentication invalid';
const ERR_HANDSHAKE_DENIED = '403::Handshake denied';
const ERR_UNKNOWN_CLIENT = '403::Unknown client';
const ERR_PUBLISH_DENIED = '403::Publish denied';
/** Salesforce's error when the org's event delivery allocation is used up (Streaming API error codes). */
export const ERR_DELIVERY_LIMIT = '403::Organization total events daily limit exceeded';
const UNKNOWN_CLIENT_RE = /^401:[^:]*:Unknown client$/;
const JSON_TYPE = 'application/json;charset=UTF-8';

/**
 * The emulated org's platform-event bus and its CometD (Bayeux long-polling) endpoint at
 * `/cometd/NN.N`, built on the `faye` server with server extensions for the Salesforce specifics.
 *
 * Wire behaviour (see shared/reference/salesforce-wire.md §4):
 * - Handshake reply advertises only `["long-polling"]` and `ext: {replay: true, "payload.format": true}`.
 * - `/meta/connect` is held up to `connectTimeoutMs`, with advice `{interval: 0, timeout, reconnect: "retry"}`;
 *   pending events come first in the reply array, the connect reply last, as Salesforce orders them.
 * - `Authorization: OAuth <token>` (or `Bearer`) is checked on every message: no header gives
 *   `401::Request requires authentication`; a bad token gives `403::Handshake denied` (with
 *   `ext.sfdc.failureReason "401::Authentication invalid"`, advice `reconnect: none`) on handshake and
 *   `401::Authentication invalid` (advice `reconnect: none, interval: 0`) on connect and subscribe.
 * - A client id the bus does not know gets `403::Unknown client` with advice `reconnect: handshake`,
 *   so clients re-handshake and re-subscribe (with their last replay id).
 * - Subscribe `/event/X__e` with `ext.replay: {"/event/X__e": -1 | -2 | N}` (see {@link EventLog}
 *   for the replay rule); unknown events get
 *   `400::The channel you requested to subscribe to does not exist {/event/X__e}`.
 * - Clients may not publish over Bayeux (`403::Publish denied`); events come from {@link publish}.
 *
 * What is faye and what is not: client ids, handshake/connect/subscribe processing, subscription
 * bookkeeping, long-poll holding and batching are faye's, and every Salesforce rule above is a
 * faye server extension (`incoming` checks, `outgoing` reply shapes). Two pieces are done
 * directly, each for a reason given where it lives: the HTTP layer ({@link handle}: bodies
 * pre-read by express, JSON-only, HTTP statuses) and handing events to clients (`sendTo`:
 * faye's engine copies every message per subscriber, too slow for the throughput target, and
 * replayed events must reach one client only, which faye's publish cannot do).
 *
 * Known differences from Salesforce: replay ids are bus-wide with random gaps rather than
 * Salesforce's partition offsets; no `BAYEUX_BROWSER`/`sfdc-stream` cookies; no per-org
 * concurrent-client limit; a held connect whose HTTP client went away loses
 * the events flushed into it (as on Salesforce, the subscriber recovers them by replay).
 */
export class EventBus {
    private readonly clock: Clock;
    private readonly retentionMs: number;
    private readonly connectTimeoutMs: number;
    private readonly log: EventLog;
    private adapter: FayeNodeAdapter;
    private engine: FayeEngine;
    private readonly clients = new Set<string>();
    /** Events waiting for the client's next `/meta/connect` (no long-poll was open when they were due). */
    private readonly waiting = new Map<string, BayeuxMessage[]>();
    /** channel → subscribed client ids, mirrored from faye's subscribe/unsubscribe events. */
    private readonly subscribers = new Map<string, Set<string>>();
    private readonly pendingReplays = new Map<string, PendingReplay>();
    private readonly authByRequest = new WeakMap<object, AuthState>();
    private readonly schemas = new Map<string, EventDefinition>();
    private published = 0;
    private delivered = 0;
    private closed = false;
    /** CometD clients cut off because the delivery allocation ran out. */
    private readonly cutOff = new Set<string>();
    private readonly publishListeners = new Set<(eventApiName: string, events: RetainedEvent[]) => void>();

    constructor(private readonly cfg: StreamingConfig) {
        if (!cfg || typeof cfg.authenticate !== 'function' || typeof cfg.eventExists !== 'function')
            throw new TypeError('EventBus needs a config with clock, authenticate, eventExists and eventFields');
        this.clock = cfg.clock;
        this.retentionMs = cfg.retentionMs ?? 72 * HOUR_MS;
        this.connectTimeoutMs = cfg.connectTimeoutMs ?? 110_000;
        if (!(this.retentionMs > 0)) throw new RangeError(`retentionMs must be positive, got ${cfg.retentionMs}`);
        if (!(this.connectTimeoutMs > 0))
            throw new RangeError(`connectTimeoutMs must be positive, got ${cfg.connectTimeoutMs}`);
        this.log = new EventLog(this.clock, this.retentionMs);
        this.adapter = this.createAdapter();
        this.engine = this.adapter._server._engine;
    }

    // ------------------------------------------------------------------ publishing

    /**
     * Publishes events to `/event/{eventApiName}`, like one `EventBus.publish(list)` in Apex or one
     * REST `POST /sobjects/X__e` per payload. Each payload becomes
     * `{schema, payload: {CreatedDate, CreatedById, ...fields}, event: {EventUuid, replayId}}`;
     * fields of the event missing from a payload are sent as null.
     * @param payloads field values keyed by field API name (case-insensitive), already in REST JSON form
     * @param createdById the publishing user's id
     * @returns replay id and EventUuid of each event, in payload order
     * @throws EventPublishError for an unknown event, a field the event does not have, or a non-object payload
     */
    publish(eventApiName: string, payloads: Array<Record<string, unknown>>, createdById: string): PublishedEvent[] {
        if (this.closed) throw new EventPublishError('the event bus is closed');
        if (typeof eventApiName !== 'string' || !this.cfg.eventExists(eventApiName))
            throw new EventPublishError(`Unknown platform event: ${String(eventApiName)}`);
        if (!Array.isArray(payloads)) throw new EventPublishError('payloads must be an array of objects');
        if (typeof createdById !== 'string' || createdById.length === 0)
            throw new EventPublishError('createdById must be a user id');
        const def = this.definitionOf(eventApiName);
        const schema = schemaIdOf(def);
        this.schemas.set(schema, def);
        const byLower = new Map(def.fields.map((f) => [f.toLowerCase(), f]));

        // Validate everything before publishing anything: one publish call is all-or-nothing.
        const built: Array<Record<string, unknown>> = payloads.map((p, i) => {
            if (typeof p !== 'object' || p === null || Array.isArray(p))
                throw new EventPublishError(`payload ${i} for ${eventApiName} must be an object`);
            const values: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(p)) {
                const lower = k.toLowerCase();
                if (lower === 'createddate' || lower === 'createdbyid') continue;
                const canonical = byLower.get(lower);
                if (!canonical) throw new EventPublishError(`No such column '${k}' on entity '${eventApiName}'`);
                values[canonical] = v === undefined ? null : v;
            }
            return values;
        });

        const now = this.clock.now();
        const createdMs = now.getTime();
        // Salesforce delivers DateTime values of a platform event as ISO 8601 in UTC with milliseconds and `Z`
        // (`2026-01-01T00:00:00.000Z`), CreatedDate included, whatever form they were published in.
        const createdDate = now.toISOString();
        const dateTimes = def.fields.filter((f) => (def.types[f] ?? '').toLowerCase() === 'datetime');
        const channel = EVENT_PREFIX + eventApiName;
        const results: PublishedEvent[] = [];
        const messages: BayeuxMessage[] = [];
        const retained: RetainedEvent[] = [];
        for (const values of built) {
            const payload: Record<string, unknown> = { CreatedDate: createdDate, CreatedById: createdById };
            for (const f of def.fields) payload[f] = f in values ? values[f] : null;
            for (const f of dateTimes) payload[f] = deliveredDateTime(payload[f]);
            const replayId = this.log.nextReplayId();
            const eventUuid = randomUUID();
            const data: EventData = { schema, payload, event: { EventUuid: eventUuid, replayId } };
            const event = { replayId, createdMs, data };
            this.log.append(eventApiName, event);
            retained.push(event);
            messages.push({ channel, data });
            results.push({ replayId, eventUuid });
        }
        for (const clientId of this.subscribers.get(channel) ?? []) this.sendTo(clientId, messages);
        this.published += results.length;
        for (const l of this.publishListeners) l(eventApiName, retained);
        return results;
    }

    // ------------------------------------------------------------------ for other transports (Pub/Sub API)

    /** Registers a listener called after every publish with the retained events; returns the unsubscribe. */
    onPublish(listener: (eventApiName: string, events: RetainedEvent[]) => void): () => void {
        this.publishListeners.add(listener);
        return () => this.publishListeners.delete(listener);
    }

    /**
     * The retained events a subscription starting at `replay` receives (-1 none, -2 all retained, N those after N).
     * @throws InvalidReplayIdError when N is outside the retention window (the same rule as CometD)
     */
    backlog(eventApiName: string, replay: number): RetainedEvent[] {
        return this.log.backlog(eventApiName, replay);
    }

    /** The newest retained event's replay id of an event, or null when none is retained. */
    latestReplayId(eventApiName: string): number | null {
        const r = this.log.retained(eventApiName);
        return r.length ? r[r.length - 1].replayId : null;
    }

    /** Whether a platform event exists in the org. */
    eventExists(eventApiName: string): boolean {
        return this.cfg.eventExists(eventApiName);
    }

    /** Resolves an access token to its user (null when unknown, expired or revoked). */
    authenticate(accessToken: string): { userId: string } | null {
        return this.cfg.authenticate(accessToken);
    }

    /** The delivery allocation, if the host configured one. */
    get allocation(): StreamingConfig['allocation'] {
        return this.cfg.allocation;
    }

    /** Counts events delivered by another transport (Pub/Sub) in the bus's delivered counter. */
    countDelivered(n: number): void {
        this.delivered += n;
    }

    /** The event definition (fields and types) behind a schema id, or undefined when unknown. */
    definitionForSchema(schemaId: string): EventDefinition | undefined {
        if (!this.schemas.has(schemaId)) this.eventSchema(schemaId);
        return this.schemas.get(schemaId);
    }

    /** The event's current definition (fields and types). */
    definitionOf(eventApiName: string): EventDefinition {
        const fields = payloadFieldsOf(this.cfg.eventFields(eventApiName) ?? []);
        const types = this.cfg.eventFieldTypes?.(eventApiName) ?? {};
        return { eventApiName, fields, types };
    }

    // ------------------------------------------------------------------ schemas

    /** The schema id events of `eventApiName` carry now (registers the schema for {@link eventSchema}). */
    schemaIdFor(eventApiName: string): string {
        const def = this.definitionOf(eventApiName);
        const id = schemaIdOf(def);
        this.schemas.set(id, def);
        return id;
    }

    /**
     * The document for `GET /services/data/vNN.N/event/eventSchema/{schemaId}`, or undefined when
     * no event of this org has that schema. Also serves `/sobjects/{Event__e}/eventSchema` via
     * `eventSchema(bus.schemaIdFor(name))`.
     * @param format `EXPANDED` (default, as Salesforce since API 43.0) or `COMPACT`
     */
    eventSchema(schemaId: string, format: PayloadFormat = 'EXPANDED'): Record<string, unknown> | undefined {
        let def = this.schemas.get(schemaId);
        if (!def) {
            // Ids of restored events, or of events whose definition is still the same.
            for (const name of this.log.eventNames()) if (this.cfg.eventExists(name)) this.schemaIdFor(name);
            def = this.schemas.get(schemaId);
        }
        return def ? schemaDocument(def, format) : undefined;
    }

    // ------------------------------------------------------------------ HTTP

    /**
     * Serves one Bayeux HTTP request. Mount as `app.all('/cometd/:version', (req, res) => bus.handle(req, res))`.
     *
     * The body is taken from `req.body` when a body parser already read it (object, array, string
     * or Buffer), otherwise read from the stream. Replies are always a JSON array; Bayeux-level
     * failures are answered with HTTP 200 and the error in the message (as Salesforce does and as
     * faye expects — it ignores the status), HTTP-level problems (missing token, wrong method,
     * bad JSON, bad version) with 4xx.
     */
    handle(req: IncomingMessage & { body?: unknown; params?: Record<string, string> }, res: ServerResponse): void {
        if (this.closed) return send(res, 503, [{ error: '503::Server is shutting down', successful: false }]);
        if (req.method !== 'POST') {
            res.setHeader('Allow', 'POST');
            return send(res, 405, [{ error: '400::Bayeux messages must be POSTed as JSON', successful: false }]);
        }
        const versionError = checkVersion(req);
        if (versionError) return send(res, 400, [{ error: versionError, successful: false }]);
        readBody(req, (err, raw) => {
            if (err) return send(res, 400, [{ error: `400::${err.message}`, successful: false }]);
            let parsed: unknown = raw;
            if (typeof raw === 'string') {
                try {
                    parsed = JSON.parse(raw);
                } catch {
                    return send(res, 400, [{ error: '400::Request body is not valid JSON', successful: false }]);
                }
            }
            const messages = Array.isArray(parsed) ? parsed : [parsed];
            if (messages.length === 0 || messages.some((m) => typeof m !== 'object' || m === null || Array.isArray(m)))
                return send(res, 400, [
                    { error: '400::Body must be a Bayeux message or an array of them', successful: false }
                ]);
            const auth = this.authState(req);
            if (this.closed) return send(res, 503, [{ error: '503::Server is shutting down', successful: false }]);
            try {
                this.adapter._server.process(messages as BayeuxMessage[], req, (replies) => {
                    const connectAt = replies.findIndex((r) => r.channel === '/meta/connect');
                    if (connectAt >= 0 && connectAt < replies.length - 1) replies.push(replies.splice(connectAt, 1)[0]);
                    send(res, auth.kind === 'missing' ? 401 : 200, replies);
                });
            } catch (e) {
                send(res, 500, [{ error: `500::${(e as Error).message}`, successful: false }]);
            }
        });
    }

    private authState(req: IncomingMessage): AuthState {
        const cached = this.authByRequest.get(req);
        if (cached) return cached;
        const header = req.headers?.authorization;
        const m = typeof header === 'string' ? /^\s*(?:OAuth|Bearer)\s+(\S+)\s*$/i.exec(header) : null;
        let state: AuthState;
        if (!m) state = { kind: 'missing' };
        else {
            const user = this.cfg.authenticate(m[1]);
            state = user ? { kind: 'ok', userId: user.userId } : { kind: 'invalid' };
        }
        this.authByRequest.set(req, state);
        return state;
    }

    // ------------------------------------------------------------------ faye extensions

    private createAdapter(): FayeNodeAdapter {
        const adapter = createFayeAdapter(this.connectTimeoutMs / 1000);
        adapter.bind('handshake', (clientId) => this.clients.add(clientId));
        adapter.bind('disconnect', (clientId) => {
            this.clients.delete(clientId);
            this.waiting.delete(clientId);
        });
        adapter.bind('subscribe', (clientId, channel) => {
            let set = this.subscribers.get(channel);
            if (!set) this.subscribers.set(channel, (set = new Set()));
            set.add(clientId);
        });
        adapter.bind('unsubscribe', (clientId, channel) => {
            const set = this.subscribers.get(channel);
            set?.delete(clientId);
            if (set?.size === 0) this.subscribers.delete(channel);
        });
        // A long-poll just opened for this client: hand it the events that were waiting.
        adapter.bind('connection:open', (clientId) => {
            const backlog = this.waiting.get(clientId);
            if (!backlog) return;
            this.waiting.delete(clientId);
            this.engine.deliver(clientId, backlog);
        });
        adapter.addExtension({
            incoming: (message, request, callback) => callback(this.incoming(message, request as IncomingMessage)),
            outgoing: (message, request, callback) => callback(this.outgoing(message, request as IncomingMessage))
        });
        return adapter;
    }

    /** Salesforce checks on the way in: authentication, connection type, channel, replay id. */
    private incoming(message: BayeuxMessage, request: IncomingMessage): BayeuxMessage {
        const auth = this.authState(request);
        const channel = message.channel;
        if (auth.kind === 'missing') {
            message.error = ERR_NO_AUTH;
            return message;
        }
        if (auth.kind === 'invalid') {
            message.error = channel === '/meta/handshake' ? ERR_HANDSHAKE_DENIED : ERR_AUTH_INVALID;
            // The client is told not to reconnect; forget it once faye has built this reply
            // (faye drops clientId from failed replies, so this cannot wait for the outgoing side).
            const clientId = message.clientId;
            if (typeof clientId === 'string' && channel !== '/meta/handshake')
                queueMicrotask(() => this.forget(clientId));
            return message;
        }
        if (typeof channel !== 'string') return message;
        if (channel === '/meta/connect') {
            const clientId = typeof message.clientId === 'string' ? message.clientId : '';
            if (this.cutOff.has(clientId) || this.cfg.allocation?.exhausted()) {
                // Disconnected: the subscriber comes back once the rolling 24 h usage went down.
                message.error = ERR_DELIVERY_LIMIT;
                if (clientId) queueMicrotask(() => this.forget(clientId));
                return message;
            }
            if (message.connectionType !== undefined && message.connectionType !== 'long-polling')
                message.error = `400::Invalid connection type {${String(message.connectionType)}}`;
            // A client may ask for a shorter hold (faye sends advice.timeout 0 when it batches a
            // connect with other messages, so their replies are not held back); never a longer one.
            const asked = (message.advice as { timeout?: unknown } | undefined)?.timeout;
            if (typeof asked === 'number' && asked >= 0)
                message.advice = { timeout: Math.min(asked, this.connectTimeoutMs) };
            else delete message.advice;
        } else if (channel === '/meta/subscribe') {
            this.checkSubscribe(message);
        } else if (!channel.startsWith('/meta/')) {
            message.error = ERR_PUBLISH_DENIED;
        }
        return message;
    }

    private checkSubscribe(message: BayeuxMessage): void {
        const subs = message.subscription === undefined ? [] : [message.subscription].flat();
        if (subs.length === 0) {
            message.error = '400::Channel name not specified';
            return;
        }
        const replayExt = (message.ext as { replay?: unknown } | undefined)?.replay;
        const replayMap =
            typeof replayExt === 'object' && replayExt !== null ? (replayExt as Record<string, unknown>) : {};
        const plans: PendingReplay[] = [];
        for (const sub of subs) {
            if (typeof sub !== 'string' || sub.length === 0) {
                message.error = '400::Channel name not specified';
                return;
            }
            if (!sub.startsWith('/')) {
                message.error = "400::Channel subscriptions must start with a leading '/'";
                return;
            }
            const name = sub.startsWith(EVENT_PREFIX) ? sub.slice(EVENT_PREFIX.length) : '';
            if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || !this.cfg.eventExists(name)) {
                message.error = `400::The channel you requested to subscribe to does not exist {${sub}}`;
                return;
            }
            const replay = sub in replayMap ? replayMap[sub] : -1;
            try {
                const events = this.log.backlog(name, replay);
                if (events.length > 0 && typeof message.clientId === 'string')
                    plans.push({ clientId: message.clientId, channel: sub, events: events.map((e) => e.data) });
            } catch (e) {
                if (!(e instanceof InvalidReplayIdError)) throw e;
                message.error = e.message;
                return;
            }
        }
        for (const plan of plans) this.pendingReplays.set(replayKey(plan.clientId, message.id, plan.channel), plan);
    }

    /** Salesforce shapes on the way out, counting, and replays for successful subscribes. */
    private outgoing(reply: BayeuxMessage, _request: IncomingMessage): BayeuxMessage {
        const channel = reply.channel;
        if (typeof channel === 'string' && channel.startsWith(EVENT_PREFIX)) {
            if (reply.data !== undefined) this.delivered++;
            return reply;
        }
        if (channel === '/meta/subscribe') this.applyReplays(reply);
        const error = reply.error;
        if (error === ERR_NO_AUTH) return { error, successful: false };
        if (error === ERR_HANDSHAKE_DENIED)
            return {
                channel,
                id: reply.id,
                error,
                advice: { reconnect: 'none' },
                ext: { sfdc: { failureReason: ERR_AUTH_INVALID } },
                successful: false
            };
        if (error === ERR_AUTH_INVALID || error === ERR_DELIVERY_LIMIT)
            return { channel, id: reply.id, error, advice: { reconnect: 'none', interval: 0 }, successful: false };
        if (typeof error === 'string' && UNKNOWN_CLIENT_RE.test(error))
            return {
                advice: { interval: 0, reconnect: 'handshake' },
                channel,
                id: reply.id,
                error: ERR_UNKNOWN_CLIENT,
                successful: false
            };
        switch (channel) {
            case '/meta/handshake':
                if (reply.successful)
                    return {
                        ext: { replay: true, 'payload.format': true },
                        minimumVersion: '1.0',
                        clientId: reply.clientId,
                        supportedConnectionTypes: ['long-polling'],
                        channel,
                        id: reply.id,
                        version: '1.0',
                        successful: true
                    };
                delete reply.advice;
                return reply;
            case '/meta/connect':
                if (reply.successful)
                    reply.advice = { interval: 0, timeout: this.connectTimeoutMs, reconnect: 'retry' };
                return reply;
            default:
                return reply;
        }
    }

    private applyReplays(reply: BayeuxMessage): void {
        const subs = reply.subscription === undefined ? [] : [reply.subscription].flat();
        for (const sub of subs) {
            if (typeof sub !== 'string' || typeof reply.clientId !== 'string') continue;
            const key = replayKey(reply.clientId, reply.id, sub);
            const plan = this.pendingReplays.get(key);
            if (!plan) continue;
            this.pendingReplays.delete(key);
            if (!reply.successful) continue;
            // Event data is never mutated downstream, so the retained objects are sent as they are.
            const messages: BayeuxMessage[] = plan.events.map((data) => ({ channel: sub, data }));
            // Live events published from now on queue behind these, so order is preserved.
            this.sendTo(plan.clientId, messages);
        }
    }

    /**
     * Hands events to one client: into its open long-poll (faye answers it on the next tick, so
     * everything published in the same tick goes out in one response), or, when none is open,
     * into its waiting queue for the next `/meta/connect`. Once anything waits, later events
     * queue behind it, so a client always sees events in publish order.
     *
     * Routing here rather than through faye's `engine.publish` is deliberate: faye's memory engine
     * deep-copies every message for every subscriber and re-parses the channel name per message,
     * which halved end-to-end throughput; the event data is immutable once published, so clients
     * can share it.
     */
    private sendTo(clientId: string, all: BayeuxMessage[]): void {
        if (all.length === 0 || this.cutOff.has(clientId)) return;
        let messages = all;
        const allocation = this.cfg.allocation;
        if (allocation) {
            const allowed = allocation.take(`cometd:${clientId}`, all.length);
            if (allowed < all.length) {
                // The allocation ran out: what fits goes out, then the client is cut off (its next connect fails).
                this.cutOff.add(clientId);
                messages = all.slice(0, allowed);
                if (messages.length === 0) return;
            }
        }
        const waiting = this.waiting.get(clientId);
        if (waiting) {
            for (const m of messages) waiting.push(m);
        } else if (!this.engine.deliver(clientId, messages)) {
            this.waiting.set(clientId, messages.slice());
        }
    }

    private forget(clientId: string): void {
        this.cutOff.delete(clientId);
        this.waiting.delete(clientId);
        this.engine.destroyClient(clientId);
        this.clients.delete(clientId);
    }

    // ------------------------------------------------------------------ control

    /** Counters for the control API. */
    stats(): StreamingStats {
        return { published: this.published, delivered: this.delivered, clients: this.clients.size };
    }

    /**
     * Fault injection: forgets every client, as when Salesforce loses session state. Held
     * long-polls are answered at once; each client's next message gets `403::Unknown client`, and
     * faye clients re-handshake and re-subscribe (durable ones from their last replay id).
     */
    dropConnections(): void {
        for (const clientId of [...this.clients]) this.forget(clientId);
        this.pendingReplays.clear();
    }

    /** Retained events and counters, as plain JSON, for `--data-dir` persistence. */
    snapshot(): unknown {
        const s: BusSnapshot = {
            format: 'statisfy-emulator-streaming/1',
            published: this.published,
            delivered: this.delivered,
            log: this.log.snapshot()
        };
        return JSON.parse(JSON.stringify(s));
    }

    /**
     * Loads a {@link snapshot}: retained events (replayable again), the replay-id counter and the
     * counters. Connected clients are forgotten, as after a restart.
     * @throws TypeError naming the problem when the snapshot is malformed
     */
    restore(s: unknown): void {
        const snap = s as Partial<BusSnapshot> | null;
        if (typeof snap !== 'object' || snap === null || snap.format !== 'statisfy-emulator-streaming/1')
            throw new TypeError('streaming snapshot: expected an object with format "statisfy-emulator-streaming/1"');
        if (!Number.isSafeInteger(snap.published) || (snap.published as number) < 0)
            throw new TypeError(`streaming snapshot: published must be a non-negative integer, got ${snap.published}`);
        if (!Number.isSafeInteger(snap.delivered) || (snap.delivered as number) < 0)
            throw new TypeError(`streaming snapshot: delivered must be a non-negative integer, got ${snap.delivered}`);
        this.log.restore(structuredClone(snap.log as EventLogSnapshot));
        this.dropConnections();
        this.published = snap.published as number;
        this.delivered = snap.delivered as number;
        this.schemas.clear();
    }

    /** Back to an empty bus: no events, no clients, counters at zero, replay ids restart. */
    reset(): void {
        this.dropConnections();
        this.log.clear();
        this.schemas.clear();
        this.published = 0;
        this.delivered = 0;
    }

    /**
     * Stops the bus: every held `/meta/connect` is answered now (so an HTTP server can close
     * without waiting for long-polls), timers are cleared, and later requests get 503.
     */
    async close(): Promise<void> {
        if (this.closed) return;
        this.closed = true;
        this.waiting.clear();
        this.pendingReplays.clear();
        this.clients.clear();
        this.subscribers.clear();
        this.adapter.close();
    }
}

/** A DateTime value as CometD delivers it: `2026-01-01T00:00:00.000Z` (other forms are parsed; junk is kept). */
function deliveredDateTime(v: unknown): unknown {
    if (typeof v !== 'string' && typeof v !== 'number') return v;
    const ms = typeof v === 'number' ? v : Date.parse(v);
    return Number.isFinite(ms) ? new Date(ms).toISOString() : v;
}

function replayKey(clientId: string, id: unknown, channel: string): string {
    return `${clientId}\n${String(id)}\n${channel}`;
}

function send(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.writableEnded || res.destroyed) return;
    const bytes = Buffer.from(JSON.stringify(body), 'utf8');
    res.writeHead(status, {
        'Content-Type': JSON_TYPE,
        'Content-Length': bytes.length,
        'Cache-Control': 'no-cache, no-store'
    });
    res.end(bytes);
}

/** Salesforce's version rule for `/cometd/NN.N`. */
function checkVersion(req: IncomingMessage & { params?: Record<string, string> }): string | undefined {
    let version = req.params?.version;
    if (version === undefined) {
        const path = (req.url ?? '').split('?')[0];
        const m = /\/cometd(?:\/replay)?\/([^/]*)\/?$/.exec(path);
        version = m ? decodeURIComponent(m[1]) : '';
    }
    if (!version) return "400::API version in the URI is mandatory. URI format: '/cometd/60.0'";
    const n = /^\d+\.\d$/.test(version) ? Number(version) : NaN;
    if (!(n >= 23))
        return "400::Unsupported API version. Only API versions '23.0' and above are supported. URI format: '/cometd/60.0'";
    return undefined;
}

function readBody(req: IncomingMessage & { body?: unknown }, done: (err: Error | null, body?: unknown) => void): void {
    const pre = req.body;
    const consumed = req.readableEnded === true;
    // express 4 style parsers leave `{}` for bodies they skipped; the stream is then still unread.
    const skipped = isEmptyPlainObject(pre) && !consumed;
    if (pre !== undefined && !skipped) return done(null, Buffer.isBuffer(pre) ? pre.toString('utf8') : pre);
    if (consumed) return done(new Error('Request body was consumed before the CometD handler'));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    req.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
    req.on('error', (e) => done(e));
}

function isEmptyPlainObject(v: unknown): boolean {
    return (
        typeof v === 'object' &&
        v !== null &&
        Object.getPrototypeOf(v) === Object.prototype &&
        Object.keys(v).length === 0
    );
}
