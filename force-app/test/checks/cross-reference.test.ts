/**
 * Check 4: every object, field, relationship and class that the Apex, the LWCs and the package metadata name
 * exists in the source (or, for standard objects, in the list of standard fields below). Catches a renamed field
 * or a typo before a deploy does.
 *
 * Apex is read token by token with the apex-parser lexer (comments and string literals are skipped, so tests may
 * name objects that do not exist on purpose): `__c`/`__e`/`__r` names, `Object.Field` and `Schema.Object.Field`
 * tokens, `new Object(Field = …)` and inline SOQL select lists and conditions.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ApexLexer, ApexParserFactory } from '@apexdevtools/apex-parser';
import { apexFiles, findFiles, PACKAGE_DIRS, rel, ROOT } from './sources';
import { buildInventory, type Inventory } from './inventory';

interface Token {
    text: string;
    line: number;
}

function tokens(source: string): Token[] {
    const stream = ApexParserFactory.createTokenStream(source);
    stream.fill();
    return stream.tokens
        .filter((t) => t.channel === 0 && t.type !== ApexLexer.StringLiteral && t.type !== -1)
        .map((t) => ({ text: t.text, line: t.line }));
}

/** Problems with the names one Apex source uses, as `line: message`. */
export function apexReferenceProblems(source: string, inv: Inventory): string[] {
    const problems: string[] = [];
    const t = tokens(source);
    const isObject = (name: string) => inv.fields.has(name);
    const hasField = (object: string, field: string) => inv.fields.get(object)?.has(field.toLowerCase()) ?? false;
    const checkField = (object: string, field: string, line: number) => {
        if (!hasField(object, field)) problems.push(`${line}: ${object} has no field ${field}`);
    };
    for (let i = 0; i < t.length; i++) {
        const { text, line } = t[i];
        const lower = text.toLowerCase();
        // Custom names must exist somewhere.
        if (/__(c|e)$/i.test(text) && !inv.customObjects.has(lower) && !inv.customFields.has(lower)) {
            problems.push(`${line}: no object or field ${text}`);
        }
        if (/__r$/i.test(text) && !inv.childRelationships.has(lower) && !inv.relationships.has(lower)) {
            problems.push(`${line}: no relationship ${text}`);
        }
        // Object.Field and Schema.Object.Field tokens.
        if (
            isObject(text) &&
            t[i + 1]?.text === '.' &&
            t[i + 2] &&
            /^[A-Za-z_]\w*$/.test(t[i + 2].text) &&
            t[i + 3]?.text !== '('
        ) {
            const member = t[i + 2].text;
            if (member !== 'SObjectType' && t[i - 1]?.text !== 'new') checkField(text, member, line);
        }
        // new Object(Field = value, ...)
        if (text === 'new' && isObject(t[i + 1]?.text ?? '') && t[i + 2]?.text === '(') {
            const object = t[i + 1].text;
            let depth = 0;
            for (let j = i + 2; j < t.length; j++) {
                if (t[j].text === '(' || t[j].text === '{' || t[j].text === '[') depth++;
                else if (t[j].text === ')' || t[j].text === '}' || t[j].text === ']') {
                    depth--;
                    if (depth === 0) break;
                } else if (depth === 1 && t[j + 1]?.text === '=' && (t[j - 1].text === '(' || t[j - 1].text === ',')) {
                    checkField(object, t[j].text, t[j].line);
                }
            }
        }
        // Inline SOQL: [SELECT ... FROM Object ...] with sub-queries over child relationships.
        if (text === '[' && t[i + 1]?.text.toUpperCase() === 'SELECT') {
            checkQuery(t, i + 1, null);
        }
    }
    return problems;

    /** Checks the query starting at the SELECT token `start`; `relationship` is set for a sub-query. Returns its end. */
    function checkQuery(t: Token[], start: number, relationship: string | null): number {
        const selected: Token[][] = [[]];
        let j = start + 1;
        for (; j < t.length && t[j].text.toUpperCase() !== 'FROM'; j++) {
            if (t[j].text === '(' && t[j + 1]?.text.toUpperCase() === 'SELECT') {
                j = checkQuery(t, j + 1, 'sub');
            } else if (t[j].text === ',') selected.push([]);
            else selected[selected.length - 1].push(t[j]);
        }
        const from = t[j + 1];
        if (!from) return j;
        let object = from.text;
        if (relationship) {
            const child = inv.childRelationships.get(from.text.toLowerCase());
            if (!child) {
                problems.push(`${from.line}: no child relationship ${from.text}`);
                object = '';
            } else object = child;
        } else if (!isObject(object)) {
            problems.push(`${from.line}: query of unknown object ${object}`);
            object = '';
        }
        for (const item of selected) {
            if (!object || item.length === 0) continue;
            const first = item[0].text;
            if (item.length > 1 && item[1].text === '.') continue; // parent path, checked by its __r token
            if (/^(COUNT|FORMAT|TOLABEL|CONVERTCURRENCY)$/i.test(first)) continue;
            checkField(object, first, item[0].line);
        }
        // Conditions and ORDER BY: custom fields must be fields of the queried object (bind variables excepted).
        let depth = 0;
        let k = j + 2;
        for (; k < t.length; k++) {
            const s = t[k].text;
            if (s === '(' || s === '[') depth++;
            else if (s === ')' || s === ']') {
                if (depth === 0) break;
                depth--;
            } else if (
                object &&
                /__c$/i.test(s) &&
                t[k - 1].text !== ':' &&
                t[k - 1].text !== '.' &&
                t[k + 1]?.text !== '.'
            ) {
                checkField(object, s, t[k].line);
            }
        }
        return k;
    }
}

