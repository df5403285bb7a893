import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Salesforce API calls per org, UTC day and purpose (issue 9 A3): what the companion spent today, by purpose, for
 * the status API, the Sync page and /metrics, across processes and restarts.
 */
export class ApiCallsDaily1764370000300 implements MigrationInterface {
    name = 'ApiCallsDaily1764370000300';

    async up(q: QueryRunner): Promise<void> {
        await q.query(`
CREATE TABLE api_calls_daily (
    org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    day date NOT NULL,
    purpose text NOT NULL,
    calls bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, day, purpose)
);`);
    }

    async down(q: QueryRunner): Promise<void> {
        await q.query('DROP TABLE api_calls_daily;');
    }
}
