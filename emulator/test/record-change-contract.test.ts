/**
 * Holds the emulator to docs/record-change-contract.md: every test names the rule (R1–R7) it checks.
 * Changes are made over REST with unmodified jsforce (as the companion and users would), and the
 * events are observed where the package publishes them: the org's event bus (each publish call is
 * recorded on its way through, then handed to the real bus).
 */
import { expandRecordChange, type RecordElement } from '../../contracts/record-change';
import type { RunningEmulator } from '../src/server';
import { INTEGRATION, VERSION, control, jsforce, soapLogin, start } from './conformance.helpers';

type Payload = Record<string, unknown>;
/** The records of a batched payload (R6). */
const recordsOf = (p: Payload, prefix = ''): RecordElement[] => JSON.parse(p[`${prefix}Records__c`] as string);
/** The one record of a single-record chunk's event. */
const only = (p: Payload, prefix = ''): RecordElement => {
    const r = recordsOf(p, prefix);
    expect(r).toHaveLength(1);
    return r[0];
};
interface PublishCall {
    event: string;
    payloads: Payload[];
    createdById: string;
}

function record(emu: RunningEmulator): PublishCall[] {
    const calls: PublishCall[] = [];
    const bus = emu.org.bus;
    const real = bus.publish.bind(bus);
    bus.publish = (event, payloads, createdById) => {
        calls.push({ event, payloads: payloads.map((p) => ({ ...p })), createdById });
        return real(event, payloads, createdById);
    };
    return calls;
}

