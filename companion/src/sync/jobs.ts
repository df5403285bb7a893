/**
 * The periodic jobs of one org's sync as a table (issue 8 item 2): each job has a name, an interval, the budget it
 * runs under and what it does. `urgent` work (users' edits) runs even when the API budget is nearly spent;
 * `background` work (configuration push, reconcile, status writes) pauses then. A job that fails waits
 * `backoffDelay` of its consecutive failures before it runs again, so no call path retries every tick (issue 9 A2).
 * Pure scheduling: the clock is injected, the jobs do the I/O.
 */
import { backoffDelay } from '../domain/sync/rules/classify';

/** One periodic job. */
export interface PeriodicJob {
    name: string;
    /** Least time between two runs (ms). */
    intervalMs: number;
    /** `urgent` runs under any budget; `background` only while the budget allows background work. */
    budget: 'urgent' | 'background';
    /** Extra condition (e.g. "status changed"); the job is skipped while it answers false. */
    wanted?: () => boolean;
    /** Does the work; a throw counts as a failure and backs the job off. */
    run: () => Promise<void>;
}

interface JobState {
    lastRun: number;
    failures: number;
    notBefore: number;
}

/** Runs the due jobs of a table, in table order, one at a time. */
export class JobTable {
    private readonly state = new Map<string, JobState>();

    constructor(
        private readonly jobs: readonly PeriodicJob[],
        private readonly now: () => number = Date.now,
        private readonly random: () => number = Math.random
    ) {
        for (const j of jobs) this.state.set(j.name, { lastRun: -Infinity, failures: 0, notBefore: 0 });
    }

    /**
     * Makes a job due at the next run: a NOTIFY said its input changed, so the new input is tried at once even while
     * the job backs off from earlier failures (their count is kept, so a failure now waits longer). Calls to
     * Salesforce stay behind the circuit breaker, so this never bypasses a storm's pause.
     */
    makeDue(name: string): void {
        const s = this.state.get(name);
        if (s) {
            s.lastRun = -Infinity;
            s.notBefore = 0;
        }
    }

    /** Consecutive failures of a job (status, tests). */
    failures(name: string): number {
        return this.state.get(name)?.failures ?? 0;
    }

    /** Runs every due job allowed by the budget; returns the names of the jobs that ran. */
    async runDue(backgroundAllowed: boolean, onError: (job: string, err: unknown) => void): Promise<string[]> {
        const ran: string[] = [];
        for (const job of this.jobs) {
            const s = this.state.get(job.name)!;
            const t = this.now();
            if (job.budget === 'background' && !backgroundAllowed) continue;
            if (t - s.lastRun < job.intervalMs || t < s.notBefore) continue;
            if (job.wanted && !job.wanted()) continue;
            s.lastRun = t;
            ran.push(job.name);
            try {
                await job.run();
                s.failures = 0;
                s.notBefore = 0;
            } catch (err) {
                s.failures += 1;
                s.notBefore = this.now() + Math.max(job.intervalMs, backoffDelay(s.failures, this.random));
                onError(job.name, err);
            }
        }
        return ran;
    }
}
