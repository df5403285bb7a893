/**
 * The small, typed slice of the `faye` 1.4 server that the event bus uses.
 *
 * faye ships no TypeScript types, and the ambient `declare module 'faye'` that jsforce installs
 * describes only the client. So the module is loaded with `require` and narrowed to the
 * interfaces below, which name exactly the parts of faye this emulator depends on:
 *
 * - `NodeAdapter` (public): builds the Bayeux server, runs server extensions
 *   (`incoming(message, request, callback)` / `outgoing(message, request, callback)`) and emits
 *   `handshake` / `disconnect` events.
 * - `adapter._server.process(messages, request, callback)` (internal): the Bayeux message
 *   processor that `NodeAdapter.handle()` itself calls after reading the HTTP body. The bus
 *   calls it directly because, when mounted inside express behind a body parser, the request
 *   stream may already be consumed (faye's own body reader would then wait for ever), and because
 *   Salesforce answers JSON POSTs only (no JSON-P GET, no static client script, no websocket).
 * - `adapter._server._engine` (internal): the engine proxy, for `deliver` (events for one client's
 *   open long-poll; see `EventBus.sendTo` for why the bus routes events itself), `destroyClient`
 *   (the "dropped connections" fault) and `close`.
 *
 * These are stable across faye 1.x (the 1.4.3 sources are in node_modules/faye/src).
 */

/** A Bayeux message as faye passes it around (plain JSON object). */
export type BayeuxMessage = Record<string, unknown> & {
    channel?: string;
    clientId?: string;
    id?: string;
    error?: string;
    successful?: boolean;
    advice?: Record<string, unknown>;
    ext?: Record<string, unknown>;
    data?: unknown;
    subscription?: string | string[];
    connectionType?: string;
};

/** A faye server extension; three-argument methods receive the HTTP request. */
export interface FayeServerExtension {
    incoming?(message: BayeuxMessage, request: unknown, callback: (message: BayeuxMessage) => void): void;
    outgoing?(message: BayeuxMessage, request: unknown, callback: (message: BayeuxMessage) => void): void;
}

/** faye's engine proxy (`engines/proxy.js`) as used here. */
export interface FayeEngine {
    deliver(clientId: string, messages: BayeuxMessage[]): boolean;
    destroyClient(clientId: string): void;
    clientExists(clientId: string, callback: (exists: boolean) => void): void;
    close(): void;
    timeout: number;
}

/** faye's protocol server (`protocol/server.js`) as used here. */
export interface FayeServer {
    process(messages: BayeuxMessage[], request: unknown, callback: (replies: BayeuxMessage[]) => void): void;
    _engine: FayeEngine;
}

/** faye's `NodeAdapter` as used here. */
export interface FayeNodeAdapter {
    addExtension(extension: FayeServerExtension): void;
    /**
     * Engine events: `handshake`, `disconnect`, `connection:open` (listener gets the client id),
     * `subscribe`, `unsubscribe` (client id and channel).
     */
    bind(event: string, listener: (clientId: string, channel: string) => void): void;
    close(): void;
    _server: FayeServer;
}

interface FayeModule {
    NodeAdapter: new (options: { mount: string; timeout: number }) => FayeNodeAdapter;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS module, see above
const faye = require('faye') as FayeModule;

/**
 * Creates a faye Bayeux server.
 * @param timeoutSeconds how long a `/meta/connect` is held open when nothing is to be delivered
 */
export function createFayeAdapter(timeoutSeconds: number): FayeNodeAdapter {
    const adapter = new faye.NodeAdapter({ mount: '/cometd', timeout: timeoutSeconds });
    if (typeof adapter._server?.process !== 'function' || typeof adapter._server._engine?.deliver !== 'function')
        throw new Error('Unsupported faye version: the event bus needs faye 1.4 (NodeAdapter._server.process/_engine)');
    return adapter;
}