describe('Record_Change__e contract (unprefixed package)', () => {
    let emu: RunningEmulator;
    let admin: jsforce.Connection;
    let integration: jsforce.Connection;
    let calls: PublishCall[];
    let syncObjectId: string;
    const changes = () => calls.filter((c) => c.event === 'Record_Change__e');
    const last = () => changes()[changes().length - 1];
    const accountEvents = () =>
        changes()
            .flatMap((c) => c.payloads)
            .filter((p) => p.Object_Api_Name__c === 'Account');
    const accountRecords = () => accountEvents().flatMap((p) => recordsOf(p));

    beforeAll(async () => {
        emu = await start({ seed: 'empty' });
        calls = record(emu);
        admin = await soapLogin(emu);
        integration = await soapLogin(emu, INTEGRATION);
        await admin
            .sobject('Statisfy_Settings__c')
            .create({ SetupOwnerId: emu.orgId, Integration_User_Id__c: emu.users[1].id.slice(0, 15) });
        const so = await admin
            .sobject('Sync_Object__c')
            .create({ Object_Api_Name__c: 'Account', Display_Name__c: 'Accounts', Enabled__c: true });
        syncObjectId = so.id!;
        const m = (field: string | null, key: string, active = true) => ({
            Sync_Object__c: syncObjectId,
            Key__c: key,
            Display_Name__c: key,
            Salesforce_Field__c: field,
            Active__c: active
        });
        await admin.sobject('Field_Mapping__c').create([
            m('Name', 'Account.Name'),
            m('industry', 'Account.Industry'),
            m('AnnualRevenue', 'Account.AnnualRevenue'),
            m('ParentId', 'Account.ParentId'),
            m('Industry', 'Account.Industry2'), // duplicate, other case (R3)
            m('Rating', 'Account.Rating', false), // inactive (R3)
            m(null, 'Account.Score'), // blank Salesforce field (R3)
            m('No_Such_Field__c', 'Account.Ghost') // not a field of Account (R3)
        ]);
        calls.length = 0;
    });
    afterAll(() => emu.stop());

    it('R1: config objects always publish, with their fixed mapped fields (R3)', async () => {
        const lead = await admin
            .sobject('Sync_Object__c')
            .create({ Object_Api_Name__c: 'Lead', Display_Name__c: 'Leads', Enabled__c: false });
        const p = last().payloads[0];
        expect(p.Object_Api_Name__c).toBe('Sync_Object__c');
        expect(only(p).changedFields).toEqual([
            'Name',
            'Object_Api_Name__c',
            'Display_Name__c',
            'Sync_To_Salesforce__c',
            'Enabled__c',
            'Record_Filter__c',
            'Conflict_Policy__c'
        ]);
        expect(only(p).values).toMatchObject({
            Object_Api_Name__c: 'Lead',
            Enabled__c: false,
            Conflict_Policy__c: 'Latest_Wins',
            Record_Filter__c: null
        });
        await admin.sobject('Field_Mapping__c').create({
            Sync_Object__c: lead.id,
            Key__c: 'Lead.Company',
            Display_Name__c: 'Company',
            Salesforce_Field__c: 'Company'
        });
        expect(only(last().payloads[0]).changedFields).toEqual([
            'Name',
            'Sync_Object__c',
            'Key__c',
            'Salesforce_Field__c',
            'Display_Name__c',
            'Editable__c',
            'Origin__c',
            'Active__c'
        ]);
    });

    it('R1: objects publish only with an enabled Sync_Object__c', async () => {
        calls.length = 0;
        await admin.sobject('Lead').create({ LastName: 'Nobody', Company: 'X' }); // Sync_Object__c disabled
        await admin.sobject('Contact').create({ LastName: 'Nobody' }); // no Sync_Object__c
        expect(changes()).toEqual([]);
        await admin.sobject('Account').create({ Name: 'Published' });
        expect(changes()).toHaveLength(1);
    });

    it('R1: a customer custom object publishes only once its trigger or flow is registered', async () => {
        const made = await control(emu, 'POST', '/objects', {
            name: 'Renewal__c',
            label: 'Renewal',
            fields: [{ name: 'Stage__c', type: 'string', length: 40 }]
        });
        expect(made.status).toBe(200);
        const so = await admin
            .sobject('Sync_Object__c')
            .create({ Object_Api_Name__c: 'Renewal__c', Display_Name__c: 'Renewals', Enabled__c: true });
        await admin.sobject('Field_Mapping__c').create({
            Sync_Object__c: so.id,
            Key__c: 'Renewal__c.Stage__c',
            Display_Name__c: 'Stage',
            Salesforce_Field__c: 'Stage__c'
        });
        const renewals = () =>
            changes()
                .flatMap((c) => c.payloads)
                .filter((p) => p.Object_Api_Name__c === 'Renewal__c');
        calls.length = 0;
        await admin.sobject('Renewal__c').create({ Stage__c: 'No trigger yet' });
        expect(renewals()).toEqual([]);
        const bad = await control(emu, 'POST', '/package/publishers', { object: 'Nope__c' });
        expect(bad.status).toBe(400);
        const reg = await control(emu, 'POST', '/package/publishers', { object: 'renewal__c', kind: 'flow' });
        expect(reg.status).toBe(200);
        expect(reg.body).toMatchObject({
            publishers: expect.arrayContaining([
                { object: 'Renewal__c', kind: 'flow', name: 'Renewal__c_Publish_Changes', source: 'control' },
                // read from demo/main/default/triggers/SuccessPlanTrigger.trigger
                {
                    object: 'Success_Plan__c',
                    kind: 'subscriber-trigger',
                    name: 'SuccessPlanTrigger',
                    source: 'metadata'
                }
            ])
        });
        await admin.sobject('Renewal__c').create({ Stage__c: 'Now published' });
        expect(renewals()).toHaveLength(1);
        expect((await control(emu, 'DELETE', '/package/publishers/Renewal__c')).status).toBe(200);
        calls.length = 0;
        await admin.sobject('Renewal__c').create({ Stage__c: 'Trigger removed' });
        expect(renewals()).toEqual([]);
        await admin.sobject('Sync_Object__c').destroy(so.id!);
    });

    it('R7: 1,000 changes in chunks of 200 cost 5 events, counted by the emulator (REST Collections, Composite, Bulk)', async () => {
        const before = async () => {
            const r = await control(emu, 'GET', '/events');
            return r.body as { published: number; recordChange: { published: number; records: number } };
        };
        const rows = (tag: string) => Array.from({ length: 200 }, (_, i) => ({ Name: `${tag} ${i}` }));
        let b = await before();
        for (let k = 0; k < 5; k++) await admin.sobject('Account').create(rows(`Collections ${k}`));
        let a = await before();
        expect(a.recordChange.published - b.recordChange.published).toBe(5);
        expect(a.recordChange.records - b.recordChange.records).toBe(1000);
        // Composite: every subrequest is its own DML statement, so its own trigger chunk.
        b = a;
        await admin.request({
            method: 'POST',
            url: `/services/data/v${VERSION}/composite`,
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
                allOrNone: false,
                compositeRequest: Array.from({ length: 5 }, (_, k) => ({
                    method: 'POST',
                    url: `/services/data/v${VERSION}/composite/sobjects`,
                    referenceId: `c${k}`,
                    body: {
                        allOrNone: false,
                        records: rows(`Composite ${k}`).map((r) => ({ attributes: { type: 'Account' }, ...r }))
                    }
                }))
            })
        });
        a = await before();
        expect(a.recordChange.published - b.recordChange.published).toBe(5);
        expect(a.recordChange.records - b.recordChange.records).toBe(1000);
        b = a;
        admin.bulk2.pollInterval = 50;
        await admin.bulk2.loadAndWaitForResults({
            object: 'Account',
            operation: 'insert',
            input: Array.from({ length: 1000 }, (_, i) => ({ Name: `Bulk1000 ${i}` }))
        });
        a = await before();
        expect(a.recordChange.published - b.recordChange.published).toBe(5);
        expect(a.recordChange.records - b.recordChange.records).toBe(1000);
    });

    it('R3 + R5 + R6: insert publishes CREATE with every mapped field, in mapping order, blanks as null', async () => {
        calls.length = 0;
        const a = await admin
            .sobject('Account')
            .create({ Name: 'Acme', Industry: 'Banking', Rating: 'Hot', Description: 'unmapped' });
        const rec = await admin.sobject('Account').retrieve(a.id!);
        expect(changes()).toHaveLength(1);
        const p = last().payloads[0];
        expect(p).toEqual({
            Object_Api_Name__c: 'Account',
            Change_Type__c: 'CREATE',
            Changed_By_Id__c: emu.users[0].id,
            Origin__c: 'salesforce',
            Records__c: JSON.stringify([
                {
                    id: a.id,
                    changedFields: ['Name', 'Industry', 'AnnualRevenue', 'ParentId'],
                    values: { Name: 'Acme', Industry: 'Banking', AnnualRevenue: null, ParentId: null },
                    modstamp: rec.SystemModstamp
                }
            ]),
            Part__c: 1,
            Part_Count__c: 1,
            // The one-record fields of the old shape stay defined and are null (R6).
            Record_Id__c: null,
            Changed_Fields__c: null,
            Values__c: null,
            Modstamp__c: null
        });
        expect(rec.SystemModstamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
        expect(last().createdById).toBe(emu.users[0].id);
    });

    it('R5: updates publish only the mapped fields that changed; unmapped-only changes publish nothing', async () => {
        const a = await admin.sobject('Account').create({ Name: 'Beta', AnnualRevenue: 1 });
        const parent = await admin.sobject('Account').create({ Name: 'Parent' });
        await admin.sobject('Account').update({ Id: a.id!, ParentId: parent.id });
        calls.length = 0;
        await admin.sobject('Account').update({ Id: a.id!, Description: 'only unmapped', Rating: 'Cold' });
        await admin.sobject('Account').update({ Id: a.id!, AnnualRevenue: 1.0 }); // same number (R5)
        await admin.sobject('Account').update({ Id: a.id!, ParentId: parent.id!.slice(0, 15) }); // same id, 15 chars (R5)
        expect(changes()).toEqual([]);
        await admin.sobject('Account').update({ Id: a.id!, Industry: 'Energy', AnnualRevenue: 2 });
        const p = last().payloads[0];
        expect(p.Change_Type__c).toBe('UPDATE');
        expect(only(p).changedFields).toEqual(['Industry', 'AnnualRevenue']);
        expect(only(p).values).toEqual({
            Name: 'Beta',
            Industry: 'Energy',
            AnnualRevenue: 2,
            ParentId: parent.id
        });
    });

    it('R5 + R6: delete publishes DELETE with [] and {}; undelete publishes UNDELETE with every mapped field', async () => {
        const a = await admin.sobject('Account').create({ Name: 'Gamma', Industry: 'Retail' });
        calls.length = 0;
        await admin.sobject('Account').destroy(a.id!);
        const del = last().payloads[0];
        const bin = await admin.query<{ SystemModstamp: string }>(
            `SELECT SystemModstamp FROM Account WHERE Id = '${a.id}'`,
            { scanAll: true }
        );
        expect(del.Change_Type__c).toBe('DELETE');
        expect(only(del)).toEqual({
            id: a.id,
            changedFields: [],
            values: {},
            modstamp: bin.records[0].SystemModstamp
        });
        await admin.soap.undelete([a.id!]);
        const und = last().payloads[0];
        expect(und.Change_Type__c).toBe('UNDELETE');
        expect(only(und).changedFields).toEqual(['Name', 'Industry', 'AnnualRevenue', 'ParentId']);
        expect(only(und).values).toMatchObject({ Name: 'Gamma', Industry: 'Retail' });
    });

    it("R6: Origin__c is 'statisfy' for the integration user (15- or 18-character id in the setting), else 'salesforce'", async () => {
        calls.length = 0;
        await integration.sobject('Account').create({ Name: 'From Statisfy' });
        expect(last().payloads[0]).toMatchObject({ Origin__c: 'statisfy', Changed_By_Id__c: emu.users[1].id });
        const r = await control(emu, 'POST', '/records/Account', {
            as: 'sales@statisfy.test',
            values: { Name: 'From a rep' }
        });
        expect(r.status).toBe(200);
        expect(last().payloads[0]).toMatchObject({ Origin__c: 'salesforce', Changed_By_Id__c: emu.users[2].id });
    });

    it('R6: a record whose values alone exceed 131,072 characters carries values null; the others keep theirs', async () => {
        emu.org.addField('Account', { name: 'Big_Text__c', type: 'textarea', length: 131072 });
        const m = await admin.sobject('Field_Mapping__c').create({
            Sync_Object__c: syncObjectId,
            Key__c: 'Account.Big',
            Display_Name__c: 'Big',
            Salesforce_Field__c: 'Big_Text__c'
        });
        calls.length = 0;
        await admin
            .sobject('Account')
            .create([{ Name: 'Small' }, { Name: 'Huge', Big_Text__c: 'x'.repeat(131000) }, { Name: 'Small too' }]);
        expect(changes()).toHaveLength(1);
        const parts = changes()[0].payloads;
        for (const p of parts) expect((p.Records__c as string).length).toBeLessThanOrEqual(131072);
        const all = parts.flatMap((p) => recordsOf(p));
        expect(all.map((r) => r.values === null)).toEqual([false, true, false]);
        expect(all[1].changedFields).toContain('Big_Text__c');
        await admin.sobject('Field_Mapping__c').destroy(m.id!);
    });

    it('R7: a chunk whose Records__c would exceed the limit is split greedily into numbered parts', async () => {
        emu.org.addField('Account', { name: 'Mid_Text__c', type: 'textarea', length: 131072 });
        const m = await admin.sobject('Field_Mapping__c').create({
            Sync_Object__c: syncObjectId,
            Key__c: 'Account.Mid',
            Display_Name__c: 'Mid',
            Salesforce_Field__c: 'Mid_Text__c'
        });
        calls.length = 0;
        const res = await admin
            .sobject('Account')
            .create(Array.from({ length: 10 }, (_, i) => ({ Name: `Mid ${i}`, Mid_Text__c: 'm'.repeat(30000) })));
        expect(changes()).toHaveLength(1); // one EventBus.publish for the chunk
        const parts = changes()[0].payloads;
        expect(parts.length).toBe(3); // 4 records of ~30,100 characters fit in 131,072
        expect(parts.map((p) => [p.Part__c, p.Part_Count__c])).toEqual([
            [1, 3],
            [2, 3],
            [3, 3]
        ]);
        expect(parts.map((p) => recordsOf(p).length)).toEqual([4, 4, 2]);
        expect(parts.flatMap((p) => recordsOf(p).map((r) => r.id))).toEqual(res.map((r) => r.id));
        await admin.sobject('Field_Mapping__c').destroy(m.id!);
    });

    it('R7: one publish per 200-record chunk, events in input order; a rolled-back save publishes nothing', async () => {
        calls.length = 0;
        const res = await admin
            .sobject('Account')
            .create(Array.from({ length: 200 }, (_, i) => ({ Name: `Chunk ${i}` })));
        expect(changes()).toHaveLength(1);
        expect(changes()[0].payloads).toHaveLength(1); // one event for the 200-record chunk
        expect(recordsOf(changes()[0].payloads[0]).map((r) => r.id)).toEqual(res.map((r) => r.id));
        calls.length = 0;
        await admin.sobject('Account').update(
            [
                { Id: res[0].id!, Name: 'ok' },
                { Id: res[1].id!, Name: 'y'.repeat(300) }
            ],
            { allOrNone: true }
        );
        expect(changes()).toEqual([]);
        // Bulk API 2.0 processes 200-record chunks: 250 rows → two publishes.
        calls.length = 0;
        admin.bulk2.pollInterval = 50;
        await admin.bulk2.loadAndWaitForResults({
            object: 'Account',
            operation: 'insert',
            input: Array.from({ length: 250 }, (_, i) => ({ Name: `Bulk ${i}` }))
        });
        expect(changes().map((c) => c.payloads.map((p) => recordsOf(p).length))).toEqual([[200], [50]]);
    });

    it('R7: a Composite request rolled back by allOrNone publishes nothing', async () => {
        calls.length = 0;
        await admin.request({
            method: 'POST',
            url: `/services/data/v${VERSION}/composite`,
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
                allOrNone: true,
                compositeRequest: [
                    {
                        method: 'POST',
                        url: `/services/data/v${VERSION}/sobjects/Account`,
                        referenceId: 'a',
                        body: { Name: 'Rolled back' }
                    },
                    { method: 'POST', url: `/services/data/v${VERSION}/sobjects/Account`, referenceId: 'b', body: {} }
                ]
            })
        });
        expect(changes()).toEqual([]);
    });

    it('R4: the record filter limits CREATE/UPDATE/UNDELETE but not DELETE; a bad filter publishes nothing and never fails the save', async () => {
        await admin.sobject('Sync_Object__c').update({ Id: syncObjectId, Record_Filter__c: "Industry = 'Banking'" });
        calls.length = 0;
        const yes = await admin.sobject('Account').create({ Name: 'Bank', Industry: 'Banking' });
        const no = await admin.sobject('Account').create({ Name: 'Shop', Industry: 'Retail' });
        expect(accountRecords().map((r) => r.id)).toEqual([yes.id]);
        await admin.sobject('Account').destroy(no.id!);
        expect(last().payloads[0]).toMatchObject({ Change_Type__c: 'DELETE' });
        expect(only(last().payloads[0]).id).toBe(no.id);
        await admin.sobject('Sync_Object__c').update({ Id: syncObjectId, Record_Filter__c: 'Industry = = broken' });
        calls.length = 0;
        const saved = await admin.sobject('Account').create({ Name: 'Still saved', Industry: 'Banking' });
        expect(saved.success).toBe(true);
        expect(accountEvents()).toEqual([]);
        expect(emu.org.publisher.stats.filterErrors.at(-1)).toMatchObject({
            object: 'Account',
            filter: 'Industry = = broken'
        });
        const status = await admin.query<{ Connection_State__c: string; Message__c: string }>(
            "SELECT Connection_State__c, Message__c FROM Sync_Status__c WHERE Object_Api_Name__c = 'Account'"
        );
        expect(status.records).toEqual([
            expect.objectContaining({
                Connection_State__c: 'Error',
                Message__c: expect.stringMatching(/^Record filter does not compile, nothing is published: /)
            })
        ]);
        await admin.sobject('Sync_Object__c').update({ Id: syncObjectId, Record_Filter__c: null });
    });

    it('R4: the filter is evaluated in each trigger invocation (create then update in one allOrNone Composite)', async () => {
        await admin.sobject('Sync_Object__c').update({ Id: syncObjectId, Record_Filter__c: "Industry = 'Banking'" });
        const composite = (first: string, then: string) =>
            admin.request<{ compositeResponse: Array<{ body: { id?: string } }> }>({
                method: 'POST',
                url: `/services/data/v${VERSION}/composite`,
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({
                    allOrNone: true,
                    compositeRequest: [
                        {
                            method: 'POST',
                            url: `/services/data/v${VERSION}/sobjects/Account`,
                            referenceId: 'acc',
                            body: { Name: `Went ${first} then ${then}`, Industry: first }
                        },
                        {
                            method: 'PATCH',
                            url: `/services/data/v${VERSION}/sobjects/Account/@{acc.id}`,
                            referenceId: 'upd',
                            body: { Industry: then }
                        }
                    ]
                })
            });
        calls.length = 0;
        // The after-insert query sees Banking (published); the after-update query sees Retail (not published).
        const out = await composite('Banking', 'Retail');
        const id = out.compositeResponse[0].body.id;
        expect(accountEvents().map((p) => [p.Change_Type__c, recordsOf(p).map((r) => r.id)])).toEqual([
            ['CREATE', [id]]
        ]);
        expect(only(accountEvents()[0]).values).toMatchObject({ Industry: 'Banking' });
        calls.length = 0;
        // The other way round: the insert is filtered out, the update is published.
        const out2 = await composite('Retail', 'Banking');
        expect(accountEvents().map((p) => [p.Change_Type__c, only(p).id, only(p).changedFields])).toEqual([
            ['UPDATE', out2.compositeResponse[0].body.id, ['Industry']]
        ]);
        await admin.sobject('Sync_Object__c').update({ Id: syncObjectId, Record_Filter__c: null });
    });

    it('R2: Publishing_Disabled__c stops publishing for the running user (user level over org default)', async () => {
        const [settings] = (await admin.query<{ Id: string }>('SELECT Id FROM Statisfy_Settings__c')).records;
        await admin.sobject('Statisfy_Settings__c').update({ Id: settings.Id, Publishing_Disabled__c: true });
        calls.length = 0;
        await admin.sobject('Account').create({ Name: 'Silent' });
        expect(changes()).toEqual([]);
        await admin
            .sobject('Statisfy_Settings__c')
            .create({ SetupOwnerId: emu.users[1].id, Publishing_Disabled__c: false });
        calls.length = 0;
        await integration.sobject('Account').create({ Name: 'Integration still publishes' });
        expect(accountRecords()).toHaveLength(1);
        await admin.sobject('Statisfy_Settings__c').update({ Id: settings.Id, Publishing_Disabled__c: false });
    });
    it('an org on an older package version publishes the one-record shape, which the contract still reads', async () => {
        expect((await control(emu, 'POST', '/package/shape', { shape: 'legacy' })).status).toBe(200);
        calls.length = 0;
        const res = await admin.sobject('Account').create([{ Name: 'Old 1' }, { Name: 'Old 2' }]);
        const events = accountEvents();
        expect(events.map((p) => p.Record_Id__c)).toEqual(res.map((r) => r.id));
        expect(events[0]).not.toHaveProperty('Records__c', expect.anything());
        expect(expandRecordChange(events[0])[0]).toMatchObject({ recordId: res[0].id, shape: 'legacy' });
        expect((await control(emu, 'POST', '/package/shape', { shape: 'newest' })).status).toBe(400);
        await control(emu, 'POST', '/package/shape', { shape: 'batched' });
    });
});

