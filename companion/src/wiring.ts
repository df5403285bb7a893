/**
 * The production parts plugged into the composition root: the sync engine built in companion/src/sync, which is
 * also the org schema provider (jsforce describe, cached per org). One instance serves both ports.
 */
import type { CompanionDeps, CompanionServices } from './app';
import { createSyncEngine, type StatisfySyncEngine } from './sync/engine';

/** The dependencies main.ts starts the companion with. */
export function defaultDeps(): CompanionDeps {
    let engine: StatisfySyncEngine | undefined;
    const shared = (services: CompanionServices) => (engine ??= createSyncEngine(services));
    return { engine: shared, schema: shared };
}
