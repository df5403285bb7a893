/**
 * What the web app's live updates read (web/live.ts polls these while a tab listens): records changed lately, a
 * fingerprint of the org's sync activity, and which of the open streams' tokens are still valid.
 */
import type { DataSource } from 'typeorm';
import { createRepositories } from '../data';

/** Records written at or after `since` (at most 2,000, oldest first). */
export function recordsTouchedSince(dataSource: DataSource, orgId: string, since: Date) {
    return createRepositories(dataSource.manager).records.touchedSince(orgId, since, 2000);
}

/** A value that changes whenever the org's outbox, conflicts, runs or state change (compared for equality). */
export function syncActivityFingerprint(dataSource: DataSource, orgId: string): Promise<string> {
    return createRepositories(dataSource.manager).syncRuns.activityFingerprint(orgId);
}

/** Which of these token ids are still active. */
export function activeTokenIds(dataSource: DataSource, ids: readonly string[]): Promise<string[]> {
    return createRepositories(dataSource.manager).apiTokens.activeIds(ids);
}
