/**
 * Watches the emulator's store (in this process) for values to land: "committed in Salesforce" is the moment the
 * record in the org holds the edited value, seen by a 2 ms poll of the in-memory store — no API call is spent on it.
 */
import type { RunningEmulator } from '../../emulator/src/server';

interface Waiting {
    id: string;
    field: string;
    value: unknown;
    t0: number;
    resolve: (ms: number) => void;
}

/** Resolves each expectation with the milliseconds from its start to the value being in the org. */
export class CommitWatcher {
    private waiting = new Set<Waiting>();
    private timer: NodeJS.Timeout | null = null;

    constructor(private readonly emu: RunningEmulator) {}

    /** Resolves with `Date.now() - t0` once the org's record `id` has `field` = `value`. */
    expect(id: string, field: string, value: unknown, t0: number): Promise<number> {
        return new Promise((resolve) => {
            this.waiting.add({ id, field, value, t0, resolve });
            this.timer ??= setInterval(() => this.check(), 2);
        });
    }

    /** How many expectations are still open. */
    get open(): number {
        return this.waiting.size;
    }

    private check(): void {
        const now = Date.now();
        for (const w of this.waiting) {
            if (this.emu.org.store.get(w.id)?.rec[w.field] === w.value) {
                this.waiting.delete(w);
                w.resolve(now - w.t0);
            }
        }
        if (this.waiting.size === 0 && this.timer) {
            clearInterval(this.timer);
            this.timer = null;
        }
    }
}