/** Problems with the Apex and schema imports of the LWCs. */
function lwcProblems(inv: Inventory, classes: Map<string, string>): string[] {
    const problems: string[] = [];
    for (const file of findFiles(join(ROOT, 'force-app', 'main', 'default', 'lwc'), /\.js$/)) {
        const source = readFileSync(file, 'utf8');
        for (const m of source.matchAll(/@salesforce\/apex\/(\w+)\.(\w+)/g)) {
            const apex = classes.get(m[1]);
            const method = new RegExp(`@AuraEnabled[^;{]*?\\bstatic\\s+[\\w<>,.\\s]+?\\b${m[2]}\\s*\\(`, 's');
            if (!apex) problems.push(`${rel(file)}: no Apex class ${m[1]}`);
            else if (!method.test(apex))
                problems.push(`${rel(file)}: ${m[1]} has no @AuraEnabled static method ${m[2]}`);
        }
        for (const m of source.matchAll(/@salesforce\/schema\/(\w+)(?:\.(\w+))?/g)) {
            if (!inv.fields.has(m[1])) problems.push(`${rel(file)}: no object ${m[1]}`);
            else if (m[2] && !inv.fields.get(m[1])?.has(m[2].toLowerCase()))
                problems.push(`${rel(file)}: ${m[1]} has no field ${m[2]}`);
        }
    }
    return problems;
}

