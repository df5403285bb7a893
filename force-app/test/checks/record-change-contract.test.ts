/**
 * Check 5: the Apex side of the emulator contract (docs/record-change-contract.md). The `Record_Change__e` fields the
 * Apex writes are exactly R6's event fields (the batched shape); the event defines those and R6's one-record fields
 * kept for compatibility, with the types and lengths R6 gives, and nothing else; the keys of a `Records__c` element
 * are R6's, in R6's order; the fixed mapped fields of the configuration objects are R3's, in R3's order; the chunk
 * size (R7) and the `Records__c` limit (R6) are the contract's; `Sync_Request__e` is the contract's. The same names
 * and limits are those of the TypeScript contract `contracts/record-change.ts` that the emulator and the companion
 * import, so the doc, the Apex and the TypeScript cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
    BATCH_FIELDS,
    CHUNK_SIZE,
    HEADER_FIELDS,
    LEGACY_FIELDS,
    RECORD_ELEMENT_KEYS,
    RECORDS_MAX_CHARS
} from '../../../contracts/record-change';
import { ROOT, sourceObjects } from './sources';

const contract = readFileSync(join(ROOT, 'docs', 'record-change-contract.md'), 'utf8');
const classes = join(ROOT, 'force-app', 'main', 'default', 'classes');
const service = readFileSync(join(classes, 'RecordChangeService.cls'), 'utf8');
const payload = readFileSync(join(classes, 'RecordChangePayload.cls'), 'utf8');
const syncRequests = readFileSync(join(classes, 'SyncRequestService.cls'), 'utf8');
const objects = sourceObjects();

/** The section of the contract starting at a heading. */
function section(heading: string): string {
    const start = contract.indexOf(heading);
    if (start < 0) throw new Error(`docs/record-change-contract.md has no section "${heading}"`);
    const next = contract.indexOf('\n## ', start + heading.length);
    return contract.slice(start, next < 0 ? undefined : next);
}

