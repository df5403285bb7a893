import { createDataSource, migrationsDone } from '../../src/db/datasource';
import { createTestDatabase } from '../support/postgres';

describe('migrations', () => {
    it('When the companion starts on an empty database, then every table of the contract exists and nothing is pending', async () => {
        const db = await createTestDatabase({ migrated: false });
        const dataSource = createDataSource({ url: db.url, poolSize: 1 });
        try {
            await dataSource.initialize();
            const tables = (
                (await dataSource.query(
                    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`
                )) as { table_name: string }[]
            ).map((r) => r.table_name);
            expect(tables).toEqual(
                expect.arrayContaining([
                    'orgs',
                    'api_tokens',
                    'sync_objects',
                    'field_mappings',
                    'records',
                    'pending_edits',
                    'conflicts',
                    'event_checkpoints',
                    'processed_events',
                    'sync_runs',
                    'audit_log',
                    'migrations'
                ])
            );
            expect(await migrationsDone(dataSource)).toBe(true);
        } finally {
            await dataSource.destroy();
            await db.drop();
        }
    });
});
