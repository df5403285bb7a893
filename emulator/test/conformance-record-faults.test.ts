/**
 * Conformance: record-level fault rules (`recordError`). One record of an sObject Collections update fails with
 * UNABLE_TO_LOCK_ROW while the others of the same call save, as Salesforce reports a locked row inside a batch —
 * directly and as a /composite subrequest (how the companion flushes) — and bad record rules get a 400.
 */
import type { RunningEmulator } from '../src/server';
import { VERSION, control, jsforce, soapLogin, start } from './conformance.helpers';

jest.setTimeout(20000);

describe('conformance: record-level fault rules', () => {
    let emu: RunningEmulator;
    let conn: jsforce.Connection;
    let ids: string[];

    beforeAll(async () => {
        emu = await start({ seed: 'demo' });
        conn = await soapLogin(emu);
        ids = (await conn.query<{ Id: string }>('SELECT Id FROM Account ORDER BY Name LIMIT 3')).records.map(
            (r) => r.Id
        );
    });
    afterEach(() => control(emu, 'DELETE', '/faults'));
    afterAll(() => emu.stop());

    it('fails only the named record of a Collections update with UNABLE_TO_LOCK_ROW; the others save', async () => {
        const rule = await control(emu, 'POST', '/faults', {
            recordError: 'UNABLE_TO_LOCK_ROW',
            object: 'Account',
            recordId: ids[1],
            count: 1
        });
        expect(rule.status).toBe(200);
        const results = await conn.sobject('Account').update(
            ids.map((Id) => ({ Id, Phone: 'lock test' })),
            { allOrNone: false }
        );
        expect(results.map((r) => r.success)).toEqual([true, false, true]);
        const failed = results[1] as { errors: Array<{ statusCode?: string; errorCode?: string; message: string }> };
        expect(failed.errors[0].statusCode ?? failed.errors[0].errorCode).toBe('UNABLE_TO_LOCK_ROW');
        expect(failed.errors[0].message).toMatch(/unable to obtain exclusive access to this record/);
        expect(emu.org.store.get(ids[0])!.rec.Phone).toBe('lock test');
        expect(emu.org.store.get(ids[1])!.rec.Phone).not.toBe('lock test');
        // The count is spent: the retry of the locked record saves.
        expect((await control(emu, 'GET', '/faults')).body).toEqual({ rules: [] });
        const retry = await conn.sobject('Account').update([{ Id: ids[1], Phone: 'lock test' }], { allOrNone: false });
        expect(retry[0].success).toBe(true);
    });

    it('applies inside a /composite subrequest and leaves requests for other objects alone', async () => {
        await control(emu, 'POST', '/faults', { recordError: 'UNABLE_TO_LOCK_ROW', object: 'Account', count: 1 });
        const contact = (await conn.query<{ Id: string }>('SELECT Id FROM Contact LIMIT 1')).records[0].Id;
        const c = await conn.sobject('Contact').update([{ Id: contact, Title: 'Unlocked' }], { allOrNone: false });
        expect(c[0].success).toBe(true);
        const res = await conn.requestPost<{
            compositeResponse: Array<{ httpStatusCode: number; body: Array<{ success: boolean; errors: unknown[] }> }>;
        }>(`/services/data/v${VERSION}/composite`, {
            allOrNone: false,
            compositeRequest: [
                {
                    method: 'PATCH',
                    url: `/services/data/v${VERSION}/composite/sobjects`,
                    referenceId: 'batch',
                    body: {
                        allOrNone: false,
                        records: ids.map((Id) => ({ attributes: { type: 'Account' }, id: Id, Rating: 'Warm' }))
                    }
                }
            ]
        });
        const body = res.compositeResponse[0].body;
        expect(res.compositeResponse[0].httpStatusCode).toBe(200);
        expect(body.map((r) => r.success)).toEqual([false, true, true]);
        expect(JSON.stringify(body[0].errors)).toContain('UNABLE_TO_LOCK_ROW');
    });

    it('rejects bad record rules with a 400 naming the input', async () => {
        const a = await control(emu, 'POST', '/faults', { recordError: 'locked please' });
        expect(a.status).toBe(400);
        expect((a.body as { error: string }).error).toMatch(/'recordError' must be a status code/);
        const b = await control(emu, 'POST', '/faults', { recordError: 'UNABLE_TO_LOCK_ROW', status: 503 });
        expect((b.body as { error: string }).error).toMatch(/cannot have 'status'/);
        const c = await control(emu, 'POST', '/faults', { recordId: ids[0], latencyMs: 5 });
        expect((c.body as { error: string }).error).toMatch(/'recordId' needs 'recordError'/);
    });
});