/** The part of a section from a `### ` sub-heading to the next heading. */
function subsection(markdown: string, heading: string): string {
    const start = markdown.indexOf(heading);
    if (start < 0) throw new Error(`docs/record-change-contract.md has no sub-section "${heading}"`);
    const next = markdown.slice(start + heading.length).search(/\n##/);
    return markdown.slice(start, next < 0 ? undefined : start + heading.length + next);
}

/** The rows of a Markdown table whose first cell is a backticked name: name → second cell (such as `Text(18)`). */
export function tableRows(markdown: string, name: RegExp = /\w+__c/): Map<string, string> {
    const rows = new Map<string, string>();
    // Columns may be padded (Prettier aligns Markdown tables).
    const row = new RegExp(`^\\|\\s*\`(${name.source})\`\\s*\\|([^|]+)\\|`, 'gm');
    for (const m of markdown.matchAll(row)) rows.set(m[1], m[2].trim());
    return rows;
}

/** R6's field table (the batched shape's event fields): field → declared type such as `Text(18)`. */
export function r6Fields(markdown: string): Map<string, string> {
    return tableRows(subsection(markdown, '### Event fields'));
}

/** R6's table of the one-record fields kept for compatibility: field → declared type. */
export function r6LegacyFields(markdown: string): Map<string, string> {
    return tableRows(subsection(markdown, '### Fields of the one-record shape'));
}

/** R6's table of the keys of a `Records__c` element, in order: key → JSON type. */
export function r6ElementKeys(markdown: string): Map<string, string> {
    return tableRows(subsection(markdown, '### `Records__c` elements'), /\w+/);
}

/** The fields assigned at the top level of every `new <type>(...)` constructor expression of Apex source. */
export function assignedFields(apex: string, type: string): string[] {
    const out = new Set<string>();
    const opener = `new ${type}(`;
    for (let start = apex.indexOf(opener); start >= 0; start = apex.indexOf(opener, start + 1)) {
        let depth = 0;
        let args = '';
        for (let i = start + opener.length - 1; i < apex.length; i++) {
            const c = apex[i];
            if (c === '(') depth++;
            else if (c === ')' && --depth === 0) break;
            args += depth === 1 && c !== '(' ? c : depth === 1 ? '' : ' ';
        }
        for (const f of args.matchAll(/(?:^|,)\s*(\w+__c)\s*=/g)) out.add(f[1]);
    }
    return [...out].sort();
}

/** A field definition as the contract writes its type. */
function declaredType(objectName: string, field: string): string {
    const def = objects.get(objectName.toLowerCase())?.fields.get(field.toLowerCase());
    if (!def) return 'missing';
    if (def.type === 'Text') return `Text(${def.length})`;
    if (def.type === 'LongTextArea') return `Long Text(${def.length})`;
    if (def.type === 'Number') return `Number(${def.precision},${def.scale})`;
    return def.type;
}

/** R3's fixed field list for a configuration object. */
function r3Fixed(objectName: string): string[] {
    const r3 = section('## R3.');
    const m = new RegExp(`For \`${objectName}\`[^:]*:([^.]+)\\.`).exec(r3);
    if (!m) throw new Error(`R3 has no fixed list for ${objectName}`);
    return [...m[1].matchAll(/`(\w+)`/g)].map((x) => x[1]);
}

/** The fixed field list the Apex declares for a configuration object. */
function apexFixed(objectName: string): string[] {
    const m = new RegExp(
        `objectType == Schema\\.${objectName}\\.SObjectType\\) \\{\\s*return new List<Schema\\.SObjectField>\\{([^}]+)\\}`
    ).exec(service);
    if (!m) throw new Error(`RecordChangeService has no fixed list for ${objectName}`);
    return [...m[1].matchAll(new RegExp(`Schema\\.${objectName}\\.(\\w+)`, 'g'))].map((x) => x[1]);
}

describe('Record_Change__e contract (Apex side)', () => {
    const r6 = r6Fields(section('## R6.'));
    const legacy = r6LegacyFields(section('## R6.'));
    const elementKeys = r6ElementKeys(section('## R6.'));

    it('reads the R6 tables', () => {
        expect([...r6.keys()]).toEqual([
            'Object_Api_Name__c',
            'Change_Type__c',
            'Changed_By_Id__c',
            'Origin__c',
            'Records__c',
            'Part__c',
            'Part_Count__c'
        ]);
        expect([...legacy.keys()]).toEqual(['Record_Id__c', 'Changed_Fields__c', 'Values__c', 'Modstamp__c']);
        expect([...elementKeys.keys()]).toEqual(['id', 'changedFields', 'values', 'modstamp']);
    });

    it('the Apex writes exactly the R6 event fields, never the one-record ones', () => {
        expect(assignedFields(payload, 'Record_Change__e')).toEqual([...r6.keys()].sort());
        expect(assignedFields(service, 'Record_Change__e')).toEqual([]);
    });

    it('notices a missing or extra field (the check can fail)', () => {
        const apex = 'events.add(new Record_Change__e(Object_Api_Name__c = n, Extra__c = 1));';
        expect(assignedFields(apex, 'Record_Change__e')).not.toEqual([...r6.keys()].sort());
        expect(r6Fields('### Event fields\n| `A__c` | Text(1) | x |\n## next')).toEqual(new Map([['A__c', 'Text(1)']]));
    });

    it('Record_Change__e declares exactly the R6 fields, old and new, with R6 types', () => {
        const event = objects.get('record_change__e');
        expect(event).toBeDefined();
        const all = new Map([...r6, ...legacy]);
        expect([...(event?.fields.values() ?? [])].map((f) => f.name).sort()).toEqual([...all.keys()].sort());
        for (const [field, type] of all)
            expect(`${field}: ${declaredType('Record_Change__e', field)}`).toBe(`${field}: ${type}`);
    });

    it('a Records__c element has R6s keys in R6s order', () => {
        const written = [...payload.matchAll(/'[{,]"(\w+)":'/g)].map((m) => m[1]);
        expect(written).toEqual([...elementKeys.keys()]);
    });

    it('the TypeScript contract (contracts/record-change.ts) has the same fields, keys and limits', () => {
        expect([...HEADER_FIELDS, ...BATCH_FIELDS]).toEqual([...r6.keys()]);
        expect([...LEGACY_FIELDS]).toEqual([...legacy.keys()]);
        expect([...RECORD_ELEMENT_KEYS]).toEqual([...elementKeys.keys()]);
        expect(payload).toContain(`RECORDS_MAX_LENGTH = ${RECORDS_MAX_CHARS};`);
        expect(service).toContain(`CHUNK_SIZE = ${CHUNK_SIZE};`);
    });

    it('publishes after commit (R7)', () => {
        const xml = readFileSync(
            join(ROOT, 'force-app/main/default/objects/Record_Change__e/Record_Change__e.object-meta.xml'),
            'utf8'
        );
        expect(xml).toContain('<publishBehavior>PublishAfterCommit</publishBehavior>');
    });

    it.each(['Sync_Object__c', 'Field_Mapping__c'])('the fixed mapped fields of %s are R3s, in order', (objectName) => {
        expect(apexFixed(objectName)).toEqual(r3Fixed(objectName));
    });

    it('chunks of 200 (R7) and a Records__c limit of 131,072 characters (R6)', () => {
        expect(section('## R7.')).toContain('at most 200 records');
        expect(service).toMatch(/CHUNK_SIZE = 200;/);
        expect(section('## R6.')).toContain('131,072 characters');
        expect(payload).toMatch(/RECORDS_MAX_LENGTH = 131072;/);
        expect(declaredType('Record_Change__e', 'Records__c')).toBe('Long Text(131072)');
    });

    it('the change types are R5s', () => {
        const r5 = section('## R5.');
        for (const type of ['CREATE', 'UPDATE', 'DELETE', 'UNDELETE']) {
            expect(r5).toContain(`\`${type}\``);
            expect(service).toContain(`= '${type}';`);
        }
    });

    it('Sync_Request__e is the contract’s and the sync-request service writes exactly its fields', () => {
        const request = section('## `Sync_Request__e`');
        const names = [...request.matchAll(/`(\w+__c)`/g)].map((m) => m[1]).sort();
        expect(names).toEqual(['Kind__c', 'Object_Api_Name__c', 'Requested_By_Id__c']);
        expect([...(objects.get('sync_request__e')?.fields.keys() ?? [])].sort()).toEqual(
            names.map((n) => n.toLowerCase())
        );
        // Built with newSObject(null, true) so EventUuid exists (issue 12), then assigned field by field.
        expect(syncRequests).toMatch(/Sync_Request__e\.SObjectType\.newSObject\(null, true\)/);
        expect([...syncRequests.matchAll(/\brequest\.(\w+__c)\s*=/g)].map((m) => m[1]).sort()).toEqual(names);
        const xml = readFileSync(
            join(ROOT, 'force-app/main/default/objects/Sync_Request__e/Sync_Request__e.object-meta.xml'),
            'utf8'
        );
        expect(xml).toContain('<publishBehavior>PublishImmediately</publishBehavior>');
    });
});
