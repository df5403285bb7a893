/**
 * Live updates for the web app: a server-sent event stream per signed-in tab (`GET /api/v1/events`).
 *
 * Changes are read from PostgreSQL, not from in-process callbacks, so a tab sees what any companion process did
 * (inbound events applied by the leader, edits made through another web process, flushes by a worker). One
 * poller per org runs while at least one tab of that org listens; it reads records whose `updated_at` moved
 * (with an overlap window, because `now()` is the transaction's start) and a fingerprint of the org's outbox,
 * conflicts and runs.
 *
 * Events: `record` `{objectApiName, ids}` when records changed; `sync` `{}` when edits, conflicts or runs changed;
 * `ready` once on connect; `revoked` just before the stream is closed because its token was revoked (each poll
 * checks the tokens of the org's open streams). A comment line every 15 s keeps proxies from closing the stream.
 */
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { activeTokenIds, recordsTouchedSince, syncActivityFingerprint } from '../domain/live';
import type { Logger } from '../lib/logger';

/** How often an org's poller looks for changes (ms). */
export const LIVE_POLL_MS = 400;
const OVERLAP_MS = 3000;
const HEARTBEAT_MS = 15000;

interface OrgPoller {
    /** Open streams and the API token each was opened with. */
    clients: Map<Response, string>;
    timer: NodeJS.Timeout | null;
    since: Date;
    seen: Map<string, number>;
    fingerprint: string | null;
    running: boolean;
}

/** The live hub: one per companion process. */
export class LiveHub {
    private readonly orgs = new Map<string, OrgPoller>();
    private closed = false;

    constructor(
        private readonly dataSource: DataSource,
        private readonly logger: Logger,
        private readonly pollMs = LIVE_POLL_MS
    ) {}

    /** Number of open streams (all orgs). */
    get clientCount(): number {
        let n = 0;
        for (const p of this.orgs.values()) n += p.clients.size;
        return n;
    }

    /**
     * Turns `res` into an event stream of the org's changes until the client goes away, its token `tokenId` stops
     * being valid, or the hub closes.
     */
    attach(orgId: string, res: Response, tokenId: string): void {
        if (this.closed) {
            res.status(503).json({ error: { code: 'SHUTTING_DOWN', message: 'The companion is stopping' } });
            return;
        }
        res.status(200);
        res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
        res.setHeader('Cache-Control', 'no-store, no-transform');
        res.setHeader('Connection', 'keep-alive');
        res.setHeader('X-Accel-Buffering', 'no');
        res.flushHeaders();
        res.write(`retry: 2000\nevent: ready\ndata: {}\n\n`);
        let poller = this.orgs.get(orgId);
        if (!poller) {
            poller = {
                clients: new Map(),
                timer: null,
                since: new Date(Date.now() - OVERLAP_MS),
                seen: new Map(),
                fingerprint: null,
                running: false
            };
            this.orgs.set(orgId, poller);
        }
        poller.clients.set(res, tokenId);
        const heartbeat = setInterval(() => res.write(`: keep-alive\n\n`), HEARTBEAT_MS);
        heartbeat.unref();
        res.on('close', () => {
            clearInterval(heartbeat);
            const p = this.orgs.get(orgId);
            if (!p) return;
            p.clients.delete(res);
            if (p.clients.size === 0) {
                if (p.timer) clearTimeout(p.timer);
                this.orgs.delete(orgId);
            }
        });
        if (!poller.timer && !poller.running) this.schedule(orgId, poller);
    }

    /** Ends every stream and stops polling (call before closing the HTTP server). */
    close(): void {
        this.closed = true;
        for (const p of this.orgs.values()) {
            if (p.timer) clearTimeout(p.timer);
            for (const res of p.clients.keys()) res.end();
        }
        this.orgs.clear();
    }

    private schedule(orgId: string, poller: OrgPoller): void {
        poller.timer = setTimeout(() => {
            poller.timer = null;
            poller.running = true;
            this.poll(orgId, poller)
                .catch((error: unknown) =>
                    this.logger.warn({ err: error, orgId }, 'live updates: polling the database failed')
                )
                .finally(() => {
                    poller.running = false;
                    if (!this.closed && this.orgs.get(orgId) === poller) this.schedule(orgId, poller);
                });
        }, this.pollMs);
        poller.timer.unref();
    }

    private broadcast(poller: OrgPoller, event: string, data: unknown): void {
        const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
        for (const res of poller.clients.keys()) res.write(frame);
    }

    /** Ends the streams whose token was revoked (or deleted) since they opened. */
    private async closeRevoked(poller: OrgPoller): Promise<void> {
        const tokenIds = [...new Set(poller.clients.values())];
        if (tokenIds.length === 0) return;
        const valid = new Set(await activeTokenIds(this.dataSource, tokenIds));
        for (const [res, tokenId] of poller.clients) {
            if (valid.has(tokenId)) continue;
            res.write(`event: revoked\ndata: {}\n\n`);
            res.end();
            poller.clients.delete(res);
        }
    }

    private async poll(orgId: string, poller: OrgPoller): Promise<void> {
        if (!this.dataSource.isInitialized) return;
        await this.closeRevoked(poller);
        if (poller.clients.size === 0) return;
        const changed = await recordsTouchedSince(
            this.dataSource,
            orgId,
            new Date(poller.since.getTime() - OVERLAP_MS)
        );
        const byObject = new Map<string, string[]>();
        let newest = poller.since.getTime();
        for (const row of changed) {
            const at = row.updatedAt.getTime();
            newest = Math.max(newest, at);
            if (poller.seen.get(row.sfId) === at) continue;
            poller.seen.set(row.sfId, at);
            const ids = byObject.get(row.objectApiName) ?? [];
            ids.push(row.sfId);
            byObject.set(row.objectApiName, ids);
        }
        poller.since = new Date(newest);
        const horizon = newest - 2 * OVERLAP_MS;
        for (const [id, at] of poller.seen) if (at < horizon) poller.seen.delete(id);
        for (const [objectApiName, ids] of byObject) this.broadcast(poller, 'record', { objectApiName, ids });

        const fingerprint = await syncActivityFingerprint(this.dataSource, orgId);
        if (poller.fingerprint !== null && poller.fingerprint !== fingerprint) this.broadcast(poller, 'sync', {});
        poller.fingerprint = fingerprint;
    }
}
