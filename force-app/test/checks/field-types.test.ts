/**
 * Check 9: the Apex and the TypeScript contracts say the same (issue 8 item 3, "contracts written once").
 *
 * - `StatisfyFieldTypes.cls` and `contracts/field-types.ts` give the same answer to "does a field of this Statisfy
 *   type fit a Salesforce field of that type" for every `Field_Mapping__c.Data_Type__c` value and every Apex
 *   `Schema.DisplayType`; the type the Apex gives a field that came from Salesforce fits that field and has the
 *   value kind the companion gives the field's REST type; the Apex names types as the REST describe does.
 * - The Apex "why not pushed" reasons (`StatisfyWritebackRules.cls`) are `contracts/sync-rules.ts` `REASONS`, word
 *   for word and checked in the same order.
 *
 * The Apex tables are read from the source (a map literal per table), so a change on either side fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { typesCompatible, VALUE_KINDS, valueKind } from '../../../contracts/field-types';
import { REASONS } from '../../../contracts/sync-rules';
import { ROOT } from './sources';

const classes = join(ROOT, 'force-app', 'main', 'default', 'classes');
const fieldTypes = readFileSync(join(classes, 'StatisfyFieldTypes.cls'), 'utf8');
const rules = readFileSync(join(classes, 'StatisfyWritebackRules.cls'), 'utf8');

/** Every value of Apex's `Schema.DisplayType` enum (Apex Reference, "DisplayType Enum"). */
const DISPLAY_TYPES = [
    'ADDRESS',
    'ANYTYPE',
    'BASE64',
    'BOOLEAN',
    'COMBOBOX',
    'COMPLEXVALUE',
    'CURRENCY',
    'DATACATEGORYGROUPREFERENCE',
    'DATE',
    'DATETIME',
    'DOUBLE',
    'EMAIL',
    'ENCRYPTEDSTRING',
    'ID',
    'INTEGER',
    'JSON',
    'LOCATION',
    'LONG',
    'MULTIPICKLIST',
    'PERCENT',
    'PHONE',
    'PICKLIST',
    'REFERENCE',
    'SOBJECT',
    'STRING',
    'TEXTAREA',
    'TIME',
    'URL'
];

/** The body of `NAME = new Map<…>{ … };` or `NAME = new Set<…>{ … };` in Apex source. */
function literal(apex: string, name: string): string {
    const m = new RegExp(`\\b${name}\\s*=\\s*new (?:Map|Set)<[^{]*\\{([\\s\\S]*?)\\};`).exec(apex);
    if (!m) throw new Error(`StatisfyFieldTypes.cls has no literal ${name}`);
    return m[1];
}

const displayTypes = (body: string) => [...body.matchAll(/Schema\.DisplayType\.(\w+)/g)].map((m) => m[1]);

