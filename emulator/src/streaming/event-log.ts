import type { Clock } from '../clock';

/** The `data` of a delivered platform-event message, exactly as Salesforce sends it. */
export interface EventData {
    schema: string;
    payload: Record<string, unknown>;
    event: { EventUuid: string; replayId: number };
}

/** One retained event. `createdMs` is the emulator-clock time it was published. */
export interface RetainedEvent {
    replayId: number;
    createdMs: number;
    data: EventData;
}

/** Raised for a replay id the bus cannot honour; `message` is Salesforce's Bayeux error text. */
export class InvalidReplayIdError extends Error {
    constructor(readonly replayId: unknown) {
        super(
            `400::The replayId {${String(replayId)}} you provided was invalid.  ` +
                'Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.'
        );
        this.name = 'InvalidReplayIdError';
    }
}

/** Persisted form of the log (see {@link EventLog.snapshot}). */
export interface EventLogSnapshot {
    lastReplayId: number;
    channels: Record<string, RetainedEvent[]>;
}

class ChannelLog {
    /** Events in replay-id order; entries before `start` are expired and awaiting compaction. */
    events: RetainedEvent[] = [];
    start = 0;

    live(): RetainedEvent[] {
        if (this.start > 0) {
            this.events = this.events.slice(this.start);
            this.start = 0;
        }
        return this.events;
    }

    prune(cutoffMs: number): void {
        const ev = this.events;
        let i = this.start;
        while (i < ev.length && ev[i].createdMs <= cutoffMs) i++;
        this.start = i;
        if (this.start > 1024 && this.start * 2 > ev.length) this.live();
    }

    get length(): number {
        return this.events.length - this.start;
    }

    first(): RetainedEvent | undefined {
        return this.events[this.start];
    }

    last(): RetainedEvent | undefined {
        return this.length > 0 ? this.events[this.events.length - 1] : undefined;
    }

    /** Events with replayId strictly greater than `n`. */
    after(n: number): RetainedEvent[] {
        const ev = this.events;
        let lo = this.start;
        let hi = ev.length;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (ev[mid].replayId <= n) lo = mid + 1;
            else hi = mid;
        }
        return ev.slice(lo);
    }
}

/**
 * The retained-event store behind durable replay.
 *
 * - Replay ids come from one counter for the whole bus and skip a random 0–2 values on every
 *   event, so they are strictly increasing and unique per channel but (as on Salesforce) never
 *   contiguous: subscribers must not assume `next = last + 1`.
 * - Events are retained for `retentionMs` (72 h by default) measured on the emulator's clock;
 *   advancing the clock expires them.
 *
 * Replay rule (what {@link EventLog.backlog} accepts), chosen to match Salesforce's documented
 * "the replay ID must correspond to an event within the retention window":
 * - `-1`: nothing from the log, new events only;
 * - `-2`: every retained event of the channel;
 * - `N`: valid only when the channel has retained events and
 *   `oldestRetained.replayId <= N <= newestRetained.replayId`; the subscriber then gets every
 *   retained event with a replay id greater than N (N itself need not be an existing id).
 *   Anything else (below the window, above the newest event, not an integer, < -2) is
 *   `400::The replayId {N} you provided was invalid. …`.
 *   This reproduces Salesforce's known trap: when a channel has had no events for 72 hours, the
 *   replay id a subscriber stored is no longer in the window and re-subscribing with it fails,
 *   even though nothing was missed; the subscriber has to fall back to -1 or -2.
 */
export class EventLog {
    private readonly channels = new Map<string, ChannelLog>();
    private lastReplayId = 0;

    constructor(
        private readonly clock: Clock,
        private readonly retentionMs: number
    ) {}

    /** Allocates the next replay id (strictly greater than every id handed out before). */
    nextReplayId(): number {
        this.lastReplayId += 1 + Math.floor(Math.random() * 3);
        return this.lastReplayId;
    }

