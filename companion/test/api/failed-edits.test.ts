/**
 * Failed edits through the real HTTP API on real PostgreSQL: a record read carries the Salesforce value of each
 * mapped field, and a failed edit can be given up — "keep the Salesforce value" puts it back in Statisfy, "discard"
 * keeps the Statisfy value locally — once, for the latest edit only, audited (companion/src/web/routes.ts).
 */
import { apiClient, startTestCompanion, type TestCompanion } from '../support/companion';
import { seedAccount, seedObjects, seedOrg, type SeededOrg } from '../support/factories';
import { setEdits } from '../support/inspect';

let t: TestCompanion;
let org: SeededOrg;

beforeAll(async () => {
    t = await startTestCompanion();
    org = await seedOrg(t.repos);
    await seedObjects(t.repos, org.org.id);
});
afterAll(() => t.stop());

const editor = () => apiClient(t.url, org.tokens.editor);

/** An Account whose Statisfy edit of AnnualRevenue Salesforce refused. */
async function failedRevenueEdit(value: number) {
    const account = await seedAccount(t.repos, org.org.id, { revenue: 1000 });
    const res = await editor().patch(`/api/v1/objects/Account/records/${account.sfId}`, {
        fields: { 'Account.AnnualRevenue': value }
    });
    const editId = res.body.fields['Account.AnnualRevenue'].editId as string;
    await setEdits(t.companion.dataSource.manager, org.org.id, [editId], {
        status: 'failed',
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        errorMessage: 'Too much'
    });
    return { sfId: account.sfId, editId };
}

describe('GET /api/v1/objects/:object/records/:id', () => {
    it('When the Statisfy value differs from Salesforce, then the record shows both', async () => {
        const { sfId } = await failedRevenueEdit(2500);
        const res = await editor().get(`/api/v1/objects/Account/records/${sfId}`);
        expect(res.status).toBe(200);
        expect(res.body.fields['Account.AnnualRevenue']).toBe(2500);
        expect(res.body.salesforceValues['Account.AnnualRevenue']).toBe(1000);
        expect(res.body.salesforceValues['Account.Name']).toBe(res.body.fields['Account.Name']);
        expect(res.body.sync.state).toBe('failed');
    });
});

describe('POST /api/v1/sync/errors/:id/keep-salesforce and /discard', () => {
    it('When the Salesforce value is kept, then Statisfy has it again, the edit is never sent and the record is synced', async () => {
        const { sfId, editId } = await failedRevenueEdit(3000);
        const res = await editor().post(`/api/v1/sync/errors/${editId}/keep-salesforce`, {});
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ editId, status: 'superseded', field: 'Account.AnnualRevenue', value: 1000 });
        const record = await editor().get(`/api/v1/objects/Account/records/${sfId}`);
        expect(record.body.fields['Account.AnnualRevenue']).toBe(1000);
        expect(record.body.sync.state).toBe('synced');
        expect((await t.repos.pendingEdits.get(org.org.id, editId))!.status).toBe('superseded');
        const errors = await editor().get('/api/v1/sync/errors');
        expect(errors.body.items.map((e: { editId: string }) => e.editId)).not.toContain(editId);
        const audit = await apiClient(t.url, org.tokens.admin).get(
            `/api/v1/audit?target=${encodeURIComponent(`record:${sfId}:Account.AnnualRevenue`)}`
        );
        expect(audit.body.items[0]).toMatchObject({ action: 'edit.keep_salesforce', after: { value: 1000 } });
    });

    it('When an edit is discarded, then the Statisfy value stays in Statisfy and nothing is sent', async () => {
        const { sfId, editId } = await failedRevenueEdit(4000);
        const res = await editor().post(`/api/v1/sync/errors/${editId}/discard`, {});
        expect(res.status).toBe(200);
        const record = await editor().get(`/api/v1/objects/Account/records/${sfId}`);
        expect(record.body.fields['Account.AnnualRevenue']).toBe(4000);
        expect(record.body.salesforceValues['Account.AnnualRevenue']).toBe(1000);
        expect(record.body.sync.state).toBe('synced');
    });

    it('When the edit is not failed, or a newer edit exists, then 409 and nothing changes; a viewer is refused', async () => {
        const { sfId, editId } = await failedRevenueEdit(5000);
        const viewer = await apiClient(t.url, org.tokens.viewer).post(`/api/v1/sync/errors/${editId}/discard`, {});
        expect(viewer.status).toBe(403);
        await editor().patch(`/api/v1/objects/Account/records/${sfId}`, { fields: { 'Account.AnnualRevenue': 6000 } });
        const stale = await editor().post(`/api/v1/sync/errors/${editId}/keep-salesforce`, {});
        expect(stale.status).toBe(409);
        expect(stale.body.error.message).toContain('A newer edit of Account.AnnualRevenue');
        const record = await editor().get(`/api/v1/objects/Account/records/${sfId}`);
        expect(record.body.fields['Account.AnnualRevenue']).toBe(6000);
        const missing = await editor().post('/api/v1/sync/errors/999999/discard', {});
        expect(missing.status).toBe(404);
    });
});
