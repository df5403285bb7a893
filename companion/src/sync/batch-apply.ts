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
