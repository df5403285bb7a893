/**
 * Live updates from the companion: a server-sent event stream (`GET /api/v1/events`) read with fetch so the API
 * token travels in the Authorization header, never in a URL. Reconnects with backoff; `subscribe(fn)` gets every
 * event as `{ type, data }` (`record` with `{objectApiName, ids}`, `sync` when edits, conflicts or runs changed).
 */
import { getToken } from 's/api';

const subscribers = new Set();
let controller = null;
let retryTimer = null;
let attempt = 0;
let state = 'closed';
const stateListeners = new Set();

function setState(next) {
    state = next;
    stateListeners.forEach((fn) => fn(next));
}

function emit(type, data) {
    subscribers.forEach((fn) => {
        try {
            fn({ type, data });
        } catch (e) {
            // one subscriber's failure must not stop the others
        }
    });
}

function parseBlock(block) {
    let type = 'message';
    const data = [];
    block.split('\n').forEach((line) => {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    });
    if (!data.length) return;
    let parsed;
    try {
        parsed = JSON.parse(data.join('\n'));
    } catch (e) {
        parsed = data.join('\n');
    }
    emit(type, parsed);
}

async function run() {
    const token = getToken();
    if (!token) return;
    controller = new AbortController();
    setState('connecting');
    try {
        const response = await fetch('/api/v1/events', {
            headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
            signal: controller.signal
        });
        if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
        setState('open');
        attempt = 0;
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
            let cut = buffer.indexOf('\n\n');
            while (cut >= 0) {
                parseBlock(buffer.slice(0, cut));
                buffer = buffer.slice(cut + 2);
                cut = buffer.indexOf('\n\n');
            }
        }
    } catch (e) {
        if (controller && controller.signal.aborted) return;
    }
    if (controller && controller.signal.aborted) return;
    setState('reconnecting');
    attempt += 1;
    retryTimer = setTimeout(run, Math.min(10000, 500 * 2 ** Math.min(attempt, 5)));
}

/** Opens the stream (idempotent). */
export function connect() {
    if (controller && !controller.signal.aborted) return;
    run();
}

/** Closes the stream. */
export function disconnect() {
    clearTimeout(retryTimer);
    if (controller) controller.abort();
    controller = null;
    setState('closed');
}

/** Receives every event; returns an unsubscribe function. */
export function subscribe(fn) {
    subscribers.add(fn);
    return () => subscribers.delete(fn);
}

/** Receives the connection state ('connecting' | 'open' | 'reconnecting' | 'closed'). */
export function onState(fn) {
    stateListeners.add(fn);
    fn(state);
    return () => stateListeners.delete(fn);
}
