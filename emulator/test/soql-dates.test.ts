import { dateLiteralRange, executeSoql } from '../src/soql';
import { DATES, NOW, fixtureOrg } from './soql-fixtures';

const { src } = fixtureOrg();

/** Dated__c names (= their dates) matched by a WHERE clause, in date order. */
function matched(where: string): string[] {
    const res = executeSoql(`SELECT Name FROM Dated__c WHERE ${where} ORDER BY D__c`, src, {
        includeDeleted: false,
        apiVersion: '60.0'
    });
    return res.records.map((r) => String(r.Name));
}

const between = (from: string, to: string): string[] => DATES.filter((d) => d >= from && d <= to);

// NOW is Wednesday 2024-05-15 12:00 UTC; weeks start on Sunday (2024-05-12).
const EXPECTED: Record<string, string[]> = {
    TODAY: ['2024-05-15'],
    YESTERDAY: ['2024-05-14'],
    TOMORROW: ['2024-05-16'],
    THIS_WEEK: between('2024-05-12', '2024-05-18'),
    LAST_WEEK: between('2024-05-05', '2024-05-11'),
    NEXT_WEEK: between('2024-05-19', '2024-05-25'),
    THIS_MONTH: between('2024-05-01', '2024-05-31'),
    LAST_MONTH: between('2024-04-01', '2024-04-30'),
    NEXT_MONTH: between('2024-06-01', '2024-06-30'),
    // 90 days back from 2024-05-15 is 2024-02-15 (2024 is a leap year); today is included.
    LAST_90_DAYS: between('2024-02-15', '2024-05-15'),
    // Starts tomorrow, 90 days: 2024-05-16 … 2024-08-13.
    NEXT_90_DAYS: between('2024-05-16', '2024-08-13'),
    THIS_YEAR: between('2024-01-01', '2024-12-31'),
    LAST_YEAR: between('2023-01-01', '2023-12-31'),
    NEXT_YEAR: between('2025-01-01', '2025-12-31'),
    'LAST_N_DAYS:1': ['2024-05-14', '2024-05-15'],
    'LAST_N_DAYS:3': between('2024-05-12', '2024-05-15'),
    'NEXT_N_DAYS:1': ['2024-05-16'],
    'NEXT_N_DAYS:10': between('2024-05-16', '2024-05-25'),
    'LAST_N_MONTHS:1': between('2024-04-01', '2024-04-30'),
    'LAST_N_MONTHS:3': between('2024-02-01', '2024-04-30'),
    'NEXT_N_MONTHS:2': between('2024-06-01', '2024-07-31'),
    THIS_QUARTER: between('2024-04-01', '2024-06-30'),
    'N_DAYS_AGO:1': ['2024-05-14'],
    'LAST_N_WEEKS:1': between('2024-05-05', '2024-05-11'),
    'NEXT_N_YEARS:2': between('2025-01-01', '2026-12-31')
};

describe('date literals against a fixed now (UTC)', () => {
    it('the expectations are not vacuous', () => {
        for (const [literal, dates] of Object.entries(EXPECTED)) {
            if (literal !== 'LAST_MONTH' && literal !== 'LAST_N_MONTHS:1') expect(dates.length).toBeGreaterThan(0);
        }
        expect(EXPECTED.LAST_MONTH).toEqual(['2024-04-30']);
    });

    for (const [literal, dates] of Object.entries(EXPECTED)) {
        it(`date field = ${literal}`, () => {
            expect(matched(`D__c = ${literal}`)).toEqual(dates);
        });
        it(`datetime field = ${literal}`, () => {
            expect(matched(`T__c = ${literal}`)).toEqual(dates);
        });
    }

    it('literals are case-insensitive', () => {
        expect(matched('D__c = today')).toEqual(['2024-05-15']);
        expect(matched('D__c = last_n_days:1')).toEqual(['2024-05-14', '2024-05-15']);
    });

    it('!= on a range excludes the whole range', () => {
        expect(matched('D__c != THIS_MONTH')).toEqual(DATES.filter((d) => !d.startsWith('2024-05')));
    });

    it('< <= > >= compare against the start or end of the range', () => {
        expect(matched('D__c < THIS_WEEK')).toEqual(DATES.filter((d) => d < '2024-05-12'));
        expect(matched('D__c <= THIS_WEEK')).toEqual(DATES.filter((d) => d <= '2024-05-18'));
        expect(matched('D__c > THIS_WEEK')).toEqual(DATES.filter((d) => d > '2024-05-18'));
        expect(matched('D__c >= THIS_WEEK')).toEqual(DATES.filter((d) => d >= '2024-05-12'));
        expect(matched('T__c > TODAY')).toEqual(DATES.filter((d) => d > '2024-05-15'));
        expect(matched('T__c < TODAY')).toEqual(DATES.filter((d) => d < '2024-05-15'));
        expect(matched('T__c >= LAST_N_DAYS:1 AND T__c <= TODAY')).toEqual(['2024-05-14', '2024-05-15']);
    });

    it('IN accepts date literals and dates together', () => {
        expect(matched('D__c IN (TODAY, 2024-01-01, YESTERDAY)')).toEqual(['2024-01-01', '2024-05-14', '2024-05-15']);
        expect(matched('D__c NOT IN (THIS_YEAR)')).toEqual(DATES.filter((d) => !d.startsWith('2024')));
    });

    it('a datetime range ends exactly at midnight UTC', () => {
        const fresh = fixtureOrg().src;
        fresh.add('Dated__c', { Name: 'late', D__c: null, T__c: '2024-05-14T23:59:59.999+0000' });
        fresh.add('Dated__c', { Name: 'midnight', D__c: null, T__c: '2024-05-15T00:00:00.000+0000' });
        const q = (w: string): unknown[] =>
            executeSoql(`SELECT Name FROM Dated__c WHERE D__c = null AND ${w}`, fresh, {
                includeDeleted: false,
                apiVersion: '60.0'
            }).records.map((r) => r.Name);
        expect(q('T__c = TODAY')).toEqual(['midnight']);
        expect(q('T__c = YESTERDAY')).toEqual(['late']);
        expect(q('T__c < 2024-05-15T00:00:00Z')).toEqual(['late']);
        expect(q('T__c = 2024-05-15T02:00:00+02:00')).toEqual(['midnight']);
    });
});

describe('dateLiteralRange', () => {
    it('gives both date and millisecond bounds', () => {
        expect(dateLiteralRange('TODAY', null, NOW)).toEqual({
            startDate: '2024-05-15',
            endDate: '2024-05-16',
            startMs: Date.UTC(2024, 4, 15),
            endMs: Date.UTC(2024, 4, 16)
        });
    });

    it('crosses year boundaries', () => {
        const jan = new Date('2025-01-03T00:00:00Z');
        expect(dateLiteralRange('LAST_MONTH', null, jan)).toMatchObject({
            startDate: '2024-12-01',
            endDate: '2025-01-01'
        });
        expect(dateLiteralRange('LAST_WEEK', null, jan)).toMatchObject({
            startDate: '2024-12-22',
            endDate: '2024-12-29'
        });
        expect(dateLiteralRange('LAST_N_MONTHS', 2, jan)).toMatchObject({
            startDate: '2024-11-01',
            endDate: '2025-01-01'
        });
        expect(dateLiteralRange('LAST_QUARTER', null, jan)).toMatchObject({
            startDate: '2024-10-01',
            endDate: '2025-01-01'
        });
    });
});
