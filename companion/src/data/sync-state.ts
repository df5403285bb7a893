/**
 * The sync engine's own state: event checkpoints, processed event ids, sync runs; and the audit log.
 */
import type { EntityManager } from 'typeorm';
import { jsonParam, rows, toAuditEntry, toSyncRun } from './rows';
import type { AuditEntry, Json, SyncRun, SyncRunKind, SyncRunStatus } from './types';

/** Replay ids per org and channel. Write them in the transaction of the events they cover. */
export class EventCheckpointsRepository {
    constructor(private readonly m: EntityManager) {}

    /** The stored replay id (as a string: replay ids can exceed 2^53), or null. */
    async get(orgId: string, channel: string): Promise<string | null> {
        const [row] = await rows(this.m, 'SELECT replay_id FROM event_checkpoints WHERE org_id = $1 AND channel = $2', [
            orgId,
            channel
        ]);
        return row ? String(row.replay_id) : null;
    }

    /** Stores a replay id (upsert). */
    async set(orgId: string, channel: string, replayId: string | number | bigint): Promise<void> {
        await rows(
            this.m,
            `INSERT INTO event_checkpoints (org_id, channel, replay_id) VALUES ($1,$2,$3)
             ON CONFLICT (org_id, channel) DO UPDATE SET replay_id = EXCLUDED.replay_id, updated_at = now()`,
            [orgId, channel, String(replayId)]
        );
    }

    /** When any of the org's checkpoints last moved (last inbound activity), or null. */
    async lastUpdatedAt(orgId: string): Promise<Date | null> {
        const [row] = await rows(this.m, 'SELECT max(updated_at) AS at FROM event_checkpoints WHERE org_id = $1', [
            orgId
        ]);
        return row.at ?? null;
    }
}

/** EventUuids already applied (dedupe). */
export class ProcessedEventsRepository {
    constructor(private readonly m: EntityManager) {}

    /** Records the ids; returns those that were new (the events to apply). */
    async markProcessed(orgId: string, eventUuids: string[]): Promise<Set<string>> {
        if (eventUuids.length === 0) return new Set();
        const inserted = await rows(
            this.m,
            `INSERT INTO processed_events (org_id, event_uuid) SELECT $1, u FROM unnest($2::uuid[]) AS u
             ON CONFLICT DO NOTHING RETURNING event_uuid`,
            [orgId, eventUuids]
        );
        return new Set(inserted.map((r) => String(r.event_uuid).toLowerCase()));
    }

    /**
     * Deletes ids older than `hours` (the event retention window: an event past it can never be delivered again, so
     * its id is no longer needed for dedupe). The age is computed in the database, never against a JS clock.
     */
    async prune(orgId: string, hours: number): Promise<number> {
        const done = await rows(
            this.m,
            `DELETE FROM processed_events WHERE org_id = $1 AND processed_at < now() - ($2::int * interval '1 hour')
             RETURNING 1`,
            [orgId, hours]
        );
        return done.length;
    }
}

/** Sync runs. */
export class SyncRunsRepository {
    constructor(private readonly m: EntityManager) {}

    /**
     * A fingerprint of the org's sync activity (outbox, conflicts, runs, org state): it changes whenever one of them
     * does. Compared for equality only (live updates), never as a time.
     */
    async activityFingerprint(orgId: string): Promise<string> {
        const [fp] = await rows(
            this.m,
            `SELECT (SELECT max(updated_at) FROM pending_edits WHERE org_id = $1) AS edits,
                    (SELECT count(*) FROM pending_edits WHERE org_id = $1) AS edit_count,
                    (SELECT max(coalesce(resolved_at, detected_at)) FROM conflicts WHERE org_id = $1) AS conflicts,
                    (SELECT count(*) FROM conflicts WHERE org_id = $1 AND status = 'open') AS open_conflicts,
                    (SELECT max(coalesce(finished_at, started_at)) FROM sync_runs WHERE org_id = $1) AS runs,
                    (SELECT updated_at FROM orgs WHERE id = $1) AS org`,
            [orgId]
        );
        return JSON.stringify(fp);
    }

