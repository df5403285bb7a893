import { executeSoql, executeSoqlPaged, parseSoql, type SoqlResult } from '../src/soql';
import { MemorySource, field, fixtureOrg, lookup, object } from './soql-fixtures';

const { src, ids } = fixtureOrg();

function run(soql: string, includeDeleted = false): SoqlResult {
    return executeSoql(soql, src, { includeDeleted, apiVersion: '60.0' });
}

/** Names of the rows a query returns, in order. */
function names(soql: string, includeDeleted = false): unknown[] {
    return run(soql, includeDeleted).records.map((r) => r.Name ?? r.LastName);
}

/** Names, sorted, for filters whose order does not matter. */
function set(soql: string): unknown[] {
    return names(soql)
        .map(String)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('SELECT and result shape', () => {
    it('returns records in REST shape with attributes first and fields in select order', () => {
        const res = run(`SELECT Name, Id, Industry FROM Account WHERE Name = 'Acme'`);
        expect(res).toEqual({
            totalSize: 1,
            objectName: 'Account',
            records: [
                {
                    attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/${ids.A1}` },
                    Name: 'Acme',
                    Id: ids.A1,
                    Industry: 'Tech'
                }
            ]
        });
        expect(Object.keys(res.records[0])).toEqual(['attributes', 'Name', 'Id', 'Industry']);
    });

    it('matches object and field names case-insensitively and answers with the describe spelling', () => {
        const res = run(`select name, INDUSTRY, annualrevenue from account where NAME = 'Globex'`);
        expect(res.objectName).toBe('Account');
        expect(res.records[0]).toEqual({
            attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/${ids.A2}` },
            Name: 'Globex',
            Industry: 'Finance',
            AnnualRevenue: 5000
        });
    });

    it('accepts an apiVersion with a leading v', () => {
        const res = executeSoql(`SELECT Id FROM User WHERE Name = 'Una User'`, src, {
            includeDeleted: false,
            apiVersion: 'v61.0'
        });
        expect(res.records[0].attributes).toEqual({
            type: 'User',
            url: `/services/data/v61.0/sobjects/User/${ids.U1}`
        });
    });

    it('returns null for blank fields', () => {
        const res = run(`SELECT Industry, AnnualRevenue FROM Account WHERE Name = 'Initech'`);
        expect(res.records[0]).toMatchObject({ Industry: null, AnnualRevenue: null });
    });

    it('allows the object name as a prefix of its own fields', () => {
        expect(run(`SELECT Account.Name FROM Account WHERE Account.Name = 'Acme'`).records[0].Name).toBe('Acme');
    });
});

describe('parent relationship fields', () => {
    it('nests parent fields under the relationship name with their own attributes', () => {
        const res = run(`SELECT LastName, Account.Name, Account.Industry FROM Contact WHERE LastName = 'Smith'`);
        expect(res.records[0]).toEqual({
            attributes: { type: 'Contact', url: `/services/data/v60.0/sobjects/Contact/${ids.C1}` },
            LastName: 'Smith',
            Account: {
                attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/${ids.A1}` },
                Name: 'Acme',
                Industry: 'Tech'
            }
        });
    });

    it('returns null for the relationship when the lookup is empty', () => {
        const res = run(`SELECT LastName, Account.Name FROM Contact WHERE LastName = 'Brown'`);
        expect(res.records[0].Account).toBeNull();
    });

    it('resolves Owner.Name and custom __r relationships, case-insensitively', () => {
        expect(run(`SELECT owner.name FROM Account WHERE Name = 'Globex'`).records[0].Owner).toMatchObject({
            Name: 'Vic User'
        });
        const p = run(`SELECT Name, account__R.name FROM Project__c WHERE Name = 'Alpha'`).records[0];
        expect(p.Account__r).toEqual({
            attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/${ids.A1}` },
            Name: 'Acme'
        });
    });

    it('filters on parent fields, a null parent never matching a value', () => {
        expect(set(`SELECT LastName FROM Contact WHERE Account.Industry = 'Tech'`)).toEqual(['Smith']);
        expect(set(`SELECT LastName FROM Contact WHERE Account.Name = null`)).toEqual(['Brown']);
        expect(set(`SELECT LastName FROM Contact WHERE Account.Name != null`)).toEqual(['Jones', "O'Neil", 'Smith']);
    });

    it('orders by a parent field with the null parent first (ASC default)', () => {
        expect(names(`SELECT LastName FROM Contact ORDER BY Account.Name`)).toEqual([
            'Brown',
            'Smith',
            'Jones',
            "O'Neil"
        ]);
        expect(names(`SELECT LastName FROM Contact ORDER BY Account.Name DESC`)).toEqual([
            "O'Neil",
            'Jones',
            'Smith',
            'Brown'
        ]);
    });

    it('reads a self-relationship (Parent.Name)', () => {
        expect(run(`SELECT Parent.Name FROM Account WHERE Name = 'Initech'`).records[0].Parent).toMatchObject({
            Name: 'Acme'
        });
    });
});

describe('WHERE operators', () => {
    it('= and != on text are case-insensitive; != includes nulls', () => {
        expect(set(`SELECT Name FROM Account WHERE Name = 'ACME'`)).toEqual(['Acme']);
        expect(set(`SELECT Name FROM Account WHERE Industry != 'tech'`)).toEqual(['Globex', 'Initech']);
        expect(set(`SELECT Name FROM Account WHERE Industry <> 'Tech'`)).toEqual(['Globex', 'Initech']);
    });

    it('= null, != null and the empty string as null', () => {
        expect(set(`SELECT Name FROM Account WHERE Industry = null`)).toEqual(['Initech']);
        expect(set(`SELECT Name FROM Account WHERE Industry = ''`)).toEqual(['Initech']);
        expect(set(`SELECT Name FROM Account WHERE Industry != null`)).toEqual(['Acme', 'Globex', 'acme labs']);
    });

    it('< <= > >= on numbers, with nulls never matching', () => {
        expect(set(`SELECT Name FROM Account WHERE AnnualRevenue > 1000`)).toEqual(['Globex']);
        expect(set(`SELECT Name FROM Account WHERE AnnualRevenue >= 1000`)).toEqual(['Acme', 'Globex']);
        expect(set(`SELECT Name FROM Account WHERE AnnualRevenue < 1000`)).toEqual(['acme labs']);
        expect(set(`SELECT Name FROM Account WHERE AnnualRevenue <= 1000`)).toEqual(['Acme', 'acme labs']);
        expect(set(`SELECT Name FROM Account WHERE NumberOfEmployees > -1`)).toEqual(['Acme', 'Globex', 'Initech']);
        expect(set(`SELECT Name FROM Project__c WHERE Budget__c = 100.5`)).toEqual(['Alpha']);
    });

    it('< > on text compare case-insensitively', () => {
        expect(set(`SELECT Name FROM Account WHERE Name < 'b'`)).toEqual(['Acme', 'acme labs']);
        expect(set(`SELECT Name FROM Account WHERE Name >= 'GLOBEX'`)).toEqual(['Globex', 'Initech']);
    });

    it('LIKE with % and _, case-insensitive, escapes and regex characters taken literally', () => {
        expect(set(`SELECT Name FROM Account WHERE Name LIKE 'acme%'`)).toEqual(['Acme', 'acme labs']);
        expect(set(`SELECT Name FROM Account WHERE Name LIKE '%E_'`)).toEqual(['Globex']);
        expect(set(`SELECT Name FROM Account WHERE Name LIKE 'acme'`)).toEqual(['Acme']);
        expect(set(`SELECT Name FROM Account WHERE Name LIKE 'a.me%'`)).toEqual([]);
        expect(set(`SELECT LastName FROM Contact WHERE LastName LIKE 'O\\'%'`)).toEqual(["O'Neil"]);
        expect(set(`SELECT LastName FROM Contact WHERE Email LIKE '%\\_%'`)).toEqual([]);
        expect(set(`SELECT Name FROM Account WHERE Industry LIKE '%'`)).toEqual(['Acme', 'Globex', 'acme labs']);
    });

    it('IN and NOT IN, with null in the list', () => {
        expect(set(`SELECT Name FROM Account WHERE Industry IN ('tech', 'Finance')`)).toEqual([
            'Acme',
            'Globex',
            'acme labs'
        ]);
        expect(set(`SELECT Name FROM Account WHERE Industry NOT IN ('Tech')`)).toEqual(['Globex', 'Initech']);
        expect(set(`SELECT Name FROM Account WHERE Industry IN ('Finance', null)`)).toEqual(['Globex', 'Initech']);
        expect(set(`SELECT Name FROM Account WHERE Industry NOT IN ('Finance', null)`)).toEqual(['Acme', 'acme labs']);
        expect(set(`SELECT Name FROM Account WHERE NumberOfEmployees IN (10, 200)`)).toEqual(['Globex', 'Initech']);
    });

    it('INCLUDES and EXCLUDES on multi-select picklists (; means AND, , means OR)', () => {
        expect(set(`SELECT Name FROM Project__c WHERE Skills__c INCLUDES ('java')`)).toEqual(['Alpha', 'Beta']);
        expect(set(`SELECT Name FROM Project__c WHERE Skills__c INCLUDES ('Java;Apex')`)).toEqual(['Alpha']);
        expect(set(`SELECT Name FROM Project__c WHERE Skills__c INCLUDES ('Python', 'Apex')`)).toEqual([
            'Alpha',
            'Beta'
        ]);
        expect(set(`SELECT Name FROM Project__c WHERE Skills__c EXCLUDES ('Apex')`)).toEqual(['Beta', 'Gamma']);
        expect(set(`SELECT Name FROM Project__c WHERE Skills__c = 'java;apex'`)).toEqual(['Alpha']);
        expect(set(`SELECT Name FROM Project__c WHERE Skills__c != 'Java'`)).toEqual(['Alpha', 'Beta', 'Gamma']);
    });

    it('booleans', () => {
        expect(set(`SELECT Name FROM Account WHERE IsActive__c = true`)).toEqual(['Acme', 'Initech']);
        expect(set(`SELECT Name FROM Account WHERE IsActive__c = FALSE`)).toEqual(['Globex', 'acme labs']);
        expect(set(`SELECT Name FROM Account WHERE IsActive__c != true`)).toEqual(['Globex', 'acme labs']);
    });

    it('ids: 15- and 18-character forms, and an 18-character id in any case', () => {
        const a1 = ids.A1;
        expect(set(`SELECT Name FROM Account WHERE Id = '${a1}'`)).toEqual(['Acme']);
        expect(set(`SELECT Name FROM Account WHERE Id = '${a1.slice(0, 15)}'`)).toEqual(['Acme']);
        expect(set(`SELECT Name FROM Account WHERE Id = '${a1.toLowerCase()}'`)).toEqual(['Acme']);
        // A 15-character id is case-sensitive: the lower-cased form names another record.
        expect(set(`SELECT Name FROM Account WHERE Id = '${a1.slice(0, 15).toLowerCase()}'`)).toEqual([]);
        expect(set(`SELECT LastName FROM Contact WHERE AccountId IN ('${ids.A1}', '${ids.A2.slice(0, 15)}')`)).toEqual([
            'Jones',
            'Smith'
        ]);
        expect(set(`SELECT LastName FROM Contact WHERE AccountId = null`)).toEqual(['Brown']);
        expect(names(`SELECT Name FROM Account WHERE Id > '${ids.A2}' ORDER BY Id`)).toEqual(['Initech', 'acme labs']);
    });

    it('dates and datetimes against literal values', () => {
        expect(set(`SELECT Name FROM Account WHERE Founded__c = 2024-05-14`)).toEqual(['Acme']);
        expect(set(`SELECT Name FROM Account WHERE Founded__c < 2024-05-01`)).toEqual(['Globex', 'Initech']);
        expect(set(`SELECT Name FROM Account WHERE CreatedDate >= 2024-05-15T00:00:00Z`)).toEqual([
            'Acme',
            'acme labs'
        ]);
        expect(set(`SELECT Name FROM Account WHERE CreatedDate > 2024-05-15T09:00:00+01:00`)).toEqual(['acme labs']);
        expect(set(`SELECT Name FROM Account WHERE CreatedDate = 2024-05-15T08:00:00.000Z`)).toEqual(['Acme']);
        expect(set(`SELECT Name FROM Account WHERE CreatedDate = 2024-05-14T19:59:59-04:00`)).toEqual(['Globex']);
    });
});

describe('logical operators and precedence', () => {
    it('AND, OR and NOT', () => {
        expect(set(`SELECT Name FROM Account WHERE Industry = 'Tech' AND AnnualRevenue > 500`)).toEqual(['Acme']);
        expect(set(`SELECT Name FROM Account WHERE Industry = 'Finance' OR AnnualRevenue < 500`)).toEqual([
            'Globex',
            'acme labs'
        ]);
        expect(set(`SELECT Name FROM Account WHERE NOT Industry = 'Tech'`)).toEqual(['Globex', 'Initech']);
        expect(set(`SELECT Name FROM Account WHERE Name != 'x' AND (NOT Industry = null)`)).toEqual([
            'Acme',
            'Globex',
            'acme labs'
        ]);
    });

    it('parentheses decide grouping', () => {
        expect(
            set(`SELECT Name FROM Account WHERE (Industry = 'Finance' OR Industry = null) AND IsActive__c = true`)
        ).toEqual(['Initech']);
        expect(
            set(`SELECT Name FROM Account WHERE Industry = 'Finance' OR (Industry = null AND IsActive__c = true)`)
        ).toEqual(['Globex', 'Initech']);
        expect(set(`SELECT Name FROM Account WHERE ((Name LIKE 'a%') AND (NOT (IsActive__c = true)))`)).toEqual([
            'acme labs'
        ]);
    });

    it('long AND and OR chains', () => {
        expect(set(`SELECT Name FROM Account WHERE Name != 'a' AND Name != 'b' AND Name != 'Acme'`)).toEqual([
            'Globex',
            'Initech',
            'acme labs'
        ]);
        expect(set(`SELECT Name FROM Account WHERE Name = 'Acme' OR Name = 'Globex' OR Name = 'Initech'`)).toEqual([
            'Acme',
            'Globex',
            'Initech'
        ]);
    });
});

describe('ORDER BY, LIMIT and OFFSET', () => {
    it('orders ascending with nulls first by default, descending with nulls last', () => {
        expect(names(`SELECT Name FROM Account ORDER BY AnnualRevenue`)).toEqual([
            'Initech',
            'acme labs',
            'Acme',
            'Globex'
        ]);
        expect(names(`SELECT Name FROM Account ORDER BY AnnualRevenue DESC`)).toEqual([
            'Globex',
            'Acme',
            'acme labs',
            'Initech'
        ]);
    });

    it('honours NULLS FIRST and NULLS LAST', () => {
        expect(names(`SELECT Name FROM Account ORDER BY AnnualRevenue ASC NULLS LAST`)).toEqual([
            'acme labs',
            'Acme',
            'Globex',
            'Initech'
        ]);
        expect(names(`SELECT Name FROM Account ORDER BY AnnualRevenue DESC NULLS FIRST`)).toEqual([
            'Initech',
            'Globex',
            'Acme',
            'acme labs'
        ]);
    });

    it('orders text case-insensitively and by several fields', () => {
        expect(names(`SELECT Name FROM Account ORDER BY Name`)).toEqual(['Acme', 'acme labs', 'Globex', 'Initech']);
        expect(names(`SELECT Name FROM Account ORDER BY Industry DESC, Name DESC`)).toEqual([
            'acme labs',
            'Acme',
            'Globex',
            'Initech'
        ]);
        expect(names(`SELECT Name FROM Account ORDER BY IsActive__c, CreatedDate DESC`)).toEqual([
            'acme labs',
            'Globex',
            'Acme',
            'Initech'
        ]);
        expect(names(`SELECT Name FROM Account ORDER BY Founded__c DESC`)).toEqual([
            'acme labs',
            'Acme',
            'Globex',
            'Initech'
        ]);
    });

    it('LIMIT and OFFSET apply after ordering', () => {
        expect(names(`SELECT Name FROM Account ORDER BY Name LIMIT 2`)).toEqual(['Acme', 'acme labs']);
        expect(names(`SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1`)).toEqual(['acme labs', 'Globex']);
        expect(names(`SELECT Name FROM Account ORDER BY Name OFFSET 3`)).toEqual(['Initech']);
        expect(names(`SELECT Name FROM Account ORDER BY Name OFFSET 10`)).toEqual([]);
        expect(names(`SELECT Name FROM Account LIMIT 0`)).toEqual([]);
        expect(run(`SELECT Name FROM Account LIMIT 3`).totalSize).toBe(3);
    });

    it('without ORDER BY keeps the source order, LIMIT stopping early', () => {
        expect(names(`SELECT Name FROM Account LIMIT 2 OFFSET 1`)).toEqual(['Globex', 'Initech']);
    });
});

describe('COUNT()', () => {
    it('returns the count as totalSize and no records', () => {
        expect(run(`SELECT COUNT() FROM Account`)).toEqual({ totalSize: 4, records: [], objectName: 'Account' });
        expect(run(`SELECT count() FROM Account WHERE Industry = 'Tech'`).totalSize).toBe(2);
        expect(run(`SELECT COUNT() FROM Contact WHERE Account.Name = null`).totalSize).toBe(1);
    });

    it('respects LIMIT and includeDeleted', () => {
        expect(run(`SELECT COUNT() FROM Account LIMIT 2`).totalSize).toBe(2);
        expect(run(`SELECT COUNT() FROM Account`, true).totalSize).toBe(5);
    });
});

describe('includeDeleted (queryAll)', () => {
    it('hides deleted records from query and shows them to queryAll', () => {
        expect(set(`SELECT Name FROM Account WHERE Industry = 'Tech'`)).toEqual(['Acme', 'acme labs']);
        expect(names(`SELECT Name FROM Account WHERE IsDeleted = true`, true)).toEqual(['Deleted Co']);
        expect(names(`SELECT Name FROM Account WHERE IsDeleted = true`)).toEqual([]);
    });

    it('filters deleted records even when the data source returns them', () => {
        const leaky = {
            describe: src.describe.bind(src),
            byId: src.byId.bind(src),
            now: src.now.bind(src),
            records: (name: string) => src.records(name, { includeDeleted: true })
        };
        const res = executeSoql(`SELECT Name FROM Account`, leaky, { includeDeleted: false, apiVersion: '60.0' });
        expect(res.records.map((r) => r.Name)).not.toContain('Deleted Co');
    });
});

describe('prepared queries', () => {
    it('executes a parsed query repeatedly, reading now() each time', () => {
        const parsed = parseSoql(`SELECT Name FROM Dated__c WHERE D__c = TODAY`);
        let now = new Date('2024-05-15T12:00:00Z');
        const moving = { ...bind(src), now: () => now };
        expect(
            executeSoql(parsed, moving, { includeDeleted: false, apiVersion: '60.0' }).records.map((r) => r.Name)
        ).toEqual(['2024-05-15']);
        now = new Date('2024-05-16T00:30:00Z');
        expect(
            executeSoql(parsed, moving, { includeDeleted: false, apiVersion: '60.0' }).records.map((r) => r.Name)
        ).toEqual(['2024-05-16']);
    });
});

function bind(s: typeof src) {
    return {
        describe: s.describe.bind(s),
        byId: s.byId.bind(s),
        records: s.records.bind(s),
        now: s.now.bind(s)
    };
}

describe('polymorphic lookups', () => {
    it('resolves each record against its own parent type', () => {
        const { src: poly, ids: pids } = fixtureOrg();
        const task = object('Task', '00T', [
            field('Subject', 'string'),
            lookup('WhatId', ['Account', 'Project__c'], 'What')
        ]);
        const withTask = new MemorySource([
            ...['User', 'Account', 'Contact', 'Project__c'].map((n) => poly.describe(n)!),
            task
        ]);
        for (const name of ['User', 'Account', 'Project__c']) {
            for (const r of poly.records(name, { includeDeleted: true })) withTask.add(name, { ...r });
        }
        withTask.add('Task', { Subject: 'call', WhatId: pids.A1 });
        withTask.add('Task', { Subject: 'plan', WhatId: pids.P2 });
        withTask.add('Task', { Subject: 'none', WhatId: null });
        const res = executeSoql(`SELECT Subject, What.Name FROM Task ORDER BY What.Name`, withTask, {
            includeDeleted: false,
            apiVersion: '60.0'
        });
        expect(res.records.map((r) => [r.Subject, r.What])).toEqual([
            ['none', null],
            [
                'call',
                {
                    attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/${pids.A1}` },
                    Name: 'Acme'
                }
            ],
            [
                'plan',
                {
                    attributes: { type: 'Project__c', url: `/services/data/v60.0/sobjects/Project__c/${pids.P2}` },
                    Name: 'Beta'
                }
            ]
        ]);
        expect(
            executeSoql(`SELECT COUNT() FROM Task WHERE What.Name LIKE 'b%'`, withTask, {
                includeDeleted: false,
                apiVersion: '60.0'
            }).totalSize
        ).toBe(1);
    });
});

describe('Id filters read by id instead of scanning', () => {
    const noScan = {
        ...bind(src),
        records: (): never => {
            throw new Error('scanned the object');
        }
    };
    const byId = (soql: string, includeDeleted = false): unknown[] =>
        executeSoql(soql, noScan, { includeDeleted, apiVersion: '60.0' }).records.map((r) => r.Name);

    it('answers Id = and Id IN from byId, still applying the rest of the filter', () => {
        expect(byId(`SELECT Name FROM Account WHERE Id = '${ids.A2}'`)).toEqual(['Globex']);
        expect(
            byId(`SELECT Name FROM Account WHERE Id IN ('${ids.A3}', '${ids.A1.slice(0, 15)}', '${ids.A3}')`)
        ).toEqual(['Initech', 'Acme']);
        expect(byId(`SELECT Name FROM Account WHERE Name != 'Acme' AND Id IN ('${ids.A1}', '${ids.A2}')`)).toEqual([
            'Globex'
        ]);
        expect(byId(`SELECT Name FROM Account WHERE Id IN ('${ids.A1}', '${ids.A2}') ORDER BY Name DESC`)).toEqual([
            'Globex',
            'Acme'
        ]);
    });

    it('ignores ids of other objects, deleted records (unless queryAll) and null', () => {
        expect(byId(`SELECT Name FROM Account WHERE Id = '${ids.C1}'`)).toEqual([]);
        expect(byId(`SELECT Name FROM Account WHERE Id = '${ids.A5}'`)).toEqual([]);
        expect(byId(`SELECT Name FROM Account WHERE Id = '${ids.A5}'`, true)).toEqual(['Deleted Co']);
        expect(byId(`SELECT Name FROM Account WHERE Id = null`)).toEqual([]);
        expect(byId(`SELECT Name FROM Account WHERE Id = '${ids.A1.toLowerCase()}'`)).toEqual(['Acme']);
    });

    it('scans when the Id condition is not required (OR, NOT IN, !=)', () => {
        expect(() => byId(`SELECT Name FROM Account WHERE Id = '${ids.A1}' OR Name = 'x'`)).toThrow(
            'scanned the object'
        );
        expect(() => byId(`SELECT Name FROM Account WHERE Id NOT IN ('${ids.A1}')`)).toThrow('scanned the object');
        expect(() => byId(`SELECT Name FROM Account WHERE Id != '${ids.A1}'`)).toThrow('scanned the object');
    });
});

describe('executeSoqlPaged', () => {
    it('builds records page by page, matching executeSoql', () => {
        const soql = `SELECT LastName, Account.Name FROM Contact ORDER BY LastName`;
        const full = run(soql);
        const paged = executeSoqlPaged(soql, src, { includeDeleted: false, apiVersion: '60.0' });
        expect(paged.totalSize).toBe(4);
        expect(paged.objectName).toBe('Contact');
        expect([...paged.page(0, 3), ...paged.page(3, 10)]).toEqual(full.records);
        expect(paged.page(-5, 1)).toEqual(full.records.slice(0, 1));
        expect(paged.page(10, 20)).toEqual([]);
    });

    it('COUNT() pages are empty', () => {
        const paged = executeSoqlPaged('SELECT COUNT() FROM Contact', src, {
            includeDeleted: false,
            apiVersion: '60.0'
        });
        expect(paged.totalSize).toBe(4);
        expect(paged.page(0, 10)).toEqual([]);
    });
});
