/**
 * Jest globalSetup: starts the run's PostgreSQL (see postgres.ts) and hands its address to the workers through
 * environment variables (set before Jest forks them).
 */
import { ADMIN_URL_ENV, TEMPLATE_ENV, startTestCluster } from './postgres';

export default async function globalSetup(): Promise<void> {
    const started = Date.now();
    const cluster = await startTestCluster();
    process.env[ADMIN_URL_ENV] = cluster.adminUrl;
    process.env[TEMPLATE_ENV] = cluster.template;
    (globalThis as { __statisfyTestCluster?: typeof cluster }).__statisfyTestCluster = cluster;
    if (process.env.STATISFY_TEST_VERBOSE) {
        process.stderr.write(`\ntest PostgreSQL ready in ${Date.now() - started} ms\n`);
    }
}
