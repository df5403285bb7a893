/**
 * Salesforce API calls per org, UTC day and purpose (salesforce/call-accounting.ts counts them in memory; the
 * engine adds them here each tick).
 */
import type { EntityManager } from 'typeorm';
import { rows } from './rows';

/** API calls of an org per purpose. */
export class ApiUsageRepository {
    constructor(private readonly m: EntityManager) {}

    /** Adds calls to today's (UTC, database clock) counts, in one statement. */
    async add(orgId: string, calls: ReadonlyMap<string, number>): Promise<void> {
        const entries = [...calls].filter(([, n]) => n > 0);
        if (entries.length === 0) return;
        await rows(
            this.m,
            `INSERT INTO api_calls_daily AS a (org_id, day, purpose, calls)
             SELECT $1, (now() AT TIME ZONE 'UTC')::date, x.purpose, x.calls
             FROM jsonb_to_recordset($2::jsonb) AS x(purpose text, calls bigint)
             ON CONFLICT (org_id, day, purpose) DO UPDATE SET calls = a.calls + EXCLUDED.calls`,
            [orgId, JSON.stringify(entries.map(([purpose, n]) => ({ purpose, calls: n })))]
        );
    }

    /** Today's calls (UTC) by purpose. */
    async today(orgId: string): Promise<Record<string, number>> {
        const found = await rows(
            this.m,
            `SELECT purpose, calls FROM api_calls_daily WHERE org_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date`,
            [orgId]
        );
        return Object.fromEntries(found.map((r) => [String(r.purpose), Number(r.calls)]));
    }
}
