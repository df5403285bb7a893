/**
 * The companion's configuration: every environment variable it reads, validated once at start with zod.
 * The reference for operators is docs/companion-config.md; keep the two in step.
 *
 * ✅ Fail fast: `loadConfig()` throws a {@link ConfigError} naming every bad variable at once, before anything
 * else starts. The result is cached; `resetConfigCache()` exists for tests.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * SHA-256 of the emulator's public development JWT key (emulator/fixtures/dev-jwt/server.key, trimmed, LF line
 * ends). Anyone can read that key, so production refuses it.
 */
export const DEV_JWT_KEY_SHA256 = '09fcb748289169003145b35403e051acca115e3afb58ba338d237f2de9eec3e3';

/** Admin tokens printed in the docs as examples; production refuses them (test/api/production.test.ts keeps this list in step with docs/). */
export const DOCUMENTED_EXAMPLE_TOKENS: readonly string[] = ['dev-admin-token-please-change'];

function pemDigest(pem: string): string {
    return createHash('sha256').update(pem.replace(/\r\n/g, '\n').trim()).digest('hex');
}

/** True when the PEM (or the file holding it) is the public development key. */
function isDevKey(pem: string | undefined, file: string | undefined): boolean {
    if (pem && pemDigest(pem) === DEV_JWT_KEY_SHA256) return true;
    if (!file) return false;
    try {
        return pemDigest(readFileSync(file, 'utf8')) === DEV_JWT_KEY_SHA256;
    } catch {
        return false; // an unreadable key file is reported when the org connects
    }
}

const bool = z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce
    .number({ message: 'expected a port number' })
    .int('expected a whole number')
    .min(0, 'expected 0..65535')
    .max(65535, 'expected 0..65535');

/** 32 bytes given as 64 hex characters or as base64 (44 characters with padding). */
const encryptionKey = z.string().transform((value, ctx) => {
    const key = parseEncryptionKey(value);
    if (!key) {
        ctx.addIssue({
            code: 'custom',
            message: 'expected 32 bytes as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)'
        });
        return z.NEVER;
    }
    return key;
});

const salesforceId = z
    .string()
    .regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'expected a 15 or 18 character Salesforce id');

/** The zod schema of the environment. Names are the variable names; values are strings as the environment has them. */
export const envSchema = z
    .object({
        NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
        HOST: z.string().min(1).default('127.0.0.1'),
        PORT: port.default(3000),
        PUBLIC_URL: z.url({ message: 'expected an absolute URL such as https://statisfy.example.com' }).optional(),
        ROLE: z.enum(['web', 'worker', 'all'], { message: 'expected web, worker or all' }).default('all'),
        LOG_LEVEL: z
            .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
                message: 'expected fatal, error, warn, info, debug, trace or silent'
            })
            .default('info'),
        DATA_DIR: z.string().min(1).default('./.data'),
        DATABASE_URL: z
            .string()
            .regex(/^postgres(?:ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
            .optional(),
        EMBEDDED_PG_PORT: port.default(0),
        DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
        ENCRYPTION_KEY: encryptionKey.optional(),
        STATISFY_ADMIN_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
        SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(15000),
        SF_LOGIN_URL: z.url({ message: 'expected an absolute URL such as https://login.salesforce.com' }).optional(),
        SF_AUTH_KIND: z.enum(['jwt', 'oauth'], { message: 'expected jwt or oauth' }).optional(),
        SF_CONSUMER_KEY: z.string().min(1).optional(),
        SF_CLIENT_SECRET: z.string().min(1).optional(),
        SF_USERNAME: z.string().min(3).optional(),
        SF_PRIVATE_KEY: z.string().includes('PRIVATE KEY', { message: 'expected a PEM private key' }).optional(),
        SF_PRIVATE_KEY_FILE: z.string().min(1).optional(),
        SF_REFRESH_TOKEN: z.string().min(1).optional(),
        SF_ORG_ID: salesforceId.optional(),
        SF_ORG_NAME: z.string().min(1).default('Salesforce org'),
        SF_NAMESPACE: z
            .string()
            .regex(/^(?:[a-zA-Z][a-zA-Z0-9]{0,14})?$/, 'expected a namespace prefix such as statisfy, or empty')
            .default(''),
        SF_EVENT_TRANSPORT: z.enum(['pubsub', 'cometd'], { message: 'expected pubsub or cometd' }).default('pubsub'),
        SF_PUBSUB_URL: z
            .string()
            .regex(/^(grpcs?:\/\/)?[^\s/:]+:\d{1,5}\/?$/, {
                message: 'expected host:port, grpc://host:port (plaintext) or grpcs://host:port (TLS)'
            })
            .optional(),
        SF_API_VERSION: z
            .string()
            .regex(/^\d{2}\.0$/, 'expected a version such as 60.0')
            .default('60.0'),
        ENGINE_ENABLED: bool.default(true),
        METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
        AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(20),
        AUTH_FAILURE_WINDOW_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000)
    })
    .superRefine((env, ctx) => {
        if (env.NODE_ENV === 'production' && !env.ENCRYPTION_KEY) {
            ctx.addIssue({
                code: 'custom',
                path: ['ENCRYPTION_KEY'],
                message: 'required when NODE_ENV=production (credentials are encrypted at rest with it)'
            });
        }
        if (env.NODE_ENV === 'production') productionChecks(env, ctx);
        const anySf = env.SF_LOGIN_URL || env.SF_CONSUMER_KEY || env.SF_USERNAME;
        if (!anySf) return;
        for (const name of ['SF_LOGIN_URL', 'SF_CONSUMER_KEY', 'SF_USERNAME'] as const) {
            if (!env[name]) {
                ctx.addIssue({
                    code: 'custom',
                    path: [name],
                    message: 'required when connecting an org from the environment'
                });
            }
        }
        const kind = env.SF_AUTH_KIND ?? 'jwt';
        if (kind === 'jwt' && !env.SF_PRIVATE_KEY && !env.SF_PRIVATE_KEY_FILE) {
            ctx.addIssue({
                code: 'custom',
                path: ['SF_PRIVATE_KEY'],
                message: 'the JWT bearer flow needs SF_PRIVATE_KEY or SF_PRIVATE_KEY_FILE'
            });
        }
        if (kind === 'oauth' && !env.SF_REFRESH_TOKEN && !env.SF_CLIENT_SECRET) {
            ctx.addIssue({
                code: 'custom',
                path: ['SF_CLIENT_SECRET'],
                message: 'the OAuth web-server flow needs SF_CLIENT_SECRET (and PUBLIC_URL for the callback)'
            });
        }
    });

