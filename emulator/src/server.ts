/**
 * Starts an emulated Salesforce org over HTTP: auth (SOAP login, OAuth 2), the REST data plane,
 * Bulk API 2.0, CometD platform events, the package's Record_Change__e behaviour and (optionally)
 * the `/__emulator/` control API. One org per process instance; tests start several.
 */
import express from 'express';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthRouter } from './auth/router';
import type { Clock } from './clock';
import { createControlRouter } from './control/router';
import type { ValidationRuleInput } from './control/rules';
import { Org } from './org';
import { PubSubServer } from './pubsub';
import { Persistence } from './persist';
import { RestApi } from './rest/api';
import { errorReply } from './rest/reply';
import { applyFaults, createDataRouter, createSoapDataHandler, send } from './rest/router';
import { applySeed, parseSeed, type SeedName } from './seed/seed';
import { createEmulatorUiRouter } from './ui/router';

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
    /** TCP port; 0 (default) picks a free one. */
    port?: number;
    /** Interface to bind (default 127.0.0.1). */
    host?: string;
    /** Initial data when no saved state exists: 'demo', 'empty' (default) or `bench:N`. */
    seed?: SeedName;
    /** Package namespace: '' (default) or e.g. 'statisfy'. */
    namespace?: string;
    /** Keep state in this directory across restarts (default: memory only). */
    dataDir?: string;
    /** Serve `/__emulator/` (default true). */
    controlApi?: boolean;
    /** Access-token lifetime in ms (default 2 h). */
    accessTokenTtlMs?: number;
    /** CometD long-poll hold in ms (default 110 000 as Salesforce; tests use ~1 000). */
    cometdTimeoutMs?: number;
    /**
     * Port of the Pub/Sub API (gRPC) endpoint: 0 (default) picks a free one; null serves none. Its address is
     * `RunningEmulator.pubsub.endpoint`.
     */
    pubsubPort?: number | null;
    /** Serve the Pub/Sub endpoint over TLS with the development certificate (default plaintext). */
    pubsubTls?: boolean;
    /** Pub/Sub keepalive interval in ms (default 270 000, Salesforce's). */
    pubsubKeepaliveMs?: number;
    /** Platform-event deliveries per rolling 24 h (default 25 000, Enterprise Edition). */
    dailyDeliveryMax?: number;
    /** Package source folder (default `<repo>/force-app`). */
    forceAppDir?: string;
    /** Demo source folder (default `<repo>/demo`). */
    demoDir?: string;
}

/** A running emulator. */
export interface RunningEmulator {
    /** Base URL, e.g. `http://127.0.0.1:4455` (instance URL and login URL alike). */
    url: string;
    port: number;
    clock: Clock;
    org: Org;
    api: RestApi;
    orgId: string;
    clientId: string;
    clientSecret: string;
    users: Array<{ id: string; username: string; password: string }>;
    /** The Pub/Sub API endpoint (null when started with `pubsubPort: null`). */
    pubsub: { endpoint: string; port: number; tls: boolean; server: PubSubServer } | null;
    /** Writes the state to the data directory now (no-op without one). */
    save(): void;
    /** Stops the server: closes held CometD connects and sockets, saves state. */
    stop(): Promise<void>;
}

