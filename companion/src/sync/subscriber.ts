/**
 * The durable CometD subscriber of one org: one Faye client per channel (Record_Change__e, Sync_Request__e),
 * each with jsforce's Replay extension (resuming after the stored replay id, -2 the first time), its AuthFailure
 * extension, and an extension of our own that watches the `/meta/subscribe` reply — jsforce's Replay extension
 * fails silently on a replay id past retention, so this one notices, resubscribes from -1 and asks for a
 * reconcile. Events are batched (up to 500, or 50 ms) and each batch is handed to `applyBatch` (one transaction);
 * batches are applied one at a time, in arrival order, and a failed apply is retried, never dropped.
 */
import type { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/lib/api/streaming';
import type { ChannelEvent } from '../domain/sync/inbound-batch';
import { EventBatcher } from './batch-apply';

type FayeMessage = {
    channel: string;
    successful?: boolean;
    error?: string;
    subscription?: string;
    [k: string]: unknown;
};
type FayeClient = {
    subscribe(channel: string, cb: (data: ChannelEvent['data']) => void): PromiseLike<unknown> & { cancel(): void };
    disconnect(): void;
};

/** Options of {@link OrgSubscriber}. */
export interface SubscriberOptions {
    conn: () => Connection;
    channels: string[];
    /** Stored replay id per channel (null: never subscribed). */
    storedReplayId: (channel: string) => Promise<number | null>;
    applyBatch: (events: ChannelEvent[]) => Promise<void>;
    /** The stored replay id was refused (past retention): the subscriber resubscribed from -1; run a reconcile. */
    onInvalidReplay: (channel: string, error: string) => void;
    /** The streaming session was refused (expired token): refresh the session; a new client is made after. */
    refreshSession: () => Promise<void>;
    onError?: (err: unknown, context: string) => void;
    batchSize?: number;
    batchWindowMs?: number;
}

/** True for the `/meta/subscribe` error Salesforce sends for a replay id outside the retention window. */
export function isInvalidReplayError(error: unknown): boolean {
    return /replayId .*invalid|invalid.*replay/i.test(String(error ?? ''));
}

/** See the module comment. */
export class OrgSubscriber {
    private clients = new Map<string, FayeClient>();
    private lastSeen = new Map<string, number>();
    private stopped = true;
    private reconnecting = false;
    /** Events received and batches applied since start (metrics, tests). */
    readonly counters = { received: 0, batches: 0, applied: 0, invalidReplays: 0, authFailures: 0 };
    private readonly batcher = new EventBatcher({
        size: () => this.options.batchSize ?? 500,
        windowMs: () => this.options.batchWindowMs ?? 50,
        apply: (batch) => this.options.applyBatch(batch),
        counters: this.counters,
        stopping: () => this.stopped,
        onError: (err, context) => this.options.onError?.(err, context)
    });

    constructor(private readonly options: SubscriberOptions) {}

    /** Subscribes every channel. */
    async start(): Promise<void> {
        this.stopped = false;
        for (const ch of this.options.channels) await this.subscribe(ch, null);
    }

    /** Disconnects, then applies what is still queued (graceful stop). */
    async stop(): Promise<void> {
        this.stopped = true;
        for (const c of this.clients.values()) c.disconnect();
        this.clients.clear();
        await this.drain();
    }

    /** Resolves when everything received so far has been applied. */
    async drain(): Promise<void> {
        await this.batcher.drain();
    }

    private async subscribe(channel: string, forcedReplay: number | null): Promise<void> {
        const stored = forcedReplay ?? this.lastSeen.get(channel) ?? (await this.options.storedReplayId(channel));
        const replayFrom = stored ?? -2;
        const watch = {
            incoming: (message: FayeMessage, callback: (m: FayeMessage) => void) => {
                if (
                    message.channel === '/meta/subscribe' &&
                    message.successful === false &&
                    message.subscription === channel &&
                    isInvalidReplayError(message.error)
                )
                    setImmediate(() => void this.invalidReplay(channel, String(message.error)));
                callback(message);
            }
        };
        const auth = new StreamingExtension.AuthFailure(() => void this.authFailure());
        const replay = new StreamingExtension.Replay(channel, replayFrom);
        const client = this.options.conn().streaming.createClient([watch, auth, replay]) as unknown as FayeClient;
        this.clients.set(channel, client);
        const sub = client.subscribe(channel, (data) => this.receive(channel, data));
        // Faye rejects the subscription on a refused subscribe; the watch extension handles the replay case.
        sub.then(undefined, (err: unknown) => {
            if (!isInvalidReplayError((err as { message?: string })?.message ?? err))
                this.options.onError?.(err, `subscribe ${channel}`);
        });
    }

    private async invalidReplay(channel: string, error: string): Promise<void> {
        if (this.stopped) return;
        this.counters.invalidReplays += 1;
        this.clients.get(channel)?.disconnect();
        this.clients.delete(channel);
        this.lastSeen.delete(channel);
        await this.subscribe(channel, -1);
        this.options.onInvalidReplay(channel, error);
    }

    private async authFailure(): Promise<void> {
        if (this.stopped || this.reconnecting) return;
        this.reconnecting = true;
        this.counters.authFailures += 1;
        try {
            for (const c of this.clients.values()) c.disconnect();
            this.clients.clear();
            await this.options.refreshSession();
            // The Authorization header is fixed when a Faye client is created: a new token needs new clients.
            for (const ch of this.options.channels) await this.subscribe(ch, null);
        } catch (err) {
            this.options.onError?.(err, 'streaming re-authentication');
            setTimeout(() => {
                this.reconnecting = false;
                void this.authFailure();
            }, 5000).unref();
            return;
        }
        this.reconnecting = false;
    }

    private receive(channel: string, data: ChannelEvent['data']): void {
        this.counters.received += 1;
        const id = Number(data?.event?.replayId);
        if (Number.isFinite(id)) this.lastSeen.set(channel, Math.max(this.lastSeen.get(channel) ?? -Infinity, id));
        this.batcher.push({ channel, data });
    }
}
