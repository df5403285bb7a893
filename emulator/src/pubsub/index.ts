/**
 * The emulated org's Pub/Sub API (gRPC) endpoint.
 *
 * ```ts
 * const pubsub = new PubSubServer(org, { port: 0, tls: false });
 * await pubsub.start(); // pubsub.endpoint → '127.0.0.1:<port>'
 * ```
 */
export { PubSubServer, PUBSUB_ERRORS, MAX_REQUESTED, KEEPALIVE_MS, PROTO_PATH, TLS_DIR } from './server';
export type { PubSubOptions } from './server';
export { encodePayload, decodePayload, replayIdBytes, replayIdOf, schemaJson } from './avro';
