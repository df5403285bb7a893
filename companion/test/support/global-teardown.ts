/**
 * Jest globalTeardown: stops the run's PostgreSQL and removes its directory.
 */
import type { TestCluster } from './postgres';

export default async function globalTeardown(): Promise<void> {
    const holder = globalThis as { __statisfyTestCluster?: TestCluster };
    await holder.__statisfyTestCluster?.stop();
    holder.__statisfyTestCluster = undefined;
}
