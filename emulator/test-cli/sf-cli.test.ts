/**
 * The project's own Salesforce CLI (`npm run sf`) against a running emulator, offline: one emulator on a
 * random port and one temp HOME for the whole file; each command runs with `--json` and its result is
 * checked against what the emulator holds. A second, namespaced emulator (`statisfy`, as a subscriber
 * org) runs the commands that touch package objects. Commands the emulator does not implement (the
 * Tooling API behind `apex run`) must answer as Salesforce answers an unknown resource.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_JWT_PRIVATE_KEY_PATH } from '../src/auth/dev-jwt';
import { startEmulator, type RunningEmulator } from '../src/server';
import { SfCli, type SfResult } from './sf-harness';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const PLAN = join(ROOT, 'demo', 'data', 'sample-data-plan.json');

/** An access token for `username` from the emulator's OAuth password grant. */
async function accessToken(url: string, username: string): Promise<string> {
    const r = await fetch(`${url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
            grant_type: 'password',
            client_id: 'statisfy-dev-client',
            client_secret: 'statisfy-dev-secret',
            username,
            password: 'statisfy'
        })
    });
    return ((await r.json()) as { access_token: string }).access_token;
}

/** The command's result, failing with the CLI's own message when it did not succeed. */
function ok<T = Record<string, unknown>>(r: SfResult): T {
    if (r.code !== 0 || r.json?.status !== 0)
        throw new Error(`sf failed (exit ${r.code}): ${r.json ? `${r.json.name}: ${r.json.message}` : r.stderr}`);
    return r.json.result as T;
}

function records(r: SfResult): Array<Record<string, unknown>> {
    return ok<{ records: Array<Record<string, unknown>> }>(r).records;
}

/** `sf org login access-token` with a password-grant token of the admin user. */
async function loginAccessToken(url: string, alias: string): Promise<SfResult> {
    const token = await accessToken(url, 'admin@statisfy.test');
    return sf.run(['org', 'login', 'access-token', '--instance-url', url, '--no-prompt', '--alias', alias], {
        env: { SF_ACCESS_TOKEN: token }
    });
}

/** `sf org login jwt` with the development connected app and key. */
function loginJwt(url: string, username: string, alias: string): Promise<SfResult> {
    const app = ['--client-id', 'statisfy-dev-client', '--jwt-key-file', DEV_JWT_PRIVATE_KEY_PATH];
    return sf.run(['org', 'login', 'jwt', ...app, '--username', username, '--instance-url', url, '--alias', alias]);
}

let sf: SfCli;
let emu: RunningEmulator;
let work: string;
const org = ['--target-org', 'emu'];

beforeAll(async () => {
    emu = await startEmulator({ port: 0, seed: 'empty' });
    sf = new SfCli();
    work = join(sf.home, 'work');
    mkdirSync(work, { recursive: true });
});

afterAll(async () => {
    sf?.dispose();
    await emu?.stop();
});

describe('sf CLI against the emulator', () => {
    it('org login access-token stores the org', async () => {
        const r = ok(await loginAccessToken(emu.url, 'emu'));
        expect(r).toMatchObject({ username: 'admin@statisfy.test', orgId: emu.orgId });
    });

    it('org login jwt signs with the dev certificate (exp in milliseconds, as the CLI signs it)', async () => {
        const r = ok(await loginJwt(emu.url, 'integration@statisfy.test', 'emu-jwt'));
        expect(r).toMatchObject({ username: 'integration@statisfy.test', orgId: emu.orgId });
        const who = ok(await sf.run(['org', 'display', '--target-org', 'emu-jwt']));
        expect(who).toMatchObject({ username: 'integration@statisfy.test', connectedStatus: 'Connected' });
    });

    it('org display reads the Organization and reports Connected', async () => {
        const r = ok(await sf.run(['org', 'display', ...org]));
        expect(r).toMatchObject({ id: emu.orgId, username: 'admin@statisfy.test', connectedStatus: 'Connected' });
    });

    it('data import tree loads the demo plan (scripts/org-load-data.sh) with its references resolved', async () => {
        const r = ok<Array<{ refId: string; type: string; id: string }>>(
            await sf.run(['data', 'import', 'tree', '--plan', PLAN, ...org])
        );
        expect(r).toHaveLength(3 + 4 + 3 + 1 + 7 + 3);
        const contacts = records(
            await sf.run([
                'data',
                'query',
                '-q',
                'SELECT LastName, Account.Name FROM Contact ORDER BY LastName',
                ...org
            ])
        );
        expect(contacts).toHaveLength(4);
        expect(contacts.every((c) => typeof (c.Account as { Name?: unknown })?.Name === 'string')).toBe(true);
    });

    it('data query: plain, --result-format csv and json, --all-rows, parent paths two levels deep', async () => {
        const plain = records(
            await sf.run(['data', 'query', '-q', 'SELECT Id, Name, Owner.Name FROM Account ORDER BY Name', ...org])
        );
        expect(plain.map((a) => a.Name)).toEqual(['Acme Robotics', 'Globex Health', 'Initech Software']);
        const csv = await sf.run(
            [
                'data',
                'query',
                '-q',
                'SELECT Name, Account.Owner.Name FROM Contact ORDER BY Name LIMIT 2',
                '--result-format',
                'csv',
                ...org
            ],
            { json: false }
        );
        expect(csv.code).toBe(0);
        expect(csv.stdout.trim().split('\n')[0]).toBe('Name,Account.Owner.Name');
        expect(csv.stdout).toContain('Ada Admin');
        const json = await sf.run(
            ['data', 'query', '-q', 'SELECT Id, Name FROM Account LIMIT 1', '--result-format', 'json', ...org],
            { json: false }
        );
        expect(json.code).toBe(0);
        expect(JSON.parse(json.stdout)).toMatchObject({ status: 0, result: { totalSize: 1, done: true } });
        const id = plain[0].Id as string;
        ok(await sf.run(['data', 'delete', 'record', '--sobject', 'Account', '--record-id', id, ...org]));
        const all = records(
            await sf.run(['data', 'query', '-q', 'SELECT Id, IsDeleted FROM Account', '--all-rows', ...org])
        );
        expect(all.find((a) => a.Id === id)).toMatchObject({ IsDeleted: true });
        const live = records(await sf.run(['data', 'query', '-q', 'SELECT Id FROM Account', ...org]));
        expect(live.map((a) => a.Id)).not.toContain(id);
    });

    it('data query with a child relationship subquery, as data export tree writes it', async () => {
        const rows = records(
            await sf.run([
                'data',
                'query',
                '-q',
                "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account WHERE Name = 'Globex Health'",
                ...org
            ])
        );
        expect(rows).toHaveLength(1);
        const contacts = rows[0].Contacts as { totalSize: number; records: Array<{ LastName: string }> };
        expect(contacts.totalSize).toBeGreaterThan(0);
        const out = join(work, 'tree');
        ok(
            await sf.run([
                'data',
                'export',
                'tree',
                '-q',
                'SELECT Id, Name, (SELECT Id, LastName FROM Contacts) FROM Account',
                '--output-dir',
                out,
                ...org
            ])
        );
        const file = readdirSync(out).find((f) => f.endsWith('.json'))!;
        const exported = JSON.parse(readFileSync(join(out, file), 'utf8')) as {
            records: Array<{ Name: string; Contacts?: { records: unknown[] } }>;
        };
        expect(exported.records.find((a) => a.Name === 'Globex Health')?.Contacts?.records.length).toBe(
            contacts.totalSize
        );
    });

    it('data create|get|update|delete record', async () => {
        const created = ok<{ id: string; success: boolean }>(
            await sf.run([
                'data',
                'create',
                'record',
                '--sobject',
                'Account',
                '--values',
                "Name='CLI Co' Industry=Energy",
                ...org
            ])
        );
        expect(created.success).toBe(true);
        const got = ok(
            await sf.run(['data', 'get', 'record', '--sobject', 'Account', '--record-id', created.id, ...org])
        );
        expect(got).toMatchObject({ Id: created.id, Name: 'CLI Co', Industry: 'Energy' });
        ok(
            await sf.run([
                'data',
                'update',
                'record',
                '--sobject',
                'Account',
                '--record-id',
                created.id,
                '--values',
                "Name='CLI Co 2'",
                ...org
            ])
        );
        const byWhere = ok(
            await sf.run(['data', 'get', 'record', '--sobject', 'Account', '--where', "Name='CLI Co 2'", ...org])
        );
        expect(byWhere).toMatchObject({ Id: created.id });
        ok(await sf.run(['data', 'delete', 'record', '--sobject', 'Account', '--record-id', created.id, ...org]));
        expect(emu.org.store.get(created.id)?.rec.IsDeleted).toBe(true);
    });

    it('data import|upsert|delete bulk and data export bulk (Bulk API 2.0)', async () => {
        writeFileSync(join(work, 'new.csv'), 'Name,Industry\nBulk One,Energy\nBulk Two,Retail\n');
        const imported = ok<{ processedRecords?: number; jobInfo?: { numberRecordsProcessed: number } }>(
            await sf.run([
                'data',
                'import',
                'bulk',
                '--file',
                join(work, 'new.csv'),
                '--sobject',
                'Account',
                '--wait',
                '5',
                ...org
            ])
        );
        expect(JSON.stringify(imported)).toContain('2');
        const ids = records(
            await sf.run([
                'data',
                'query',
                '-q',
                "SELECT Id FROM Account WHERE Name LIKE 'Bulk%' ORDER BY Name",
                ...org
            ])
        ).map((r) => r.Id as string);
        expect(ids).toHaveLength(2);
        writeFileSync(join(work, 'upsert.csv'), `Id,Name\n${ids.map((i, n) => `${i},Upserted ${n}`).join('\n')}\n`);
        ok(
            await sf.run([
                'data',
                'upsert',
                'bulk',
                '--file',
                join(work, 'upsert.csv'),
                '--sobject',
                'Account',
                '--external-id',
                'Id',
                '--wait',
                '5',
                ...org
            ])
        );
        expect(ids.map((i) => emu.org.store.get(i)?.rec.Name)).toEqual(['Upserted 0', 'Upserted 1']);
        const out = join(work, 'export.csv');
        ok(
            await sf.run([
                'data',
                'export',
                'bulk',
                '-q',
                "SELECT Id, Name FROM Account WHERE Name LIKE 'Upserted%'",
                '--output-file',
                out,
                '--wait',
                '5',
                ...org
            ])
        );
        const exported = readFileSync(out, 'utf8').trim().split(/\r?\n/);
        expect(exported[0].replace(/"/g, '')).toBe('Id,Name');
        expect(exported).toHaveLength(3);
        writeFileSync(join(work, 'delete.csv'), `Id\n${ids.join('\n')}\n`);
        ok(
            await sf.run([
                'data',
                'delete',
                'bulk',
                '--file',
                join(work, 'delete.csv'),
                '--sobject',
                'Account',
                '--wait',
                '5',
                ...org
            ])
        );
        expect(ids.map((i) => emu.org.store.get(i)?.rec.IsDeleted)).toEqual([true, true]);
    });

    it('sobject describe and sobject list', async () => {
        const d = ok<{ name: string; fields: Array<{ name: string }> }>(
            await sf.run(['sobject', 'describe', '--sobject', 'Account', ...org])
        );
        expect(d.name).toBe('Account');
        expect(d.fields.map((f) => f.name)).toContain('Industry');
        const all = ok<string[]>(await sf.run(['sobject', 'list', '--sobject', 'all', ...org]));
        expect(all).toEqual(expect.arrayContaining(['Account', 'Contact', 'Organization', 'Sync_Object__c']));
        const custom = ok<string[]>(await sf.run(['sobject', 'list', '--sobject', 'custom', ...org]));
        expect(custom).toContain('Sync_Object__c');
        expect(custom).not.toContain('Account');
    });

    it('org list limits and api request rest', async () => {
        const limits = ok<Array<{ name: string; max: number; remaining: number }>>(
            await sf.run(['org', 'list', 'limits', ...org])
        );
        expect(limits.find((l) => l.name === 'DailyApiRequests')).toMatchObject({ max: 100000 });
        const rest = await sf.run(['api', 'request', 'rest', '/services/data/v62.0/limits', ...org], { json: false });
        expect(rest.code).toBe(0);
        expect(JSON.parse(rest.stdout)).toHaveProperty('DailyApiRequests.Max', 100000);
    });

    it('apex run (Tooling API, not emulated) answers as Salesforce answers an unknown resource', async () => {
        const apex = join(ROOT, 'demo', 'apex', 'ensure-defaults.apex');
        const r = await sf.run(['apex', 'run', '--file', apex, ...org]);
        expect(r.code).not.toBe(0);
        expect(r.json?.message).toContain('The requested resource does not exist');
        const token = await accessToken(emu.url, 'admin@statisfy.test');
        const wire = await fetch(`${emu.url}/services/data/v62.0/tooling/executeAnonymous?anonymousBody=x`, {
            headers: { authorization: `Bearer ${token}` }
        });
        expect(wire.status).toBe(404);
        expect(await wire.json()).toEqual([
            { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }
        ]);
    });

    it('made no connection outside the loopback interface', () => {
        expect(sf.refusedConnections()).toEqual([]);
    });
});

describe('sf CLI against a namespaced emulator (--namespace statisfy, a subscriber org)', () => {
    let ns: RunningEmulator;
    const nsOrg = ['--target-org', 'emu-ns'];

    beforeAll(async () => {
        ns = await startEmulator({ port: 0, seed: 'demo', namespace: 'statisfy' });
        ok(await loginAccessToken(ns.url, 'emu-ns'));
    });
    afterAll(async () => {
        await ns?.stop();
    });

    it('logs in with jwt and reads the Organization namespace', async () => {
        ok(await loginJwt(ns.url, 'sales@statisfy.test', 'emu-ns-jwt'));
        const r = records(await sf.run(['data', 'query', '-q', 'SELECT NamespacePrefix FROM Organization', ...nsOrg]));
        expect(r[0].NamespacePrefix).toBe('statisfy');
    });

    it('queries package objects with the prefixed child relationship (SyncObjectSelector)', async () => {
        const rows = records(
            await sf.run([
                'data',
                'query',
                '-q',
                'SELECT statisfy__Object_Api_Name__c, (SELECT Id, statisfy__Salesforce_Field__c FROM statisfy__Field_Mappings__r) FROM statisfy__Sync_Object__c ORDER BY statisfy__Object_Api_Name__c',
                '--result-format',
                'json',
                ...nsOrg
            ])
        );
        expect(rows.length).toBeGreaterThan(0);
        const account = rows.find((r) => r.statisfy__Object_Api_Name__c === 'Account')!;
        expect((account.statisfy__Field_Mappings__r as { totalSize: number }).totalSize).toBeGreaterThan(0);
    });

    it('describes, creates and reads package records', async () => {
        const d = ok<{ name: string }>(
            await sf.run(['sobject', 'describe', '--sobject', 'statisfy__Field_Mapping__c', ...nsOrg])
        );
        expect(d.name).toBe('statisfy__Field_Mapping__c');
        const created = ok<{ id: string }>(
            await sf.run(['data', 'create', 'record', '--sobject', 'Account', '--values', "Name='NS Co'", ...nsOrg])
        );
        const got = ok(
            await sf.run(['data', 'get', 'record', '--sobject', 'Account', '--record-id', created.id, ...nsOrg])
        );
        expect(got).toMatchObject({ Name: 'NS Co' });
        const out = join(work, 'ns-export.csv');
        ok(
            await sf.run([
                'data',
                'export',
                'bulk',
                '-q',
                'SELECT Id, statisfy__Object_Api_Name__c FROM statisfy__Sync_Object__c',
                '--output-file',
                out,
                '--wait',
                '5',
                ...nsOrg
            ])
        );
        expect(readFileSync(out, 'utf8')).toContain('Account');
    });

    it('made no connection outside the loopback interface', () => {
        expect(sf.refusedConnections()).toEqual([]);
    });
});
