/**
 * Platform events and the CometD endpoint of the emulated org.
 *
 * ```ts
 * const bus = new EventBus({ clock, authenticate, eventExists, eventFields });
 * app.all('/cometd/:version', (req, res) => bus.handle(req, res));
 * app.get('/services/data/:version/event/eventSchema/:schemaId', eventSchemaHandler(bus));
 * bus.publish('Low_Ink__e', [{ Printer_Model__c: 'XZO-5' }], userId);
 * ```
 */
export { EventBus, EventPublishError } from './event-bus';
export type { StreamingConfig, StreamingStats, PublishedEvent } from './event-bus';
export { InvalidReplayIdError } from './event-log';
export type { EventData } from './event-log';
export { eventSchemaHandler } from './schema-route';
export type { PayloadFormat } from './schema';
