/**
 * Conformance: SOQL relationship queries through unmodified jsforce — child relationship subqueries
 * (the package's SyncObjectSelector uses one), parent paths several levels deep, Salesforce's limits
 * and errors, and the `columns=true` column metadata the sf CLI reads.
 */
import type { RunningEmulator } from '../src/server';
import { VERSION, errorOf, jsforce, soapLogin, start } from './conformance.helpers';

type Row = Record<string, unknown>;

describe('conformance: relationship queries', () => {
    let emu: RunningEmulator;
    let conn: jsforce.Connection;
    let acme: string;

    beforeAll(async () => {
        emu = await start({ seed: 'empty' });
        conn = await soapLogin(emu);
        acme = ((await conn.sobject('Account').create({ Name: 'Acme' })) as { id: string }).id;
        await conn.sobject('Account').create({ Name: 'Lonely' });
        for (const n of ['Cyd', 'Abe', 'Bea'])
            await conn.sobject('Contact').create({ LastName: n, AccountId: acme, Email: `${n.toLowerCase()}@x.test` });
        await conn.sobject('Contact').create({ LastName: 'Orphan' });
    });
    afterAll(() => emu.stop());

    const query = async (soql: string) => (await conn.query<Row>(soql)).records;

    it('returns children as a nested query result, null for a parent without children', async () => {
        const rows = await query(
            "SELECT Name, (SELECT LastName FROM Contacts WHERE LastName != 'Bea' ORDER BY LastName DESC LIMIT 5) FROM Account ORDER BY Name"
        );
        expect(rows.map((r) => r.Name)).toEqual(['Acme', 'Lonely']);
        const children = rows[0].Contacts as { totalSize: number; done: boolean; records: Row[] };
        expect(children).toMatchObject({ totalSize: 2, done: true });
        expect(children.records.map((c) => c.LastName)).toEqual(['Cyd', 'Abe']);
        expect(children.records[0].attributes).toMatchObject({ type: 'Contact' });
        expect(rows[1].Contacts).toBeNull();
    });

    it('applies LIMIT and OFFSET of a subquery per parent, and reads parent fields inside it', async () => {
        const rows = await query(
            "SELECT Id, (SELECT LastName, Account.Name FROM Contacts ORDER BY LastName LIMIT 1 OFFSET 1) FROM Account WHERE Name = 'Acme'"
        );
        const c = (rows[0].Contacts as { records: Row[] }).records;
        expect(c).toHaveLength(1);
        expect(c[0]).toMatchObject({ LastName: 'Bea', Account: { Name: 'Acme' } });
    });

    it('follows parent paths more than one level deep, null where a lookup is empty', async () => {
        const rows = await query(
            'SELECT LastName, Account.Owner.Name, Account.Owner.Email FROM Contact ORDER BY LastName'
        );
        const abe = rows.find((r) => r.LastName === 'Abe')!;
        const owner = emu.org.store.get(emu.users[0].id)!.rec as { Name: string; Email: string };
        expect(abe.Account).toMatchObject({
            attributes: { type: 'Account' },
            Owner: { attributes: { type: 'User' }, Name: owner.Name, Email: owner.Email }
        });
        expect(rows.find((r) => r.LastName === 'Orphan')!.Account).toBeNull();
        const filtered = await query(
            `SELECT LastName FROM Contact WHERE Account.Owner.Email = '${owner.Email}' ORDER BY Account.Owner.Name, LastName`
        );
        expect(filtered.map((r) => r.LastName)).toEqual(['Abe', 'Bea', 'Cyd']);
    });

    it('refuses more than five parent levels and more than 20 subqueries, and unknown child relationships', async () => {
        const deep = await errorOf(() =>
            query('SELECT Account.Owner.CreatedBy.CreatedBy.CreatedBy.CreatedBy.Name FROM Contact')
        );
        expect(deep.errorCode).toBe('MALFORMED_QUERY');
        expect(deep.message).toContain('more than 5 levels away from the root entity object');
        const five = await query('SELECT Account.Owner.CreatedBy.CreatedBy.CreatedBy.Name FROM Contact LIMIT 1');
        expect(five).toHaveLength(1);
        const many = Array.from({ length: 21 }, () => '(SELECT Id FROM Contacts)').join(', ');
        const tooMany = await errorOf(() => query(`SELECT Id, ${many} FROM Account`));
        expect(tooMany.errorCode).toBe('MALFORMED_QUERY');
        const unknown = await errorOf(() => query('SELECT Id, (SELECT Id FROM Contactz) FROM Account'));
        expect(unknown.errorCode).toBe('INVALID_TYPE');
        expect(unknown.message).toContain("Didn't understand relationship 'Contactz' in FROM part of query call");
    });

    it('serves the package child relationship as SyncObjectSelector queries it (namespaced too)', async () => {
        const ns = await start({ seed: 'demo', namespace: 'statisfy' });
        try {
            const c = await soapLogin(ns);
            const rows = (
                await c.query<Row>(
                    "SELECT Id, statisfy__Object_Api_Name__c, (SELECT Id, statisfy__Salesforce_Field__c FROM statisfy__Field_Mappings__r) FROM statisfy__Sync_Object__c WHERE statisfy__Object_Api_Name__c = 'Account'"
                )
            ).records;
            expect(rows).toHaveLength(1);
            const mappings = rows[0].statisfy__Field_Mappings__r as { totalSize: number; records: Row[] };
            expect(mappings.totalSize).toBeGreaterThan(0);
            expect(mappings.records[0]).toHaveProperty('statisfy__Salesforce_Field__c');
        } finally {
            await ns.stop();
        }
    });

    it('answers columns=true with column metadata: parent paths as joinColumns, subqueries as aggregates', async () => {
        const columns = async (soql: string) =>
            (
                await conn.request<{ columnMetadata: Row[]; entityName: string }>(
                    `/services/data/v${VERSION}/query?q=${encodeURIComponent(soql)}&columns=true`
                )
            ).columnMetadata;
        const account = await columns('SELECT Id, Owner.Name, (SELECT LastName FROM Contacts) FROM Account');
        expect(account.map((c) => c.columnName)).toEqual(['Id', 'Owner', 'Contacts']);
        expect(account[1]).toMatchObject({ foreignKeyName: 'OwnerId', joinColumns: [{ columnName: 'Name' }] });
        expect(account[2]).toMatchObject({ aggregate: true, joinColumns: [{ columnName: 'LastName' }] });
        const contact = await columns('SELECT Account.Owner.Name FROM Contact');
        expect(contact).toEqual([
            expect.objectContaining({
                columnName: 'Account',
                joinColumns: [
                    expect.objectContaining({
                        columnName: 'Owner',
                        joinColumns: [
                            expect.objectContaining({ columnName: 'Name', displayName: 'Account.Owner.Name' })
                        ]
                    })
                ]
            })
        ]);
    });
});