    /** Stores a published event. */
    append(eventApiName: string, event: RetainedEvent): void {
        let ch = this.channels.get(eventApiName);
        if (!ch) {
            ch = new ChannelLog();
            this.channels.set(eventApiName, ch);
        }
        ch.events.push(event);
    }

    private channel(eventApiName: string): ChannelLog | undefined {
        const ch = this.channels.get(eventApiName);
        if (ch) ch.prune(this.clock.nowMs() - this.retentionMs);
        return ch;
    }

    /** Events still inside the retention window, oldest first. */
    retained(eventApiName: string): RetainedEvent[] {
        return this.channel(eventApiName)?.live().slice() ?? [];
    }

    /** Names of events that have (or had) retained events. */
    eventNames(): string[] {
        return [...this.channels.keys()];
    }

    /**
     * The events a new subscription must receive before live ones, for a replay value taken
     * from `ext.replay` (see the class comment for the rule).
     * @throws InvalidReplayIdError when the value is not acceptable
     */
    backlog(eventApiName: string, replay: unknown): RetainedEvent[] {
        const n = typeof replay === 'string' && /^-?\d+$/.test(replay.trim()) ? Number(replay) : replay;
        if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < -2) throw new InvalidReplayIdError(replay);
        if (n === -1) return [];
        const ch = this.channel(eventApiName);
        if (n === -2) return ch ? ch.live().slice() : [];
        const first = ch?.first();
        const last = ch?.last();
        if (!ch || !first || !last || n < first.replayId || n > last.replayId) throw new InvalidReplayIdError(replay);
        return ch.after(n);
    }

    /** Retained events and the replay counter, for persistence. Expired events are left out. */
    snapshot(): EventLogSnapshot {
        const channels: Record<string, RetainedEvent[]> = {};
        for (const name of this.channels.keys()) {
            const live = this.retained(name);
            if (live.length > 0) channels[name] = live;
        }
        return { lastReplayId: this.lastReplayId, channels };
    }

    /** Replaces the whole log with a snapshot (validated; throws TypeError naming the problem). */
    restore(s: EventLogSnapshot): void {
        if (typeof s !== 'object' || s === null) throw new TypeError('event log snapshot must be an object');
        if (!Number.isSafeInteger(s.lastReplayId) || s.lastReplayId < 0)
            throw new TypeError(
                `event log snapshot: lastReplayId must be a non-negative integer, got ${s.lastReplayId}`
            );
        if (typeof s.channels !== 'object' || s.channels === null)
            throw new TypeError('event log snapshot: channels must be an object');
        const restored = new Map<string, ChannelLog>();
        for (const [name, events] of Object.entries(s.channels)) {
            if (!Array.isArray(events)) throw new TypeError(`event log snapshot: channel ${name} must hold an array`);
            const ch = new ChannelLog();
            let prev = 0;
            for (const e of events) {
                const ok =
                    typeof e === 'object' &&
                    e !== null &&
                    Number.isSafeInteger(e.replayId) &&
                    e.replayId > prev &&
                    e.replayId <= s.lastReplayId &&
                    Number.isFinite(e.createdMs) &&
                    typeof e.data?.schema === 'string' &&
                    typeof e.data?.payload === 'object' &&
                    e.data?.event?.replayId === e.replayId &&
                    typeof e.data?.event?.EventUuid === 'string';
                if (!ok)
                    throw new TypeError(
                        `event log snapshot: channel ${name} has a malformed or out-of-order event ${JSON.stringify(e)}`
                    );
                prev = e.replayId;
                ch.events.push({ replayId: e.replayId, createdMs: e.createdMs, data: e.data });
            }
            restored.set(name, ch);
        }
        this.channels.clear();
        for (const [k, v] of restored) this.channels.set(k, v);
        this.lastReplayId = s.lastReplayId;
    }

    /** Forgets every event and restarts the replay counter. */
    clear(): void {
        this.channels.clear();
        this.lastReplayId = 0;
    }
}
