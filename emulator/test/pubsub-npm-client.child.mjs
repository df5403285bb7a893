// Drives the UNMODIFIED npm client `salesforce-pubsub-api-client` (ESM) against the emulator's TLS Pub/Sub endpoint,
// for emulator/test/pubsub-npm-client.test.ts. Input: one JSON line on argv[2]; output: one JSON line per step.
import PubSubApiClient from 'salesforce-pubsub-api-client';

const cfg = JSON.parse(process.argv[2]);
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const client = new PubSubApiClient(
    {
        authType: 'user-supplied',
        accessToken: cfg.accessToken,
        instanceUrl: cfg.instanceUrl,
        organizationId: cfg.organizationId,
        pubSubEndpoint: cfg.endpoint,
        rejectUnauthorizedSsl: false
    },
    silent
);
await client.connect();
out({ step: 'connected' });
const received = [];
const callback = (_sub, type, data) => {
    if (type === 'event') {
        received.push(data);
        out({ step: 'event', replayId: data.replayId, payload: data.payload });
    } else if (type === 'error') out({ step: 'error', message: String(data?.message ?? data), code: data?.code });
    // v5.5 passes no data with a keepalive (its README says it does); the subscription info holds the latest id.
    else if (type === 'grpcKeepalive')
        out({ step: 'keepalive', latestReplayId: data?.latestReplayId ?? _sub.lastReplayId });
    else if (type === 'end') out({ step: 'end' });
};
if (cfg.replayId !== undefined) await client.subscribeFromReplayId(cfg.topic, callback, cfg.numRequested, cfg.replayId);
else if (cfg.earliest) await client.subscribeFromEarliestEvent(cfg.topic, callback, cfg.numRequested);
else await client.subscribe(cfg.topic, callback, cfg.numRequested);
out({ step: 'subscribed' });
if (cfg.publish) {
    const r = await client.publish(cfg.publish.topic, cfg.publish.payload, 'npm-client');
    out({ step: 'published', replayId: r.replayId, correlationKey: r.correlationKey });
}
process.stdin.on('data', () => {
    client.close();
    process.exit(0);
});
