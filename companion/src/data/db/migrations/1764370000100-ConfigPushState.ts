import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * companion-sync: when a configuration row was last brought in step with its Sync_Object__c / Field_Mapping__c
 * record in the org. A row whose `updated_at` is later than `sf_synced_at` (or that never was) has a companion-side
 * change still to push; rows written by the inbound sync set both to the same time, so nothing bounces back.
 */
export class ConfigPushState1764370000100 implements MigrationInterface {
    name = 'ConfigPushState1764370000100';

    async up(q: QueryRunner): Promise<void> {
        await q.query(`
ALTER TABLE sync_objects ADD COLUMN sf_synced_at timestamptz;
ALTER TABLE field_mappings ADD COLUMN sf_synced_at timestamptz;`);
    }

    async down(q: QueryRunner): Promise<void> {
        await q.query(`
ALTER TABLE sync_objects DROP COLUMN sf_synced_at;
ALTER TABLE field_mappings DROP COLUMN sf_synced_at;`);
    }
}
