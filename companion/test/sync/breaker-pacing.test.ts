import { CircuitBreaker } from '../../src/domain/sync/rules/circuit-breaker';
import { pacingFor, parseLimitInfo } from '../../src/domain/sync/rules/pacing';

describe('CircuitBreaker', () => {
    it('opens after 5 consecutive throttles and allows one probe per 30 s', () => {
        let t = 0;
        const b = new CircuitBreaker({ now: () => t });
        for (let i = 0; i < 4; i++) b.recordThrottle();
        expect(b.state).toBe('closed');
        expect(b.tryAcquire()).toBe(true);
        b.recordThrottle();
        expect(b.state).toBe('open');
        expect(b.tryAcquire()).toBe(false);
        t = 29_999;
        expect(b.tryAcquire()).toBe(false);
        expect(b.msUntilProbe()).toBe(1);
        t = 30_000;
        expect(b.tryAcquire()).toBe(true);
        expect(b.state).toBe('half-open');
        expect(b.tryAcquire()).toBe(false); // only one probe at a time
        b.recordThrottle(); // probe failed: another 30 s
        t = 59_999;
        expect(b.tryAcquire()).toBe(false);
        t = 60_000;
        expect(b.tryAcquire()).toBe(true);
        b.recordSuccess();
        expect(b.state).toBe('closed');
        expect(b.tryAcquire()).toBe(true);
    });

    it('resets the count on a success in between', () => {
        const b = new CircuitBreaker();
        for (let i = 0; i < 4; i++) b.recordThrottle();
        b.recordSuccess();
        for (let i = 0; i < 4; i++) b.recordThrottle();
        expect(b.state).toBe('closed');
        expect(b.consecutiveFailures).toBe(4);
    });
});

describe('pacing', () => {
    it('runs normally under 70 %, slows from 70 %, pauses non-urgent work from 90 %', () => {
        expect(pacingFor({ used: 69, limit: 100 }, false)).toMatchObject({ mode: 'normal', allowed: true, delayMs: 0 });
        expect(pacingFor({ used: 70, limit: 100 }, false)).toMatchObject({ mode: 'slow', allowed: true });
        expect(pacingFor({ used: 70, limit: 100 }, true).delayMs).toBeGreaterThan(0);
        expect(pacingFor({ used: 90, limit: 100 }, false)).toMatchObject({ mode: 'paused', allowed: false });
        expect(pacingFor({ used: 95, limit: 100 }, true)).toMatchObject({ mode: 'paused', allowed: true });
        expect(pacingFor(null, false)).toMatchObject({ mode: 'normal', ratio: null });
    });

    it('parses Sforce-Limit-Info', () => {
        expect(parseLimitInfo('api-usage=10018/100000; api-bursts=1/750')).toEqual({ used: 10018, limit: 100000 });
        expect(parseLimitInfo('nothing')).toBeNull();
    });
});
