import { reduceErrors } from 'c/ldsUtils';

describe('c/ldsUtils reduceErrors', () => {
    it('returns an empty list for no error', () => {
        expect(reduceErrors(undefined)).toEqual([]);
        expect(reduceErrors([])).toEqual([]);
        expect(reduceErrors([null])).toEqual([]);
    });

    it('reads the message of an Apex AuraHandledException', () => {
        const error = { status: 500, body: { message: 'Display name in Statisfy is required' } };
        expect(reduceErrors(error)).toEqual(['Display name in Statisfy is required']);
    });

    it('reads every message of a UI API body array', () => {
        const error = { body: [{ message: 'First' }, { message: 'Second' }, {}] };
        expect(reduceErrors(error)).toEqual(['First', 'Second']);
    });

    it('reads output errors and output field errors of a record save', () => {
        const error = {
            body: {
                message: 'An error occurred while trying to update the record.',
                output: {
                    errors: [{ message: 'Record is locked' }],
                    fieldErrors: { Name: [{ message: 'Name is required' }] }
                }
            }
        };
        expect(reduceErrors(error)).toEqual(['Record is locked', 'Name is required']);
    });

    it('reads page errors and field errors of a DML failure', () => {
        const error = {
            body: {
                pageErrors: [{ message: 'Insufficient access' }],
                fieldErrors: { Display_Name__c: [{ message: 'Too long' }] }
            }
        };
        expect(reduceErrors(error)).toEqual(['Insufficient access', 'Too long']);
    });

    it('falls back to body.message when output has no messages', () => {
        const error = { body: { message: 'Bad things', output: { errors: [], fieldErrors: {} } } };
        expect(reduceErrors(error)).toEqual(['Bad things']);
    });

    it('reads JavaScript errors, strings and string bodies', () => {
        expect(reduceErrors(new TypeError('x is undefined'))).toEqual(['x is undefined']);
        expect(reduceErrors('Plain text')).toEqual(['Plain text']);
        expect(reduceErrors({ body: 'Body text' })).toEqual(['Body text']);
    });

    it('reads fetch-style status text', () => {
        expect(reduceErrors({ status: 503, statusText: 'Service Unavailable' })).toEqual(['503 Service Unavailable']);
        expect(reduceErrors({ statusText: 'Offline' })).toEqual(['Offline']);
    });

    it('names an error it cannot read instead of hiding it', () => {
        expect(reduceErrors({ body: {} })).toEqual(['Unknown error']);
        expect(reduceErrors({})).toEqual(['Unknown error']);
    });

    it('flattens a list of errors and drops duplicates', () => {
        const errors = [{ body: { message: 'Same' } }, new Error('Same'), 'Other'];
        expect(reduceErrors(errors)).toEqual(['Same', 'Other']);
    });
});
