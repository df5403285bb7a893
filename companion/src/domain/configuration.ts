/**
 * Configuration edits made in Statisfy: objects (Sync to Salesforce, display name, enabled, record filter, conflict
 * policy) and fields (create a Statisfy field; change display name, Salesforce field, Editable). Field changes are
 * checked against the org's describe through {@link OrgSchemaProvider}; every change is written to audit_log in the
 * transaction that makes it, and a NOTIFY on `statisfy_config` tells the engine to push it to the org.
 */
import type { DataSource } from 'typeorm';
import {
    createRepositories,
    inTransaction,
    notifyOnCommit,
    NOTIFY_CHANNELS,
    type ConflictPolicy,
    type FieldMapping,
    type Json,
    type Repositories,
    type SyncObject
} from '../data';
import { AppError, conflict, notFound, unavailable, unprocessable, type ErrorDetail } from '../lib/errors';
import type { Actor } from './context';
import { typesCompatible } from '../../../contracts/field-types';
import type { FieldSchema, OrgSchemaProvider } from './ports';
import { fieldView, objectView, type FieldView, type ObjectView } from './views';
import { writebackEnabledMessage } from '../../../contracts/sync-rules';

/** Dependencies of the configuration use cases. */
export interface ConfigurationDeps {
    dataSource: DataSource;
    /** The org's describe; absent when no Salesforce side is wired (field checks then answer 503). */
    schema?: OrgSchemaProvider;
}

/** PATCH /objects/:object body (already shape-checked). */
export interface ObjectChange {
    syncToSalesforce?: boolean;
    displayName?: string;
    enabled?: boolean;
    recordFilter?: string | null;
    conflictPolicy?: ConflictPolicy;
}

/** POST /objects/:object/fields body. */
export interface NewField {
    key: string;
    displayName: string;
    type: string;
    editable: boolean;
    salesforceField?: string | null;
}

/** PATCH /objects/:object/fields/:key body. */
export interface FieldChange {
    displayName?: string;
    salesforceField?: string | null;
    editable?: boolean;
}

function refuse(problems: ErrorDetail[]): AppError {
    return unprocessable('INVALID_CONFIGURATION', problems.map((p) => p.message).join('; '), problems);
}

async function requireObject(repos: Repositories, orgId: string, objectApiName: string, forUpdate = false) {
    const object = await repos.syncObjects.get(orgId, objectApiName, { forUpdate });
    if (!object) throw notFound(`Object ${objectApiName} is not synced in this org`);
    return object;
}

const toJson = (value: unknown): Json => JSON.parse(JSON.stringify(value)) as Json;

/** The org's synced objects. */
export async function listObjects(deps: ConfigurationDeps, actor: Actor): Promise<ObjectView[]> {
    return (await createRepositories(deps.dataSource.manager).syncObjects.list(actor.orgId)).map(objectView);
}

/**
 * Checks a record filter (the WHERE clause of the object's SOQL, without `WHERE`): one statement, balanced quotes
 * and parentheses. The org has the last word when the engine queries with it.
 */
export function recordFilterProblem(filter: string): string | null {
    const f = filter.trim();
    if (f.length > 4000) return 'Record filter is longer than 4000 characters';
    if (/^where\b/i.test(f)) return 'Record filter is the condition only: leave out the word WHERE';
    if (/\b(select|from|limit|order\s+by)\b/i.test(f.replace(/'(?:[^'\\]|\\.)*'/g, "''"))) {
        return "Record filter must be a condition (e.g. Type = 'Customer'), not a query";
    }
    let depth = 0;
    let quoted = false;
    for (let i = 0; i < f.length; i++) {
        const c = f[i];
        if (quoted) {
            if (c === '\\') i++;
            else if (c === "'") quoted = false;
        } else if (c === "'") quoted = true;
        else if (c === ';') return 'Record filter must not contain ";"';
        else if (c === '(') depth++;
        else if (c === ')' && --depth < 0) return 'Record filter has an unmatched ")"';
    }
    if (quoted) return 'Record filter has an unterminated quoted string';
    if (depth !== 0) return 'Record filter has an unmatched "("';
    return null;
}

