import { createDataSource, migrateWithLock, migrationsDone } from '../../src/data/db/datasource';
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

describe('migrations from several processes', () => {
    it('When three companions migrate one empty database at once, then each migration runs exactly once', async () => {
        const db = await createTestDatabase({ migrated: false });
        const sources = [1, 2, 3].map(() => createDataSource({ url: db.url, poolSize: 2, migrationsRun: false }));
        try {
            await Promise.all(sources.map((s) => s.initialize()));
            const applied = await Promise.all(sources.map((s) => migrateWithLock(s)));
            expect(applied.flat().filter((n) => n === 'Initial1764370000000')).toHaveLength(1);
            const rows = (await sources[0].query('SELECT name FROM migrations')) as { name: string }[];
            expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
            expect(await migrationsDone(sources[0])).toBe(true);
        } finally {
            await Promise.all(sources.map((s) => (s.isInitialized ? s.destroy() : undefined)));
            await db.drop();
        }
    });
});
