/**
 * Stop signals for the companion's process entries (companion/src/main.ts, scripts/start.ts).
 *
 * One Ctrl-C in a terminal can arrive as two SIGINTs within milliseconds: the terminal sends it to the whole
 * process group and `npm` forwards the one it got to its child. A second signal soon after the first (within
 * `sameRequestMs`, default 1 s) is therefore the same request and ignored; a signal after that is the person
 * insisting, and `force` runs (exit now).
 */

/** Options of {@link onStopSignals}. */
export interface StopSignalOptions {
    /** Called once, on the first signal: stop gracefully. */
    stop: (signal: NodeJS.Signals) => void;
    /** Called on a further signal later than `sameRequestMs` after the first: exit now. */
    force: (signal: NodeJS.Signals) => void;
    /** Signals arriving this soon after the first count as the same request (ms; default 1000). */
    sameRequestMs?: number;
    /** Signals to listen to (default SIGINT and SIGTERM). */
    signals?: NodeJS.Signals[];
    /** Clock (ms), for tests. */
    now?: () => number;
}

/**
 * Decides what a stop signal means given when the first one came: `stop` (the first), `ignore` (the same
 * request again), or `force` (a later one). Pure; {@link onStopSignals} keeps the state.
 */
export function classifySignal(firstAt: number | null, at: number, sameRequestMs = 1000): 'stop' | 'ignore' | 'force' {
    if (firstAt === null) return 'stop';
    return at - firstAt <= sameRequestMs ? 'ignore' : 'force';
}

/** Installs the handlers; returns a function removing them. */
export function onStopSignals(options: StopSignalOptions): () => void {
    const now = options.now ?? Date.now;
    const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
    let firstAt: number | null = null;
    const handler = (signal: NodeJS.Signals) => {
        const at = now();
        const meaning = classifySignal(firstAt, at, options.sameRequestMs);
        if (meaning === 'stop') {
            firstAt = at;
            options.stop(signal);
        } else if (meaning === 'force') {
            options.force(signal);
        }
    };
    for (const signal of signals) process.on(signal, handler);
    return () => {
        for (const signal of signals) process.off(signal, handler);
    };
}