/** What NODE_ENV=production refuses: the public development key, a login URL without TLS, documented tokens. */
function productionChecks(
    env: {
        SF_PRIVATE_KEY?: string;
        SF_PRIVATE_KEY_FILE?: string;
        SF_LOGIN_URL?: string;
        STATISFY_ADMIN_TOKEN?: string;
        METRICS_TOKEN?: string;
    },
    ctx: z.RefinementCtx
): void {
    if (isDevKey(env.SF_PRIVATE_KEY, env.SF_PRIVATE_KEY_FILE)) {
        ctx.addIssue({
            code: 'custom',
            path: [env.SF_PRIVATE_KEY ? 'SF_PRIVATE_KEY' : 'SF_PRIVATE_KEY_FILE'],
            message:
                "is the emulator's public development key (emulator/fixtures/dev-jwt): not allowed when NODE_ENV=production; " +
                "use your connected app's own key"
        });
    }
    if (env.SF_LOGIN_URL && !env.SF_LOGIN_URL.toLowerCase().startsWith('https://')) {
        ctx.addIssue({
            code: 'custom',
            path: ['SF_LOGIN_URL'],
            message: 'must be https:// when NODE_ENV=production (e.g. https://login.salesforce.com)'
        });
    }
    for (const name of ['STATISFY_ADMIN_TOKEN', 'METRICS_TOKEN'] as const) {
        if (env[name] && DOCUMENTED_EXAMPLE_TOKENS.includes(env[name])) {
            ctx.addIssue({
                code: 'custom',
                path: [name],
                message:
                    'is the example value from the docs: not allowed when NODE_ENV=production; generate one (openssl rand -base64 32)'
            });
        }
    }
}

/** Salesforce credentials for an org connected from the environment (`SF_*`). */
export interface SalesforceEnvCredentials {
    name: string;
    loginUrl: string;
    authKind: 'jwt' | 'oauth';
    consumerKey: string;
    clientSecret?: string;
    username: string;
    privateKey?: string;
    privateKeyFile?: string;
    refreshToken?: string;
    sfOrgId?: string;
    namespace: string;
}

