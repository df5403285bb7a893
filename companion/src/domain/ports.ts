/**
 * What the domain needs from the Salesforce side, as interfaces: the composition root (app.ts) injects the
 * implementations built in companion/src/salesforce and companion/src/sync.
 */

/** The part of a Salesforce field describe the domain checks configuration against. */
export interface FieldSchema {
    name: string;
    label: string;
    type: string;
    updateable: boolean;
    picklistValues?: { value: string; active?: boolean }[];
}

/** The part of an object describe the domain uses. */
export interface ObjectSchema {
    name: string;
    label: string;
    custom: boolean;
    fields: FieldSchema[];
}

/**
 * The org's schema. Implemented with jsforce describe (cached) by companion/src/salesforce.
 * `describe` resolves null when the org has no such object, and rejects when the org cannot be reached.
 */
export interface OrgSchemaProvider {
    describe(orgId: string, objectApiName: string): Promise<ObjectSchema | null>;
}

/** What "Sync now" asks for. */
export type SyncKind = 'incremental' | 'full';

/** What the engine reports about one org (merged into GET /api/v1/sync/status). */
export interface EngineOrgStatus {
    /** Whether this process (or another one, as leader) is subscribed to the org's events. */
    subscribed?: boolean;
    /** Circuit breaker state of the org's outbound calls. */
    circuit?: 'closed' | 'open' | 'half_open';
    /** Salesforce API usage as last reported by `Sforce-Limit-Info` (`used`/`max`). */
    apiUsage?: { used: number; max: number } | null;
    /** Anything else worth showing (free-form, JSON). */
    [key: string]: unknown;
}

/**
 * The sync engine (companion/src/sync). The API calls into it for "Sync now" and for live status; everything else
 * the engine does it does on its own (subscriber, flusher, reconcile).
 */
export interface SyncEngine {
    /** Starts the engine (every org); resolves when it is running. */
    start(): Promise<void>;
    /** Stops: no new work, in-flight flushes finish, checkpoints are committed. */
    stop(): Promise<void>;
    /** True once start() finished and until stop() begins. */
    isStarted(): boolean;
    /** Asks for a sync of the org (one object, or all); resolves with an id to follow (sync run id) or null. */
    requestSync(orgId: string, objectApiName?: string, kind?: SyncKind): Promise<{ runId: string | null }>;
    /** The engine's live view of one org. */
    status(orgId: string): Promise<EngineOrgStatus>;
}
