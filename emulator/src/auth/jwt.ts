import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { OAuthError } from './types';

/** Audiences Salesforce accepts in a JWT bearer assertion, besides the org's own URL. */
export const SALESFORCE_AUDIENCES = ['https://login.salesforce.com', 'https://test.salesforce.com'];

/** How far ahead of the emulator clock `exp` may lie: Salesforce asks for 3 minutes; clients send up to 5. */
export const JWT_MAX_LIFETIME_MS = 5 * 60_000;

/** An `exp` above this (year 5138 in seconds) is a millisecond timestamp. */
const MILLISECOND_EXP = 1e11;

/** Clock skew tolerated on `exp` (far future) and `nbf`. */
export const JWT_CLOCK_SKEW_MS = 60_000;

/** The claims of a verified assertion that the token endpoint needs. */
export interface JwtClaims {
    iss: string;
    sub: string;
    aud: string | string[];
    exp: number;
}

const keyCache = new Map<string, KeyObject>();

function publicKeyOf(certificatePem: string): KeyObject {
    let key = keyCache.get(certificatePem);
    if (!key) {
        key = createPublicKey(certificatePem);
        keyCache.set(certificatePem, key);
    }
    return key;
}

function decodeJsonSegment(segment: string): Record<string, unknown> | null {
    if (!/^[A-Za-z0-9_-]+$/.test(segment)) return null;
    try {
        const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
        return value !== null && typeof value === 'object' && !Array.isArray(value)
            ? (value as Record<string, unknown>)
            : null;
    } catch {
        return null;
    }
}

function normaliseUrl(u: string): string {
    return u.trim().replace(/\/+$/, '').toLowerCase();
}

/** Options for {@link verifyJwtAssertion}. */
export interface JwtCheck {
    /** The connected app's consumer key; `iss` must equal it. */
    clientId: string;
    /** The connected app's certificate; null means the app has no digital signature configured. */
    certificatePem: string | null;
    /** Accepted audiences (Salesforce's login hosts plus the emulator's own URL). */
    audiences: string[];
    /** Emulator time in epoch milliseconds. */
    nowMs: number;
}

/**
 * Checks a JWT bearer assertion the way Salesforce's token endpoint does — structure, RS256 signature
 * against the connected app's certificate, `iss`, `aud`, `exp` (and `nbf` when present) — and returns its
 * claims. The subject is not looked up here. Throws {@link OAuthError} with Salesforce's wording.
 */
export function verifyJwtAssertion(assertion: string | undefined, check: JwtCheck): JwtClaims {
    const invalid = (): OAuthError => new OAuthError('invalid_grant', 'invalid assertion');
    if (!assertion) throw invalid();
    const parts = assertion.split('.');
    if (parts.length !== 3) throw invalid();
    const [h, p, s] = parts;
    const header = decodeJsonSegment(h);
    const claims = decodeJsonSegment(p);
    if (!header || !claims || !/^[A-Za-z0-9_-]+$/.test(s)) throw invalid();
    if (header.alg !== 'RS256') throw invalid();

    if (typeof claims.iss !== 'string' || claims.iss !== check.clientId) {
        throw new OAuthError('invalid_client_id', 'client identifier invalid');
    }
    if (!check.certificatePem) throw new OAuthError('invalid_client', 'invalid client credentials');

    const signatureOk = verify(
        'sha256',
        Buffer.from(`${h}.${p}`, 'ascii'),
        publicKeyOf(check.certificatePem),
        Buffer.from(s, 'base64url')
    );
    if (!signatureOk) throw invalid();

    const audiences = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter(
        (a): a is string => typeof a === 'string'
    );
    const accepted = new Set(check.audiences.map(normaliseUrl));
    if (audiences.length === 0 || !audiences.some((a) => accepted.has(normaliseUrl(a)))) {
        throw new OAuthError('invalid_grant', 'audience is invalid');
    }

    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) throw invalid();
    // RFC 7519 says seconds; the sf CLI's core library signs `Date.now() + 300` (milliseconds), which a
    // real org accepts. A value past year 5000 in seconds is read as milliseconds: the same checks apply.
    // The CLI's 300 ms lifetime is shorter than a loaded machine may take to deliver it: the skew applies.
    const inMs = claims.exp > MILLISECOND_EXP;
    const expMs = inMs ? claims.exp : claims.exp * 1000;
    if (expMs + (inMs ? JWT_CLOCK_SKEW_MS : 0) <= check.nowMs)
        throw new OAuthError('invalid_grant', 'expired authorization code');
    if (expMs > check.nowMs + JWT_MAX_LIFETIME_MS + JWT_CLOCK_SKEW_MS) throw invalid();
    if (claims.nbf !== undefined) {
        if (typeof claims.nbf !== 'number' || claims.nbf * 1000 > check.nowMs + JWT_CLOCK_SKEW_MS) throw invalid();
    }

    if (typeof claims.sub !== 'string' || claims.sub === '') {
        throw new OAuthError('invalid_grant', "user hasn't approved this consumer");
    }
    return { iss: claims.iss, sub: claims.sub, aud: claims.aud as string | string[], exp: claims.exp };
}
