/**
 * Column metadata of a query (`GET /query?q=…&columns=true`, what the sf CLI's `data query` asks for
 * to lay out its table and CSV): one entry per SELECT item in Salesforce's `columnMetadata` shape, parent
 * paths as nested `joinColumns`, child subqueries as `aggregate: true` with their own columns.
 */
import type { FieldSchema, ObjectSchema } from '../schema/types';
import type { SelectItem, SoqlQuery } from './ast';
import { positionedError, unknownObjectDetail } from './errors';
import { parseSoql } from './parser';
import { Compiler } from './resolve';
import type { SoqlDataSource } from './source';

/** One column of `columnMetadata`. */
export interface ColumnMetadata {
    aggregate: boolean;
    apexType: string | null;
    booleanType: boolean;
    columnName: string;
    custom: boolean;
    displayName: string;
    foreignKeyName: string | null;
    insertable: boolean;
    joinColumns: ColumnMetadata[];
    numberType: boolean;
    textType: boolean;
    updatable: boolean;
}

/** The body of `GET /query?q=…&columns=true`. */
export interface QueryColumns {
    columnMetadata: ColumnMetadata[];
    entityName: string;
    groupBy: boolean;
    idSelected: boolean;
    keyPrefix: string | null;
}

const APEX_TYPES: Record<string, string> = {
    id: 'Id',
    reference: 'Id',
    boolean: 'Boolean',
    int: 'Integer',
    double: 'Double',
    currency: 'Double',
    percent: 'Double',
    date: 'Date',
    datetime: 'Datetime'
};

function fieldColumn(f: FieldSchema, displayName: string): ColumnMetadata {
    const apexType = APEX_TYPES[f.type] ?? 'String';
    return {
        aggregate: false,
        apexType,
        booleanType: f.type === 'boolean',
        columnName: f.name,
        custom: f.custom,
        displayName,
        foreignKeyName: null,
        insertable: f.createable,
        joinColumns: [],
        numberType: ['Integer', 'Double'].includes(apexType),
        textType: apexType === 'String',
        updatable: f.updateable
    };
}

function joinColumn(name: string, displayName: string, foreignKeyName: string | null, aggregate: boolean) {
    return {
        aggregate,
        apexType: null,
        booleanType: false,
        columnName: name,
        custom: false,
        displayName,
        foreignKeyName,
        insertable: false,
        joinColumns: [] as ColumnMetadata[],
        numberType: false,
        textType: false,
        updatable: false
    };
}

function columnsOf(c: Compiler, select: SelectItem[], source: SoqlDataSource): ColumnMetadata[] {
    const out: ColumnMetadata[] = [];
    for (const item of select) {
        if (item.kind === 'count') continue;
        if (item.kind === 'subquery') {
            const rel = (source.childRelationships?.(c.schema.name) ?? []).find(
                (r) => r.relationshipName.toLowerCase() === item.query.from.name.toLowerCase()
            );
            const child = rel ? source.describe(rel.childObject) : undefined;
            if (!rel || !child) continue; // the query itself reports the error
            const col = joinColumn(rel.relationshipName, rel.relationshipName, null, true);
            col.joinColumns = columnsOf(new Compiler(c.q, source, child), item.query.select, source);
            out.push(col);
            continue;
        }
        const r = c.resolve(item.path);
        if (r.rels.length === 0) {
            out.push(fieldColumn(r.field, r.field.name));
            continue;
        }
        // Account.Owner.Name → {Account, joinColumns: [{Owner, joinColumns: [{Name}]}]}
        const top = joinColumn(r.rels[0].name, r.rels[0].name, r.rels[0].lookup.name, false);
        let cur = top;
        let display = r.rels[0].name;
        for (const step of r.rels.slice(1)) {
            display += `.${step.name}`;
            const next = joinColumn(step.name, display, step.lookup.name, false);
            cur.joinColumns.push(next);
            cur = next;
        }
        cur.joinColumns.push(fieldColumn(r.field, `${display}.${r.field.name}`));
        out.push(top);
    }
    return out;
}

/** Column metadata of a query; the same errors as running it. */
export function queryColumns(query: SoqlQuery | string, source: SoqlDataSource): QueryColumns {
    const q = typeof query === 'string' ? parseSoql(query) : query;
    const schema: ObjectSchema | undefined = source.describe(q.from.name);
    if (!schema || !schema.queryable || schema.isEvent)
        throw positionedError('INVALID_TYPE', q.text, q.from.start, unknownObjectDetail(q.from.name));
    const c = new Compiler(q, source, schema);
    const columnMetadata = columnsOf(c, q.select, source);
    return {
        columnMetadata,
        entityName: schema.name,
        groupBy: false,
        idSelected: columnMetadata.some((m) => m.columnName === 'Id'),
        keyPrefix: schema.keyPrefix ?? null
    };
}
