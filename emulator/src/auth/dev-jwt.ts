import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The committed DEVELOPMENT-ONLY key pair of the emulator's dev connected app (see
 * `emulator/fixtures/dev-jwt/README.md`). The private key is public: never trust it outside the emulator.
 */
export const DEV_JWT_DIR = join(__dirname, '..', '..', 'fixtures', 'dev-jwt');

/** Path of the dev connected app's X.509 certificate (PEM). */
export const DEV_JWT_CERTIFICATE_PATH = join(DEV_JWT_DIR, 'server.crt');

/** Path of the matching private key (PKCS#8 PEM) used to sign JWT bearer assertions in development. */
export const DEV_JWT_PRIVATE_KEY_PATH = join(DEV_JWT_DIR, 'server.key');

/** The dev connected app's certificate, for `ConnectedApp.certificatePem`. */
export function devJwtCertificatePem(): string {
    return readFileSync(DEV_JWT_CERTIFICATE_PATH, 'utf8');
}

/** The dev private key, for signing JWT bearer assertions against the emulator. */
export function devJwtPrivateKeyPem(): string {
    return readFileSync(DEV_JWT_PRIVATE_KEY_PATH, 'utf8');
}
