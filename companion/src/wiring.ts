/**
 * The production parts plugged into the composition root: the sync engine and the org schema provider built in
 * companion/src/sync and companion/src/salesforce. Until those exist, nothing is wired (no stand-ins): the sync
 * routes answer 503 SYNC_ENGINE_UNAVAILABLE and describe checks 503 SCHEMA_UNAVAILABLE.
 */
import type { CompanionDeps } from './app';

/** The dependencies main.ts starts the companion with. */
export function defaultDeps(): CompanionDeps {
    return {};
}