/** Changes an object's settings; the answer carries §2's message when Sync to Salesforce is switched on. */
export async function updateObject(
    deps: ConfigurationDeps,
    actor: Actor,
    objectApiName: string,
    change: ObjectChange
): Promise<{ object: ObjectView; message: string | null }> {
    const problems: ErrorDetail[] = [];
    if (change.displayName !== undefined && change.displayName.trim() === '') {
        problems.push({ path: 'displayName', message: 'Display name in Statisfy is required' });
    }
    if (change.recordFilter) {
        const problem = recordFilterProblem(change.recordFilter);
        if (problem) problems.push({ path: 'recordFilter', message: problem });
    }
    if (problems.length) throw refuse(problems);
    return inTransaction(deps.dataSource, async (repos, manager) => {
        const before = await requireObject(repos, actor.orgId, objectApiName, true);
        const patch = {
            ...change,
            displayName: change.displayName?.trim(),
            recordFilter: change.recordFilter === undefined ? undefined : change.recordFilter?.trim() || null
        };
        const changed = (Object.keys(patch) as (keyof ObjectChange)[]).filter(
            (k) => patch[k] !== undefined && patch[k] !== before[k]
        );
        if (changed.length === 0) return { object: objectView(before), message: null };
        const after = (await repos.syncObjects.update(actor.orgId, objectApiName, patch)) as SyncObject;
        await repos.auditLog.append(actor.orgId, {
            actor: actor.name,
            action: 'object.update',
            target: `object:${objectApiName}`,
            before: toJson(objectView(before)),
            after: toJson(objectView(after))
        });
        await notifyOnCommit(manager, NOTIFY_CHANNELS.config, actor.orgId);
        const message =
            !before.syncToSalesforce && after.syncToSalesforce ? writebackEnabledMessage(after.displayName) : null;
        return { object: objectView(after), message };
    });
}

/** The object's fields with whether each pushes to Salesforce and why not. */
export async function listFields(deps: ConfigurationDeps, actor: Actor, objectApiName: string): Promise<FieldView[]> {
    const repos = createRepositories(deps.dataSource.manager);
    const object = await requireObject(repos, actor.orgId, objectApiName);
    return (await repos.fieldMappings.listForObject(actor.orgId, objectApiName)).map((m) => fieldView(object, m));
}

/**
 * Checks a mapping's Salesforce side against the org's describe: the field exists, it is updateable when the
 * mapping is Editable, its type fits, and no other active mapping of the object writes to it. Returns the field's
 * describe (for its exact API name and picklist values).
 */
async function checkAgainstDescribe(
    deps: ConfigurationDeps,
    repos: Repositories,
    actor: Actor,
    object: SyncObject,
    mapping: { key: string; displayName: string; type: string; editable: boolean; salesforceField: string }
): Promise<FieldSchema> {
    if (!deps.schema) {
        throw unavailable(
            'SCHEMA_UNAVAILABLE',
            `Cannot check field ${mapping.salesforceField} against the org: no Salesforce connection is configured`
        );
    }
    let described;
    try {
        described = await deps.schema.describe(actor.orgId, object.objectApiName);
    } catch (cause) {
        throw new AppError(
            'SCHEMA_UNAVAILABLE',
            `Cannot check field ${mapping.salesforceField} against the org: ${(cause as Error)?.message ?? String(cause)}`,
            503,
            { cause }
        );
    }
    if (!described)
        throw refuse([
            { path: 'salesforceField', message: `Object ${object.objectApiName} does not exist in the org` }
        ]);
    const field = described.fields.find((f) => f.name.toLowerCase() === mapping.salesforceField.toLowerCase());
    const x = mapping.salesforceField;
    if (!field)
        throw refuse([{ path: 'salesforceField', message: `Field ${x} does not exist on ${object.objectApiName}` }]);
    const problems: ErrorDetail[] = [];
    if (mapping.editable && !field.updateable) {
        problems.push({
            path: 'editable',
            message: `Field ${field.name} is not updateable in Salesforce, so it cannot be Editable`
        });
    }
    if (!typesCompatible(mapping.type, field.type)) {
        problems.push({
            path: 'salesforceField',
            message: `Type ${mapping.type} of ${mapping.displayName} does not fit Salesforce field ${field.name} of type ${field.type}`
        });
    }
    const other = await repos.fieldMappings.findBySalesforceField(actor.orgId, object.objectApiName, field.name);
    if (other && other.key !== mapping.key) {
        problems.push({
            path: 'salesforceField',
            message: `Field ${field.name} is already mapped to "${other.displayName}"`
        });
    }
    if (problems.length) throw refuse(problems);
    return field;
}

const picklistOf = (field: FieldSchema): string[] | null =>
    field.picklistValues?.length ? field.picklistValues.filter((p) => p.active !== false).map((p) => p.value) : null;

