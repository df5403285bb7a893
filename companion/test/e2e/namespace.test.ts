/**
 * A subscriber org of the managed package: every package name carries `statisfy__` (objects, fields, events).
 * The same flows work with SF_NAMESPACE=statisfy against an emulator with that namespace.
 */
import { startEmulator } from '../../../emulator/src/server';
import { E2E, startE2E, waitFor, TRANSPORTS } from './harness';

jest.setTimeout(120_000);

describe.each(TRANSPORTS)('over %s', (transport) => {
    let e: E2E;

    beforeAll(async () => {
        const emu = await startEmulator({ seed: 'demo', namespace: 'statisfy', cometdTimeoutMs: 1000 });
        e = await startE2E({ emulator: emu, env: { SF_NAMESPACE: 'statisfy' }, transport });
        const stop = e.stop;
        e.stop = async () => {
            await stop();
            await emu.stop();
        };
    });
    afterAll(async () => {
        await e?.stop();
    });

    it('imports, syncs both ways and syncs mappings with statisfy__ names', async () => {
        await waitFor(
            async () => (await e.app.repos.records.count(e.orgId, 'Account')) >= 50,
            20_000,
            'Accounts imported'
        );
        expect((await e.app.repos.syncObjects.get(e.orgId, 'Success_Plan__c'))?.syncToSalesforce).toBe(false);
        const id = (await e.api.get('/api/v1/objects/Account/records?limit=1')).body.items[0].id;

        const res = await e.api.patch(`/api/v1/objects/Account/records/${id}`, {
            fields: { 'Account.Phone': '+1 555 3131' }
        });
        expect(res.status).toBe(200);
        await waitFor(
            async () => (await e.control.get('Account', id)).Phone === '+1 555 3131',
            10_000,
            'the edit in Salesforce'
        );

        await e.control.update('Account', id, { BillingCity: 'Namespaced' });
        await waitFor(
            async () => (await e.app.repos.records.get(e.orgId, id))?.fields['Account.BillingCity'] === 'Namespaced',
            10_000,
            'the edit in Statisfy'
        );

        const fmId = (await e.app.repos.fieldMappings.get(e.orgId, 'Account.Industry'))!.sfRecordId!;
        await e.control.update('statisfy__Field_Mapping__c', fmId, { statisfy__Display_Name__c: 'Sector (ns)' });
        await waitFor(
            async () =>
                (await e.app.repos.fieldMappings.get(e.orgId, 'Account.Industry'))?.displayName === 'Sector (ns)',
            10_000,
            'the mapping edit'
        );
        const renamed = await e.api.patch('/api/v1/objects/Account/fields/Account.Industry', {
            displayName: 'Industry (ns)'
        });
        expect(renamed.status).toBe(200);
        await waitFor(
            async () =>
                (await e.control.get('statisfy__Field_Mapping__c', fmId)).statisfy__Display_Name__c === 'Industry (ns)',
            10_000,
            'the companion rename in the org'
        );
    });
});
