/**
 * The Salesforce developer scripts (scripts/org-*.sh, scripts/package-*.sh) cannot run here (they need a Dev Hub),
 * so this checks what can be checked offline: they are valid bash with `set -euo pipefail`, answer `-h` with their
 * usage without calling the sf CLI, refuse bad options, and the files they use exist. The demo data they load
 * names only existing objects and fields, and its references resolve within the plan.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findFiles, ROOT } from './sources';
import { buildInventory } from './inventory';

const SCRIPTS = findFiles(join(ROOT, 'scripts'), /^(org|package)-.*\.sh$/).filter(
    (f) => !f.endsWith('package-managed-project.sh')
);
const HELPERS = [join(ROOT, 'scripts', 'sf-common.sh'), join(ROOT, 'scripts', 'package-managed-project.sh')];

function bash(args: string[]) {
    // A PATH without npm/node proves -h never reaches the sf CLI.
    return spawnSync('bash', args, {
        cwd: ROOT,
        encoding: 'utf8',
        env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' },
        timeout: 20_000
    });
}

describe('developer scripts', () => {
    it('finds the scripts', () => {
        expect(SCRIPTS.map((f) => basename(f))).toEqual(
            expect.arrayContaining([
                'org-create.sh',
                'org-deploy.sh',
                'org-assign-permsets.sh',
                'org-load-data.sh',
                'org-test.sh',
                'package-version.sh'
            ])
        );
    });

    it.each([...SCRIPTS, ...HELPERS].map((f) => [basename(f), f]))('%s is valid bash', (_name, file) => {
        expect(bash(['-n', file]).status).toBe(0);
    });

    it.each(SCRIPTS.map((f) => [basename(f), f]))(
        '%s runs with set -euo pipefail and answers -h with its usage',
        (_name, file) => {
            expect(readFileSync(file, 'utf8')).toMatch(/^#!\/usr\/bin\/env bash\nset -euo pipefail\n/);
            const help = bash([file, '-h']);
            expect(help.stdout).toMatch(/^Usage: scripts\//);
            expect(help.status).toBe(0);
        }
    );

    it.each(SCRIPTS.map((f) => [basename(f), f]))('%s refuses an unknown option', (_name, file) => {
        const args = basename(file).startsWith('package-') ? [file, 'unlocked', '-x'] : [file, '-x'];
        expect(bash(args).status).not.toBe(0);
    });

    it('names files that exist', () => {
        const missing: string[] = [];
        for (const file of [...SCRIPTS, ...HELPERS]) {
            for (const m of readFileSync(file, 'utf8').matchAll(
                /\b((?:config|demo|force-app)\/[\w./-]+\.(?:json|apex))\b/g
            )) {
                if (!existsSync(join(ROOT, m[1]))) missing.push(`${basename(file)}: ${m[1]}`);
            }
        }
        expect(missing).toEqual([]);
    });
});

describe('demo data (sf data import tree plan)', () => {
    const dataDir = join(ROOT, 'demo', 'data');
    const plan = JSON.parse(readFileSync(join(dataDir, 'sample-data-plan.json'), 'utf8')) as Array<{
        sobject: string;
        saveRefs: boolean;
        resolveRefs: boolean;
        files: string[];
    }>;
    const inventory = buildInventory();

    it('names existing objects and fields, and resolves every @reference from an earlier step', () => {
        const problems: string[] = [];
        const saved = new Set<string>();
        for (const step of plan) {
            const fields = inventory.fields.get(step.sobject);
            if (!fields) problems.push(`no object ${step.sobject}`);
            for (const file of step.files) {
                const records = (
                    JSON.parse(readFileSync(join(dataDir, file), 'utf8')) as { records: Array<Record<string, unknown>> }
                ).records;
                for (const record of records) {
                    const attributes = record.attributes as { type: string; referenceId: string };
                    if (attributes.type !== step.sobject)
                        problems.push(`${file}: ${attributes.type} in a ${step.sobject} step`);
                    for (const [field, value] of Object.entries(record)) {
                        if (field === 'attributes') continue;
                        if (!fields?.has(field.toLowerCase()))
                            problems.push(`${file}: ${step.sobject} has no field ${field}`);
                        if (typeof value === 'string' && value.startsWith('@')) {
                            if (!step.resolveRefs) problems.push(`${file}: ${value} in a step without resolveRefs`);
                            if (!saved.has(value.slice(1)))
                                problems.push(`${file}: ${value} is not saved by an earlier step`);
                        }
                    }
                    if (step.saveRefs) saved.add(attributes.referenceId);
                }
            }
        }
        expect(problems).toEqual([]);
    });

    it('uses only the restricted picklist values of the demo object', () => {
        const xml = readFileSync(
            join(ROOT, 'demo/main/default/objects/Success_Plan__c/fields/Status__c.field-meta.xml'),
            'utf8'
        );
        const allowed = new Set([...xml.matchAll(/<fullName>([^<]+)<\/fullName>/g)].map((m) => m[1]).slice(1));
        const plans = JSON.parse(readFileSync(join(dataDir, 'Success_Plan__c.json'), 'utf8')).records as Array<{
            Status__c: string;
        }>;
        expect(plans.filter((p) => !allowed.has(p.Status__c))).toEqual([]);
        expect(allowed).toEqual(new Set(['Not Started', 'On Track', 'At Risk', 'Off Track', 'Completed']));
    });
});
