/**
 * The sync engine's own SQL (outbox claims and results, conflicts, checkpoints, dedupe). Every statement is
 * scoped by org and takes the caller's EntityManager, so it runs inside the caller's transaction.
 */
import type { EntityManager } from 'typeorm';
import { rows, toPendingEdit } from '../data/rows';
import type { EditStatus, PendingEdit } from '../data/types';

/** A conflict row to insert. */
export interface NewConflict {
    objectApiName: string;
    sfId: string;
    fieldKey: string;
    salesforceField: string | null;
    statisfyValue: unknown;
    salesforceValue: unknown;
    baseValue: unknown;
    policy: string;
    status: 'open' | 'resolved';
    resolution: string | null;
    editId: string | null;
}

/** An outbox row's new state. */
export interface EditUpdate {
    id: string;
    status: EditStatus;
    nextAttemptAt?: Date | null;
    errorCode?: string | null;
    errorMessage?: string | null;
    /** New base value (the Salesforce value the edit is now based on); undefined leaves it. */
    baseValue?: unknown;
    /** New attempt count (an attempt the circuit breaker kept from being made is given back); undefined leaves it. */
    attempts?: number;
}

/** Records processed event ids; returns the ones that were NOT seen before (the rest are duplicates). */
export async function markEventsProcessed(m: EntityManager, orgId: string, uuids: string[]): Promise<Set<string>> {
    if (uuids.length === 0) return new Set();
    const fresh = await rows(
        m,
        `INSERT INTO processed_events (org_id, event_uuid)
         SELECT $1, u FROM unnest($2::uuid[]) AS u
         ON CONFLICT DO NOTHING RETURNING event_uuid`,
        [orgId, uuids]
    );
    return new Set(fresh.map((r) => String(r.event_uuid).toLowerCase()));
}

/** Stored checkpoint of a channel (replay id) or of a named cursor, or null. */
export async function getCheckpoint(m: EntityManager, orgId: string, channel: string): Promise<number | null> {
    const [row] = await rows(m, 'SELECT replay_id FROM event_checkpoints WHERE org_id = $1 AND channel = $2', [
        orgId,
        channel
    ]);
    return row ? Number(row.replay_id) : null;
}

/** Stores a checkpoint (in the caller's transaction). */
export async function setCheckpoint(m: EntityManager, orgId: string, channel: string, value: number): Promise<void> {
    await m.query(
        `INSERT INTO event_checkpoints (org_id, channel, replay_id, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (org_id, channel) DO UPDATE SET replay_id = EXCLUDED.replay_id, updated_at = now()`,
        [orgId, channel, value]
    );
}

/** Open (pending or in-flight) edits of the given records, oldest first. */
export async function openEditsFor(m: EntityManager, orgId: string, sfIds: string[]): Promise<PendingEdit[]> {
    if (sfIds.length === 0) return [];
    return (
        await rows(
            m,
            `SELECT * FROM pending_edits WHERE org_id = $1 AND sf_id = ANY($2) AND status IN ('pending', 'in_flight')
             ORDER BY id FOR UPDATE`,
            [orgId, sfIds]
        )
    ).map(toPendingEdit);
}

/**
 * Claims due pending edits for sending: marks them in_flight (attempts + 1, sent_at now) in one short
 * statement. `FOR UPDATE SKIP LOCKED` lets several flushers work side by side without taking the same rows.
 */
