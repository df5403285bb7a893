/**
 * The HTTP edge's protections, applied by server.ts before any route runs:
 *
 * - security headers from `helmet` (a Content-Security-Policy the web app passes, `X-Content-Type-Options`,
 *   `frame-ancestors 'none'`, `Referrer-Policy: no-referrer`) and `Cache-Control: no-store` on every API answer;
 * - malformed input refused with 400 and the error body before it reaches a handler or PostgreSQL: bad
 *   percent-encoding in the path, NUL bytes and lone UTF-16 surrogates in the path, query or JSON body, JSON nested
 *   deeper than {@link MAX_JSON_DEPTH}, numbers JSON cannot carry (`1e400` parses to Infinity);
 * - failed token attempts throttled per client address (answers sent as 401 only): past the limit, 429 with
 *   `Retry-After`;
 * - `/metrics` behind `METRICS_TOKEN` (docs/operating.md "Metrics").
 *
 * ✅ Every refusal is the API's error body `{"error":{"code","message","details"?}}` (lib/errors.ts).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { AppError, badRequest, type ErrorDetail } from '../lib/errors';

/** Deepest JSON nesting a request body may have (the API's own bodies are at most 3 deep). */
export const MAX_JSON_DEPTH = 32;

/** The HTTP protections' settings (from the configuration; docs/companion-config.md). */
export interface HttpSecurityOptions {
    /** Failed token attempts allowed per client address per window (default 20). */
    authFailureLimit?: number;
    /** The window of {@link authFailureLimit} in ms (default 5 minutes). */
    authFailureWindowMs?: number;
    /** Bearer token `/metrics` asks for; without it `/metrics` answers loopback clients only, and never in production. */
    metricsToken?: string;
    /** `production` refuses `/metrics` without a token even from loopback. */
    env?: 'development' | 'test' | 'production';
}

/** Directives of the Content-Security-Policy; `formAction` may be widened per answer (OAuth start page). */
export function cspDirectives(formAction: string[] = []): Record<string, string[] | null> {
    return {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'"],
        // LWC (light DOM) inserts component styles as <style> elements; scripts stay strictly same-origin.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'", ...formAction],
        // The companion is often reached over plain http on a laptop; TLS is the reverse proxy's business.
        upgradeInsecureRequests: null
    };
}

/** helmet with the companion's policy. */
export function securityHeaders(): RequestHandler {
    return helmet({
        contentSecurityPolicy: { useDefaults: false, directives: cspDirectives() },
        referrerPolicy: { policy: 'no-referrer' },
        frameguard: { action: 'deny' },
        strictTransportSecurity: false
    });
}

/** The CSP header value for an answer whose form posts to other origins (helmet's syntax). */
export function cspHeader(formAction: string[]): string {
    return Object.entries(cspDirectives(formAction))
        .filter((entry): entry is [string, string[]] => entry[1] !== null)
        .map(([name, values]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(' ')}`)
        .join('; ');
}

/** `Cache-Control: no-store` on the API, OAuth and operations answers (never cached by a browser or proxy). */
export const noStore: RequestHandler = (req, res, next) => {
    if (!isStaticPath(req.path)) res.setHeader('Cache-Control', 'no-store');
    next();
};

function isStaticPath(path: string): boolean {
    return !/^\/(?:api|oauth|metrics|healthz|readyz)(?:\/|$)/.test(path);
}

// A NUL, or a UTF-16 surrogate not in a pair: PostgreSQL cannot store either in text or jsonb.
const FORBIDDEN = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be accepted, or null. */
export function stringProblem(value: string): string | null {
    const match = FORBIDDEN.exec(value);
    if (!match) return null;
    return match[0] === '\u0000' ? 'contains a NUL character' : 'contains a lone UTF-16 surrogate (not valid Unicode)';
}

/** Refuses a path that is not valid percent-encoded UTF-8, or that decodes to a NUL or a lone surrogate. */
export const wellFormedPath: RequestHandler = (req, _res, next) => {
    for (const segment of req.path.split('/')) {
        let decoded: string;
        try {
            decoded = decodeURIComponent(segment);
        } catch {
            return next(
                new AppError('BAD_PATH', `The path segment "${segment}" is not valid percent-encoded UTF-8`, 400)
            );
        }
        const problem = stringProblem(decoded);
        if (problem) return next(new AppError('BAD_PATH', `A path segment ${problem}`, 400));
    }
    next();
};

/** Refuses query values (and names) with a NUL or a lone surrogate. */
export const wellFormedQuery: RequestHandler = (req, _res, next) => {
    const details: ErrorDetail[] = [];
    for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
        for (const v of [name, ...(Array.isArray(value) ? value : [value])]) {
            const problem = typeof v === 'string' ? stringProblem(v) : null;
            if (problem) details.push({ path: `query.${name}`, code: 'BAD_STRING', message: problem });
        }
    }
    if (details.length)
        return next(badRequest(`Invalid request query: ${details[0].path} ${details[0].message}`, details));
    next();
};

/**
 * Walks a parsed JSON body without recursion: every string and key free of NUL and lone surrogates, every number
 * finite, nesting at most {@link MAX_JSON_DEPTH}. Returns the problems (at most 20).
 */
export function jsonProblems(body: unknown): ErrorDetail[] {
    const details: ErrorDetail[] = [];
    const stack: { value: unknown; path: string; depth: number }[] = [{ value: body, path: 'body', depth: 0 }];
    while (stack.length && details.length < 20) {
        const { value, path, depth } = stack.pop()!;
        if (typeof value === 'string') {
            const problem = stringProblem(value);
            if (problem) details.push({ path, code: 'BAD_STRING', message: problem });
        } else if (typeof value === 'number') {
            if (!Number.isFinite(value))
                details.push({ path, code: 'BAD_NUMBER', message: 'a number too large for any field (not finite)' });
        } else if (value && typeof value === 'object') {
            if (depth >= MAX_JSON_DEPTH) {
                details.push({ path, code: 'TOO_DEEP', message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
                continue;
            }
            for (const [key, child] of Object.entries(value)) {
                const problem = stringProblem(key);
                if (problem) details.push({ path, code: 'BAD_STRING', message: `a key ${problem}` });
                else stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
            }
        }
    }
    return details;
}

/** Refuses a JSON body {@link jsonProblems} finds fault with (after express.json parsed it). */
export const wellFormedBody: RequestHandler = (req, _res, next) => {
    if (req.body === undefined) return next();
    const details = jsonProblems(req.body);
    if (details.length === 0) return next();
    next(badRequest(`Invalid request body: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details));
};

