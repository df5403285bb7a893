/**
 * The sync engine's options and their defaults, in one place (issue 8 item 2). Production runs the defaults; the
 * tests shorten the intervals. Every interval here is also the documented schedule of what an idle org costs in
 * Salesforce API calls (docs/sync-engine.md, "API calls of an idle org").
 */

/** Tuning of the engine (defaults suit production; tests shorten them). */
export interface EngineOptions {
    /** How often the flusher looks for due edits (default 100 ms; an edit also kicks it). */
    flushIntervalMs?: number;
    /** Periodic reconcile of every enabled object (default 5 min). */
    reconcileIntervalMs?: number;
    /** Sync_Status__c refresh when something changed (default 60 s: each refresh costs one API call). */
    statusIntervalMs?: number;
    /** How often companion-side configuration changes are looked for and pushed (default 1 s; no call when none). */
    configPushIntervalMs?: number;
    /** While background work is paused on the API budget, how often /limits is read again (default 60 s). */
    budgetCheckMs?: number;
    /** How often processed event ids older than the event retention are deleted (default 1 h; no API call). */
    pruneIntervalMs?: number;
    /** How often the list of orgs is re-read (new orgs start; default 5 s). */
    orgScanIntervalMs?: number;
    /** How often a follower tries to take an org's leadership (default 2 s). */
    leaderRetryMs?: number;
    /** Events handed to one batch apply (default 500). */
    batchSize?: number;
    /** How long events wait to fill a batch (default 50 ms). */
    batchWindowMs?: number;
    /** Edits claimed by one flush (default 10,000). */
    claimLimit?: number;
    /** Records of one object in one flush above which Bulk API 2.0 ingest is used (default 2,000). */
    bulkThreshold?: number;
    /** Records of an import above which Bulk API 2.0 query is used (default 10,000). */
    importBulkThreshold?: number;
    /** How the flusher learns Salesforce's current values before writing (default `known`: from events). */
    preWriteCheck?: 'known' | 'query';
    apiVersion?: string;
    oauthClientSecret?: string;
    oauthRedirectUri?: string;
    /** Write Sync_Status__c / Sync_Error__c to the org (default true). */
    writeStatus?: boolean;
    /** Clock for JWT assertions (epoch ms; default Date.now). Tests pass the emulator's clock. */
    jwtClock?: () => number;
    /** Inbound transport (`SF_EVENT_TRANSPORT`): Salesforce's Pub/Sub API (default) or the Streaming API (CometD). */
    eventTransport?: 'pubsub' | 'cometd';
    /** Pub/Sub endpoint (`SF_PUBSUB_URL`: `grpc://host:port` plaintext, `grpcs://host:port` TLS); '' = Salesforce's. */
    pubsubUrl?: string;
}

/** The options every part of the engine reads, defaults filled in. */
export type ResolvedEngineOptions = Required<
    Omit<EngineOptions, 'apiVersion' | 'oauthClientSecret' | 'oauthRedirectUri' | 'jwtClock'>
>;

/** The production defaults. */
export const DEFAULT_ENGINE_OPTIONS: ResolvedEngineOptions = {
    flushIntervalMs: 100,
    reconcileIntervalMs: 5 * 60_000,
    statusIntervalMs: 60_000,
    configPushIntervalMs: 1000,
    budgetCheckMs: 60_000,
    pruneIntervalMs: 3_600_000,
    orgScanIntervalMs: 5000,
    leaderRetryMs: 2000,
    batchSize: 500,
    batchWindowMs: 50,
    claimLimit: 10_000,
    bulkThreshold: 2000,
    importBulkThreshold: 10_000,
    preWriteCheck: 'known',
    writeStatus: true,
    eventTransport: 'pubsub',
    pubsubUrl: ''
};

/** Fills in the defaults (an option given as `undefined` takes its default). */
export function resolveEngineOptions(options: EngineOptions = {}): ResolvedEngineOptions {
    const out = { ...DEFAULT_ENGINE_OPTIONS } as Record<string, unknown>;
    for (const key of Object.keys(DEFAULT_ENGINE_OPTIONS)) {
        const v = (options as Record<string, unknown>)[key];
        if (v !== undefined) out[key] = v;
    }
    return out as ResolvedEngineOptions;
}
