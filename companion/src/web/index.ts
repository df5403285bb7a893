/**
 * The web app's part of the companion: static files, live updates and the routes the web app needs.
 * The composition root mounts it with {@link createWebApp} and calls `close()` before stopping the HTTP server.
 */
import type express from 'express';
import type { DataSource } from 'typeorm';
import type { RouteDef } from '../api/route';
import type { SecretBox } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import { LiveHub } from './live';
import { oauthRoutes } from './oauth';
import { webRoutes } from './routes';
import { webAppRouter } from './static';

export { LiveHub } from './live';
export { WEB_DIST, webAppRouter } from './static';

/** The web app's pieces for one companion process. */
export interface WebApp {
    /** API routes to mount with the others (events, runs, retry, salesforce-fields, OAuth connect + callback). */
    routes: RouteDef[];
    /** Static files (the app at `/`, SLDS at `/assets`); mount after the API routes, before the 404 handler. */
    router: express.Router;
    hub: LiveHub;
    /** Ends the event streams (so the HTTP server can close at once). */
    close(): void;
}

/** Builds the web app's pieces; `secretBox` seals the OAuth state. */
export function createWebApp(deps: { dataSource: DataSource; logger: Logger; secretBox: SecretBox }): WebApp {
    const hub = new LiveHub(deps.dataSource, deps.logger);
    return {
        routes: [...webRoutes(hub), ...oauthRoutes({ secretBox: deps.secretBox })],
        router: webAppRouter(),
        hub,
        close: () => hub.close()
    };
}
