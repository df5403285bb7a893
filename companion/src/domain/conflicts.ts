/**
 * Conflicts, the data side: list them, and resolve one by keeping the Statisfy value, the Salesforce value, or a new
 * value. Keeping a Statisfy (or new) value writes it to the record and, when the field qualifies for writeback,
 * queues it with the current Salesforce value as its base; keeping Salesforce's value writes that to the record.
 */
import type { DataSource } from 'typeorm';
import { createRepositories, inTransaction, notifyOnCommit, NOTIFY_CHANNELS, type Json } from '../data';
import { conflict as conflictError, notFound, unprocessable } from '../lib/errors';
import type { Actor } from './context';
import { checkValue } from '../../../contracts/field-types';
import { conflictView, type ConflictView } from './views';
import { writebackReason, type WritebackReason } from '../../../contracts/sync-rules';

/** How a person resolves a conflict. */
export type Resolution =
    { resolution: 'statisfy' } | { resolution: 'salesforce' } | { resolution: 'value'; value: unknown };

/** What resolving did to the record. */
export type ResolutionOutcome =
    | { status: 'applied'; value: Json }
    | { status: 'queued'; value: Json; editId: string }
    | { status: 'local'; value: Json; reason: WritebackReason };

/** Conflicts of the org, newest first. */
export async function listConflicts(
    dataSource: DataSource,
    actor: Actor,
    query: { status?: 'open' | 'resolved'; objectApiName?: string; limit: number; offset: number }
): Promise<ConflictView[]> {
    return (await createRepositories(dataSource.manager).conflicts.list(actor.orgId, query)).map(conflictView);
}

/** Resolves an open conflict (409 when it is already resolved). Audited. */
export async function resolveConflict(
    dataSource: DataSource,
    actor: Actor,
    id: string,
    choice: Resolution
): Promise<{ conflict: ConflictView; outcome: ResolutionOutcome }> {
    return inTransaction(dataSource, async (repos, manager) => {
        const found = await repos.conflicts.get(actor.orgId, id, { forUpdate: true });
        if (!found) throw notFound(`No conflict ${id}`);
        if (found.status !== 'open') throw conflictError(`Conflict ${id} is already resolved (${found.resolution})`);
        const record = await repos.records.get(actor.orgId, found.sfId, { forUpdate: true });
        if (!record) throw notFound(`The record ${found.sfId} of conflict ${id} no longer exists`);
        const mapping = await repos.fieldMappings.get(actor.orgId, found.fieldKey);
        const object = await repos.syncObjects.get(actor.orgId, found.objectApiName);

        let outcome: ResolutionOutcome;
        if (choice.resolution === 'salesforce') {
            await repos.records.mergeFields(actor.orgId, found.sfId, { [found.fieldKey]: found.salesforceValue });
            outcome = { status: 'applied', value: found.salesforceValue };
        } else {
            let value: Json = found.statisfyValue;
            if (choice.resolution === 'value') {
                const check = checkValue(mapping?.type ?? 'text', choice.value, mapping?.picklistValues ?? null);
                if (!check.ok) {
                    throw unprocessable('INVALID_VALUE', `Value for ${found.fieldKey}: ${check.message}`, [
                        { path: 'value', code: 'INVALID_VALUE', message: check.message }
                    ]);
                }
                value = check.value;
            }
            await repos.records.mergeFields(actor.orgId, found.sfId, { [found.fieldKey]: value });
            const reason =
                mapping && object ? writebackReason({ object, mapping }) : ('Mapping is inactive' as WritebackReason);
            if (reason || !mapping?.salesforceField) {
                outcome = { status: 'local', value, reason: reason ?? 'Mapping is inactive' };
            } else {
                const { edit } = await repos.pendingEdits.enqueue(actor.orgId, {
                    objectApiName: found.objectApiName,
                    sfId: found.sfId,
                    fieldKey: found.fieldKey,
                    salesforceField: mapping.salesforceField,
                    newValue: value,
                    baseValue: record.sfValues[mapping.salesforceField] ?? found.salesforceValue
                });
                await notifyOnCommit(manager, NOTIFY_CHANNELS.outbox, actor.orgId);
                outcome = { status: 'queued', value, editId: edit.id };
            }
        }
        const resolved = await repos.conflicts.resolve(actor.orgId, id, choice.resolution, actor.name);
        await repos.auditLog.append(actor.orgId, {
            actor: actor.name,
            action: 'conflict.resolve',
            target: `conflict:${id}`,
            before: { status: 'open', statisfyValue: found.statisfyValue, salesforceValue: found.salesforceValue },
            after: { status: 'resolved', resolution: choice.resolution, value: outcome.value }
        });
        return { conflict: conflictView(resolved!), outcome };
    });
}
