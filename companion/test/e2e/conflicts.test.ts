/**
 * Conflicting edits on both sides end as the object's policy says, with the conflict recorded. The Statisfy edit is
 * held back by an injected 503 on /composite (it stays pending, retrying) while a Salesforce user changes the same
 * field; then the fault is lifted.
 */
import type { PendingEdit } from '../../src/data';
import { E2E, startE2E, waitFor } from './harness';

jest.setTimeout(120_000);
let e: E2E;
let ids: string[] = [];

beforeAll(async () => {
    e = await startE2E();
    const page = await e.api.get('/api/v1/objects/Account/records?limit=10');
    ids = page.body.items.map((r: { id: string }) => r.id);
});
afterAll(async () => {
    await e?.stop();
});

type Policy = 'Latest_Wins' | 'Salesforce_Wins' | 'Statisfy_Wins' | 'Manual';

async function scenario(policy: Policy, id: string) {
    expect((await e.api.patch('/api/v1/objects/Account', { conflictPolicy: policy })).status).toBe(200);
    await e.control.fault({ method: 'POST', path: '/services/data/*/composite', status: 503 });
    const statisfy = `Statisfy ${policy}`;
    const salesforce = `Salesforce ${policy}`;
    const res = await e.api.patch(`/api/v1/objects/Account/records/${id}`, { fields: { 'Account.Website': statisfy } });
    expect(res.status).toBe(200);
    const editId: string =
        res.body.fields?.['Account.Website']?.editId ?? JSON.stringify(res.body).match(/"editId":"(\d+)"/)?.[1];
    // The first try failed with the 503: the edit waits for its retry.
    await waitFor(
        async () => {
            const ed = await e.app.repos.pendingEdits.get(e.orgId, editId);
            return ed?.status === 'pending' && ed.attempts >= 1;
        },
        10_000,
        'the first failed attempt'
    );
    await e.control.update('Account', id, { Website: salesforce });
    const conflict = await waitFor(
        async () => (await e.app.repos.conflicts.list(e.orgId, { limit: 100, offset: 0 })).find((c) => c.sfId === id),
        10_000,
        'the conflict row'
    );
    await e.control.clearFaults();
    let edit: PendingEdit | null = null;
    await waitFor(
        async () => {
            edit = await e.app.repos.pendingEdits.get(e.orgId, editId);
            return edit && edit.status !== 'pending' && edit.status !== 'in_flight';
        },
        15_000,
        'the edit to settle'
    );
    await new Promise((r) => setTimeout(r, 300));
    return {
        conflict: (await e.app.repos.conflicts.get(e.orgId, conflict.id))!,
        edit: edit as unknown as PendingEdit,
        sf: (await e.control.get('Account', id)).Website,
        local: (await e.app.repos.records.get(e.orgId, id))!.fields['Account.Website'],
        statisfy,
        salesforce
    };
}

it('Salesforce_Wins: Salesforce keeps its value, Statisfy takes it, the conflict is recorded', async () => {
    const r = await scenario('Salesforce_Wins', ids[0]);
    expect(r.sf).toBe(r.salesforce);
    expect(r.local).toBe(r.salesforce);
    expect(r.edit.status).toBe('conflict');
    expect(r.conflict).toMatchObject({
        policy: 'Salesforce_Wins',
        status: 'resolved',
        resolution: 'salesforce',
        statisfyValue: r.statisfy,
        salesforceValue: r.salesforce
    });
});

it('Statisfy_Wins: the Statisfy value is written over the Salesforce change, the conflict is recorded', async () => {
    const r = await scenario('Statisfy_Wins', ids[1]);
    expect(r.edit.status).toBe('succeeded');
    expect(r.sf).toBe(r.statisfy);
    expect(r.local).toBe(r.statisfy);
    expect(r.conflict).toMatchObject({ policy: 'Statisfy_Wins', status: 'resolved', resolution: 'statisfy' });
});

it('Latest_Wins: the later change (here the Salesforce one) wins, the conflict is recorded', async () => {
    const r = await scenario('Latest_Wins', ids[2]);
    expect(r.sf).toBe(r.salesforce);
    expect(r.local).toBe(r.salesforce);
    expect(r.conflict).toMatchObject({ policy: 'Latest_Wins', resolution: 'salesforce' });
});

it('Manual: nothing is overwritten; the conflict waits open for a person and is listed by the API', async () => {
    const r = await scenario('Manual', ids[3]);
    expect(r.sf).toBe(r.salesforce);
    expect(r.local).toBe(r.statisfy);
    expect(r.edit.status).toBe('conflict');
    expect(r.conflict.status).toBe('open');
    const listed = await e.api.get('/api/v1/conflicts?status=open');
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain(r.conflict.id);
});
