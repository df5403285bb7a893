/**
 * Namespace safety (NebulaLogger's habit): the package's Apex names platform classes fully qualified
 * (`System.JSON`, `System.Database.insert`, `Schema.SObjectField`, …), so a subscriber org's own class called
 * `JSON` or `Database` can never shadow them, and the same source compiles in the managed build. Checked on the
 * token stream (comments and strings skipped).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApexLexer, ApexParserFactory } from '@apexdevtools/apex-parser';
import { findFiles, rel, ROOT } from './sources';

/** Platform classes that must be written with their namespace. */
const QUALIFIED = new Set(
    [
        'JSON',
        'JSONGenerator',
        'EventBus',
        'UserInfo',
        'Limits',
        'Test',
        'Assert',
        'Math',
        'Crypto',
        'AccessLevel',
        'LoggingLevel',
        'TriggerOperation',
        'InstallHandler',
        'InstallContext',
        'AuraHandledException',
        'SObjectField',
        'SObjectType',
        'DescribeFieldResult',
        'DescribeSObjectResult',
        'DisplayType',
        'SObjectDescribeOptions',
        'PicklistEntry'
    ].map((n) => n.toLowerCase())
);
/** Types of the `Database` namespace, which are written `Database.X`. */
const DATABASE_TYPES = new Set([
    'saveresult',
    'error',
    'upsertresult',
    'deleteresult',
    'undeleteresult',
    'batchablecontext'
]);

export function unqualifiedReferences(source: string): string[] {
    const stream = ApexParserFactory.createTokenStream(source);
    stream.fill();
    const t = stream.tokens.filter((x) => x.channel === 0 && x.type !== ApexLexer.StringLiteral && x.type !== -1);
    const problems: string[] = [];
    for (let i = 0; i < t.length; i++) {
        const name = t[i].text.toLowerCase();
        const qualified = t[i - 1]?.text === '.';
        if (QUALIFIED.has(name) && !qualified) problems.push(`${t[i].line}: ${t[i].text} without System./Schema.`);
        if (name === 'database' && !qualified && !DATABASE_TYPES.has(t[i + 2]?.text.toLowerCase() ?? '')) {
            problems.push(`${t[i].line}: Database.${t[i + 2]?.text} without System.`);
        }
    }
    return problems;
}

const files = findFiles(join(ROOT, 'force-app'), /\.(cls|trigger)$/);

describe('namespace-safe Apex', () => {
    it('flags unqualified platform classes (the check can fail)', () => {
        const problems = unqualifiedReferences(
            'public class X { void m(List<SObject> r) { String s = JSON.serialize(r); Database.insert(r); Database.SaveResult ok; System.JSON.serialize(1); } }'
        );
        expect(problems).toEqual(['1: JSON without System./Schema.', '1: Database.insert without System.']);
    });

    it.each(files.map((f) => [rel(f), f]))('%s qualifies platform classes', (_name, file) => {
        expect(unqualifiedReferences(readFileSync(file, 'utf8'))).toEqual([]);
    });
});
