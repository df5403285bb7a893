/**
 * The encryption key: ENCRYPTION_KEY when set; in development a random key kept under DATA_DIR (with a warning),
 * so credentials stay readable across restarts without any setup. Production refuses to start without the variable
 * (config.ts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { parseEncryptionKey } from '../config';

/** Returns the 32-byte key to encrypt credentials with. */
export async function resolveEncryptionKey(config: Config, logger: Logger): Promise<Buffer> {
    if (config.encryptionKey) return config.encryptionKey;
    const file = join(config.dataDir, 'encryption.key');
    try {
        const key = parseEncryptionKey(await readFile(file, 'utf8'));
        if (!key) throw new Error(`${file} does not hold a 32-byte key`);
        logger.warn({ file }, 'ENCRYPTION_KEY is not set: using the development key stored under DATA_DIR');
        return key;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const key = randomBytes(32);
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    logger.warn(
        { file },
        'ENCRYPTION_KEY is not set: generated a development key under DATA_DIR; set ENCRYPTION_KEY in production'
    );
    return key;
}
