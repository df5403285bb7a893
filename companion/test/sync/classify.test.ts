import {
    backoffDelay,
    classifyRecordResult,
    classifyRequestError,
    MAX_ATTEMPTS,
    nextRetry
} from '../../src/domain/sync/rules/classify';

describe('classifyRecordResult', () => {
    it('succeeds on success', () => {
        expect(classifyRecordResult({ id: '001', success: true, errors: [] })).toEqual({ kind: 'succeeded' });
    });

    it.each(['UNABLE_TO_LOCK_ROW', 'REQUEST_LIMIT_EXCEEDED', 'ALL_OR_NONE_OPERATION_ROLLED_BACK'])(
        'retries %s',
        (code) => {
            const r = classifyRecordResult({ success: false, errors: [{ statusCode: code, message: 'm' }] });
            expect(r).toEqual({ kind: 'retryable', code, message: 'm' });
        }
    );

    it.each([
        'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        'INVALID_FIELD',
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        'ENTITY_IS_DELETED',
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        'SOMETHING_NEW'
    ])('fails %s permanently with the Salesforce message and fields kept', (code) => {
        const r = classifyRecordResult({
            success: false,
            errors: [{ statusCode: code, message: 'Amount must be positive', fields: ['Amount'] }]
        });
        expect(r).toEqual({ kind: 'permanent', code, message: 'Amount must be positive', fields: ['Amount'] });
    });

    it('is permanent when any error is permanent, and reads errorCode as well as statusCode', () => {
        const r = classifyRecordResult({
            success: false,
            errors: [
                { statusCode: 'UNABLE_TO_LOCK_ROW', message: 'lock' },
                { errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted' }
            ]
        });
        expect(r).toMatchObject({ kind: 'permanent', code: 'ENTITY_IS_DELETED', message: 'lock; entity is deleted' });
    });
});

describe('classifyRequestError', () => {
    it('retries 5xx, throttles and network failures; counts throttles for the breaker', () => {
        expect(classifyRequestError({ errorCode: 'ERROR_HTTP_503', message: 'x' })).toMatchObject({
            kind: 'retryable',
            throttle: true
        });
        expect(
            classifyRequestError({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' })
        ).toMatchObject({
            kind: 'retryable',
            throttle: true
        });
        expect(classifyRequestError(new Error('fetch failed'))).toMatchObject({
            kind: 'retryable',
            code: 'TIMEOUT',
            throttle: false
        });
        expect(
            classifyRequestError({ name: 'INVALID_FIELD', errorCode: 'INVALID_FIELD', message: 'No such column' })
        ).toMatchObject({
            kind: 'permanent',
            code: 'INVALID_FIELD'
        });
    });
});

describe('backoff', () => {
    it('is full jitter: uniform in [0, min(60 s, 1 s·2^(n−1))]', () => {
        expect(backoffDelay(1, () => 0.999999)).toBe(999);
        expect(backoffDelay(3, () => 0.5)).toBe(2000);
        expect(backoffDelay(8, () => 0.999999)).toBe(59_999);
        expect(backoffDelay(20, () => 1)).toBe(60_000);
        expect(backoffDelay(5, () => 0)).toBe(0);
        expect(() => backoffDelay(0)).toThrow(/≥ 1/);
    });

    it('gives up after 8 attempts', () => {
        const now = new Date(0);
        expect(nextRetry(MAX_ATTEMPTS - 1, now, () => 0.5)).toEqual({ retry: true, at: new Date(30_000) });
        expect(nextRetry(MAX_ATTEMPTS, now)).toEqual({ retry: false });
    });
});