/** Starts an emulator. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
    const seed = parseSeed(options.seed ?? 'empty');
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port must be 0-65535, got ${port}`);
    let url = '';
    const org = new Org({
        namespace: options.namespace ?? '',
        accessTokenTtlMs: options.accessTokenTtlMs,
        cometdTimeoutMs: options.cometdTimeoutMs,
        dailyDeliveryMax: options.dailyDeliveryMax,
        forceAppDir: options.forceAppDir,
        demoDir: options.demoDir,
        instanceUrl: () => url
    });
    const api = new RestApi(org);
    const ruleInputs: ValidationRuleInput[] = [];
    const persistence = options.dataDir ? new Persistence(org, options.dataDir, ruleInputs) : null;
    const restored = persistence ? persistence.load() : false;
    if (!restored) applySeed(org, seed);
    const touch = () => persistence?.touch();

    const app = express();
    app.disable('x-powered-by');
    app.disable('etag');
    app.set('query parser', 'extended');
    // Clients that keep the instance URL with a trailing slash (the sf CLI stores `https://…/`) send
    // `//services/data/…`; Salesforce serves those as the single-slash path, and so does the emulator.
    app.use((req, _res, next) => {
        if (req.url.startsWith('//')) req.url = req.url.replace(/^\/{2,}/, '/');
        next();
    });
    // CometD first: the bus reads its own request bodies.
    app.all('/cometd/:version', (req, res) => org.bus.handle(req, res));
    if (options.controlApi !== false) app.use('/__emulator/ui', createEmulatorUiRouter({ org, touch }));
    if (options.controlApi !== false)
        app.use('/__emulator', createControlRouter({ org, api, url: () => url, touch, ruleInputs }));
    // Fault rules for the auth endpoints (the data plane applies them after its session check).
    app.use(async (req, res, next) => {
        if (req.path.startsWith('/services/data')) return next();
        if (await applyFaults(org, req, res, req.path, [])) return;
        next();
    });
    app.post('/services/Soap/u/:version', createSoapDataHandler(org, touch));
    app.use(createAuthRouter(org.auth));
    app.use('/services/data', createDataRouter(org, api, touch));
    app.use((req, res, next) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') touch();
        next();
    });
    app.use((_req, res) => send(res, errorReply(404, 'NOT_FOUND', 'The requested resource does not exist'), null));
    // Errors never leave as HTML: body-parser limits and unexpected failures get Salesforce's array shape.
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
        const status = e.status ?? e.statusCode ?? 500;
        if (res.headersSent) return;
        if (status === 413) send(res, errorReply(413, 'REQUEST_ENTITY_TOO_LARGE', 'Request body is too large'), null);
        else if (status < 500) send(res, errorReply(status, 'BAD_REQUEST', e.message ?? 'Bad request'), null);
        else
            send(
                res,
                errorReply(500, 'UNKNOWN_EXCEPTION', `An unexpected error occurred: ${e.message ?? String(err)}`),
                null
            );
    });

    const server = http.createServer(app);
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
        });
    });
    const addr = server.address() as AddressInfo;
    url = `http://${host}:${addr.port}`;
    // Token endpoints write sessions: save them as other changes.
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
        if (req.method === 'POST' && req.url && !req.url.startsWith('/cometd')) res.on('finish', touch);
    });

    let pubsub: PubSubServer | null = null;
    if (options.pubsubPort !== null) {
        pubsub = new PubSubServer(org, {
            port: options.pubsubPort ?? 0,
            host,
            tls: options.pubsubTls,
            keepaliveMs: options.pubsubKeepaliveMs
        });
        try {
            await pubsub.start();
            org.pubsub = pubsub;
        } catch (e) {
            await new Promise<void>((resolve) => server.close(() => resolve()));
            throw new Error(`Pub/Sub port ${options.pubsubPort ?? 0}: ${(e as Error).message}`);
        }
    }

    let stopped = false;
    return {
        pubsub: pubsub ? { endpoint: pubsub.endpoint, port: pubsub.port, tls: pubsub.tls, server: pubsub } : null,
        url,
        port: addr.port,
        clock: org.clock,
        org,
        api,
        orgId: org.orgId,
        clientId: org.clientId,
        clientSecret: 'statisfy-dev-secret',
        users: org.users.map((u) => ({ id: u.id, username: u.username, password: u.password })),
        save: () => persistence?.save(),
        async stop() {
            if (stopped) return;
            stopped = true;
            persistence?.save();
            await pubsub?.stop();
            await org.bus.close();
            await new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            });
        }
    };
}
