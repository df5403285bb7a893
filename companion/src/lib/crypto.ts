/**
 * Secrets: AES-256-GCM for credentials at rest, SHA-256 for API tokens, and random token generation.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from './errors';

const VERSION = 'v1';

/**
 * Encrypts and decrypts short secrets (private keys, refresh tokens) with AES-256-GCM.
 * Stored form: `v1:<base64 of iv(12) | tag(16) | ciphertext>`; a fresh IV per value; the tag authenticates it.
 */
export class SecretBox {
    private readonly key: Buffer;

    constructor(key: Buffer) {
        if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
        this.key = Buffer.from(key);
    }

    /** Encrypts UTF-8 text. */
    encrypt(plaintext: string): string {
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', this.key, iv);
        const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
        return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    }

    /**
     * Decrypts what {@link encrypt} produced.
     * @throws AppError `SECRET_UNREADABLE` when the value was altered or encrypted with another key.
     */
    decrypt(stored: string): string {
        const [version, payload] = stored.split(':', 2);
        if (version !== VERSION || !payload) {
            throw new AppError('SECRET_UNREADABLE', 'Stored secret has an unknown format', 500);
        }
        const raw = Buffer.from(payload, 'base64');
        try {
            const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
            decipher.setAuthTag(raw.subarray(12, 28));
            return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
        } catch (cause) {
            throw new AppError(
                'SECRET_UNREADABLE',
                'Stored secret cannot be decrypted: it was altered or ENCRYPTION_KEY changed',
                500,
                { cause }
            );
        }
    }
}

/** SHA-256 of a token as 64 hex characters (what api_tokens.token_hash stores). */
export function hashToken(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new API token: `stf_` + 32 random bytes in base64url. Shown once, stored only as its hash. */
export function generateToken(): string {
    return `stf_${randomBytes(32).toString('base64url')}`;
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
    const x = Buffer.from(a, 'hex');
    const y = Buffer.from(b, 'hex');
    return x.length === y.length && timingSafeEqual(x, y);
}
