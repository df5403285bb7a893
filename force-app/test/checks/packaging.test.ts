/**
 * Check 7: what a managed package does in a subscriber org, checked offline (issue 12 item 5).
 *
 * - A packaged permission set carries custom object, custom field, Apex class, app and tab access, but no standard
 *   object permissions, no standard field permissions and no user permissions (Salesforce, "Permission Sets and
 *   Profile Settings in Packages"): those live in the unpackaged directory (`unpackaged/`, not packaged by
 *   `sf package version create`), which scripts/org-deploy.sh deploys and scripts/org-assign-permsets.sh assigns.
 * - The post-install handler must not reach a `with sharing` class of the package (Salesforce, "Run Apex on Package
 *   Install/Upgrade": calling one can make the install fail); the path is followed through class references and
 *   through the triggers of the objects the classes name (the handler's inserts fire them).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { findFiles, PACKAGE_DIR, rel, ROOT, UNPACKAGED_DIR } from './sources';

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: () => true });

interface Grants {
    objects: string[];
    fields: string[];
    userPermissions: string[];
}

/** The object, field and user permissions a permission set grants. */
export function grantsOf(file: string): Grants {
    const set = xml.parse(readFileSync(file, 'utf8')).PermissionSet[0] as Record<string, Record<string, string[]>[]>;
    const enabled = (p: Record<string, string[]>, keys: string[]) =>
        keys.some((k) => ['true', '1'].includes(p[k]?.[0]));
    return {
        objects: (set.objectPermissions ?? [])
            .filter((p) => enabled(p, ['allowRead', 'allowCreate', 'allowEdit', 'allowDelete']))
            .map((p) => p.object[0]),
        fields: (set.fieldPermissions ?? []).filter((p) => enabled(p, ['readable', 'editable'])).map((p) => p.field[0]),
        userPermissions: (set.userPermissions ?? []).filter((p) => enabled(p, ['enabled'])).map((p) => p.name[0])
    };
}

const isCustom = (name: string) => /__(c|e|mdt|x|b)$/i.test(name);

/** What a managed package would drop from a permission set: standard objects, standard fields, user permissions. */
export function unpackageable(grants: Grants): string[] {
    return [
        ...grants.objects.filter((o) => !isCustom(o)).map((o) => `object ${o}`),
        ...grants.fields.filter((f) => !isCustom(f.split('.')[1] ?? '')).map((f) => `field ${f}`),
        ...grants.userPermissions.map((p) => `user permission ${p}`)
    ];
}

/** Apex source without comments and string literals (names in them are not references). */
export function codeOnly(apex: string): string {
    return apex
        .replace(/\/\*[\s\S]*?\*\//g, ' ')
        .replace(/\/\/[^\n]*/g, ' ')
        .replace(/'(?:\\.|[^'\\])*'/g, "''");
}

interface Unit {
    name: string;
    sharing: string | null;
    code: string;
}

/** The package's non-test classes and its triggers (by object). */
function units(): { classes: Map<string, Unit>; triggers: Map<string, Unit[]> } {
    const classes = new Map<string, Unit>();
    const triggers = new Map<string, Unit[]>();
    for (const file of findFiles(PACKAGE_DIR, /\.(cls|trigger)$/)) {
        const code = codeOnly(readFileSync(file, 'utf8'));
        const name = basename(file).replace(/\.(cls|trigger)$/, '');
        if (file.endsWith('.trigger')) {
            const object = /\btrigger\s+\w+\s+on\s+(\w+)/i.exec(code)?.[1] ?? '';
            triggers.set(object.toLowerCase(), [
                ...(triggers.get(object.toLowerCase()) ?? []),
                { name, sharing: null, code }
            ]);
        } else if (!/^\s*@IsTest\b/im.test(code.split(/\bclass\b/i)[0])) {
            const sharing = /\b(with|without|inherited)\s+sharing\s+class\b/i.exec(code)?.[1]?.toLowerCase() ?? null;
            classes.set(name, { name, sharing, code });
        }
    }
    return { classes, triggers };
}

/** Every package class reachable from a class, through references and the triggers of the objects it names. */
export function reachableFrom(start: string): Unit[] {
    const { classes, triggers } = units();
    const seen = new Set<string>([start]);
    const queue = [classes.get(start)];
    const out: Unit[] = [];
    while (queue.length) {
        const unit = queue.shift();
        if (!unit) continue;
        out.push(unit);
        const words = new Set(unit.code.match(/\b\w+\b/g) ?? []);
        const next = [...words].flatMap((w) => [
            ...(classes.has(w) ? [classes.get(w) as Unit] : []),
            ...(triggers.get(w.toLowerCase()) ?? [])
        ]);
        for (const n of next)
            if (!seen.has(n.name)) {
                seen.add(n.name);
                queue.push(n);
            }
    }
    return out;
}

