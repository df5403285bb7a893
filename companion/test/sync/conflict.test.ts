import { classifyInboundField, decideConflict, isDivergence, OpenEdit } from '../../src/domain/sync/rules/conflict';
import { sameValue } from '../../src/domain/sync/rules/values';

const base = { baseValue: 'A', statisfyValue: 'S', editedAt: new Date(2000) };

describe('decideConflict', () => {
    it('sends when Salesforce still holds the base value, whatever the policy', () => {
        for (const policy of ['Latest_Wins', 'Salesforce_Wins', 'Statisfy_Wins', 'Manual'] as const)
            expect(decideConflict({ ...base, policy, salesforceValue: 'A', salesforceModstamp: new Date(1) })).toBe(
                'send'
            );
    });

    it('sends nothing when Salesforce already holds the edited value', () => {
        expect(decideConflict({ ...base, policy: 'Manual', salesforceValue: 'S', salesforceModstamp: null })).toBe(
            'already'
        );
    });

    it('follows each policy on a divergence', () => {
        const d = (policy: 'Latest_Wins' | 'Salesforce_Wins' | 'Statisfy_Wins' | 'Manual', modstamp: number | null) =>
            decideConflict({
                ...base,
                policy,
                salesforceValue: 'F',
                salesforceModstamp: modstamp === null ? null : new Date(modstamp)
            });
        expect(d('Salesforce_Wins', 1)).toBe('salesforce_wins');
        expect(d('Statisfy_Wins', 3000)).toBe('statisfy_wins');
        expect(d('Manual', 1)).toBe('park');
        expect(d('Latest_Wins', 3000)).toBe('salesforce_wins');
        expect(d('Latest_Wins', 1000)).toBe('statisfy_wins');
        expect(d('Latest_Wins', null)).toBe('salesforce_wins');
        expect(isDivergence('park')).toBe(true);
        expect(isDivergence('send')).toBe(false);
        expect(() =>
            decideConflict({ ...base, policy: 'Nope' as never, salesforceValue: 'F', salesforceModstamp: null })
        ).toThrow(/Unknown conflict policy/);
    });
});

describe('classifyInboundField (echo by value)', () => {
    const open: OpenEdit = { id: '1', status: 'in_flight', newValue: 100, baseValue: 50, createdAt: new Date(0) };
    it('treats our own value coming back as an echo, even in another JSON encoding', () => {
        expect(classifyInboundField(100.0, 50, open)).toBe('echo');
        expect(
            classifyInboundField('2024-01-02T03:04:05.000+0000', null, { ...open, newValue: '2024-01-02T03:04:05Z' })
        ).toBe('echo');
    });
    it('applies a different value as a change, or a conflict when an edit is open', () => {
        expect(classifyInboundField(70, 50, undefined)).toBe('change');
        expect(classifyInboundField(70, 50, open)).toBe('conflict');
        expect(classifyInboundField(50, 50, undefined)).toBe('unchanged');
        expect(classifyInboundField(null, null, undefined, false)).toBe('change');
    });
});

describe('sameValue', () => {
    it('matches 15- and 18-character Ids and blank forms', () => {
        expect(sameValue('001000000000001', '001000000000001AAA')).toBe(true);
        expect(sameValue('001000000000001', '001000000000002AAA')).toBe(false);
        expect(sameValue('', null)).toBe(true);
        expect(sameValue(undefined, null)).toBe(true);
        expect(sameValue(1, '1')).toBe(false);
        expect(sameValue(true, false)).toBe(false);
    });
});