/** The validated configuration as the rest of the companion sees it. */
export interface Config {
    env: 'development' | 'test' | 'production';
    host: string;
    port: number;
    publicUrl?: string;
    role: 'web' | 'worker' | 'all';
    logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
    dataDir: string;
    databaseUrl?: string;
    embeddedPgPort: number;
    dbPoolSize: number;
    /** 32-byte AES key; absent in development until `resolveEncryptionKey` derives one under DATA_DIR. */
    encryptionKey?: Buffer;
    adminToken?: string;
    shutdownTimeoutMs: number;
    salesforce?: SalesforceEnvCredentials;
    salesforceNamespace: string;
    salesforceApiVersion: string;
    /** Inbound transport (`SF_EVENT_TRANSPORT`): the Pub/Sub API (default) or CometD. */
    eventTransport: 'pubsub' | 'cometd';
    /** Pub/Sub endpoint (`SF_PUBSUB_URL`); '' = Salesforce's `api.pubsub.salesforce.com:7443`. */
    pubsubUrl: string;
    /** Whether this process runs the sync engine (ROLE worker|all and ENGINE_ENABLED). */
    engineEnabled: boolean;
    /** Bearer token `/metrics` asks for (METRICS_TOKEN). */
    metricsToken?: string;
    /** Failed token attempts allowed per client address per window (AUTH_FAILURE_LIMIT, AUTH_FAILURE_WINDOW_MS). */
    authFailureLimit: number;
    authFailureWindowMs: number;
}

/** Thrown by {@link loadConfig}; `problems` has one entry per bad variable. */
export class ConfigError extends Error {
    constructor(readonly problems: { variable: string; message: string }[]) {
        super(
            `Invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n')}\n` +
                'See docs/companion-config.md.'
        );
        this.name = 'ConfigError';
    }
}

/** Parses 64 hex characters or base64 of exactly 32 bytes; null otherwise. */
export function parseEncryptionKey(value: string): Buffer | null {
    const trimmed = value.trim();
    if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
    if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
        const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
        return key.length === 32 ? key : null;
    }
    return null;
}

/**
 * Validates an environment (default `process.env`) and returns the typed configuration.
 * @throws ConfigError naming each bad variable.
 */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
    // Empty strings count as unset: `FOO= npm start` should not fail validation.
    const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
    const result = envSchema.safeParse(cleaned);
    if (!result.success) {
        throw new ConfigError(
            result.error.issues.map((issue) => ({
                variable: String(issue.path[0] ?? '(environment)'),
                message: issue.message
            }))
        );
    }
    const e = result.data;
    const salesforce: SalesforceEnvCredentials | undefined =
        e.SF_LOGIN_URL && e.SF_CONSUMER_KEY && e.SF_USERNAME
            ? {
                  name: e.SF_ORG_NAME,
                  loginUrl: e.SF_LOGIN_URL,
                  authKind: e.SF_AUTH_KIND ?? 'jwt',
                  consumerKey: e.SF_CONSUMER_KEY,
                  clientSecret: e.SF_CLIENT_SECRET,
                  username: e.SF_USERNAME,
                  privateKey: e.SF_PRIVATE_KEY,
                  privateKeyFile: e.SF_PRIVATE_KEY_FILE,
                  refreshToken: e.SF_REFRESH_TOKEN,
                  sfOrgId: e.SF_ORG_ID,
                  namespace: e.SF_NAMESPACE
              }
            : undefined;
    return {
        env: e.NODE_ENV,
        host: e.HOST,
        port: e.PORT,
        publicUrl: e.PUBLIC_URL,
        role: e.ROLE,
        logLevel: e.LOG_LEVEL,
        dataDir: e.DATA_DIR,
        databaseUrl: e.DATABASE_URL,
        embeddedPgPort: e.EMBEDDED_PG_PORT,
        dbPoolSize: e.DB_POOL_SIZE,
        encryptionKey: e.ENCRYPTION_KEY,
        adminToken: e.STATISFY_ADMIN_TOKEN,
        shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
        salesforce,
        salesforceNamespace: e.SF_NAMESPACE,
        salesforceApiVersion: e.SF_API_VERSION,
        eventTransport: e.SF_EVENT_TRANSPORT,
        pubsubUrl: e.SF_PUBSUB_URL ?? '',
        engineEnabled: e.ROLE !== 'web' && e.ENGINE_ENABLED,
        metricsToken: e.METRICS_TOKEN,
        authFailureLimit: e.AUTH_FAILURE_LIMIT,
        authFailureWindowMs: e.AUTH_FAILURE_WINDOW_MS
    };
}

let cached: Config | undefined;

/** `parseConfig(process.env)`, cached for the life of the process. */
export function loadConfig(): Config {
    cached ??= parseConfig(process.env);
    return cached;
}

/** Forgets the cached configuration (tests). */
export function resetConfigCache(): void {
    cached = undefined;
}