/** Creates a Statisfy field (origin `statisfy`); with a Salesforce field API name it writes there, else it stays local. */
export async function createField(
    deps: ConfigurationDeps,
    actor: Actor,
    objectApiName: string,
    input: NewField
): Promise<FieldView> {
    const name = input.key.startsWith(`${objectApiName}.`) ? input.key.slice(objectApiName.length + 1) : input.key;
    const problems: ErrorDetail[] = [];
    if (!/^[A-Za-z][A-Za-z0-9_]{0,79}$/.test(name)) {
        problems.push({
            path: 'key',
            message: `Key "${input.key}" must be a name of letters, digits and _ starting with a letter (optionally prefixed with "${objectApiName}.")`
        });
    }
    if (input.displayName.trim() === '')
        problems.push({ path: 'displayName', message: 'Display name in Statisfy is required' });
    if (problems.length) throw refuse(problems);
    const key = `${objectApiName}.${name}`;
    const salesforceField = input.salesforceField?.trim() || null;
    return inTransaction(deps.dataSource, async (repos, manager) => {
        const object = await requireObject(repos, actor.orgId, objectApiName, true);
        if (await repos.fieldMappings.get(actor.orgId, key)) throw conflict(`Field ${key} already exists`);
        let described: FieldSchema | null = null;
        if (salesforceField) {
            described = await checkAgainstDescribe(deps, repos, actor, object, {
                key,
                displayName: input.displayName.trim(),
                type: input.type,
                editable: input.editable,
                salesforceField
            });
        }
        const created = await repos.fieldMappings.create(actor.orgId, {
            objectApiName,
            key,
            displayName: input.displayName.trim(),
            salesforceField: described?.name ?? null,
            origin: 'statisfy',
            editable: input.editable,
            active: true,
            type: input.type,
            picklistValues: described ? picklistOf(described) : null
        });
        const view = fieldView(object, created);
        await repos.auditLog.append(actor.orgId, {
            actor: actor.name,
            action: 'field.create',
            target: `field:${key}`,
            before: null,
            after: toJson(view)
        });
        await notifyOnCommit(manager, NOTIFY_CHANNELS.config, actor.orgId);
        return view;
    });
}

/** Changes a field's display name, Salesforce field or Editable, checked against the org's describe. */
export async function updateField(
    deps: ConfigurationDeps,
    actor: Actor,
    objectApiName: string,
    keyParam: string,
    change: FieldChange
): Promise<FieldView> {
    const key = keyParam.includes('.') ? keyParam : `${objectApiName}.${keyParam}`;
    if (change.displayName !== undefined && change.displayName.trim() === '') {
        throw refuse([{ path: 'displayName', message: 'Display name in Statisfy is required' }]);
    }
    return inTransaction(deps.dataSource, async (repos, manager) => {
        const object = await requireObject(repos, actor.orgId, objectApiName);
        const before = await repos.fieldMappings.get(actor.orgId, key, { forUpdate: true });
        if (!before || before.objectApiName !== objectApiName) throw notFound(`No field ${key} on ${objectApiName}`);
        const next: FieldMapping = {
            ...before,
            displayName: change.displayName?.trim() ?? before.displayName,
            editable: change.editable ?? before.editable,
            salesforceField:
                change.salesforceField === undefined ? before.salesforceField : change.salesforceField?.trim() || null
        };
        if (before.origin === 'salesforce' && !next.salesforceField) {
            throw refuse([
                {
                    path: 'salesforceField',
                    message: 'Salesforce field API name is required for fields that came from Salesforce'
                }
            ]);
        }
        const sfChanged = (next.salesforceField ?? '').toLowerCase() !== (before.salesforceField ?? '').toLowerCase();
        const becameEditable = next.editable && !before.editable;
        let picklistValues = before.picklistValues;
        if (next.salesforceField && (sfChanged || becameEditable)) {
            const described = await checkAgainstDescribe(deps, repos, actor, object, {
                key,
                displayName: next.displayName,
                type: next.type,
                editable: next.editable,
                salesforceField: next.salesforceField
            });
            next.salesforceField = described.name;
            picklistValues = picklistOf(described) ?? (sfChanged ? null : picklistValues);
        } else if (!next.salesforceField) {
            picklistValues = before.origin === 'statisfy' ? null : picklistValues;
        }
        const unchanged =
            next.displayName === before.displayName &&
            next.editable === before.editable &&
            next.salesforceField === before.salesforceField;
        if (unchanged) return fieldView(object, before);
        const after = (await repos.fieldMappings.update(actor.orgId, key, {
            displayName: next.displayName,
            editable: next.editable,
            salesforceField: next.salesforceField,
            picklistValues
        })) as FieldMapping;
        const view = fieldView(object, after);
        await repos.auditLog.append(actor.orgId, {
            actor: actor.name,
            action: 'field.update',
            target: `field:${key}`,
            before: toJson(fieldView(object, before)),
            after: toJson(view)
        });
        await notifyOnCommit(manager, NOTIFY_CHANNELS.config, actor.orgId);
        return view;
    });
}