export async function claimDueEdits(m: EntityManager, orgId: string, limit: number): Promise<PendingEdit[]> {
    return (
        await rows(
            m,
            `UPDATE pending_edits SET status = 'in_flight', attempts = attempts + 1, sent_at = now(), updated_at = now()
             WHERE id IN (
               SELECT id FROM pending_edits
               WHERE org_id = $1 AND status = 'pending' AND next_attempt_at <= now()
               ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING *`,
            [orgId, limit]
        )
    )
        .map(toPendingEdit)
        .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

/** Edits left in_flight (by a process that died mid-flush); locked so only one recoverer takes them. */
export async function claimOrphanedEdits(m: EntityManager, orgId: string): Promise<PendingEdit[]> {
    return (
        await rows(
            m,
            `SELECT * FROM pending_edits WHERE org_id = $1 AND status = 'in_flight' ORDER BY id FOR UPDATE SKIP LOCKED`,
            [orgId]
        )
    ).map(toPendingEdit);
}

/** Writes new states of outbox rows in one statement. */
export async function updateEdits(m: EntityManager, orgId: string, updates: EditUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const payload = updates.map((u) => ({
        id: u.id,
        status: u.status,
        next_attempt_at: u.nextAttemptAt ? u.nextAttemptAt.toISOString() : null,
        error_code: u.errorCode ?? null,
        error_message: u.errorMessage ?? null,
        set_base: u.baseValue !== undefined,
        attempts: u.attempts ?? null,
        base_value: u.baseValue === undefined ? null : u.baseValue
    }));
    await m.query(
        `UPDATE pending_edits e SET
           status = x.status,
           next_attempt_at = COALESCE(x.next_attempt_at, e.next_attempt_at),
           error_code = x.error_code,
           error_message = x.error_message,
           base_value = CASE WHEN x.set_base THEN x.base_value ELSE e.base_value END,
           attempts = COALESCE(x.attempts, e.attempts),
           updated_at = now()
         FROM jsonb_to_recordset($2::jsonb) AS x(id bigint, status text, next_attempt_at timestamptz, error_code text,
                                                 error_message text, set_base boolean, base_value jsonb,
                                                 attempts int)
         WHERE e.org_id = $1 AND e.id = x.id`,
        [orgId, JSON.stringify(payload)]
    );
}

/** Inserts conflict rows in one statement. */
export async function insertConflicts(m: EntityManager, orgId: string, conflicts: NewConflict[]): Promise<void> {
    if (conflicts.length === 0) return;
    const payload = conflicts.map((c) => ({
        object_api_name: c.objectApiName,
        sf_id: c.sfId,
        field_key: c.fieldKey,
        salesforce_field: c.salesforceField,
        statisfy_value: c.statisfyValue ?? null,
        salesforce_value: c.salesforceValue ?? null,
        base_value: c.baseValue ?? null,
        policy: c.policy,
        status: c.status,
        resolution: c.resolution,
        edit_id: c.editId
    }));
    await m.query(
        `INSERT INTO conflicts (org_id, object_api_name, sf_id, field_key, salesforce_field, statisfy_value, salesforce_value,
                                base_value, policy, status, resolution, edit_id, resolved_at, resolved_by)
         SELECT $1, x.object_api_name, x.sf_id, x.field_key, x.salesforce_field, x.statisfy_value, x.salesforce_value,
                x.base_value, x.policy, x.status, x.resolution, x.edit_id,
                CASE WHEN x.status = 'resolved' THEN now() END, CASE WHEN x.status = 'resolved' THEN 'policy' END
         FROM jsonb_to_recordset($2::jsonb) AS x(object_api_name text, sf_id text, field_key text, salesforce_field text,
              statisfy_value jsonb, salesforce_value jsonb, base_value jsonb, policy text, status text, resolution text,
              edit_id bigint)`,
        [orgId, JSON.stringify(payload)]
    );
}

/** Merges Salesforce values (and optionally Statisfy values) into stored records, without touching others. */
export async function mergeRecordValues(
    m: EntityManager,
    orgId: string,
    updates: { sfId: string; sfValues: Record<string, unknown>; fields?: Record<string, unknown> }[]
): Promise<void> {
    if (updates.length === 0) return;
    await m.query(
        `UPDATE records r SET sf_values = r.sf_values || x.sf_values, fields = r.fields || COALESCE(x.fields, '{}'::jsonb),
                              updated_at = now()
         FROM jsonb_to_recordset($2::jsonb) AS x(sf_id text, sf_values jsonb, fields jsonb)
         WHERE r.org_id = $1 AND r.sf_id = x.sf_id`,
        [
            orgId,
            JSON.stringify(updates.map((u) => ({ sf_id: u.sfId, sf_values: u.sfValues, fields: u.fields ?? null })))
        ]
    );
}

/** Counts for Sync_Status__c and /sync/status: pending, failed, open conflicts, per object. */
export async function syncCounts(
    m: EntityManager,
    orgId: string
): Promise<Map<string, { pending: number; failed: number; conflicts: number }>> {
    const out = new Map<string, { pending: number; failed: number; conflicts: number }>();
    const get = (o: string) => {
        let v = out.get(o);
        if (!v) out.set(o, (v = { pending: 0, failed: 0, conflicts: 0 }));
        return v;
    };
    for (const r of await rows(
        m,
        `SELECT object_api_name, status, count(*)::int AS n FROM pending_edits
         WHERE org_id = $1 AND status IN ('pending', 'in_flight', 'failed') GROUP BY 1, 2`,
        [orgId]
    )) {
        if (r.status === 'failed') get(r.object_api_name).failed += r.n;
        else get(r.object_api_name).pending += r.n;
    }
    for (const r of await rows(
        m,
        `SELECT object_api_name, count(*)::int AS n FROM conflicts WHERE org_id = $1 AND status = 'open' GROUP BY 1`,
        [orgId]
    ))
        get(r.object_api_name).conflicts += r.n;
    return out;
}
