/**
 * What tests read and set up directly in the database, beside the product's own paths. Reading the outbox of a
 * record is a test's question (production never lists it), so it is answered here with SQL, not by a repository
 * method only tests would call. Setting an edit's state and recording conflicts go through the repositories the
 * sync itself uses (`applyUpdates`, `insertMany`), so tests exercise the code production runs.
 */
import type { EntityManager } from 'typeorm';
import { createRepositories, sumCounts, type Conflict, type NewConflict, type PendingEdit } from '../../src/data';
import { rows, toConflict, toPendingEdit } from '../../src/data/rows';

/** Every outbox row of a record, oldest first. */
export async function outboxOf(m: EntityManager, orgId: string, sfId: string): Promise<PendingEdit[]> {
    return (
        await rows(m, 'SELECT * FROM pending_edits WHERE org_id = $1 AND sf_id = $2 ORDER BY id', [orgId, sfId])
    ).map(toPendingEdit);
}

/** Sets outbox rows' state as the flusher records its results. */
export async function setEdits(
    m: EntityManager,
    orgId: string,
    ids: string[],
    state: { status: PendingEdit['status']; errorCode?: string; errorMessage?: string; nextAttemptAt?: Date }
): Promise<void> {
    await createRepositories(m).pendingEdits.applyUpdates(
        orgId,
        ids.map((id) => ({ id, ...state }))
    );
}

/** Records a conflict as the sync does, and returns it. */
export async function recordConflict(
    m: EntityManager,
    orgId: string,
    input: Omit<NewConflict, 'status' | 'resolution' | 'editId'> & Partial<NewConflict>
): Promise<Conflict> {
    await createRepositories(m).conflicts.insertMany(orgId, [
        { status: 'open', resolution: null, editId: null, ...input }
    ]);
    const [row] = await rows(
        m,
        'SELECT * FROM conflicts WHERE org_id = $1 ORDER BY detected_at DESC, id DESC LIMIT 1',
        [orgId]
    );
    return toConflict(row);
}

/** The org's open work in total (the status API's count). */
export async function countsOf(m: EntityManager, orgId: string) {
    return sumCounts(await createRepositories(m).pendingEdits.countsByObject(orgId));
}
