import { executeSoql, parseSoql, SoqlError } from '../src/soql';
import { fixtureOrg } from './soql-fixtures';

const { src, ids } = fixtureOrg();

/** The SoqlError a query raises (fails the test when it does not raise one). */
function failure(soql: string): SoqlError {
    try {
        executeSoql(soql, src, { includeDeleted: false, apiVersion: '60.0' });
    } catch (e) {
        if (e instanceof SoqlError) return e;
        throw e;
    }
    throw new Error(`expected a SoqlError from: ${soql}`);
}

const NO_COLUMN = (f: string, e: string): string =>
    `No such column '${f}' on entity '${e}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`;
const NO_TYPE = (t: string): string =>
    `sObject type '${t}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`;
const NO_REL = (r: string): string =>
    `Didn't understand relationship '${r}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`;
const EMU = 'is not supported by the Statisfy Salesforce emulator';

describe('exact Salesforce messages', () => {
    it('unknown object: INVALID_TYPE with the snippet, caret and position', () => {
        const e = failure(`SELECT Id, Name, AccountNumber FROM AccountOpps WHERE Name like 'okToDelete%'`);
        expect(e.errorCode).toBe('INVALID_TYPE');
        expect(e.message).toBe(
            "\nSELECT Id, Name, AccountNumber FROM AccountOpps WHERE Name like 'okToDelete%'\n" +
                '                                    ^\n' +
                'ERROR at Row:1:Column:37\n' +
                NO_TYPE('AccountOpps')
        );
        expect(e.location).toEqual({ row: 1, column: 37 });
        expect(e.detail).toBe(NO_TYPE('AccountOpps'));
    });

    it('unknown field: INVALID_FIELD', () => {
        const e = failure('SELECT Bacon__c FROM Account LIMIT 2');
        expect(e.errorCode).toBe('INVALID_FIELD');
        expect(e.message).toBe(
            '\nSELECT Bacon__c FROM Account LIMIT 2\n       ^\nERROR at Row:1:Column:8\n' +
                NO_COLUMN('Bacon__c', 'Account')
        );
    });

    it('long lines are cut to a window around the error', () => {
        const e = failure(
            `SELECT Id, Name, Industry, AnnualRevenue, NumberOfEmployees, Bogus__c, OwnerId, ParentId FROM Account WHERE Name != null`
        );
        expect(e.message.split('\n').slice(0, 4)).toEqual([
            '',
            'AnnualRevenue, NumberOfEmployees, Bogus__c, OwnerId, ParentId FROM Account',
            '                                  ^',
            'ERROR at Row:1:Column:62'
        ]);
    });

    it('multi-line queries report the row and the column within it', () => {
        const e = failure('SELECT Id,\n  Name FROM Account\n  WHERE Foo__c = 1');
        expect(e.message).toBe(
            '\n  WHERE Foo__c = 1\n        ^\nERROR at Row:3:Column:9\n' + NO_COLUMN('Foo__c', 'Account')
        );
        expect(e.location).toEqual({ row: 3, column: 9 });
    });

    it('OFFSET above 2,000: NUMBER_OUTSIDE_VALID_RANGE', () => {
        const e = failure('SELECT Id FROM Account OFFSET 2001');
        expect(e.errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
        expect(e.message).toBe('Maximum SOQL offset allowed is 2000');
        expect(() =>
            executeSoql('SELECT Id FROM Account OFFSET 2000', src, { includeDeleted: false, apiVersion: '60.0' })
        ).not.toThrow();
    });

    it('mixing AND and OR without parentheses is refused as Salesforce does', () => {
        const e = failure(`SELECT Id FROM Account WHERE Name = 'a' AND Industry = 'b' OR Name = 'c'`);
        expect(e.errorCode).toBe('MALFORMED_QUERY');
        expect(e.detail).toBe("unexpected token: 'OR'");
        expect(e.location).toEqual({ row: 1, column: 60 });
    });

    it('an empty query', () => {
        expect(() => parseSoql('   ')).toThrow(
            expect.objectContaining({ errorCode: 'MALFORMED_QUERY', message: 'Query string is empty' })
        );
    });
});

type Case = [soql: string, code: string, detail: string];

const SCHEMA_ERRORS: Case[] = [
    ['SELECT Id FROM Foo', 'INVALID_TYPE', NO_TYPE('Foo')],
    ['SELECT Id FROM Record_Change__e', 'INVALID_TYPE', NO_TYPE('Record_Change__e')],
    ['SELECT Id FROM Group', 'INVALID_TYPE', NO_TYPE('Group')],
    ['SELECT Id FROM Where', 'MALFORMED_QUERY', "unexpected token: 'Where'"],
    ['SELECT Naem FROM Account', 'INVALID_FIELD', NO_COLUMN('Naem', 'Account')],
    [`SELECT Id FROM Account WHERE Nmae = 'x'`, 'INVALID_FIELD', NO_COLUMN('Nmae', 'Account')],
    ['SELECT Id FROM Account ORDER BY Nmae', 'INVALID_FIELD', NO_COLUMN('Nmae', 'Account')],
    ['SELECT Acount.Name FROM Contact', 'INVALID_FIELD', NO_REL('Acount')],
    ['SELECT Account__c.Name FROM Project__c', 'INVALID_FIELD', NO_REL('Account__c')],
    ['SELECT Account.Foo FROM Contact', 'INVALID_FIELD', NO_COLUMN('Foo', 'Account')],
    [
        'SELECT Account.Owner.Manager.Manager.Manager.Manager.Name FROM Contact',
        'MALFORMED_QUERY',
        'SOQL statements cannot query relationships that are more than 5 levels away from the root entity object.'
    ],
    [
        'SELECT Id, (SELECT Id FROM Contactz) FROM Account',
        'INVALID_TYPE',
        "Didn't understand relationship 'Contactz' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
    ],
    ['SELECT Id, Name, id FROM Account', 'INVALID_FIELD', 'duplicate field selected: id'],
    ['SELECT Account.Name, account.name FROM Contact', 'INVALID_FIELD', 'duplicate field selected: account.name'],
    [
        `SELECT Id FROM Account WHERE Description = 'x'`,
        'INVALID_FIELD',
        "field 'Description' can not be filtered in a query call"
    ],
    [
        'SELECT Id FROM Account ORDER BY Description',
        'INVALID_FIELD',
        "field 'Description' can not be sorted in a query call"
    ],
    ['SELECT Id FROM Account ORDER BY Tags__c', 'INVALID_FIELD', "field 'Tags__c' can not be sorted in a query call"]
];

const TYPE_ERRORS: Case[] = [
    [
        `SELECT Id FROM Account WHERE Founded__c = '2024-01-01'`,
        'INVALID_FIELD',
        "value of filter criterion for field 'Founded__c' must be of type date and should not be enclosed in quotes"
    ],
    [
        'SELECT Id FROM Account WHERE Founded__c = 2024-01-01T00:00:00Z',
        'INVALID_FIELD',
        "value of filter criterion for field 'Founded__c' must be of type date and should not be enclosed in quotes"
    ],
    [
        'SELECT Id FROM Account WHERE CreatedDate > 2024-01-01',
        'INVALID_FIELD',
        "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes"
    ],
    [
        `SELECT Id FROM Account WHERE CreatedDate > '2024-01-01T00:00:00Z'`,
        'INVALID_FIELD',
        "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes"
    ],
    [
        `SELECT Id FROM Account WHERE AnnualRevenue = '5'`,
        'INVALID_FIELD',
        "value of filter criterion for field 'AnnualRevenue' must be of type double and should not be enclosed in quotes"
    ],
    [
        `SELECT Id FROM Account WHERE NumberOfEmployees IN (1, '2')`,
        'INVALID_FIELD',
        "value of filter criterion for field 'NumberOfEmployees' must be of type int and should not be enclosed in quotes"
    ],
    [
        `SELECT Id FROM Account WHERE IsActive__c = 'true'`,
        'INVALID_FIELD',
        "value of filter criterion for field 'IsActive__c' must be of type boolean and should not be enclosed in quotes"
    ],
    [
        'SELECT Id FROM Account WHERE Name = 5',
        'INVALID_FIELD',
        "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes"
    ],
    [
        'SELECT Id FROM Contact WHERE Account.Name = TODAY',
        'INVALID_FIELD',
        "value of filter criterion for field 'Account.Name' must be of type string and should be enclosed in quotes"
    ],
    [
        'SELECT Id FROM Account WHERE Name LIKE 5',
        'INVALID_FIELD',
        "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes"
    ],
    [`SELECT Id FROM Account WHERE Id = 'abc'`, 'INVALID_QUERY_FILTER_OPERATOR', 'invalid ID field: abc'],
    [
        `SELECT Id FROM Contact WHERE AccountId IN ('${'0'.repeat(16)}')`,
        'INVALID_QUERY_FILTER_OPERATOR',
        `invalid ID field: ${'0'.repeat(16)}`
    ],
    [`SELECT Id FROM Account WHERE Id LIKE '001%'`, 'INVALID_QUERY_FILTER_OPERATOR', 'invalid operator on id field'],
    [
        `SELECT Id FROM Account WHERE Tags__c LIKE 'a%'`,
        'INVALID_QUERY_FILTER_OPERATOR',
        'invalid operator on multipicklist field'
    ],
    [
        `SELECT Id FROM Account WHERE Tags__c > 'a'`,
        'INVALID_QUERY_FILTER_OPERATOR',
        'invalid operator on multipicklist field'
    ],
    [
        'SELECT Id FROM Account WHERE IsActive__c > false',
        'INVALID_QUERY_FILTER_OPERATOR',
        'invalid operator on boolean field'
    ],
    [
        `SELECT Id FROM Account WHERE AnnualRevenue LIKE '1%'`,
        'INVALID_QUERY_FILTER_OPERATOR',
        'invalid operator on currency field'
    ],
    [
        `SELECT Id FROM Account WHERE Industry INCLUDES ('Tech')`,
        'INVALID_QUERY_FILTER_OPERATOR',
        'includes or excludes operator only valid on multipicklist field'
    ]
];

const SYNTAX_ERRORS: Case[] = [
    ['SELECT FROM Account', 'MALFORMED_QUERY', "unexpected token: 'FROM'"],
    ['SELECT Id Account', 'MALFORMED_QUERY', "unexpected token: 'Account'"],
    ['SELECT Id FROM', 'MALFORMED_QUERY', "unexpected token: '<EOF>'"],
    ['SELECT Id, FROM Account', 'MALFORMED_QUERY', "unexpected token: 'FROM'"],
    ['SELECT Id FROM Account WHERE', 'MALFORMED_QUERY', "unexpected token: '<EOF>'"],
    [`SELECT Id FROM Account WHERE Name 'x'`, 'MALFORMED_QUERY', "unexpected token: ''x''"],
    [
        `SELECT Id FROM Account WHERE Name = 'a' OR Name = 'b' AND Name = 'c'`,
        'MALFORMED_QUERY',
        "unexpected token: 'AND'"
    ],
    [`SELECT Id FROM Account WHERE Name = 'a' AND NOT Name = 'b'`, 'MALFORMED_QUERY', "unexpected token: 'NOT'"],
    [`SELECT Id FROM Account WHERE NOT Name = 'a' AND Name = 'b'`, 'MALFORMED_QUERY', "unexpected token: 'AND'"],
    [`SELECT Id FROM Account WHERE (Name = 'a'`, 'MALFORMED_QUERY', "unexpected token: '<EOF>'"],
    [`SELECT Id FROM Account WHERE Name = 'a')`, 'MALFORMED_QUERY', "unexpected token: ')'"],
    [`SELECT Id FROM Account WHERE Name IN 'a'`, 'MALFORMED_QUERY', "unexpected token: ''a''"],
    [`SELECT Id FROM Account WHERE Name = foo`, 'MALFORMED_QUERY', "unexpected token: 'foo'"],
    ['SELECT Id FROM Account LIMIT x', 'MALFORMED_QUERY', "unexpected token: 'x'"],
    ['SELECT Id FROM Account LIMIT 1.5', 'MALFORMED_QUERY', "unexpected token: '1.5'"],
    ['SELECT Id FROM Account LIMIT 99999999999', 'MALFORMED_QUERY', 'numeric value out of range: 99999999999'],
    ['SELECT Id FROM Account OFFSET 5 LIMIT 1', 'MALFORMED_QUERY', "unexpected token: 'LIMIT'"],
    ['SELECT Id FROM Account ORDER BY Name NULLS', 'MALFORMED_QUERY', "unexpected token: '<EOF>'"],
    ['SELECT Id FROM Account WHERE Name = $x', 'MALFORMED_QUERY', "line 1:36 no viable alternative at character '$'"],
    [
        `SELECT Id FROM Account WHERE Name = 'abc`,
        'MALFORMED_QUERY',
        "line 1:40 mismatched character '<EOF>' expecting '''"
    ],
    [
        `SELECT Id FROM Account WHERE Name = 'a\\qb'`,
        'MALFORMED_QUERY',
        "Invalid string literal 'a\\q'. Illegal character sequence '\\q' in string literal."
    ],
    ['SELECT Id FROM Account WHERE Founded__c = 2024-02-30', 'MALFORMED_QUERY', 'Invalid date: 2024-02-30'],
    [
        'SELECT Id FROM Account WHERE CreatedDate = 2024-01-01T25:00:00Z',
        'MALFORMED_QUERY',
        'Invalid datetime: 2024-01-01T25:00:00Z'
    ],
    [
        'SELECT Id FROM Account WHERE CreatedDate = 2024-01-01T10:00:00',
        'MALFORMED_QUERY',
        "unexpected token: '2024-01-01T10:00:00'"
    ],
    [
        'SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS',
        'MALFORMED_QUERY',
        'Date literal LAST_N_DAYS needs a number, as in LAST_N_DAYS:7'
    ],
    ['SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:x', 'MALFORMED_QUERY', "unexpected token: 'x'"],
    [
        'SELECT Id, COUNT() FROM Account',
        'MALFORMED_QUERY',
        'COUNT() cannot be combined with other fields in the SELECT list'
    ]
];

const UNSUPPORTED: Case[] = [
    ['SELECT Industry FROM Account GROUP BY Industry', 'MALFORMED_QUERY', `GROUP BY ${EMU}`],
    ['SELECT Id FROM Account WHERE Name != null HAVING COUNT(Id) > 1', 'MALFORMED_QUERY', `HAVING ${EMU}`],
    [
        'SELECT SUM(AnnualRevenue) FROM Account',
        'MALFORMED_QUERY',
        `The aggregate function SUM() (only COUNT() without a field is) ${EMU}`
    ],
    [
        'SELECT COUNT(Id) FROM Account',
        'MALFORMED_QUERY',
        `The aggregate function COUNT() (only COUNT() without a field is) ${EMU}`
    ],
    ['SELECT FIELDS(ALL) FROM Account LIMIT 200', 'MALFORMED_QUERY', `FIELDS() ${EMU}`],
    ['SELECT toLabel(Industry) FROM Account', 'MALFORMED_QUERY', `The function toLabel() ${EMU}`],
    [
        'SELECT Id, (SELECT Id, (SELECT Id FROM Cases) FROM Contacts) FROM Account',
        'MALFORMED_QUERY',
        `A relationship subquery inside a subquery ${EMU}`
    ],
    [
        'SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)',
        'MALFORMED_QUERY',
        `A semi-join or anti-join subquery (IN (SELECT …)) ${EMU}`
    ],
    [
        'SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact)',
        'MALFORMED_QUERY',
        `A semi-join or anti-join subquery (IN (SELECT …)) ${EMU}`
    ],
    ['SELECT TYPEOF What WHEN Account THEN Name END FROM Event', 'MALFORMED_QUERY', `TYPEOF ${EMU}`],
    ['SELECT Id FROM Account FOR UPDATE', 'MALFORMED_QUERY', `FOR UPDATE ${EMU}`],
    ['SELECT Id FROM Account LIMIT 1 FOR VIEW', 'MALFORMED_QUERY', `FOR VIEW ${EMU}`],
    ['SELECT Id FROM Account UPDATE TRACKING', 'MALFORMED_QUERY', `UPDATE TRACKING ${EMU}`],
    [
        'SELECT Id FROM Account WITH SECURITY_ENFORCED',
        'MALFORMED_QUERY',
        `WITH (SECURITY_ENFORCED, DATA CATEGORY, …) ${EMU}`
    ],
    ['SELECT Id FROM Account USING SCOPE mine', 'MALFORMED_QUERY', `USING SCOPE ${EMU}`],
    ['SELECT Id FROM Account ALL ROWS', 'MALFORMED_QUERY', `ALL ROWS (use queryAll) ${EMU}`],
    ['SELECT a.Id FROM Account a', 'MALFORMED_QUERY', `An object alias ('a') ${EMU}`],
    ['SELECT Id FROM Account WHERE Id = :acctId', 'MALFORMED_QUERY', `An Apex bind variable ${EMU}`],
    ['SELECT Id FROM Account WHERE Id IN :ids', 'MALFORMED_QUERY', `An Apex bind variable ${EMU}`],
    [
        'SELECT Id FROM Account WHERE CreatedDate = THIS_FISCAL_YEAR',
        'MALFORMED_QUERY',
        `The date literal THIS_FISCAL_YEAR ${EMU}`
    ],
    [
        'SELECT Id FROM Account WHERE CALENDAR_YEAR(CreatedDate) = 2024',
        'MALFORMED_QUERY',
        `The function CALENDAR_YEAR() in WHERE ${EMU}`
    ],
    ['SELECT Id FROM Account ORDER BY MAX(Name)', 'MALFORMED_QUERY', `The function MAX() in ORDER BY ${EMU}`],
    ['SELECT Id FROM Account, Contact', 'MALFORMED_QUERY', `A relationship or multiple objects in FROM ${EMU}`]
];

describe.each([
    ['schema errors', SCHEMA_ERRORS],
    ['type mismatches', TYPE_ERRORS],
    ['syntax errors', SYNTAX_ERRORS],
    ['valid SOQL the emulator refuses', UNSUPPORTED]
])('%s', (_title, cases) => {
    it.each(cases)('%s → %s', (soql, code, detail) => {
        const e = failure(soql);
        expect({ code: e.errorCode, detail: e.detail }).toEqual({ code, detail });
        if (e.location) {
            // The positioned form: snippet, caret under the reported column, then the detail.
            const lines = e.message.split('\n');
            expect(lines[0]).toBe('');
            expect(lines[3]).toBe(`ERROR at Row:${e.location.row}:Column:${e.location.column}`);
            expect(lines.slice(4).join('\n')).toBe(detail);
        }
    });
});

describe('positions', () => {
    it('point at the offending token', () => {
        expect(failure(`SELECT Id FROM Account WHERE Founded__c = '2024-01-01'`).location).toEqual({
            row: 1,
            column: 43
        });
        expect(failure('SELECT Id FROM Contact WHERE Account.Foo = 1').location).toEqual({ row: 1, column: 30 });
        expect(failure(`SELECT Id FROM Account WHERE Id = 'abc'`).location).toEqual({ row: 1, column: 35 });
        expect(failure(`SELECT Id FROM Account WHERE Id LIKE 'a'`).location).toEqual({ row: 1, column: 33 });
    });

    it('the caret sits under the offending token', () => {
        const e = failure(`SELECT Id FROM Account WHERE Name = 'x' ORDER BY Bogus`);
        const [, snippet, caret] = e.message.split('\n');
        expect(snippet.slice(caret.length - 1)).toMatch(/^Bogus/);
    });
});

describe('valid edge cases are not errors', () => {
    it.each([
        `SELECT Id FROM Account WHERE Id = '${ids.A1}'`,
        `SELECT Id FROM Account WHERE Id = ''`,
        `SELECT Id FROM Account WHERE Name = 'it\\'s \\\\ \\n \\u00e9'`,
        'SELECT Id FROM Account WHERE AnnualRevenue > -1.5 AND AnnualRevenue < +2',
        'SELECT Id FROM Account WHERE AnnualRevenue = null',
        'SELECT Id FROM Account WHERE Founded__c = null',
        'SELECT Id FROM Account WHERE NOT (Name = null)',
        'SELECT Id FROM Account ORDER BY Name ASC NULLS LAST, Id DESC LIMIT 5 OFFSET 1',
        "select id from account where name like '%' order by name desc nulls first limit 1",
        'SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:0',
        'SELECT COUNT() FROM Account WHERE Name != null LIMIT 10'
    ])('%s', (soql) => {
        expect(() => executeSoql(soql, src, { includeDeleted: false, apiVersion: '60.0' })).not.toThrow();
    });

    it('decodes string escapes', () => {
        const fresh = fixtureOrg().src;
        fresh.add('Account', { Name: "it's \\ \n é", IsActive__c: true });
        const res = executeSoql(`SELECT Name FROM Account WHERE Name = 'it\\'s \\\\ \\n \\u00e9'`, fresh, {
            includeDeleted: false,
            apiVersion: '60.0'
        });
        expect(res.records.map((r) => r.Name)).toEqual(["it's \\ \n é"]);
    });
});
