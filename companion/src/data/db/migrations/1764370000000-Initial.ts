import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The companion's tables (docs: /tmp/team/COMPANION.md, ARCHITECTURE §4). Every table but `orgs` carries `org_id`
 * and every index starts with it: no data path without the org.
 */
export class Initial1764370000000 implements MigrationInterface {
    name = 'Initial1764370000000';

    async up(q: QueryRunner): Promise<void> {
        await q.query(`
CREATE TABLE orgs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    sf_org_id varchar(18) UNIQUE,
    instance_url text,
    login_url text NOT NULL,
    auth_kind text NOT NULL CHECK (auth_kind IN ('jwt', 'oauth')),
    consumer_key text,
    username text,
    private_key_enc text,
    refresh_token_enc text,
    namespace varchar(15) NOT NULL DEFAULT '',
    status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'connected', 'disconnected', 'error', 'org_mismatch')),
    status_message text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name text NOT NULL,
    token_hash char(64) NOT NULL UNIQUE,
    role text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX api_tokens_org ON api_tokens (org_id);

CREATE TABLE sync_objects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    object_api_name text NOT NULL,
    display_name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('standard', 'custom')),
    sync_to_salesforce boolean NOT NULL DEFAULT false,
    enabled boolean NOT NULL DEFAULT true,
    record_filter text,
    conflict_policy text NOT NULL DEFAULT 'Latest_Wins'
        CHECK (conflict_policy IN ('Latest_Wins', 'Salesforce_Wins', 'Statisfy_Wins', 'Manual')),
    sf_record_id varchar(18),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, object_api_name)
);

CREATE TABLE field_mappings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    object_api_name text NOT NULL,
    key text NOT NULL,
    display_name text NOT NULL,
    salesforce_field text,
    origin text NOT NULL CHECK (origin IN ('salesforce', 'statisfy')),
    editable boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    type text NOT NULL,
    picklist_values jsonb,
    sf_record_id varchar(18),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, key)
);
CREATE INDEX field_mappings_object ON field_mappings (org_id, object_api_name);

CREATE TABLE records (
    org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    object_api_name text NOT NULL,
    sf_id varchar(18) NOT NULL,
    fields jsonb NOT NULL DEFAULT '{}'::jsonb,
    sf_values jsonb NOT NULL DEFAULT '{}'::jsonb,
    system_modstamp timestamptz,
    deleted boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, sf_id)
);
CREATE INDEX records_object ON records (org_id, object_api_name, sf_id);

CREATE TABLE pending_edits (
    id bigserial PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    object_api_name text NOT NULL,
    sf_id varchar(18) NOT NULL,
    field_key text NOT NULL,
    salesforce_field text NOT NULL,
    new_value jsonb,
    base_value jsonb,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_flight', 'succeeded', 'failed', 'conflict', 'superseded')),
    attempts int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    error_code text,
    error_message text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
CREATE INDEX pending_edits_due ON pending_edits (org_id, status, next_attempt_at);
CREATE INDEX pending_edits_record ON pending_edits (org_id, sf_id, field_key);

CREATE TABLE conflicts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    object_api_name text NOT NULL,
    sf_id varchar(18) NOT NULL,
    field_key text NOT NULL,
    salesforce_field text,
    statisfy_value jsonb,
    salesforce_value jsonb,
    base_value jsonb,
    policy text NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolution text,
    edit_id bigint REFERENCES pending_edits(id),
    detected_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    resolved_by text
);
CREATE INDEX conflicts_org_status ON conflicts (org_id, status, detected_at);
CREATE INDEX conflicts_record ON conflicts (org_id, sf_id);

CREATE TABLE event_checkpoints (
    org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    channel text NOT NULL,
    replay_id bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, channel)
);

CREATE TABLE processed_events (
    org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    event_uuid uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, event_uuid)
);
CREATE INDEX processed_events_age ON processed_events (processed_at);

CREATE TABLE sync_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('import', 'reconcile', 'flush', 'inbound')),
    object_api_name text,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    records_in int NOT NULL DEFAULT 0,
    records_out int NOT NULL DEFAULT 0,
    api_calls int NOT NULL DEFAULT 0,
    error text
);
CREATE INDEX sync_runs_org ON sync_runs (org_id, kind, started_at DESC);

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    actor text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    before jsonb,
    after jsonb,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_org ON audit_log (org_id, at DESC);
`);
    }

    async down(q: QueryRunner): Promise<void> {
        await q.query(`
DROP TABLE audit_log; DROP TABLE sync_runs; DROP TABLE processed_events; DROP TABLE event_checkpoints;
DROP TABLE conflicts; DROP TABLE pending_edits; DROP TABLE records; DROP TABLE field_mappings;
DROP TABLE sync_objects; DROP TABLE api_tokens; DROP TABLE orgs;`);
    }
}
