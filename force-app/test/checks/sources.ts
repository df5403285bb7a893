/**
 * Shared helpers of the package checks: where the package's sources are, and a small reader of the
 * source-format metadata (objects, fields, relationships) that the checks compare Apex and LWC against.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

/** Repository root. */
export const ROOT = join(__dirname, '..', '..', '..');
/** The package directory (the only one `sf package version create` packages). */
export const PACKAGE_DIR = join(ROOT, 'force-app');
/** What a managed package cannot carry, deployed beside it (the integration user's standard-object access). */
export const UNPACKAGED_DIR = join(ROOT, 'unpackaged');
/**
 * The package directory, the unpackaged directory and the demo directory (sfdx-project.json
 * `packageDirectories`).
 */
export const PACKAGE_DIRS = [PACKAGE_DIR, UNPACKAGED_DIR, join(ROOT, 'demo')];

/** Every file under `dir` whose name matches `pattern`, skipping node_modules and LWC `__tests__`. */
export function findFiles(dir: string, pattern: RegExp): string[] {
    if (!existsSync(dir)) return [];
    const out: string[] = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
            if (entry.name !== 'node_modules' && entry.name !== '__tests__') out.push(...findFiles(path, pattern));
        } else if (pattern.test(entry.name)) {
            out.push(path);
        }
    }
    return out.sort();
}

/** Every Apex class and trigger of the package and the demo. */
export function apexFiles(): string[] {
    return PACKAGE_DIRS.flatMap((dir) => findFiles(dir, /\.(cls|trigger)$/));
}

/** Path relative to the repository root, for messages. */
export function rel(path: string): string {
    return relative(ROOT, path);
}

/** One custom field as its `.field-meta.xml` declares it. */
export interface FieldDef {
    name: string;
    type: string;
    length?: number;
    /** digits of a Number field */
    precision?: number;
    /** decimal places of a Number field */
    scale?: number;
    required: boolean;
    referenceTo?: string;
    relationshipName?: string;
}

/** One object with its custom fields, keyed by lower-case field name. */
export interface ObjectDef {
    name: string;
    fields: Map<string, FieldDef>;
}

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

/** The objects declared in source (package and demo), keyed by lower-case object name. */
export function sourceObjects(): Map<string, ObjectDef> {
    const objects = new Map<string, ObjectDef>();
    for (const dir of PACKAGE_DIRS) {
        for (const file of findFiles(dir, /\.object-meta\.xml$/)) {
            const name = basename(file).replace('.object-meta.xml', '');
            objects.set(name.toLowerCase(), { name, fields: new Map() });
        }
        for (const file of findFiles(dir, /\.field-meta\.xml$/)) {
            const objectName = basename(join(file, '..', '..'));
            const parsed = xml.parse(readFileSync(file, 'utf8')).CustomField as Record<string, string>;
            const object = objects.get(objectName.toLowerCase()) ?? { name: objectName, fields: new Map() };
            objects.set(objectName.toLowerCase(), object);
            object.fields.set(parsed.fullName.toLowerCase(), {
                name: parsed.fullName,
                type: parsed.type,
                length: parsed.length ? Number(parsed.length) : undefined,
                precision: parsed.precision ? Number(parsed.precision) : undefined,
                scale: parsed.scale ? Number(parsed.scale) : undefined,
                required: parsed.required === 'true',
                referenceTo: parsed.referenceTo,
                relationshipName: parsed.relationshipName
            });
        }
    }
    return objects;
}
