/**
 * The SQL of an org's leadership (sync/leader.ts runs it on a dedicated connection, outside the pool): a
 * session-level advisory lock per org, held while the connection lives, and LISTEN for the NOTIFY channels the
 * domain signals on commit (data/index.ts `NOTIFY_CHANNELS`).
 */
import type { Client } from 'pg';

/** Lock namespace (first key of the two-key advisory lock): "SF" in ASCII. */
export const LOCK_CLASS = 0x5346;

/** Tries to take the org's leader lock on `client`'s session; true when this session holds it now. */
export async function tryOrgLeaderLock(client: Client, orgId: string): Promise<boolean> {
    const res = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
        LOCK_CLASS,
        orgId
    ]);
    return res.rows[0]?.ok === true;
}

/** LISTENs on the given NOTIFY channels. */
export async function listenOn(client: Client, channels: readonly string[]): Promise<void> {
    for (const ch of channels) await client.query(`LISTEN "${ch.replace(/"/g, '')}"`);
}
