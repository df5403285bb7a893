/**
 * Polling for a condition, shared by the tests (companion/test/e2e/harness.ts) and the bench and soak stacks
 * (scripts/bench/stack.ts).
 */

/** Polls until `check` is truthy (or throws after `timeoutMs`). Returns the truthy value. */
export async function waitFor<T>(
    check: () => T | Promise<T>,
    timeoutMs = 10_000,
    what = 'a condition',
    everyMs = 5
): Promise<NonNullable<T>> {
    const end = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const v = await check();
            if (v) return v as NonNullable<T>;
        } catch (err) {
            last = err;
        }
        if (Date.now() > end)
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
        await new Promise((r) => setTimeout(r, everyMs));
    }
}
