/**
 * A second edit made while the first is still being sent is never lost to the first one's echo (issue 9 B4), under
 * every conflict policy: the first write's success comes back as a Record_Change__e while the second edit waits;
 * the companion knows that value as its own, and the second edit is then written too.
 */
import { CONFLICT_POLICIES } from '../../../contracts/sync-rules';
import { outboxOf } from '../support/inspect';
import { E2E, startE2E, waitFor } from './harness';

let e: E2E;
let ids: string[];

beforeAll(async () => {
    e = await startE2E();
    ids = (await e.api.get('/api/v1/objects/Account/records?limit=10')).body.items.map((r: { id: string }) => r.id);
});
afterAll(() => e.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(CONFLICT_POLICIES.map((p, i) => [p, i] as const))('policy %s', (policy, i) => {
    it('When a field is edited again while its first edit is in flight, then Salesforce and Statisfy end with the second value and no conflict', async () => {
        expect((await e.api.patch('/api/v1/objects/Account', { conflictPolicy: policy })).status).toBe(200);
        const id = ids[i];
        // The first write takes 800 ms to answer: the second edit is made while it is in flight.
        await e.control.fault({ method: 'POST', path: '/services/data/*/composite', latencyMs: 800, count: 1 });
        const first = await e.api.patch(`/api/v1/objects/Account/records/${id}`, {
            fields: { 'Account.Phone': `+1 555 100${i}` }
        });
        expect(first.status).toBe(200);
        await waitFor(
            async () =>
                (await outboxOf(e.app.companion.dataSource.manager, e.orgId, id)).some((x) => x.status === 'in_flight'),
            5000,
            'the first edit to be sent'
        );
        const second = await e.api.patch(`/api/v1/objects/Account/records/${id}`, {
            fields: { 'Account.Phone': `+1 555 200${i}` }
        });
        expect(second.status).toBe(200);
        await waitFor(
            async () => (await e.control.get('Account', id)).Phone === `+1 555 200${i}`,
            10_000,
            'Salesforce to hold the second value'
        );
        await sleep(500); // the echoes of both writes come back
        const record = (await e.api.get(`/api/v1/objects/Account/records/${id}`)).body;
        expect(record.fields['Account.Phone']).toBe(`+1 555 200${i}`);
        expect((await e.control.get('Account', id)).Phone).toBe(`+1 555 200${i}`);
        const conflicts = (await e.api.get('/api/v1/conflicts?status=open')).body.items.filter(
            (c: { recordId?: string; sfId?: string }) => (c.recordId ?? c.sfId) === id
        );
        expect(conflicts).toEqual([]);
        const rows = await outboxOf(e.app.companion.dataSource.manager, e.orgId, id);
        expect(rows.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    }, 30_000);
});
