import { createHash, createHmac, randomBytes } from 'node:crypto';
import { BASE62, checksumSuffix } from '../store/ids';

/**
 * Random characters in the alphabet Salesforce uses for session ids and refresh tokens
 * (`A-Z a-z 0-9 . _`): base64url with `-` mapped to `.`.
 */
function tokenChars(byteCount: number): string {
    return randomBytes(byteCount).toString('base64url').replace(/-/g, '.');
}

/**
 * An access token / SOAP session id shaped like Salesforce's: the 15-character org id, `!`, then an
 * opaque part starting with `AQ` (for example `00D5g000004StFy!AQ8AQ…`).
 */
export function newAccessToken(orgId: string): string {
    return `${orgId.slice(0, 15)}!AQ${tokenChars(72)}`;
}

/** A refresh token shaped like Salesforce's (`5Aep861…`, 87 characters). */
export function newRefreshToken(): string {
    return `5Aep861${tokenChars(60)}`;
}

/** An authorization code for the web-server flow (`aPrx…`). */
export function newAuthorizationCode(): string {
    return `aPrx${tokenChars(48)}`;
}

/**
 * The `signature` field of a token response: Base64 HMAC-SHA256 of the identity URL concatenated with
 * `issued_at`, keyed with the consumer secret, as Salesforce documents it.
 */
export function tokenSignature(idUrl: string, issuedAt: string, clientSecret: string): string {
    return createHmac('sha256', clientSecret)
        .update(idUrl + issuedAt)
        .digest('base64');
}

/**
 * A stable 18-character Profile id (key prefix `00e`) derived from the profile name, so the SOAP
 * `userInfo.profileId` is the same on every call and every restart.
 */
export function profileIdFor(profileName: string): string {
    const digest = createHash('sha256').update(`profile:${profileName}`).digest();
    let body = '';
    for (let i = 0; i < 9; i++) body += BASE62[digest[i] % 62];
    const id15 = `00e5g0${body}`;
    return id15 + checksumSuffix(id15);
}

/** Formats a date the way Salesforce's REST and identity APIs do: `2024-01-31T12:00:00.000+0000`. */
export function sfDateTime(d: Date): string {
    return d.toISOString().replace('Z', '+0000');
}

/**
 * Standard (non-daylight-saving) offset of an IANA time zone from UTC in milliseconds, as the identity
 * service's `utcOffset` reports it (America/Los_Angeles → -28800000). Unknown zones count as UTC.
 */
export function standardUtcOffsetMs(timeZone: string, at: Date): number {
    const offsetAt = (d: Date): number => {
        try {
            const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
                .formatToParts(d)
                .find((p) => p.type === 'timeZoneName')?.value;
            const m = part ? /GMT([+-])(\d{2}):(\d{2})/.exec(part) : null;
            if (!m) return 0;
            const ms = (Number(m[2]) * 60 + Number(m[3])) * 60_000;
            return m[1] === '-' ? -ms : ms;
        } catch {
            return 0;
        }
    };
    const year = at.getUTCFullYear();
    return Math.min(offsetAt(new Date(Date.UTC(year, 0, 1))), offsetAt(new Date(Date.UTC(year, 6, 1))));
}
