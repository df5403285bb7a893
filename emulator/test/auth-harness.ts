/**
 * Shared set-up for the auth tests: a tiny express app on 127.0.0.1:0 with the auth router and one
 * protected route behind `requireSession`, the two users of ARCHITECTURE §5, and the dev connected app.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Clock } from '../src/clock';
import { AuthService, createAuthRouter, devJwtCertificatePem, requireSession } from '../src/auth';
import type { EmulatorUser, Session } from '../src/auth';

export const ORG_ID = '00D5g000004StFyEAK';
export const ADMIN_ID = '0055g00000A1bCdAAJ';
export const INTEGRATION_ID = '0055g00000A1bCeAAJ';
export const CLIENT_ID = 'statisfy-dev-client';
export const CLIENT_SECRET = 'statisfy-dev-secret';
export const CALLBACK = 'http://localhost:3000/oauth/callback';
export const PASSWORD = 'statisfy';
export const TTL_MS = 2 * 60 * 60_000;

export function makeUsers(): EmulatorUser[] {
    return [
        {
            id: ADMIN_ID,
            username: 'admin@statisfy.test',
            password: PASSWORD,
            firstName: 'Ada',
            lastName: 'Admin',
            email: 'admin@statisfy.test',
            isActive: true,
            profileName: 'System Administrator',
            timeZoneSidKey: 'America/Los_Angeles'
        },
        {
            id: INTEGRATION_ID,
            username: 'integration@statisfy.test',
            password: PASSWORD,
            firstName: 'Statisfy',
            lastName: 'Integration',
            email: 'integration@statisfy.test',
            isActive: true,
            profileName: 'System Administrator',
            timeZoneSidKey: 'GMT'
        }
    ];
}

export interface AuthTestServer {
    url: string;
    clock: Clock;
    auth: AuthService;
    users: EmulatorUser[];
    /** Number of requests the protected route has served. */
    protectedHits: () => number;
    close(): Promise<void>;
}

/**
 * Starts the test app. `certificatePem: null` configures a connected app without a digital signature;
 * `textBodyFirst` mounts a catch-all text body parser before the auth router, as a host app might.
 */
export async function startAuthServer(
    opts: { certificatePem?: string | null; textBodyFirst?: boolean } = {}
): Promise<AuthTestServer> {
    const clock = new Clock();
    const users = makeUsers();
    let url = '';
    const auth = new AuthService({
        clock,
        orgId: ORG_ID,
        orgName: 'Statisfy Test Org',
        instanceUrl: () => url,
        users: () => users,
        connectedApp: {
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            callbackUrls: [CALLBACK, 'http://127.0.0.1:3000/oauth/callback'],
            certificatePem: opts.certificatePem === undefined ? devJwtCertificatePem() : opts.certificatePem
        },
        accessTokenTtlMs: TTL_MS
    });
    let hits = 0;
    const app = express();
    if (opts.textBodyFirst) app.use(express.text({ type: () => true }));
    app.use(createAuthRouter(auth));
    app.get('/services/data/:version/whoami', requireSession(auth), (_req, res) => {
        hits++;
        const s = res.locals.session as Session;
        res.json({ userId: s.userId, username: s.username, orgId: s.orgId });
    });
    const server: Server = await new Promise((resolve) => {
        const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        url,
        clock,
        auth,
        users,
        protectedHits: () => hits,
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.closeAllConnections();
                server.close((e) => (e ? reject(e) : resolve()));
            })
    };
}

/** POSTs a form to the emulator and returns status, content type and parsed JSON (or text) body. */
export async function postForm(
    url: string,
    form: Record<string, string>,
    headers: Record<string, string> = {}
): Promise<{ status: number; contentType: string | null; body: unknown; text: string }> {
    const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
        redirect: 'manual'
    });
    const text = await res.text();
    let body: unknown = text;
    try {
        body = JSON.parse(text);
    } catch {
        /* not JSON */
    }
    return { status: res.status, contentType: res.headers.get('content-type'), body, text };
}
