/**
 * The SELECT list as a tree of REST output: fields of the queried object, parent relationships
 * (`Account.Owner.Name` → `{Account: {attributes, Owner: {attributes, Name}}}`, `null` where a lookup is
 * empty, each parent's fields resolved on its own type for polymorphic lookups) and child relationship
 * subqueries (`{Contacts: {totalSize, done, records}}`, `null` when a parent has no children).
 */
import type { FieldPath } from './ast';
import type { Compiler, RelationshipStep } from './resolve';
import type { Rec } from './source';

/** A child relationship subquery, compiled: what one parent record shows under `key`. */
export interface ChildOutput {
    key: string;
    /** Forgets the rows selected by the previous run. */
    reset(): void;
    of(parent: Rec): { totalSize: number; done: true; records: Array<Record<string, unknown>> } | null;
}

type Item =
    | { kind: 'top'; key: string }
    | { kind: 'field'; fieldOn(objectName: string): string | undefined }
    | { kind: 'rel'; key: string; step: RelationshipStep; items: Item[] }
    | { kind: 'children'; child: ChildOutput };

/** The output of one query's SELECT list. */
export class OutputTree {
    private readonly items: Item[] = [];
    private readonly seen = new Set<string>();
    private readonly children: ChildOutput[] = [];
    private readonly typeNames = new Map<string, string>();

    constructor(private readonly c: Compiler) {}

    /** Adds a field path; a path selected twice is Salesforce's `duplicate field selected`. */
    addField(path: FieldPath): void {
        const r = this.c.resolve(path);
        const dupKey = [...r.rels.map((s) => s.name), r.field.name].join('.').toLowerCase();
        if (this.seen.has(dupKey))
            throw this.c.error('INVALID_FIELD', path.start, `duplicate field selected: ${r.label}`);
        this.seen.add(dupKey);
        if (r.rels.length === 0) {
            this.items.push({ kind: 'top', key: r.field.name });
            return;
        }
        let level = this.items;
        for (const step of r.rels) {
            let rel = level.find(
                (i): i is Extract<Item, { kind: 'rel' }> => i.kind === 'rel' && i.step.lower === step.lower
            );
            if (!rel) {
                rel = { kind: 'rel', key: step.name, step, items: [] };
                level.push(rel);
            }
            level = rel.items;
        }
        level.push({ kind: 'field', fieldOn: r.fieldOn });
    }

    /** Adds a child relationship subquery. */
    addChildren(child: ChildOutput): void {
        const lower = child.key.toLowerCase();
        if (this.children.some((c) => c.key.toLowerCase() === lower))
            throw this.c.error('INVALID_FIELD', 0, `duplicate field selected: ${child.key}`);
        this.children.push(child);
        this.items.push({ kind: 'children', child });
    }

    /** Called at the start of each run: subqueries select their rows afresh. */
    newRun(): void {
        for (const c of this.children) c.reset();
    }

    /** The describe spelling of an object name (records report their type as stored). */
    canonicalType(name: string): string {
        let t = this.typeNames.get(name);
        if (t === undefined) {
            t = this.c.source.describe(name)?.name ?? name;
            this.typeNames.set(name, t);
        }
        return t;
    }

    /** Writes the selected values of `rec` (of type `type`) into `out`. */
    shapeInto(out: Record<string, unknown>, rec: Rec, type: string, base: string): void {
        this.shapeItems(this.items, out, rec, type, base);
    }

    private shapeItems(items: Item[], out: Record<string, unknown>, rec: Rec, type: string, base: string): void {
        for (const it of items) {
            switch (it.kind) {
                case 'top':
                    out[it.key] = rec[it.key] ?? null;
                    break;
                case 'field': {
                    const name = it.fieldOn(type);
                    if (name !== undefined) out[name] = rec[name] ?? null;
                    break;
                }
                case 'rel': {
                    const lookup = it.step.lookupOn(type);
                    const id = lookup === undefined ? undefined : rec[lookup];
                    const parent = typeof id === 'string' && id !== '' ? this.c.source.byId(id) : undefined;
                    if (!parent) {
                        out[it.key] = null;
                        break;
                    }
                    const t = this.canonicalType(parent.objectName);
                    const nested: Record<string, unknown> = {
                        attributes: { type: t, url: base + t + '/' + String(parent.record.Id) }
                    };
                    this.shapeItems(it.items, nested, parent.record, parent.objectName, base);
                    out[it.key] = nested;
                    break;
                }
                case 'children':
                    out[it.child.key] = it.child.of(rec);
                    break;
            }
        }
    }
}
