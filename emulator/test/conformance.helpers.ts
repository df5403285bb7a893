/**
 * Shared setup of the conformance suites: an in-process emulator on a random port and unmodified
 * jsforce 3 connections to it (API version 60.0).
 */
import * as jsforce from 'jsforce';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/server';

export const VERSION = '60.0';
export const ADMIN = 'admin@statisfy.test';
export const INTEGRATION = 'integration@statisfy.test';
export const PASSWORD = 'statisfy';

/** Starts an emulator for a test file (short CometD hold). */
export function start(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
    return startEmulator({ port: 0, cometdTimeoutMs: 1000, ...opts });
}

/** A jsforce connection logged in through SOAP login(). */
export async function soapLogin(emu: RunningEmulator, username = ADMIN): Promise<jsforce.Connection> {
    const conn = new jsforce.Connection({ loginUrl: emu.url, version: VERSION });
    await conn.login(username, PASSWORD);
    return conn;
}

/** A jsforce connection logged in through the OAuth 2 password grant. */
export async function oauthLogin(emu: RunningEmulator, username = ADMIN): Promise<jsforce.Connection> {
    const conn = new jsforce.Connection({
        oauth2: {
            loginUrl: emu.url,
            clientId: emu.clientId,
            clientSecret: emu.clientSecret,
            redirectUri: `${emu.url}/callback`
        },
        version: VERSION
    });
    await conn.login(username, PASSWORD);
    return conn;
}

/** Calls the control API. */
export async function control(
    emu: RunningEmulator,
    method: string,
    path: string,
    body?: unknown
): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${emu.url}/__emulator${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The API calls counted today. */
export function apiUsed(emu: RunningEmulator): number {
    return emu.org.api.usage().used;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond()` is true (polling), or fails naming `what`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(10);
    }
}

/** Error thrown by jsforce, with the fields it carries. */
export interface JsforceError extends Error {
    errorCode: string;
    data?: unknown;
    fields?: string[];
}

/** Runs `fn` and returns the error it throws (fails when it does not throw). */
export async function errorOf(fn: () => PromiseLike<unknown>): Promise<JsforceError> {
    try {
        await fn();
    } catch (e) {
        return e as JsforceError;
    }
    throw new Error('expected an error');
}

export { jsforce };