const packagedSets = findFiles(PACKAGE_DIR, /\.permissionset-meta\.xml$/);
const unpackagedSets = findFiles(UNPACKAGED_DIR, /\.permissionset-meta\.xml$/);
const setName = (file: string) => basename(file).replace('.permissionset-meta.xml', '');

describe('what a managed package carries to a subscriber org', () => {
    it('finds the packaged and the unpackaged permission sets', () => {
        expect(packagedSets.map(setName)).toEqual(['Statisfy_Admin', 'Statisfy_Integration']);
        expect(unpackagedSets.map(setName)).toEqual(['Statisfy_Integration_Standard']);
    });

    it('notices standard objects, standard fields and user permissions (the check can fail)', () => {
        expect(
            unpackageable({
                objects: ['Account', 'Sync_Object__c'],
                fields: ['Account.Phone', 'Account.X__c'],
                userPermissions: ['ApiEnabled']
            })
        ).toEqual(['object Account', 'field Account.Phone', 'user permission ApiEnabled']);
    });

    it.each(packagedSets.map((f) => [rel(f), f]))('%s grants only what a managed package installs', (_n, file) => {
        expect(unpackageable(grantsOf(file))).toEqual([]);
    });

    it('grant the events, not their fields (platform event fields have no field-level security)', () => {
        for (const file of [...packagedSets, ...unpackagedSets])
            expect(grantsOf(file).fields.filter((f) => /__e\./.test(f))).toEqual([]);
        for (const name of ['Statisfy_Admin', 'Statisfy_Integration'])
            expect(grantsOf(packagedSets.find((f) => setName(f) === name) as string).objects).toContain(
                'Record_Change__e'
            );
    });

    it('the unpackaged directory is deployed beside the package, never packaged', () => {
        const project = JSON.parse(readFileSync(join(ROOT, 'sfdx-project.json'), 'utf8')) as {
            packageDirectories: { path: string; package?: string }[];
        };
        expect(project.packageDirectories.filter((d) => d.package).map((d) => d.path)).toEqual(['force-app']);
        expect(project.packageDirectories.map((d) => d.path)).toContain('unpackaged');
    });

    it('together the integration permission sets keep what the companion needs: API access and the synced objects', () => {
        const packaged = grantsOf(packagedSets.find((f) => setName(f) === 'Statisfy_Integration') as string);
        const standard = grantsOf(unpackagedSets[0]);
        expect(standard.userPermissions).toEqual(['ApiEnabled']);
        expect(standard.objects.sort()).toEqual(['Account', 'Contact', 'Lead', 'Opportunity']);
        expect(standard.fields).toEqual(
            expect.arrayContaining(['Account.Industry', 'Opportunity.Amount', 'Contact.Email'])
        );
        expect(packaged.objects).toEqual(
            expect.arrayContaining(['Sync_Object__c', 'Sync_Status__c', 'Record_Change__e'])
        );
        // The unpackaged set names no package component, so it deploys into a namespaced subscriber org as it is.
        expect([...standard.objects, ...standard.fields].filter((n) => /__[ce]\b/.test(n))).toEqual([]);
    });

    it('the scripts deploy the unpackaged directory and assign both integration permission sets', () => {
        const script = (name: string) => readFileSync(join(ROOT, 'scripts', name), 'utf8');
        expect(script('org-deploy.sh')).toMatch(/sf project deploy start --source-dir unpackaged/);
        expect(script('org-assign-permsets.sh')).toMatch(
            /--name Statisfy_Integration --name Statisfy_Integration_Standard/
        );
        expect(script('org-setup.sh')).toMatch(/org-deploy\.sh[\s\S]*org-assign-permsets\.sh/);
    });
});

describe('the post-install handler', () => {
    const path = reachableFrom('StatisfyPostInstall');

    it('follows references and trigger paths (the check can fail)', () => {
        const names = path.map((u) => u.name);
        expect(names).toEqual(
            expect.arrayContaining(['SyncObjectTrigger', 'RecordChangeHandler', 'RecordChangeService'])
        );
        expect(codeOnly("/* RecordChangeService */ x = 'StatisfyConfigController'; // y")).not.toMatch(/Record|Config/);
    });

    it('reaches no `with sharing` class', () => {
        const withSharing = path.filter((u) => u.sharing === 'with').map((u) => u.name);
        expect(withSharing).toEqual([]);
        expect(path.find((u) => u.name === 'StatisfyPostInstall')?.sharing).toBe('without');
    });
});
