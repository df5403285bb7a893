/**
 * The outbox (pending_edits) and conflicts.
 */
import type { EntityManager } from 'typeorm';
import { jsonParam, rows, toConflict, toPendingEdit } from './rows';
import type { Conflict, ConflictPolicy, EditStatus, Json, PendingEdit } from './types';

/** A field edit to write to Salesforce. */
export interface NewPendingEdit {
    objectApiName: string;
    sfId: string;
    fieldKey: string;
    salesforceField: string;
    newValue: Json;
    /** The last known Salesforce value the edit was made against (conflict detection). */
    baseValue: Json;
}

/** Outbox counts of one org. */
export interface OutboxCountsRow {
    pending: number;
    inFlight: number;
    failed: number;
    conflict: number;
}

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
        // One statement (one round trip): supersede the older pending rows, insert the new one.
        const [row] = await rows(
            this.m,
            `WITH superseded AS (
                 UPDATE pending_edits SET status = 'superseded', updated_at = now()
                 WHERE org_id = $1 AND sf_id = $2 AND field_key = $3 AND status = 'pending' RETURNING id
             ), inserted AS (
                 INSERT INTO pending_edits (org_id, object_api_name, sf_id, field_key, salesforce_field, new_value, base_value)
                 VALUES ($1,$4,$2,$3,$5,$6,$7) RETURNING *
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

    /** The org's rows for a record, oldest first. */
    async listForRecord(orgId: string, sfId: string): Promise<PendingEdit[]> {
        return (
            await rows(this.m, 'SELECT * FROM pending_edits WHERE org_id = $1 AND sf_id = $2 ORDER BY id', [
                orgId,
                sfId
            ])
        ).map(toPendingEdit);
    }

    /**
     * Claims up to `limit` due pending rows for sending (`FOR UPDATE SKIP LOCKED`, so several flushers never take
     * the same row): they become `in_flight`, attempts + 1, sent_at = now.
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
            .sort((a, b) => Number(a.id) - Number(b.id));
    }

    /** Marks rows written to Salesforce. */
    async markSucceeded(orgId: string, ids: string[]): Promise<void> {
        if (ids.length === 0) return;
        await rows(
            this.m,
            `UPDATE pending_edits SET status = 'succeeded', error_code = NULL, error_message = NULL, updated_at = now()
             WHERE org_id = $1 AND id = ANY($2::bigint[])`,
            [orgId, ids]
        );
    }

    /** Marks a row failed for good, keeping Salesforce's code and message. */
    async markFailed(orgId: string, id: string, errorCode: string, errorMessage: string): Promise<void> {
        await rows(
            this.m,
            `UPDATE pending_edits SET status = 'failed', error_code = $3, error_message = $4, updated_at = now()
             WHERE org_id = $1 AND id = $2`,
            [orgId, id, errorCode, errorMessage]
        );
    }

    /** Puts a row back to `pending` for a later attempt (retryable failure). */
    async scheduleRetry(orgId: string, id: string, at: Date, errorCode: string, errorMessage: string): Promise<void> {
        await rows(
            this.m,
            `UPDATE pending_edits SET status = 'pending', next_attempt_at = $3, error_code = $4, error_message = $5,
                    updated_at = now()
             WHERE org_id = $1 AND id = $2`,
            [orgId, id, at, errorCode, errorMessage]
        );
    }

    /** Sets a row's status (e.g. `conflict`, `superseded`). */
    async setStatus(orgId: string, id: string, status: EditStatus): Promise<void> {
        await rows(this.m, 'UPDATE pending_edits SET status = $3, updated_at = now() WHERE org_id = $1 AND id = $2', [
            orgId,
            id,
            status
        ]);
    }

    /** After a crash: rows left `in_flight` longer than `olderThanMs` go back to `pending`. Returns their ids. */
    async releaseStale(orgId: string, olderThanMs: number): Promise<string[]> {
        const released = await rows(
            this.m,
            `UPDATE pending_edits SET status = 'pending', updated_at = now()
             WHERE org_id = $1 AND status = 'in_flight' AND sent_at < now() - ($2::int * interval '1 millisecond')
             RETURNING id`,
            [orgId, olderThanMs]
        );
        return released.map((r) => String(r.id));
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

    /** Outbox counts of the org, optionally of one object. */
    async counts(orgId: string, objectApiName?: string): Promise<OutboxCountsRow> {
        const [row] = await rows(
            this.m,
            `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
                    count(*) FILTER (WHERE status = 'in_flight')::int AS in_flight,
                    count(*) FILTER (WHERE status = 'failed')::int AS failed,
                    count(*) FILTER (WHERE status = 'conflict')::int AS conflict
             FROM pending_edits WHERE org_id = $1 AND status IN ('pending','in_flight','failed','conflict')
               AND ($2::text IS NULL OR object_api_name = $2)`,
            [orgId, objectApiName ?? null]
        );
        return { pending: row.pending, inFlight: row.in_flight, failed: row.failed, conflict: row.conflict };
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
    statisfyValue: Json;
    salesforceValue: Json;
    baseValue: Json;
    policy: ConflictPolicy;
    editId?: string | null;
    /** Policies other than Manual decide at once: the conflict is recorded already resolved. */
    resolution?: string | null;
    resolvedBy?: string | null;
}

/** Conflicts. */
export class ConflictsRepository {
    constructor(private readonly m: EntityManager) {}

    /** Records a conflict (open, or resolved at once when `resolution` is given). */
    async create(orgId: string, input: NewConflict): Promise<Conflict> {
        const resolved = input.resolution != null;
        const [row] = await rows(
            this.m,
            `INSERT INTO conflicts (org_id, object_api_name, sf_id, field_key, salesforce_field, statisfy_value,
                                    salesforce_value, base_value, policy, status, resolution, edit_id, resolved_at, resolved_by)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING *`,
            [
                orgId,
                input.objectApiName,
                input.sfId,
                input.fieldKey,
                input.salesforceField,
                jsonParam(input.statisfyValue),
                jsonParam(input.salesforceValue),
                jsonParam(input.baseValue),
                input.policy,
                resolved ? 'resolved' : 'open',
                input.resolution ?? null,
                input.editId ?? null,
                resolved ? new Date() : null,
                resolved ? (input.resolvedBy ?? 'policy') : null
            ]
        );
        return toConflict(row);
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

    /** Number of open conflicts, optionally of one object. */
    async countOpen(orgId: string, objectApiName?: string): Promise<number> {
        const [row] = await rows(
            this.m,
            `SELECT count(*)::int AS n FROM conflicts WHERE org_id = $1 AND status = 'open'
               AND ($2::text IS NULL OR object_api_name = $2)`,
            [orgId, objectApiName ?? null]
        );
        return row.n;
    }
}