/**
 * Counts answers 401 per client address; past `limit` in the window every request from that address answers
 * 429 `TOO_MANY_FAILED_TOKENS` with `Retry-After` until the window ends.
 *
 * Only answers that were sent as 401 count. (express-rate-limit's `skipSuccessfulRequests` counts every request up
 * front and takes it back on 'finish'; a request the browser abandons — every event stream of the web app closed
 * by a page load or navigation — ends with 'close' instead and stayed counted, locking a user out after 20 page
 * loads.)
 */
export function failedTokenThrottle(options: HttpSecurityOptions = {}): RequestHandler {
    const windowMs = options.authFailureWindowMs ?? 5 * 60_000;
    const limit = options.authFailureLimit ?? 20;
    const failures = new Map<string, { count: number; resetAt: number }>();
    return (req: Request, res: Response, next: NextFunction) => {
        const key = req.ip ?? req.socket.remoteAddress ?? 'unknown';
        const now = Date.now();
        let entry = failures.get(key);
        if (entry && entry.resetAt <= now) {
            failures.delete(key);
            entry = undefined;
        }
        if (entry && entry.count >= limit) {
            const seconds = Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
            res.setHeader('Retry-After', String(seconds));
            const error = new AppError(
                'TOO_MANY_FAILED_TOKENS',
                `Too many requests with an unknown or revoked token from this address; try again in ${seconds} s at the latest`,
                429
            );
            res.status(429).json(error.toBody());
            return;
        }
        res.once('finish', () => {
            if (res.statusCode !== 401) return;
            const current = failures.get(key);
            if (current && current.resetAt > Date.now()) current.count++;
            else failures.set(key, { count: 1, resetAt: Date.now() + windowMs });
            // Forget addresses whose window ended, so the map stays as small as the current failures.
            if (failures.size > 10_000) {
                for (const [k, v] of failures) if (v.resetAt <= Date.now()) failures.delete(k);
            }
        });
        next();
    };
}

function sameSecret(a: string, b: string): boolean {
    const ha = createHash('sha256').update(a).digest();
    const hb = createHash('sha256').update(b).digest();
    return timingSafeEqual(ha, hb);
}

/** True for 127.0.0.0/8 and ::1 (also as IPv4-mapped IPv6). */
export function isLoopback(address: string | undefined): boolean {
    if (!address) return false;
    return address === '::1' || /^(?:::ffff:)?127\./.test(address);
}

/**
 * Guards `/metrics`: with `METRICS_TOKEN`, `Authorization: Bearer <METRICS_TOKEN>` is required (401 otherwise);
 * without it, only loopback clients outside production are answered (403 otherwise).
 */
export function metricsGuard(options: HttpSecurityOptions = {}): RequestHandler {
    return (req, res, next) => {
        if (req.path !== '/metrics') return next();
        if (options.metricsToken) {
            const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
            if (match && sameSecret(match[1], options.metricsToken)) return next();
            res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
            return next(new AppError('UNAUTHORIZED', '/metrics needs Authorization: Bearer <METRICS_TOKEN>', 401));
        }
        if (options.env !== 'production' && isLoopback(req.socket.remoteAddress)) return next();
        next(
            new AppError(
                'FORBIDDEN',
                options.env === 'production'
                    ? '/metrics is off: set METRICS_TOKEN and send it as a bearer token'
                    : '/metrics answers loopback clients only unless METRICS_TOKEN is set',
                403
            )
        );
    };
}