describe('Record_Change__e contract (namespaced package, statisfy__)', () => {
    let emu: RunningEmulator;
    let calls: PublishCall[];

    beforeAll(async () => {
        emu = await start({ seed: 'demo', namespace: 'statisfy' });
        calls = record(emu);
    });
    afterAll(() => emu.stop());

    it('R6: event, payload fields and package field names carry the prefix; customer objects do not', async () => {
        const conn = await soapLogin(emu);
        const [plan] = (await conn.query<{ Id: string }>('SELECT Id FROM Success_Plan__c LIMIT 1')).records;
        await conn.sobject('Success_Plan__c').update({ Id: plan.Id, Status__c: 'At Risk' });
        const c = calls.find((x) => x.event === 'statisfy__Record_Change__e')!;
        expect(c.payloads[0]).toMatchObject({
            statisfy__Object_Api_Name__c: 'Success_Plan__c',
            statisfy__Change_Type__c: 'UPDATE',
            statisfy__Origin__c: 'salesforce',
            statisfy__Part__c: 1,
            statisfy__Part_Count__c: 1
        });
        expect(only(c.payloads[0], 'statisfy__').changedFields).toEqual(['Status__c']);
        expect(expandRecordChange(c.payloads[0], { namespace: 'statisfy' })[0]).toMatchObject({
            recordId: plan.Id,
            changeType: 'UPDATE'
        });
        const [so] = (
            await conn.query<{ Id: string }>(
                "SELECT Id FROM statisfy__Sync_Object__c WHERE statisfy__Object_Api_Name__c = 'Account'"
            )
        ).records;
        await conn.sobject('statisfy__Sync_Object__c').update({ Id: so.Id, statisfy__Display_Name__c: 'Customers' });
        const p = calls.at(-1)!.payloads[0];
        expect(p.statisfy__Object_Api_Name__c).toBe('statisfy__Sync_Object__c');
        expect(only(p, 'statisfy__').changedFields).toEqual(['statisfy__Display_Name__c']);
        expect(Object.keys(only(p, 'statisfy__').values!)).toEqual([
            'Name',
            'statisfy__Object_Api_Name__c',
            'statisfy__Display_Name__c',
            'statisfy__Sync_To_Salesforce__c',
            'statisfy__Enabled__c',
            'statisfy__Record_Filter__c',
            'statisfy__Conflict_Policy__c'
        ]);
    });
});