/** Problems with the names permission sets, layouts, list views, tabs and the app use. */
function metadataProblems(inv: Inventory, classNames: Set<string>): string[] {
    const problems: string[] = [];
    const dirs = PACKAGE_DIRS;
    const hasField = (object: string, field: string) => inv.fields.get(object)?.has(field.toLowerCase()) ?? false;
    const tabs = new Set(
        dirs.flatMap((d) => findFiles(d, /\.tab-meta\.xml$/)).map((f) => basename(f).replace('.tab-meta.xml', ''))
    );
    const apps = new Set(
        dirs.flatMap((d) => findFiles(d, /\.app-meta\.xml$/)).map((f) => basename(f).replace('.app-meta.xml', ''))
    );
    const lwcs = new Set(
        findFiles(join(ROOT, 'force-app', 'main', 'default', 'lwc'), /\.js-meta\.xml$/).map((f) => basename(dirname(f)))
    );
    for (const file of dirs.flatMap((d) => findFiles(d, /\.permissionset-meta\.xml$/))) {
        const xml = readFileSync(file, 'utf8');
        for (const m of xml.matchAll(/<field>(\w+)\.(\w+)<\/field>/g))
            if (!hasField(m[1], m[2])) problems.push(`${rel(file)}: no field ${m[1]}.${m[2]}`);
        for (const m of xml.matchAll(/<object>(\w+)<\/object>/g))
            if (!inv.fields.has(m[1])) problems.push(`${rel(file)}: no object ${m[1]}`);
        for (const m of xml.matchAll(/<apexClass>(\w+)<\/apexClass>/g))
            if (!classNames.has(m[1])) problems.push(`${rel(file)}: no class ${m[1]}`);
        for (const m of xml.matchAll(/<tab>(\w+)<\/tab>/g))
            if (!tabs.has(m[1])) problems.push(`${rel(file)}: no tab ${m[1]}`);
        for (const m of xml.matchAll(/<application>(\w+)<\/application>/g))
            if (!apps.has(m[1])) problems.push(`${rel(file)}: no app ${m[1]}`);
    }
    for (const file of dirs.flatMap((d) => findFiles(d, /\.layout-meta\.xml$/))) {
        const object = basename(file).split('-')[0];
        const xml = readFileSync(file, 'utf8');
        for (const m of xml.matchAll(/<field>(\w+)<\/field>/g))
            if (!hasField(object, m[1])) problems.push(`${rel(file)}: ${object} has no field ${m[1]}`);
        for (const m of xml.matchAll(/<relatedList>(\w+)\.(\w+)<\/relatedList>/g))
            if (!hasField(m[1], m[2])) problems.push(`${rel(file)}: no related list ${m[1]}.${m[2]}`);
    }
    for (const file of dirs.flatMap((d) => findFiles(d, /\.listView-meta\.xml$/))) {
        const object = basename(dirname(dirname(file)));
        const xml = readFileSync(file, 'utf8');
        for (const m of xml.matchAll(/<(?:columns|field)>(\w+__c)<\/(?:columns|field)>/g))
            if (!hasField(object, m[1])) problems.push(`${rel(file)}: ${object} has no field ${m[1]}`);
    }
    for (const file of dirs.flatMap((d) => findFiles(d, /\.app-meta\.xml$/))) {
        for (const m of readFileSync(file, 'utf8').matchAll(/<tabs>([\w-]+)<\/tabs>/g)) {
            if (!m[1].startsWith('standard-') && !tabs.has(m[1])) problems.push(`${rel(file)}: no tab ${m[1]}`);
        }
    }
    for (const file of dirs.flatMap((d) => findFiles(d, /\.tab-meta\.xml$/))) {
        const xml = readFileSync(file, 'utf8');
        const component = /<lwcComponent>(\w+)<\/lwcComponent>/.exec(xml)?.[1];
        if (component && !lwcs.has(component)) problems.push(`${rel(file)}: no LWC ${component}`);
        const name = basename(file).replace('.tab-meta.xml', '');
        if (/<customObject>true<\/customObject>/.test(xml) && !inv.customObjects.has(name.toLowerCase()))
            problems.push(`${rel(file)}: no object ${name}`);
    }
    return problems;
}

const inventory = buildInventory();
const files = apexFiles();
const classSources = new Map(
    files.filter((f) => f.endsWith('.cls')).map((f) => [basename(f, '.cls'), readFileSync(f, 'utf8')])
);

describe('cross-references', () => {
    it('reads the package schema', () => {
        expect(inventory.fields.get('Field_Mapping__c')?.has('salesforce_field__c')).toBe(true);
        expect(inventory.childRelationships.get('field_mappings__r')).toBe('Field_Mapping__c');
        expect(inventory.fields.get('Success_Plan__c')?.has('health_score__c')).toBe(true);
    });

    it('finds wrong names in Apex (the check can fail)', () => {
        const source = `public class Broken {
            void m() {
                Sync_Object__c s = new Sync_Object__c(Enabld__c = true);
                Object x = Account.Ammount;
                List<Sync_Object__c> rows = [SELECT Id, Nope__c, (SELECT Key__c, Bad__c FROM Field_Mappings__r) FROM Sync_Object__c WHERE Missing__c = :x];
                List<Field_Mapping__c> more = [SELECT Id FROM Field_Mapping__c WHERE Object_Api_Name__c = 'x'];
                String ignored = 'No_Such_Object__c';
            }
        }`;
        const problems = apexReferenceProblems(source, inventory);
        expect(problems).toEqual(
            expect.arrayContaining([
                expect.stringContaining('no object or field Enabld__c'),
                expect.stringContaining('Account has no field Ammount'),
                expect.stringContaining('Sync_Object__c has no field Nope__c'),
                expect.stringContaining('Field_Mapping__c has no field Bad__c'),
                expect.stringContaining('Sync_Object__c has no field Missing__c'),
                expect.stringContaining('Field_Mapping__c has no field Object_Api_Name__c')
            ])
        );
        expect(problems.join('\n')).not.toContain('No_Such_Object__c');
    });

    it.each(files.map((f) => [rel(f), f]))('%s names only existing objects and fields', (_name, file) => {
        expect(apexReferenceProblems(readFileSync(file, 'utf8'), inventory)).toEqual([]);
    });

    it('LWC imports name existing Apex methods, objects and fields', () => {
        expect(lwcProblems(inventory, classSources)).toEqual([]);
    });

    it('permission sets, layouts, list views, tabs and the app name existing things', () => {
        expect(metadataProblems(inventory, new Set(classSources.keys()))).toEqual([]);
    });
});
