/**
 * "Sync now" lands in the engine from both sides: POST /api/v1/sync (the companion's API) and a Sync_Request__e
 * published in the org (the package's LWC). Both run a reconcile recorded as a sync run; a FULL sync also brings
 * changes no event announced.
 */
import { Connection } from 'jsforce';
import { E2E, startE2E, waitFor, TRANSPORTS } from './harness';

jest.setTimeout(120_000);

describe.each(TRANSPORTS)('over %s', (transport) => {
    let e: E2E;

    beforeAll(async () => {
        e = await startE2E({ transport });
    });
    afterAll(async () => {
        await e?.stop();
    });

    async function runs(kind: string) {
        return (await e.app.repos.syncRuns.list(e.orgId, 50)).filter((r) => r.kind === kind);
    }

    it('POST /api/v1/sync runs a full sync and answers the run to follow', async () => {
        const res = await e.api.post('/api/v1/sync', { objectApiName: 'Account', kind: 'full' });
        expect(res.status).toBe(202);
        expect(res.body.runId).toEqual(expect.any(String));
        const run = await waitFor(
            async () => {
                const r = (await runs('import')).find((x) => x.id === res.body.runId);
                return r && r.status !== 'running' ? r : null;
            },
            20_000,
            'the sync run'
        );
        expect(run).toMatchObject({ status: 'succeeded', objectApiName: 'Account', recordsIn: 50 });
        expect(run.apiCalls).toBeGreaterThan(0);
    });

    it('a Sync_Request__e published in the org runs a reconcile', async () => {
        const before = (await runs('reconcile')).length;
        const admin = new Connection({ loginUrl: e.emu.url, version: '60.0' });
        await admin.login('admin@statisfy.test', 'statisfy');
        const published = await admin
            .sobject('Sync_Request__e')
            .create({ Object_Api_Name__c: 'Contact', Kind__c: 'INCREMENTAL' });
        expect(published.success).toBe(true);
        const run = await waitFor(
            async () => {
                const all = await runs('reconcile');
                const r = all.length > before ? all.find((x) => x.objectApiName === 'Contact') : null;
                return r && r.status === 'succeeded' ? r : null;
            },
            20_000,
            'the reconcile asked for by the org'
        );
        expect(run.objectApiName).toBe('Contact');
    });
});
