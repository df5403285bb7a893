/**
 * A DataSource on a fresh test database, for tests of repositories and use cases without HTTP.
 */
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/data/db/datasource';
import { createRepositories, type Repositories } from '../../src/data';
import { createTestDatabase, type TestDatabase } from './postgres';

/** A database, its DataSource and repositories bound to it. */
export interface TestDataContext {
    db: TestDatabase;
    dataSource: DataSource;
    repos: Repositories;
    /** Closes the DataSource and drops the database. */
    close(): Promise<void>;
}

/** Creates a migrated database and an initialized DataSource on it. */
export async function openTestDataSource(): Promise<TestDataContext> {
    const db = await createTestDatabase();
    const dataSource = createDataSource({ url: db.url, poolSize: 4 });
    await dataSource.initialize();
    return {
        db,
        dataSource,
        repos: createRepositories(dataSource.manager),
        async close() {
            await dataSource.destroy();
            await db.drop();
        }
    };
}
