/**
 * Applying one batch of events for a subscriber (CometD or Pub/Sub, the same rule for both): retried with backoff
 * until it commits, never dropped; while stopping, given up after three tries — the batch was not acknowledged, so
 * it is replayed from the stored replay id at the next start.
 */
import { backoffDelay } from '../domain/sync/rules/classify';
import type { ChannelEvent } from '../domain/sync/inbound-batch';

/** Applies `batch` through `apply` (see the module comment); counts the batch once it committed. */
export async function applyBatchWithRetry(
    batch: ChannelEvent[],
    apply: (batch: ChannelEvent[]) => Promise<void>,
    counters: { batches: number; applied: number },
    stopping: () => boolean,
    onError?: (err: unknown, context: string) => void
): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        try {
            await apply(batch);
            counters.batches += 1;
            counters.applied += batch.length;
            return;
        } catch (err) {
            onError?.(err, `apply batch of ${batch.length} events (attempt ${attempt})`);
            if (stopping() && attempt >= 3) return;
            await new Promise((r) => setTimeout(r, Math.max(100, backoffDelay(attempt, Math.random, 100, 5000))));
        }
    }
}

/**
 * The event queue of a subscriber: events are batched (up to `size()`, or `windowMs()` after the first) and each
 * batch is applied after the one before it, in arrival order, through {@link applyBatchWithRetry}.
 */
export class EventBatcher {
    private queue: ChannelEvent[] = [];
    private timer: NodeJS.Timeout | null = null;
    private applying: Promise<void> = Promise.resolve();

    constructor(
        private readonly options: {
            size: () => number;
            windowMs: () => number;
            apply: (batch: ChannelEvent[]) => Promise<void>;
            counters: { batches: number; applied: number };
            stopping: () => boolean;
            onError?: (err: unknown, context: string) => void;
        }
    ) {}

    /** Queues one event; a full batch is handed to the apply at once. */
    push(event: ChannelEvent): void {
        this.queue.push(event);
        if (this.queue.length >= this.options.size()) this.flush();
        else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.options.windowMs());
    }

    /** Hands what is queued (one batch) to the apply now. */
    flush(): void {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        const batch = this.queue.splice(0, this.options.size());
        if (batch.length === 0) return;
        const { apply, counters, stopping, onError } = this.options;
        this.applying = this.applying.then(() => applyBatchWithRetry(batch, apply, counters, stopping, onError));
    }

    /** Resolves when every batch handed over so far is applied. */
    get applied(): Promise<void> {
        return this.applying;
    }

    /** Applies everything queued, and resolves when it is applied. */
    async drain(): Promise<void> {
        while (this.queue.length > 0) this.flush();
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        await this.applying;
    }
}
