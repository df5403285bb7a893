/**
 * Inbound apply rate on a real PostgreSQL: 5,000 Record_Change__e events (creates, then updates) applied in
 * batches of 500, one transaction each. Prints events/s; fails only if the apply is pathologically slow.
 */
import { randomUUID } from 'node:crypto';
import { PackageNames } from '../../src/salesforce/names';
import { applyEventBatch, ChannelEvent } from '../../src/domain/sync/inbound-batch';
import { openTestDataSource, TestDataContext } from '../support/datasource';

jest.setTimeout(120_000);
let ctx: TestDataContext;
let orgId: string;
const names = new PackageNames('');

beforeAll(async () => {
    ctx = await openTestDataSource();
    orgId = (await ctx.repos.orgs.create({ name: 'Throughput', loginUrl: 'http://127.0.0.1:1', authKind: 'jwt' })).id;
    await ctx.repos.syncObjects.upsert(orgId, { objectApiName: 'Account', displayName: 'Accounts', kind: 'standard' });
    for (const f of ['Name', 'Industry', 'Phone', 'BillingCity', 'AnnualRevenue'])
        await ctx.repos.fieldMappings.upsert(orgId, {
            objectApiName: 'Account',
            key: `Account.${f}`,
            displayName: f,
            salesforceField: f,
            origin: 'salesforce',
            editable: true,
            type: 'string'
        });
});
afterAll(async () => {
    await ctx?.close();
});

let replay = 0;
function events(n: number, type: 'CREATE' | 'UPDATE', round: number): ChannelEvent[] {
    return Array.from({ length: n }, (_, i) => {
        replay += 1;
        return {
            channel: '/event/Record_Change__e',
            data: {
                payload: {
                    Object_Api_Name__c: 'Account',
                    Record_Id__c: `001${String(i).padStart(12, '0')}AAA`,
                    Change_Type__c: type,
                    Values__c: JSON.stringify({
                        Name: `Account ${i}`,
                        Industry: 'Tech',
                        Phone: `+1 ${round} ${i}`,
                        BillingCity: 'Paris',
                        AnnualRevenue: i * 10
                    }),
                    Modstamp__c: new Date(Date.UTC(2026, 0, 1, 0, round, 0, i)).toISOString()
                },
                event: { replayId: replay, EventUuid: randomUUID() }
            }
        };
    });
}

it('applies 5,000 creates and 5,000 updates in batches of 500', async () => {
    for (const [type, round] of [
        ['CREATE', 1],
        ['UPDATE', 2]
    ] as const) {
        const all = events(5000, type, round);
        const t0 = performance.now();
        for (let i = 0; i < all.length; i += 500)
            await applyEventBatch(ctx.dataSource, orgId, names, all.slice(i, i + 500));
        const ms = performance.now() - t0;
        process.stdout.write(
            `\n[inbound] 5,000 ${type} events in batches of 500: ${Math.round(ms)} ms = ${Math.round(5000 / (ms / 1000))} events/s\n`
        );
        expect(ms).toBeLessThan(60_000);
    }
    expect(await ctx.repos.records.count(orgId, 'Account')).toBe(5000);
    const rec = await ctx.repos.records.get(orgId, `001${String(4321).padStart(12, '0')}AAA`);
    expect(rec?.fields['Account.Phone']).toBe('+1 2 4321');
});
