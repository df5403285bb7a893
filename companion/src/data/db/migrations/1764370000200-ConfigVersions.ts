import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Configuration push state by version, not by time (issue 9 A1). `sf_synced_at` was compared with `updated_at`,
 * kept to the microsecond, after a round trip through a JavaScript Date (milliseconds), so a pushed row never looked
 * pushed and was sent again every second. Now every content change of a `sync_objects` / `field_mappings` row bumps
 * `version` (a trigger, so no write path can forget it), a push records the version it sent in
 * `sf_synced_version`, and "changed since it was sent" is `sf_synced_version < version`: integers, compared in the
 * database. Rows brought in from Salesforce record their new version as synced in the same statement.
 */
export class ConfigVersions1764370000200 implements MigrationInterface {
    name = 'ConfigVersions1764370000200';

    async up(q: QueryRunner): Promise<void> {
        await q.query(`
ALTER TABLE sync_objects ADD COLUMN version bigint NOT NULL DEFAULT 1, ADD COLUMN sf_synced_version bigint;
ALTER TABLE field_mappings ADD COLUMN version bigint NOT NULL DEFAULT 1, ADD COLUMN sf_synced_version bigint;
UPDATE sync_objects SET sf_synced_version = version WHERE sf_synced_at IS NOT NULL;
UPDATE field_mappings SET sf_synced_version = version WHERE sf_synced_at IS NOT NULL;
ALTER TABLE sync_objects DROP COLUMN sf_synced_at;
ALTER TABLE field_mappings DROP COLUMN sf_synced_at;
CREATE FUNCTION statisfy_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bookkeeping text[] := ARRAY['version', 'sf_synced_version', 'sf_record_id', 'updated_at'];
BEGIN
    IF (to_jsonb(NEW) - bookkeeping) IS DISTINCT FROM (to_jsonb(OLD) - bookkeeping) THEN
        NEW.version := OLD.version + 1;
    ELSE
        NEW.version := OLD.version;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER sync_objects_version BEFORE UPDATE ON sync_objects
    FOR EACH ROW EXECUTE FUNCTION statisfy_config_version();
CREATE TRIGGER field_mappings_version BEFORE UPDATE ON field_mappings
    FOR EACH ROW EXECUTE FUNCTION statisfy_config_version();`);
    }

    async down(q: QueryRunner): Promise<void> {
        await q.query(`
DROP TRIGGER sync_objects_version ON sync_objects;
DROP TRIGGER field_mappings_version ON field_mappings;
DROP FUNCTION statisfy_config_version();
ALTER TABLE sync_objects ADD COLUMN sf_synced_at timestamptz;
ALTER TABLE field_mappings ADD COLUMN sf_synced_at timestamptz;
UPDATE sync_objects SET sf_synced_at = now() WHERE sf_synced_version >= version;
UPDATE field_mappings SET sf_synced_at = now() WHERE sf_synced_version >= version;
ALTER TABLE sync_objects DROP COLUMN version, DROP COLUMN sf_synced_version;
ALTER TABLE field_mappings DROP COLUMN version, DROP COLUMN sf_synced_version;`);
    }
}
