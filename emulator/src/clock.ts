/**
 * The emulator's clock. Everything time-dependent in the emulator (token expiry, SystemModstamp,
 * event CreatedDate, 72-hour event retention, date literals in SOQL) reads this clock, so the
 * control API can move time forward without waiting.
 */
export class Clock {
    private offsetMs = 0;

    /** Current emulator time. */
    now(): Date {
        return new Date(Date.now() + this.offsetMs);
    }

    /** Current emulator time in epoch milliseconds. */
    nowMs(): number {
        return Date.now() + this.offsetMs;
    }

    /** Moves the clock forward (or back, with a negative value) by `ms` milliseconds. */
    advance(ms: number): void {
        if (!Number.isFinite(ms))
            throw new RangeError(`clock advance must be a finite number of milliseconds, got ${ms}`);
        this.offsetMs += ms;
    }

    /** How far the clock has been moved from real time, in milliseconds. */
    get offset(): number {
        return this.offsetMs;
    }

    /** Restores an offset (used when state is reloaded from the data directory). */
    setOffset(ms: number): void {
        this.offsetMs = ms;
    }
}