/** The Apex tables, as read from StatisfyFieldTypes.cls. */
export function apexTables(apex: string) {
    const strings = new Map([...apex.matchAll(/\bString (\w+) = '([^']*)';/g)].map((m) => [m[1], m[2]]));
    const value = (token: string) => (token.startsWith("'") ? token.slice(1, -1) : (strings.get(token) ?? token));
    const statisfyTypeOf = new Map(
        [...literal(apex, 'STATISFY_TYPE_BY_DISPLAY_TYPE').matchAll(/DisplayType\.(\w+)\s*=>\s*('[^']*'|\w+)/g)].map(
            (m) => [m[1], value(m[2])]
        )
    );
    const fits = new Map<string, string[]>();
    for (const m of literal(apex, 'FITTING_DISPLAY_TYPES').matchAll(
        /'(\w+)'\s*=>\s*(new Set<Schema\.DisplayType>\{([^}]*)\}|\w+)/g
    ))
        fits.set(m[1], m[3] !== undefined ? displayTypes(m[3]) : displayTypes(literal(apex, m[2])));
    const restNames = new Map(
        [...literal(apex, 'REST_TYPE_NAMES').matchAll(/DisplayType\.(\w+)\s*=>\s*'([^']*)'/g)].map((m) => [m[1], m[2]])
    );
    return { statisfyTypeOf, fits, restNames };
}

const apex = apexTables(fieldTypes);
/** The REST describe's name of a DisplayType, as `StatisfyFieldTypes.salesforceTypeOf` writes it. */
const restName = (displayType: string) => apex.restNames.get(displayType) ?? displayType.toLowerCase();
/** `StatisfyFieldTypes.fits`: the Statisfy type (any case) fits the DisplayType. */
const apexFits = (statisfyType: string, displayType: string) =>
    apex.fits.get(statisfyType.toLowerCase())?.includes(displayType) ?? false;

/** The `Field_Mapping__c.Data_Type__c` picklist values: the Statisfy types the Apex stores. */
const dataTypes = [
    ...readFileSync(
        join(ROOT, 'force-app/main/default/objects/Field_Mapping__c/fields/Data_Type__c.field-meta.xml'),
        'utf8'
    ).matchAll(/<value>\s*<fullName>(\w+)<\/fullName>/g)
].map((m) => m[1]);

describe('StatisfyFieldTypes.cls and contracts/field-types.ts', () => {
    it('reads the Apex tables', () => {
        expect(apex.fits.size).toBeGreaterThan(10);
        expect(apex.fits.get('text')).toContain('STRING');
        expect(apex.statisfyTypeOf.get('STRING')).toBe('Text');
        expect(restName('INTEGER')).toBe('int');
        expect(dataTypes).toEqual(expect.arrayContaining(['Text', 'LongText', 'Number', 'Reference', 'Time']));
    });

    it('every Data_Type__c value is a type both sides know', () => {
        expect(dataTypes.filter((t) => !apex.fits.has(t.toLowerCase()))).toEqual([]);
        expect(dataTypes.filter((t) => !(t.toLowerCase() in VALUE_KINDS))).toEqual([]);
        expect([...apex.fits.keys()].filter((k) => !dataTypes.some((t) => t.toLowerCase() === k))).toEqual([]);
    });

    it('notices a disagreement (the check can fail)', () => {
        const changed = apexTables(
            fieldTypes.replace(
                "'reference' => new Set<Schema.DisplayType>{",
                "'reference' => new Set<Schema.DisplayType>{ Schema.DisplayType.STRING,"
            )
        );
        expect(changed.fits.get('reference')).toContain('STRING');
        expect(typesCompatible('reference', 'string')).toBe(false);
    });

    it('decides as Salesforce accepts values: text is not an Id, unknown types fit only themselves', () => {
        expect(typesCompatible('text', 'reference')).toBe(false);
        expect(typesCompatible('reference', 'id')).toBe(true);
        expect(typesCompatible('longtext', 'string')).toBe(true);
        expect(typesCompatible('percent', 'currency')).toBe(true);
        expect(typesCompatible('text', 'address')).toBe(false);
        expect(typesCompatible('base64', 'base64')).toBe(true);
    });

    it.each(dataTypes)('%s fits exactly the Salesforce types the TypeScript table says it fits', (statisfyType) => {
        const disagree = DISPLAY_TYPES.filter(
            (d) => apexFits(statisfyType, d) !== typesCompatible(statisfyType, restName(d))
        ).map(
            (d) => `${d} (${restName(d)}): Apex ${apexFits(statisfyType, d)}, TypeScript ${!apexFits(statisfyType, d)}`
        );
        expect(disagree).toEqual([]);
    });

    it('a field that came from Salesforce gets a type that fits it, of the kind the companion gives it', () => {
        const wrong = [...apex.statisfyTypeOf].filter(
            ([d, statisfyType]) =>
                !apexFits(statisfyType, d) ||
                !typesCompatible(statisfyType, restName(d)) ||
                valueKind(statisfyType) !== valueKind(restName(d))
        );
        expect(wrong).toEqual([]);
    });
});

describe('the "why not pushed" reasons (StatisfyWritebackRules.cls and contracts/sync-rules.ts)', () => {
    const constants = new Map(
        [...rules.matchAll(/\bString (REASON_\w+) = '([^']*)';/g)].map((m) => [m[1], m[2].replace(/\\'/g, "'")])
    );
    /** The reasons in the order `reasonNotPushed` returns them. */
    const order = [...rules.matchAll(/return (REASON_\w+);/g)].map((m) => constants.get(m[1]));

    it('are the same strings, checked in the same order', () => {
        expect([...constants.values()].sort()).toEqual(Object.values(REASONS).sort());
        expect(order).toEqual(Object.values(REASONS));
    });
});
