/**
 * The outbox (pending_edits) and conflicts.
 */
import type { EntityManager } from 'typeorm';
import { jsonParam, rows, toConflict, toPendingEdit } from './rows';
import type { Conflict, ConflictPolicy, EditStatus, PendingEdit } from './types';

/**
 * A field edit to write to Salesforce; `baseValue` is the last known Salesforce value it was made against
 * (conflict detection), unless an earlier edit of the field is being sent (then it is based on that value).
 */
export type NewPendingEdit = Pick<
    PendingEdit,
    'objectApiName' | 'sfId' | 'fieldKey' | 'salesforceField' | 'newValue' | 'baseValue'
>;

/** Open work of one object of one org (see {@link PendingEditsRepository.countsByObject}). */
export interface OutboxCountsRow {
    orgId: string;
    objectApiName: string;
    pending: number;
    inFlight: number;
    failed: number;
    /** Edits parked on a conflict. */
    conflict: number;
    /** Conflicts waiting for a person. */
    openConflicts: number;
}

/** Sums count rows (an org's total, or every org's). */
export function sumCounts(rows: readonly OutboxCountsRow[]): Omit<OutboxCountsRow, 'orgId' | 'objectApiName'> {
    const total = { pending: 0, inFlight: 0, failed: 0, conflict: 0, openConflicts: 0 };
    for (const r of rows) {
        total.pending += r.pending;
        total.inFlight += r.inFlight;
        total.failed += r.failed;
        total.conflict += r.conflict;
        total.openConflicts += r.openConflicts;
    }
    return total;
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

const byId = (a: { id: string }, b: { id: string }): number => (BigInt(a.id) < BigInt(b.id) ? -1 : 1);

/** The latest outbox row of each record+field (sync state of records). */
export interface LatestEditState {
    sfId: string;
    fieldKey: string;
    id: string;
    status: EditStatus;
    errorCode: string | null;
    errorMessage: string | null;
    updatedAt: Date;
}

/** The outbox. */
export class PendingEditsRepository {
    constructor(private readonly m: EntityManager) {}

    /**
     * Adds an edit; older `pending` rows for the same record+field become `superseded` (the newest edit wins).
     * Rows already in flight are left alone: the flusher finishes them and the new row follows.
     */
    async enqueue(orgId: string, edit: NewPendingEdit): Promise<{ edit: PendingEdit; superseded: string[] }> {
        // One statement (one round trip): supersede the older pending rows, insert the new one. While an earlier edit
        // of the field is being sent, the new one is based on the value Statisfy sent (issue 9 B4): once that write
        // lands, Salesforce holds it, and the newer edit must not be taken for a conflict with it.
        const [row] = await rows(
            this.m,
            `WITH superseded AS (
                 UPDATE pending_edits SET status = 'superseded', updated_at = now()
                 WHERE org_id = $1 AND sf_id = $2 AND field_key = $3 AND status = 'pending' RETURNING id
             ), inserted AS (
                 INSERT INTO pending_edits (org_id, object_api_name, sf_id, field_key, salesforce_field, new_value, base_value)
                 VALUES ($1,$4,$2,$3,$5,$6, COALESCE(
                     (SELECT new_value FROM pending_edits WHERE org_id = $1 AND sf_id = $2 AND field_key = $3
                        AND status = 'in_flight' ORDER BY id DESC LIMIT 1),
                     $7)) RETURNING *
             )
             SELECT inserted.*, (SELECT COALESCE(array_agg(id ORDER BY id), '{}') FROM superseded) AS superseded_ids
             FROM inserted`,
            [
                orgId,
                edit.sfId,
                edit.fieldKey,
                edit.objectApiName,
                edit.salesforceField,
                jsonParam(edit.newValue),
                jsonParam(edit.baseValue)
            ]
        );
        return { edit: toPendingEdit(row), superseded: (row.superseded_ids as (string | number)[]).map(String) };
    }

    /** One row of the org, or null. */
    async get(orgId: string, id: string): Promise<PendingEdit | null> {
        const [row] = await rows(this.m, 'SELECT * FROM pending_edits WHERE org_id = $1 AND id = $2', [orgId, id]);
        return row ? toPendingEdit(row) : null;
    }

    /**
     * Claims up to `limit` due pending rows for sending (`FOR UPDATE SKIP LOCKED`, so several flushers never take
     * the same row): they become `in_flight`, attempts + 1, sent_at = now. Oldest first.
     */
    async claimDue(orgId: string, limit: number): Promise<PendingEdit[]> {
        return (
            await rows(
                this.m,
                `UPDATE pending_edits p SET status = 'in_flight', attempts = attempts + 1, sent_at = now(), updated_at = now()
                 WHERE p.id IN (SELECT id FROM pending_edits WHERE org_id = $1 AND status = 'pending'
                                  AND next_attempt_at <= now() ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
                 RETURNING p.*`,
                [orgId, limit]
            )
        )
            .map(toPendingEdit)
            .sort(byId);
    }

    /** Rows left `in_flight` (by a process that died mid-flush), locked so only one recoverer takes them. */
    async claimOrphans(orgId: string): Promise<PendingEdit[]> {
        return (
            await rows(
                this.m,
                `SELECT * FROM pending_edits WHERE org_id = $1 AND status = 'in_flight' ORDER BY id FOR UPDATE SKIP LOCKED`,
                [orgId]
            )
        ).map(toPendingEdit);
    }

    /** Open (pending or in-flight) rows of these records, oldest first, locked for the caller's transaction. */
    async openForRecords(orgId: string, sfIds: string[]): Promise<PendingEdit[]> {
        if (sfIds.length === 0) return [];
        return (
            await rows(
                this.m,
                `SELECT * FROM pending_edits WHERE org_id = $1 AND sf_id = ANY($2) AND status IN ('pending', 'in_flight')
                 ORDER BY id FOR UPDATE`,
                [orgId, sfIds]
            )
        ).map(toPendingEdit);
    }

    /** Writes the new states of outbox rows in one statement (the flusher's and the inbound apply's results). */
    async applyUpdates(orgId: string, updates: readonly EditUpdate[]): Promise<void> {
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
        await rows(
            this.m,
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

    /** True when a later, not superseded edit of the same record and field exists. */
    async hasNewer(orgId: string, edit: { id: string; sfId: string; fieldKey: string }): Promise<boolean> {
        const [row] = await rows(
            this.m,
            `SELECT 1 FROM pending_edits WHERE org_id = $1 AND sf_id = $2 AND field_key = $3 AND id > $4
             AND status <> 'superseded' LIMIT 1`,
            [orgId, edit.sfId, edit.fieldKey, edit.id]
        );
        return row !== undefined;
    }

    /** Puts a failed row back to `pending`, due now, with its attempts starting over. */
    async retry(orgId: string, id: string): Promise<void> {
        await rows(
            this.m,
            `UPDATE pending_edits SET status = 'pending', attempts = 0, next_attempt_at = now(),
                    error_code = NULL, error_message = NULL, updated_at = now()
             WHERE org_id = $1 AND id = $2`,
            [orgId, id]
        );
    }

    /** Failed rows, newest first. */
    async listFailed(orgId: string, page: { limit: number; offset: number }): Promise<PendingEdit[]> {
        return (
            await rows(
                this.m,
                `SELECT * FROM pending_edits WHERE org_id = $1 AND status = 'failed'
                 ORDER BY updated_at DESC, id DESC LIMIT $2 OFFSET $3`,
                [orgId, page.limit, page.offset]
            )
        ).map(toPendingEdit);
    }

    /** The latest non-superseded row of each record+field for these records. */
    async latestForRecords(orgId: string, sfIds: string[]): Promise<LatestEditState[]> {
        if (sfIds.length === 0) return [];
        return (
            await rows(
                this.m,
                `SELECT DISTINCT ON (sf_id, field_key) sf_id, field_key, id, status, error_code, error_message, updated_at
                 FROM pending_edits WHERE org_id = $1 AND sf_id = ANY($2) AND status <> 'superseded'
                 ORDER BY sf_id, field_key, id DESC`,
                [orgId, sfIds]
            )
        ).map((r) => ({
            sfId: r.sf_id,
            fieldKey: r.field_key,
            id: String(r.id),
            status: r.status,
            errorCode: r.error_code,
            errorMessage: r.error_message,
            updatedAt: r.updated_at
        }));
    }

    /**
     * The one count of open work: pending (incl. in flight), failed and conflicted edits and open conflicts, per org
     * and object — for the status API, Sync_Status__c and /metrics alike. `orgId` null counts every org.
     */
    async countsByObject(orgId: string | null): Promise<OutboxCountsRow[]> {
        return (
            await rows(
                this.m,
                `WITH e AS (
                   SELECT org_id, object_api_name,
                          count(*) FILTER (WHERE status = 'pending')::int AS pending,
                          count(*) FILTER (WHERE status = 'in_flight')::int AS in_flight,
                          count(*) FILTER (WHERE status = 'failed')::int AS failed,
                          count(*) FILTER (WHERE status = 'conflict')::int AS conflict
                   FROM pending_edits WHERE ($1::uuid IS NULL OR org_id = $1)
                     AND status IN ('pending', 'in_flight', 'failed', 'conflict')
                   GROUP BY 1, 2
                 ), c AS (
                   SELECT org_id, object_api_name, count(*)::int AS open_conflicts FROM conflicts
                   WHERE ($1::uuid IS NULL OR org_id = $1) AND status = 'open' GROUP BY 1, 2
                 )
                 SELECT COALESCE(e.org_id, c.org_id) AS org_id, COALESCE(e.object_api_name, c.object_api_name) AS object_api_name,
                        COALESCE(e.pending, 0) AS pending, COALESCE(e.in_flight, 0) AS in_flight,
                        COALESCE(e.failed, 0) AS failed, COALESCE(e.conflict, 0) AS conflict,
                        COALESCE(c.open_conflicts, 0) AS open_conflicts
                 FROM e FULL JOIN c ON c.org_id = e.org_id AND c.object_api_name = e.object_api_name
                 ORDER BY 1, 2`,
                [orgId]
            )
        ).map((r) => ({
            orgId: String(r.org_id),
            objectApiName: String(r.object_api_name),
            pending: r.pending,
            inFlight: r.in_flight,
            failed: r.failed,
            conflict: r.conflict,
            openConflicts: r.open_conflicts
        }));
    }

    /** When the org's last edit reached Salesforce, or null. */
    async lastSucceededAt(orgId: string, objectApiName?: string): Promise<Date | null> {
        const [row] = await rows(
            this.m,
            `SELECT max(updated_at) AS at FROM pending_edits WHERE org_id = $1 AND status = 'succeeded'
               AND ($2::text IS NULL OR object_api_name = $2)`,
            [orgId, objectApiName ?? null]
        );
        return row.at ?? null;
    }
}

/** What a detected conflict records. */
export interface NewConflict {
    objectApiName: string;
    sfId: string;
    fieldKey: string;
    salesforceField: string | null;
    statisfyValue: unknown;
    salesforceValue: unknown;
    baseValue: unknown;
    policy: ConflictPolicy;
    /** Policies other than Manual decide at once: the conflict is recorded already `resolved`. */
    status: 'open' | 'resolved';
    resolution: string | null;
    editId: string | null;
}

/** Conflicts. */
export class ConflictsRepository {
    constructor(private readonly m: EntityManager) {}

    /** Records conflicts in one statement (open, or resolved at once by the policy). */
    async insertMany(orgId: string, conflicts: readonly NewConflict[]): Promise<void> {
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
        await rows(
            this.m,
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

    /** One conflict of the org, or null; `forUpdate` locks it. */
    async get(orgId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<Conflict | null> {
        if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
        const [row] = await rows(
            this.m,
            `SELECT * FROM conflicts WHERE org_id = $1 AND id = $2${options.forUpdate ? ' FOR UPDATE' : ''}`,
            [orgId, id]
        );
        return row ? toConflict(row) : null;
    }

    /** Conflicts of the org, newest first, optionally by status. */
    async list(
        orgId: string,
        query: { status?: 'open' | 'resolved'; limit: number; offset: number; objectApiName?: string }
    ): Promise<Conflict[]> {
        return (
            await rows(
                this.m,
                `SELECT * FROM conflicts WHERE org_id = $1 AND ($2::text IS NULL OR status = $2)
                   AND ($3::text IS NULL OR object_api_name = $3)
                 ORDER BY detected_at DESC, id LIMIT $4 OFFSET $5`,
                [orgId, query.status ?? null, query.objectApiName ?? null, query.limit, query.offset]
            )
        ).map(toConflict);
    }

    /** Open conflicts of these records. */
    async openForRecords(orgId: string, sfIds: string[]): Promise<Conflict[]> {
        if (sfIds.length === 0) return [];
        return (
            await rows(this.m, `SELECT * FROM conflicts WHERE org_id = $1 AND sf_id = ANY($2) AND status = 'open'`, [
                orgId,
                sfIds
            ])
        ).map(toConflict);
    }

    /** Closes a conflict with a resolution. */
    async resolve(orgId: string, id: string, resolution: string, resolvedBy: string): Promise<Conflict | null> {
        const [row] = await rows(
            this.m,
            `UPDATE conflicts SET status = 'resolved', resolution = $3, resolved_by = $4, resolved_at = now()
             WHERE org_id = $1 AND id = $2 RETURNING *`,
            [orgId, id, resolution, resolvedBy]
        );
        return row ? toConflict(row) : null;
    }
}
