/**
 * The engine's job table (companion/src/sync/jobs.ts): intervals, budgets, conditions, and backoff of a failing
 * job, on an injected clock.
 */
import { JobTable, type PeriodicJob } from '../../src/sync/jobs';

function table(jobs: Partial<PeriodicJob>[], clock: { t: number }) {
    const runs: string[] = [];
    const full = jobs.map((j, i) => ({
        name: j.name ?? `job${i}`,
        intervalMs: j.intervalMs ?? 1000,
        budget: j.budget ?? 'background',
        wanted: j.wanted,
        run:
            j.run ??
            (async () => {
                runs.push(j.name ?? `job${i}`);
            })
    }));
    return {
        jobs: new JobTable(
            full,
            () => clock.t,
            () => 1
        ),
        runs
    };
}

describe('JobTable', () => {
    it('When a job ran, then it runs again only after its interval', async () => {
        const clock = { t: 0 };
        const { jobs, runs } = table([{ name: 'a', intervalMs: 1000 }], clock);
        await jobs.runDue(true, () => undefined);
        clock.t = 999;
        await jobs.runDue(true, () => undefined);
        clock.t = 1000;
        await jobs.runDue(true, () => undefined);
        expect(runs).toEqual(['a', 'a']);
    });

    it('When the budget allows no background work, then only urgent jobs run', async () => {
        const clock = { t: 0 };
        const { jobs, runs } = table(
            [
                { name: 'bg', budget: 'background' },
                { name: 'urgent', budget: 'urgent' }
            ],
            clock
        );
        expect(await jobs.runDue(false, () => undefined)).toEqual(['urgent']);
        expect(runs).toEqual(['urgent']);
    });

    it('When a job is not wanted, then it is skipped and does not lose its turn', async () => {
        const clock = { t: 0 };
        let wanted = false;
        const { jobs, runs } = table([{ name: 'status', wanted: () => wanted }], clock);
        await jobs.runDue(true, () => undefined);
        wanted = true;
        await jobs.runDue(true, () => undefined);
        expect(runs).toEqual(['status']);
    });

    it('When a job keeps failing, then it waits longer each time (backoff)', async () => {
        const clock = { t: 0 };
        let calls = 0;
        const errors: string[] = [];
        const { jobs } = table(
            [
                {
                    name: 'push',
                    intervalMs: 100,
                    run: async () => {
                        calls += 1;
                        throw new Error('503');
                    }
                }
            ],
            clock
        );
        const starts: number[] = [];
        for (clock.t = 0; clock.t <= 20_000; clock.t += 50) {
            const ran = await jobs.runDue(true, (name) => errors.push(name));
            if (ran.length) starts.push(clock.t);
        }
        // random() = 1: delays 1 s, 2 s, 4 s, 8 s … (capped at 60 s): 0, 1000, 3000, 7000, 15000.
        expect(starts).toEqual([0, 1000, 3000, 7000, 15000]);
        expect(calls).toBe(5);
        expect(jobs.failures('push')).toBe(5);
    });

    it('When a failing job succeeds again, then its backoff is forgotten', async () => {
        const clock = { t: 0 };
        let fail = true;
        const { jobs } = table(
            [
                {
                    name: 'push',
                    intervalMs: 100,
                    run: async () => {
                        if (fail) throw new Error('503');
                    }
                }
            ],
            clock
        );
        await jobs.runDue(true, () => undefined);
        fail = false;
        clock.t = 1000;
        await jobs.runDue(true, () => undefined);
        expect(jobs.failures('push')).toBe(0);
        clock.t = 1100;
        expect(await jobs.runDue(true, () => undefined)).toEqual(['push']);
    });

    it('When its input changes (makeDue) while it backs off, then it runs at once, and a new failure waits longer', async () => {
        const clock = { t: 0 };
        const { jobs } = table(
            [
                {
                    name: 'push',
                    intervalMs: 100,
                    run: async () => {
                        throw new Error('refused');
                    }
                }
            ],
            clock
        );
        await jobs.runDue(true, () => undefined); // fails: waits 1 s
        clock.t = 200;
        expect(await jobs.runDue(true, () => undefined)).toEqual([]);
        jobs.makeDue('push');
        expect(await jobs.runDue(true, () => undefined)).toEqual(['push']); // fails again: waits 2 s
        clock.t = 2100;
        expect(await jobs.runDue(true, () => undefined)).toEqual([]);
        clock.t = 2200;
        expect(await jobs.runDue(true, () => undefined)).toEqual(['push']);
    });
});
