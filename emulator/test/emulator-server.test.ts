/**
 * The emulator as a process: the control API (seeds, clock, custom objects, validation rules, edits
 * as a named user, clear 400s), persistence across restarts with a data directory, fast stop with a
 * held CometD connect, and the CLI (ready in under 2 s, flag errors naming the flag).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../src/cli';
import type { RunningEmulator } from '../src/server';
import { VERSION, control, errorOf, soapLogin, start } from './conformance.helpers';

jest.setTimeout(20000);

describe('control API', () => {
    let emu: RunningEmulator;
    beforeAll(async () => {
        emu = await start({ seed: 'empty' });
    });
    afterAll(() => emu.stop());

    it('seeds the demo org deterministically (ARCHITECTURE §5)', async () => {
        const r = await control(emu, 'POST', '/seed', { seed: 'demo' });
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({
            counts: {
                Account: 50,
                Contact: 150,
                Opportunity: 100,
                Success_Plan__c: 40,
                Sync_Object__c: 4,
                Statisfy_Settings__c: 1
            }
        });
        const conn = await soapLogin(emu);
        const so = await conn.query<{
            Object_Api_Name__c: string;
            Sync_To_Salesforce__c: boolean;
            Enabled__c: boolean;
        }>(
            'SELECT Object_Api_Name__c, Sync_To_Salesforce__c, Enabled__c FROM Sync_Object__c ORDER BY Object_Api_Name__c'
        );
        expect(so.records.map((r) => [r.Object_Api_Name__c, r.Sync_To_Salesforce__c, r.Enabled__c])).toEqual([
            ['Account', true, true],
            ['Contact', true, true],
            ['Opportunity', true, true],
            ['Success_Plan__c', false, true]
        ]);
        const plans = await conn.query<{ Account__r: { Name: string } }>(
            'SELECT Id, Account__r.Name FROM Success_Plan__c WHERE Account__c != null'
        );
        expect(plans.totalSize).toBe(40);
        const settings = await conn.query<{ Integration_User_Id__c: string }>(
            'SELECT Integration_User_Id__c FROM Statisfy_Settings__c'
        );
        expect(settings.records[0].Integration_User_Id__c).toBe(emu.users[1].id);
        const industries = await conn.query<{ Industry: string }>('SELECT Industry FROM Account');
        expect(new Set(industries.records.map((r) => r.Industry)).size).toBeGreaterThan(5);
        const names1 = (await conn.query<{ Name: string }>('SELECT Name FROM Account ORDER BY Name')).records.map(
            (r) => r.Name
        );
        await control(emu, 'POST', '/reset', { seed: 'demo' });
        const names2 = (await conn.query<{ Name: string }>('SELECT Name FROM Account ORDER BY Name')).records.map(
            (r) => r.Name
        );
        expect(names2).toEqual(names1);
    });

    it('advances the clock', async () => {
        const before = Date.parse(((await control(emu, 'GET', '/clock')).body as { now: string }).now);
        const r = await control(emu, 'POST', '/clock/advance', { days: 3 });
        expect(Date.parse((r.body as { now: string }).now) - before).toBeGreaterThanOrEqual(3 * 86400_000);
        expect((await control(emu, 'POST', '/clock/advance', { weeks: 1 })).status).toBe(400);
    });

    it('adds a custom object and field, registers a validation rule and edits records as a named user', async () => {
        const o = await control(emu, 'POST', '/objects', {
            name: 'Renewal__c',
            label: 'Renewal',
            fields: [{ name: 'Amount__c', type: 'currency', scale: 2 }]
        });
        expect(o.status).toBe(200);
        expect(
            (await control(emu, 'POST', '/objects/Renewal__c/fields', { name: 'Due__c', type: 'date' })).status
        ).toBe(200);
        expect(await control(emu, 'POST', '/objects', { name: 'Renewal__c', fields: [] })).toEqual({
            status: 400,
            body: { error: 'object Renewal__c already exists' }
        });
        const rule = await control(emu, 'POST', '/validation-rules', {
            object: 'Renewal__c',
            name: 'Positive_Amount',
            message: 'Amount must be positive',
            errorField: 'Amount__c',
            condition: { field: 'Amount__c', op: '<', value: 0 }
        });
        expect(rule.status).toBe(200);
        const conn = await soapLogin(emu);
        const e = await errorOf(() => conn.sobject('Renewal__c').create({ Amount__c: -5 }));
        expect(e.errorCode).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
        expect(e.data).toEqual({
            errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
            message: 'Amount must be positive',
            fields: ['Amount__c']
        });
        const ok = await conn.sobject('Renewal__c').create({ Amount__c: 5, Due__c: '2027-01-01' });
        expect(ok.success).toBe(true);
        const edit = await control(emu, 'PATCH', `/records/Renewal__c/${ok.id}`, {
            as: 'sales@statisfy.test',
            values: { Amount__c: 7 }
        });
        expect(edit.status).toBe(200);
        expect(edit.body).toMatchObject({ Amount__c: 7, LastModifiedById: emu.users[2].id });
        const bad = await control(emu, 'PATCH', `/records/Renewal__c/${ok.id}`, { as: 'nobody@x.test', values: {} });
        expect(bad.status).toBe(400);
        expect((bad.body as { error: string }).error).toMatch(/as: no user 'nobody@x.test'/);
        const invalid = await control(emu, 'PATCH', `/records/Renewal__c/${ok.id}`, { values: { Amount__c: -1 } });
        expect(invalid).toEqual({
            status: 400,
            body: {
                error: 'Amount must be positive',
                errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
                fields: ['Amount__c']
            }
        });
        expect((await control(emu, 'DELETE', `/records/Renewal__c/${ok.id}?as=sales@statisfy.test`)).status).toBe(200);
        expect((await control(emu, 'POST', `/records/Renewal__c/${ok.id}/undelete`, {})).status).toBe(200);
        expect(
            (
                await control(emu, 'POST', '/validation-rules', {
                    object: 'Renewal__c',
                    name: 'X',
                    message: 'm',
                    condition: { field: 'Nope__c', op: '=', value: 1 }
                })
            ).body
        ).toEqual({ error: "condition.field: no field 'Nope__c' on the object" });
    });

    it('answers body-parser failures and unknown paths in Salesforce JSON, never HTML', async () => {
        const conn = await soapLogin(emu);
        const res = await fetch(`${emu.url}/services/data/v${VERSION}/sobjects/Account`, {
            method: 'POST',
            headers: {
                Authorization: `Bearer ${conn.accessToken}`,
                'Content-Type': 'application/json; charset=klingon'
            },
            body: '{}'
        });
        expect(res.status).toBe(415);
        expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
        expect(await res.json()).toEqual([{ message: expect.stringMatching(/charset/), errorCode: 'BAD_REQUEST' }]);
        const nowhere = await fetch(`${emu.url}/nowhere`);
        expect(nowhere.status).toBe(404);
        expect(await nowhere.json()).toEqual([
            { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }
        ]);
    });

    it('reports events and rejects unknown endpoints and bad seeds with 400/404', async () => {
        const ev = await control(emu, 'GET', '/events');
        expect(ev.body).toMatchObject({
            published: expect.any(Number),
            delivered: expect.any(Number),
            clients: 0,
            recordChange: { publishCalls: expect.any(Number) }
        });
        expect(await control(emu, 'POST', '/seed', { seed: 'lots' })).toEqual({
            status: 400,
            body: { error: `seed must be 'demo', 'empty' or 'bench:N' (N from 0 to 2000000), got "lots"` }
        });
        expect((await control(emu, 'GET', '/nope')).status).toBe(404);
    });
});

describe('persistence and lifecycle', () => {
    it('keeps records, clock, sessions and retained events across a restart with a data directory', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emu-'));
        try {
            const a = await start({ dataDir: dir, seed: 'demo' });
            const conn = await soapLogin(a);
            const [acc] = (await conn.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1')).records;
            await conn.sobject('Account').update({ Id: acc.Id, Phone: '+1 555 7777' });
            await control(a, 'POST', '/clock/advance', { hours: 1 });
            await control(a, 'POST', '/objects', { name: 'Kept__c', fields: [{ name: 'Note__c' }] });
            await control(a, 'POST', '/validation-rules', {
                object: 'Kept__c',
                name: 'Note_Required',
                message: 'Note is required',
                condition: { field: 'Note__c', op: 'isBlank' }
            });
            const published = a.org.bus.stats().published;
            await a.stop();
            expect(fs.existsSync(path.join(dir, 'emulator-state.json'))).toBe(true);
            const b = await start({ dataDir: dir, seed: 'empty' });
            try {
                expect(b.org.clock.offset).toBeGreaterThanOrEqual(3600_000);
                expect(b.org.bus.stats().published).toBe(published);
                // The old session still works (sessions are persisted).
                const res = await fetch(`${b.url}/services/data/v${VERSION}/sobjects/Account/${acc.Id}`, {
                    headers: { Authorization: `Bearer ${conn.accessToken}` }
                });
                expect(res.status).toBe(200);
                expect((await res.json()).Phone).toBe('+1 555 7777');
                expect(b.org.schema.get('Kept__c')).toBeDefined();
                const kept = await fetch(`${b.url}/services/data/v${VERSION}/sobjects/Kept__c`, {
                    method: 'POST',
                    headers: { Authorization: `Bearer ${conn.accessToken}`, 'Content-Type': 'application/json' },
                    body: '{}'
                });
                expect(await kept.json()).toEqual([
                    { message: 'Note is required', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', fields: [] }
                ]);
                expect(b.org.store.count('Account')).toBe(50);
            } finally {
                await b.stop();
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('stops fast while a CometD connect is held', async () => {
        const emu = await start({ cometdTimeoutMs: 20000 });
        const conn = await soapLogin(emu);
        const post = (msg: unknown) =>
            fetch(`${emu.url}/cometd/${VERSION}`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json', Authorization: `OAuth ${conn.accessToken}` },
                body: JSON.stringify([msg])
            }).then((r) => r.json());
        const [hs] = await post({
            channel: '/meta/handshake',
            version: '1.0',
            supportedConnectionTypes: ['long-polling'],
            id: '1'
        });
        const held = post({
            channel: '/meta/connect',
            clientId: hs.clientId,
            connectionType: 'long-polling',
            id: '2'
        }).catch(() => 'closed');
        await new Promise((r) => setTimeout(r, 300));
        expect(emu.org.bus.stats().clients).toBe(1);
        const t0 = Date.now();
        await emu.stop();
        expect(Date.now() - t0).toBeLessThan(2000); // not the 20 s hold
        await held;
    });
});

describe('CLI', () => {
    it('parses flags and names the bad one', () => {
        expect(
            parseArgs([
                '--port',
                '4455',
                '--seed',
                'bench:10',
                '--namespace',
                'statisfy',
                '--data-dir',
                '/tmp/x',
                '--no-control-api'
            ])
        ).toMatchObject({ port: 4455, seed: 'bench:10', namespace: 'statisfy', dataDir: '/tmp/x', controlApi: false });
        expect(() => parseArgs(['--port', 'abc'])).toThrow("--port must be an integer from 0 to 65535, got 'abc'");
        expect(() => parseArgs(['--seed', 'nope'])).toThrow(/^--seed: seed must be/);
        expect(() => parseArgs(['--bogus'])).toThrow(/unknown flag '--bogus'/);
        expect(() => parseArgs(['--data-dir'])).toThrow('--data-dir needs a value');
        expect(parseArgs([])).toMatchObject({ pubsubPort: 4456 });
        expect(parseArgs(['--pubsub-port', 'off', '--pubsub-tls', '--daily-delivery-max', '10000'])).toMatchObject({
            pubsubPort: null,
            pubsubTls: true,
            dailyDeliveryMax: 10000
        });
        expect(() => parseArgs(['--pubsub-port', 'x'])).toThrow(/--pubsub-port must be an integer/);
    });

    it('`npm run emulator` prints its URL, users and client id and is ready in under 2 s', async () => {
        const root = path.join(__dirname, '..', '..');
        const t0 = Date.now();
        const child = spawn(
            process.execPath,
            [
                path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
                'emulator/src/cli.ts',
                '--port',
                '0',
                '--pubsub-port',
                '0',
                '--seed',
                'demo'
            ],
            { cwd: root }
        );
        let out = '';
        try {
            const url = await new Promise<string>((resolve, reject) => {
                child.stdout.on('data', (d: Buffer) => {
                    out += d.toString();
                    const m = /ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
                    if (m && /control API/.test(out)) resolve(m[1]);
                });
                child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
            });
            const ready = Date.now() - t0;
            const [, reported, sinceStart] = /\((\d+) ms; (\d+) ms since process start\)/.exec(out)!.map(Number);
            console.log(
                `emulator CLI: ready ${sinceStart} ms after process start (startEmulator ${reported} ms; ${ready} ms wall time seen by the test, under Jest load)`
            );
            // Process start includes loading TypeScript through tsx, which depends on machine load;
            // the emulator's own start (schema, metadata, seed, listen) must stay well under 2 s.
            expect(reported).toBeLessThan(2000);
            expect(sinceStart).toBeGreaterThanOrEqual(reported);
            expect(out).toContain('OAuth client id: statisfy-dev-client');
            expect(out).toContain('user admin@statisfy.test / statisfy');
            expect(out).toContain('user integration@statisfy.test / statisfy');
            const versions = await fetch(`${url}/services/data`);
            expect(versions.status).toBe(200);
        } finally {
            child.kill('SIGTERM');
        }
    });
});
