/**
 * The writeback rules, value checks and configuration checks as pure functions.
 */
import { recordFilterProblem } from '../../src/domain/configuration';
import { checkValue, typesCompatible, valueKind } from '../../../contracts/field-types';
import { REASONS, writebackEnabledMessage, writebackReason } from '../../../contracts/sync-rules';

describe('writeback rules', () => {
    const mapping = { editable: true, salesforceField: 'Amount', active: true };
    it('When all three rules hold and the mapping is active, then the field pushes (no reason)', () => {
        expect(writebackReason({ object: { syncToSalesforce: true }, mapping })).toBeNull();
    });
    it.each([
        [false, false, null, false, REASONS.syncOff],
        [true, false, null, false, REASONS.notEditable],
        [true, true, null, false, REASONS.noSalesforceField],
        [true, true, '  ', true, REASONS.noSalesforceField],
        [true, true, 'Amount', false, REASONS.inactive]
    ])(
        'When sync=%s editable=%s salesforceField=%j active=%s, then the first failing rule is given: %s',
        (sync, editable, sf, active, reason) => {
            expect(
                writebackReason({
                    object: { syncToSalesforce: sync },
                    mapping: { editable, salesforceField: sf, active }
                })
            ).toBe(reason);
        }
    );
    it('When the reasons are read, then they are the exact strings shared with the package', () => {
        expect(Object.values(REASONS)).toEqual([
            'Sync to Salesforce is off for this object',
            'Field is not Editable',
            'No Salesforce field API name: the field stays in Statisfy',
            'Mapping is inactive'
        ]);
        expect(writebackEnabledMessage('Success Plans')).toBe('Writeback to Salesforce is enabled for Success Plans');
    });
});

describe('value checks', () => {
    it.each([
        ['currency', 12.5, 12.5],
        ['int', 3, 3],
        ['string', 'x', 'x'],
        ['date', '2024-02-29', '2024-02-29'],
        ['datetime', '2026-01-31T09:30:00Z', '2026-01-31T09:30:00.000Z'],
        ['datetime', '2026-01-31T09:30:00.123+0200', '2026-01-31T07:30:00.123Z'],
        ['boolean', true, true],
        ['picklist', 'Hot', 'Hot'],
        ['multipicklist', 'A;B', 'A;B'],
        ['textarea', null, null],
        ['time', '09:30:00', '09:30:00']
    ])('When a %s field gets %j, then it is accepted as %j', (type, value, normalized) => {
        expect(checkValue(type, value, type.includes('picklist') ? ['Hot', 'A', 'B'] : null)).toEqual({
            ok: true,
            value: normalized
        });
    });
    it.each([
        ['double', Number.NaN],
        ['double', '1'],
        ['date', '2023-02-29'],
        ['date', '2026-1-5'],
        ['datetime', '2026-01-31T09:30:00'],
        ['datetime', '2026-13-31T09:30:00Z'],
        ['boolean', 'true'],
        ['boolean', null],
        ['picklist', 'Cold'],
        ['multipicklist', 'A;Z'],
        ['string', { a: 1 }],
        ['string', ['x']]
    ])('When a %s field gets %j, then it is refused with a message', (type, value) => {
        const result = checkValue(type, value, ['Hot', 'A', 'B']);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
    });
    it('When picklist values are unknown, then any text is accepted', () => {
        expect(checkValue('picklist', 'Anything')).toEqual({ ok: true, value: 'Anything' });
    });
    it('When types are compared, then kinds decide and text and picklist mix', () => {
        expect(valueKind('currency')).toBe('number');
        expect(valueKind('Something_Unknown')).toBe('text');
        expect(typesCompatible('number', 'double')).toBe(true);
        expect(typesCompatible('text', 'picklist')).toBe(true);
        expect(typesCompatible('date', 'datetime')).toBe(false);
        expect(typesCompatible('boolean', 'string')).toBe(false);
    });
});

describe('record filters', () => {
    it.each([
        ["Type = 'Customer'", null],
        ["(Industry = 'Banking' OR Industry = 'Tech') AND AnnualRevenue > 100", null],
        ["Name = 'O\\'Brien; Ltd'", null],
        ['WHERE Type = 1', 'leave out the word WHERE'],
        ['Id IN (SELECT AccountId FROM Contact)', 'not a query'],
        ["Name = 'x'; DROP", 'must not contain ";"'],
        ['(a = 1', 'unmatched "("'],
        ['a = 1)', 'unmatched ")"'],
        ["Name = 'open", 'unterminated quoted string'],
        ['x'.repeat(4001), 'longer than 4000']
    ])('When the filter is %j, then the problem is %j', (filter, problem) => {
        const found = recordFilterProblem(filter);
        if (problem === null) expect(found).toBeNull();
        else expect(found).toContain(problem);
    });
});