    /** Starts a run. */
    async start(orgId: string, kind: SyncRunKind, objectApiName: string | null = null): Promise<SyncRun> {
        const [row] = await rows(
            this.m,
            'INSERT INTO sync_runs (org_id, kind, object_api_name) VALUES ($1,$2,$3) RETURNING *',
            [orgId, kind, objectApiName]
        );
        return toSyncRun(row);
    }

    /** Finishes a run with its figures. */
    async finish(
        orgId: string,
        id: string,
        result: {
            status: Exclude<SyncRunStatus, 'running'>;
            recordsIn?: number;
            recordsOut?: number;
            apiCalls?: number;
            error?: string | null;
        }
    ): Promise<SyncRun | null> {
        const [row] = await rows(
            this.m,
            `UPDATE sync_runs SET status = $3, finished_at = now(), records_in = $4, records_out = $5, api_calls = $6, error = $7
             WHERE org_id = $1 AND id = $2 RETURNING *`,
            [
                orgId,
                id,
                result.status,
                result.recordsIn ?? 0,
                result.recordsOut ?? 0,
                result.apiCalls ?? 0,
                result.error ?? null
            ]
        );
        return row ? toSyncRun(row) : null;
    }

    /** The latest finished successful run of a kind (optionally of one object), or null. */
    async lastSucceeded(orgId: string, kinds: SyncRunKind[], objectApiName?: string): Promise<SyncRun | null> {
        const [row] = await rows(
            this.m,
            `SELECT * FROM sync_runs WHERE org_id = $1 AND kind = ANY($2) AND status = 'succeeded'
               AND ($3::text IS NULL OR object_api_name = $3 OR object_api_name IS NULL)
             ORDER BY finished_at DESC NULLS LAST LIMIT 1`,
            [orgId, kinds, objectApiName ?? null]
        );
        return row ? toSyncRun(row) : null;
    }

    /** Recent runs, newest first. */
    async list(orgId: string, limit = 20): Promise<SyncRun[]> {
        return (
            await rows(this.m, 'SELECT * FROM sync_runs WHERE org_id = $1 ORDER BY started_at DESC LIMIT $2', [
                orgId,
                limit
            ])
        ).map(toSyncRun);
    }

    /** Salesforce API calls counted by runs since a time. */
    async apiCallsSince(orgId: string, since: Date): Promise<number> {
        const [row] = await rows(
            this.m,
            'SELECT COALESCE(sum(api_calls), 0)::int AS n FROM sync_runs WHERE org_id = $1 AND started_at >= $2',
            [orgId, since]
        );
        return row.n;
    }
}

/** The audit log of configuration changes. */
export class AuditLogRepository {
    constructor(private readonly m: EntityManager) {}

    /** Appends an entry (in the transaction of the change it records). */
    async append(
        orgId: string,
        entry: { actor: string; action: string; target: string; before: Json; after: Json }
    ): Promise<AuditEntry> {
        const [row] = await rows(
            this.m,
            'INSERT INTO audit_log (org_id, actor, action, target, before, after) VALUES ($1,$2,$3,$4,$5,$6) RETURNING *',
            [orgId, entry.actor, entry.action, entry.target, jsonParam(entry.before), jsonParam(entry.after)]
        );
        return toAuditEntry(row);
    }

    /** Entries, newest first, optionally for one target. */
    async list(orgId: string, query: { limit: number; offset: number; target?: string }): Promise<AuditEntry[]> {
        return (
            await rows(
                this.m,
                `SELECT * FROM audit_log WHERE org_id = $1 AND ($2::text IS NULL OR target = $2)
                 ORDER BY id DESC LIMIT $3 OFFSET $4`,
                [orgId, query.target ?? null, query.limit, query.offset]
            )
        ).map(toAuditEntry);
    }
}
