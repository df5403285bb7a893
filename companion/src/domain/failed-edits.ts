/**
 * What a person can do with an edit Salesforce refused for good (the Sync page, ARCHITECTURE §4): send it again,
 * give it up and take Salesforce's value back into Statisfy, or give it up and keep the Statisfy value in Statisfy
 * only. Only the latest edit of its record and field, and only while it is `failed` (409 otherwise). Giving up
 * marks the edit `superseded` (never sent) and is audited as `edit.keep_salesforce` / `edit.discard`.
 */
import type { DataSource } from 'typeorm';
import { inTransaction, notifyOnCommit, NOTIFY_CHANNELS, type PendingEdit, type Repositories } from '../data';
import { conflict, notFound } from '../lib/errors';
import type { Actor } from './context';

async function latestFailed(repos: Repositories, actor: Actor, id: string, verb: string): Promise<PendingEdit> {
    const edit = await repos.pendingEdits.get(actor.orgId, id);
    if (!edit) throw notFound(`No edit ${id}`);
    if (edit.status !== 'failed') throw conflict(`Edit ${id} is ${edit.status}, not failed`);
    if (await repos.pendingEdits.hasNewer(actor.orgId, edit))
        throw conflict(`A newer edit of ${edit.fieldKey} on ${edit.sfId} exists: ${verb} that one instead`);
    return edit;
}

/** Sends a failed edit again on the next flush (attempts start over). */
export function retryFailedEdit(dataSource: DataSource, actor: Actor, id: string) {
    return inTransaction(dataSource, async (repos, manager) => {
        await latestFailed(repos, actor, id, 'retry');
        await repos.pendingEdits.retry(actor.orgId, id);
        await notifyOnCommit(manager, NOTIFY_CHANNELS.outbox, actor.orgId);
        return { editId: id, status: 'pending' as const };
    });
}

/**
 * Gives up a failed edit: with `keepSalesforce` the record's Statisfy value goes back to the last known Salesforce
 * value; otherwise the Statisfy value stays, in Statisfy only.
 */
export function giveUpFailedEdit(dataSource: DataSource, actor: Actor, id: string, keepSalesforce: boolean) {
    return inTransaction(dataSource, async (repos) => {
        const edit = await latestFailed(repos, actor, id, 'act on');
        let value = edit.newValue;
        if (keepSalesforce) {
            const record = await repos.records.get(actor.orgId, edit.sfId, { forUpdate: true });
            if (!record) throw notFound(`The record ${edit.sfId} of edit ${id} no longer exists`);
            value = record.sfValues[edit.salesforceField] ?? null;
            await repos.records.mergeFields(actor.orgId, edit.sfId, { [edit.fieldKey]: value });
        }
        await repos.pendingEdits.applyUpdates(actor.orgId, [
            { id, status: 'superseded', errorCode: edit.errorCode, errorMessage: edit.errorMessage }
        ]);
        await repos.auditLog.append(actor.orgId, {
            actor: actor.name,
            action: keepSalesforce ? 'edit.keep_salesforce' : 'edit.discard',
            target: `record:${edit.sfId}:${edit.fieldKey}`,
            before: { editId: id, value: edit.newValue, errorCode: edit.errorCode, message: edit.errorMessage },
            after: { value }
        });
        return { editId: id, status: 'superseded' as const, field: edit.fieldKey, value };
    });
}
