/**
 * Authentication for the org emulator: SOAP `login()`, the OAuth 2.0 endpoints, the identity service
 * and session validation for every other API. See EMULATOR-MODULES.md ("emulator/src/auth").
 */
export { AuthService, JWT_BEARER_GRANT, AUTHORIZATION_CODE_TTL_MS, DEFAULT_SCOPE, SUPPORTED_SCOPES } from './service';
export type { AuthorizeRequest, AuthorizeCheck, BasicClientCredentials } from './service';
export { createAuthRouter, requireSession, bearerToken, INVALID_SESSION_BODY, JSON_UTF8 } from './router';
export { OAuthError } from './types';
export type { AuthConfig, ConnectedApp, EmulatorUser, Session, TokenResponse } from './types';
export { SALESFORCE_AUDIENCES, JWT_MAX_LIFETIME_MS } from './jwt';
export {
    DEV_JWT_CERTIFICATE_PATH,
    DEV_JWT_PRIVATE_KEY_PATH,
    devJwtCertificatePem,
    devJwtPrivateKeyPem
} from './dev-jwt';
