/**
 * One active sync per org across processes: a PostgreSQL session advisory lock held on a dedicated connection.
 * The process that holds it runs the org's subscriber and flusher; the others keep trying every few seconds
 * and take over when the holder dies (its session ends, so PostgreSQL releases the lock).
 */
import { Client } from 'pg';
import { listenOn, tryOrgLeaderLock } from '../data/leader-lock';

/** Options of {@link OrgLeaderLock}. */
export interface LeaderOptions {
    /** PostgreSQL URL (the companion's database). */
    url: string;
    orgId: string;
    /** How often a follower retries (default 2 s). */
    retryMs?: number;
    /** Called when this process becomes the org's leader. */
    onAcquired: () => Promise<void> | void;
    /** Called when this process loses leadership (its lock connection broke). */
    onLost: (err: Error) => Promise<void> | void;
    /** Channels to LISTEN on while leader (the domain NOTIFYs them with the org id as payload). */
    listen?: string[];
    /** Called for a NOTIFY on one of `listen` whose payload is this org's id. */
    onNotify?: (channel: string) => void;
}

/** See the module comment. */
export class OrgLeaderLock {
    private client: Client | null = null;
    private timer: NodeJS.Timeout | null = null;
    private stopped = false;
    private leader = false;

    constructor(private readonly options: LeaderOptions) {}

    /** True while this process holds the org's lock. */
    get isLeader(): boolean {
        return this.leader;
    }

    /** Starts trying to take the lock; resolves after the first try. */
    async start(): Promise<void> {
        this.stopped = false;
        await this.tryAcquire();
    }

    /** Releases the lock (closing its connection) and stops trying. */
    async stop(): Promise<void> {
        this.stopped = true;
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        const c = this.client;
        this.client = null;
        this.leader = false;
        if (c) await c.end().catch(() => undefined);
    }

    private schedule(): void {
        if (this.stopped) return;
        this.timer = setTimeout(() => void this.tryAcquire(), this.options.retryMs ?? 2000);
        this.timer.unref();
    }

    private async tryAcquire(): Promise<void> {
        if (this.stopped || this.leader) return;
        try {
            if (!this.client) {
                const c = new Client({ connectionString: this.options.url, application_name: 'statisfy-sync-leader' });
                c.on('error', (err) => void this.lost(err));
                await c.connect();
                this.client = c;
            }
            const locked = await tryOrgLeaderLock(this.client, this.options.orgId);
            if (locked && !this.stopped) {
                this.leader = true;
                const client = this.client;
                client.on('end', () => void this.lost(new Error('leader lock connection closed')));
                client.on('notification', (n) => {
                    if (n.payload === this.options.orgId) this.options.onNotify?.(n.channel);
                });
                await listenOn(client, this.options.listen ?? []);
                await this.options.onAcquired();
                return;
            }
        } catch (err) {
            const c = this.client;
            this.client = null;
            if (c) await c.end().catch(() => undefined);
            void err;
        }
        this.schedule();
    }

    private async lost(err: Error): Promise<void> {
        if (!this.leader || this.stopped) return;
        this.leader = false;
        const c = this.client;
        this.client = null;
        if (c) await c.end().catch(() => undefined);
        await this.options.onLost(err);
        this.schedule();
    }
}
