import type { Clock } from '../clock';

/** A Salesforce user of the emulated org, as the core's fixtures describe it. */
export interface EmulatorUser {
    /** 18-character User id (key prefix 005). */
    id: string;
    /** Login name, compared case-insensitively as Salesforce does. */
    username: string;
    /** Plain-text password (the emulator has no security token). */
    password: string;
    firstName: string;
    lastName: string;
    email: string;
    /** Inactive users cannot log in and their sessions stop working. */
    isActive: boolean;
    profileName: string;
    /** IANA time zone, as User.TimeZoneSidKey (for example `America/Los_Angeles`). */
    timeZoneSidKey: string;
}

/** The org's one connected app (ARCHITECTURE §5: `statisfy-dev-client`). */
export interface ConnectedApp {
    /** Consumer key. */
    clientId: string;
    /** Consumer secret. */
    clientSecret: string;
    /** Callback URLs registered for the web-server flow; `redirect_uri` must equal one of them exactly. */
    callbackUrls: string[];
    /** PEM X.509 certificate for the JWT bearer flow ("Use digital signatures"); null disables that flow. */
    certificatePem: string | null;
}

/** Everything the auth module needs from the rest of the emulator. */
export interface AuthConfig {
    /** The emulator clock: token expiry and code lifetimes are measured on it. */
    clock: Clock;
    /** 18-character organization id (key prefix 00D). */
    orgId: string;
    orgName: string;
    /** Base URL of this emulator, for example `http://127.0.0.1:4455` (no trailing slash needed). */
    instanceUrl(): string;
    /** The org's users; read on every call, so activating or deactivating a user takes effect at once. */
    users(): EmulatorUser[];
    connectedApp: ConnectedApp;
    /** Lifetime of access tokens and SOAP session ids, in milliseconds of emulator time. */
    accessTokenTtlMs: number;
}

/** A valid access token (OAuth access token or SOAP session id) and whom it belongs to. */
export interface Session {
    accessToken: string;
    userId: string;
    username: string;
    orgId: string;
    issuedAt: Date;
    expiresAt: Date;
}

/**
 * Body of a successful `POST /services/oauth2/token` answer, field for field as Salesforce sends it
 * (`refresh_token` only for the authorization-code grant with the `refresh_token` scope).
 */
export interface TokenResponse {
    access_token: string;
    refresh_token?: string;
    signature: string;
    scope: string;
    instance_url: string;
    id: string;
    token_type: 'Bearer';
    issued_at: string;
}

/** An OAuth 2.0 error as the token endpoint reports it: HTTP 400 `{"error","error_description"}`. */
export class OAuthError extends Error {
    constructor(
        /** The `error` code, for example `invalid_grant`. */
        readonly error: string,
        /** The `error_description`, in Salesforce's wording. */
        readonly description: string,
        /** HTTP status; Salesforce answers token errors with 400. */
        readonly status = 400
    ) {
        super(`${error}: ${description}`);
        this.name = 'OAuthError';
    }

    /** The JSON body Salesforce returns. */
    toJSON(): { error: string; error_description: string } {
        return { error: this.error, error_description: this.description };
    }
}
