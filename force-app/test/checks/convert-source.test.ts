/**
 * Check 3: `sf project convert source` turns the package directory (and the unpackaged and demo directories) into
 * Metadata API format, as `sf project deploy` and `sf package version create` do first. Runs the sf CLI on Node 22 offline:
 * a throw-away HOME, telemetry and auto-update off.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './sources';

jest.setTimeout(180_000);

const NODE22 = join(ROOT, 'node_modules', '.bin', 'node22');
const SF = join(ROOT, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');

let home: string;

interface Converted {
    status: number | null;
    output: string;
    packageXml: string;
    seconds: number;
}

function convert(rootDir: string): Converted {
    const outputDir = join(home, `out-${rootDir}`);
    const started = Date.now();
    const run = spawnSync(
        NODE22,
        [SF, 'project', 'convert', 'source', '--root-dir', rootDir, '--output-dir', outputDir],
        {
            cwd: ROOT,
            encoding: 'utf8',
            timeout: 150_000,
            env: {
                PATH: process.env.PATH,
                HOME: home,
                XDG_CONFIG_HOME: join(home, '.config'),
                XDG_DATA_HOME: join(home, '.local', 'share'),
                XDG_CACHE_HOME: join(home, '.cache'),
                SF_DISABLE_TELEMETRY: 'true',
                SF_AUTOUPDATE_DISABLE: 'true',
                SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
                SF_SKIP_NEW_VERSION_CHECK: 'true',
                SF_DISABLE_LOG_FILE: 'true'
            }
        }
    );
    const packageXmlPath = join(outputDir, 'package.xml');
    return {
        status: run.status,
        output: `${run.stdout}\n${run.stderr}`,
        packageXml: existsSync(packageXmlPath) ? readFileSync(packageXmlPath, 'utf8') : '',
        seconds: (Date.now() - started) / 1000
    };
}

/** Members of one metadata type in a package.xml. */
function members(packageXml: string, type: string): string[] {
    const out: string[] = [];
    for (const block of packageXml.split('<types>')) {
        if (!block.includes(`<name>${type}</name>`)) continue;
        for (const m of block.matchAll(/<members>([^<]+)<\/members>/g)) out.push(m[1]);
    }
    return out;
}

beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'statisfy-sf-'));
});

afterAll(() => {
    if (home) rmSync(home, { recursive: true, force: true });
});

describe('sf project convert source', () => {
    it('converts force-app with every metadata type of the package', () => {
        const result = convert('force-app');
        console.info(`sf project convert source --root-dir force-app: ${result.seconds.toFixed(1)} s`);
        expect(result.output).toContain('successfully converted');
        expect(result.status).toBe(0);
        expect(result.seconds).toBeLessThan(60);
        expect(members(result.packageXml, 'ApexClass')).toEqual(
            expect.arrayContaining([
                'RecordChangeService',
                'StatisfyChanges',
                'StatisfyConfigController',
                'StatisfyPostInstall'
            ])
        );
        expect(members(result.packageXml, 'ApexTrigger')).toEqual(
            expect.arrayContaining([
                'AccountTrigger',
                'OpportunityTrigger',
                'ContactTrigger',
                'LeadTrigger',
                'SyncObjectTrigger',
                'FieldMappingTrigger'
            ])
        );
        expect(members(result.packageXml, 'CustomObject')).toEqual(
            expect.arrayContaining([
                'Sync_Object__c',
                'Field_Mapping__c',
                'Sync_Status__c',
                'Sync_Error__c',
                'Record_Change__e',
                'Sync_Request__e',
                'Statisfy_Settings__c'
            ])
        );
        expect(members(result.packageXml, 'PermissionSet')).toEqual(['Statisfy_Admin', 'Statisfy_Integration']);
        expect(members(result.packageXml, 'Layout').length).toBeGreaterThanOrEqual(4);
        expect(members(result.packageXml, 'ListView')).toEqual(expect.arrayContaining(['Sync_Error__c.Unresolved']));
        // Tests and mocks stay out of the deployable metadata (.forceignore).
        expect(result.packageXml).not.toContain('__tests__');
    });

    it('converts the demo directory', () => {
        const result = convert('demo');
        expect(result.status).toBe(0);
        expect(members(result.packageXml, 'CustomObject')).toEqual(['Success_Plan__c']);
        expect(members(result.packageXml, 'ApexTrigger')).toEqual(['SuccessPlanTrigger']);
    });

    it('converts the unpackaged directory: the permission set a managed package cannot carry', () => {
        const result = convert('unpackaged');
        expect(result.status).toBe(0);
        expect(members(result.packageXml, 'PermissionSet')).toEqual(['Statisfy_Integration_Standard']);
    });

    it('fails on a directory that is not source (the check can fail)', () => {
        const result = convert('no-such-directory');
        expect(result.status).not.toBe(0);
    });
});
