import { createECDH, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { defaultDataDir, PROJECT_ROOT } from './data-dir';
import { DISCORD_API_BASE } from './domain/discord-webhook';

/** Secrets the app needs. In development they may be generated; in production they must be given. */
const SECRET_NAMES = ['AUTH_SECRET', 'ENCRYPTION_KEY'] as const;
type SecretName = (typeof SECRET_NAMES)[number];

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  DATABASE_URL: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AUTH_SECRET: z.preprocess(emptyToUndefined, z.string().min(32).optional()),
  ENCRYPTION_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (a 256-bit AES key)')
      .optional(),
  ),
  SIGN_IN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  SIGN_IN_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  RUN_WORKERS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  BROKER: z.enum(['paper', 'snaptrade', 'snaptrade-sim']).default('paper'),
  PAPER_QUOTE_SEED: z.string().min(1).default('alertsify'),
  SNAPTRADE_CLIENT_ID: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  SNAPTRADE_CONSUMER_KEY: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  SNAPTRADE_BASE_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  SNAPTRADE_SIM_PORT: z.coerce.number().int().min(1).max(65535).default(54331),
  SNAPTRADE_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(250),
  SNAPTRADE_TRADES_PER_SECOND_PER_ACCOUNT: z.coerce.number().min(0.01).max(1000).default(1),
  SMTP_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  MAIL_FROM: z.string().min(3).default('Alertsify <no-reply@alertsify.localhost>'),
  COPY_CLAIM_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  TEST_FAULT: z.preprocess(
    emptyToUndefined,
    z.enum(['kill-after-copy-decisions', 'kill-after-copy-sent']).optional(),
  ),
  VAPID_PUBLIC_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{87}$/, 'must be a P-256 public key: 65 bytes, URL-safe base64 without padding')
      .optional(),
  ),
  VAPID_PRIVATE_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, 'must be a P-256 private key: 32 bytes, URL-safe base64 without padding')
      .optional(),
  ),
  VAPID_SUBJECT: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'must be a mailto: address or an https: URL')
      .optional(),
  ),
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v, ctx) => {
      if (v === 'false' || v === '0') return 0;
      if (v === 'true') return 1;
      if (/^[1-9]$/.test(v)) return Number(v);
      ctx.addIssue({ code: 'custom', message: 'must be false, true or the number of proxies (1-9)' });
      return z.NEVER;
    }),
  TEST_DISCORD_API_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  TEST_PUSH_ORIGIN: z.preprocess(emptyToUndefined, z.url().optional()),
});

/** Test-only settings: a start with one of them set outside NODE_ENV=test is refused. */
const TEST_ONLY = ['TEST_DISCORD_API_URL', 'TEST_PUSH_ORIGIN'] as const;

export type VapidKeys = { publicKey: string; privateKey: string; subject: string };

export type Config = {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string;
  /** Unset means: start the embedded PostgreSQL under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  databasePoolSize: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  authSecret: string;
  encryptionKey: string;
  signInRateLimit: { limit: number; windowSeconds: number };
  runWorkers: boolean;
  workerConcurrency: number;
  /**
   * Where SnapTrade connections go: nowhere ('paper': paper accounts only), the real SnapTrade
   * API, or a SnapTrade simulator started in-process. Paper accounts work in every mode.
   */
  broker: 'paper' | 'snaptrade' | 'snaptrade-sim';
  paperQuoteSeed: string;
  /** SMTP server to send email through (`smtp://user:pass@host:587`); unset: see src/mail/mailer.ts. */
  smtpUrl: string | undefined;
  /** The From of every email. */
  mailFrom: string;
  /** An unsent copy order claimed longer ago than this is taken over from a worker presumed dead. */
  copyClaimTimeoutMs: number;
  /** Crash tests only (NODE_ENV=test): where this process kills itself. */
  testFault: 'kill-after-copy-decisions' | 'kill-after-copy-sent' | undefined;
  snaptrade: {
    clientId: string | undefined;
    consumerKey: string | undefined;
    baseUrl: string | undefined;
    /** Where the simulator listens with BROKER=snaptrade-sim (loopback only). */
    simulatorPort: number;
    /** The shared budget every process draws on (SnapTrade: 250 a minute per client id). */
    requestsPerMinute: number;
    /** Trades a second per brokerage account (SnapTrade: about 1). */
    tradesPerSecondPerAccount: number;
  };
  /**
   * How many reverse proxies stand in front (TRUST_PROXY): 0 trusts no forwarding header; N takes
   * the client address from X-Forwarded-For as the N-th proxy from us saw it.
   */
  trustProxy: number;
  push: {
    /** VAPID (RFC 8292): the server's identity towards push services. */
    vapid: VapidKeys;
    /** Tests only: one more origin accepted as a push endpoint (a local push service, http allowed). */
    testOrigin: string | undefined;
  };
  discord: {
    /** Where webhooks are posted: Discord, or a local receiver in tests. */
    apiBase: string;
  };
  version: string;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function generateSecret(name: SecretName): string {
  // ENCRYPTION_KEY is an AES-256 key in hex; AUTH_SECRET is any long random string.
  return randomBytes(32).toString(name === 'ENCRYPTION_KEY' ? 'hex' : 'base64url');
}

/**
 * Secrets missing outside production are generated once and kept in `<dataDir>/secrets.json`,
 * so sessions and encrypted columns survive restarts of a development instance.
 */
function loadOrCreateSecrets(dataDir: string, missing: SecretName[]): Record<SecretName, string> {
  const file = join(dataDir, 'secrets.json');
  const stored: Partial<Record<SecretName, string>> = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<SecretName, string>>)
    : {};
  let changed = false;
  for (const name of missing) {
    if (!stored[name]) {
      stored[name] = generateSecret(name);
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  return stored as Record<SecretName, string>;
}

/** A P-256 key pair for VAPID, as web push expects them: URL-safe base64 without padding. */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // The private key is a 32-byte number: a leading zero byte must stay.
  const privateKey = ecdh.getPrivateKey();
  return {
    publicKey: ecdh.getPublicKey().toString('base64url'),
    privateKey: Buffer.concat([Buffer.alloc(32 - privateKey.length), privateKey]).toString('base64url'),
  };
}

/**
 * VAPID keys missing outside production are generated once and kept in `<dataDir>/vapid-keys.json`:
 * browsers subscribe against the public key, so it must survive restarts of a development instance.
 */
function loadOrCreateVapidKeys(dataDir: string): { publicKey: string; privateKey: string } {
  const file = join(dataDir, 'vapid-keys.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { publicKey?: string; privateKey?: string };
    if (stored.publicKey && stored.privateKey)
      return { publicKey: stored.publicKey, privateKey: stored.privateKey };
  }
  const keys = generateVapidKeys();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

function vapidKeys(
  e: { NODE_ENV: string; VAPID_PUBLIC_KEY?: string; VAPID_PRIVATE_KEY?: string; VAPID_SUBJECT?: string },
  dataDir: string,
  publicUrl: string,
): VapidKeys {
  const given = [e.VAPID_PUBLIC_KEY, e.VAPID_PRIVATE_KEY].filter(Boolean).length;
  if (given === 1) {
    throw new ConfigError('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are a pair: give both or neither');
  }
  if (e.NODE_ENV === 'production') {
    const missing = ['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT'].filter(
      (name) => !e[name as keyof typeof e],
    );
    if (missing.length > 0) {
      throw new ConfigError(`Missing required setting(s) in production: ${missing.join(', ')}`);
    }
  }
  const keys =
    e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY
      ? { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY }
      : loadOrCreateVapidKeys(dataDir);
  const subject =
    e.VAPID_SUBJECT ?? (publicUrl.startsWith('https://') ? publicUrl : 'mailto:alertsify@localhost');
  return { ...keys, subject };
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Parse the environment once. Everything downstream receives the returned object. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${details}`);
  }
  const e = parsed.data;
  const dataDir = e.DATA_DIR ? resolve(e.DATA_DIR) : defaultDataDir();
  const missing = SECRET_NAMES.filter((name) => !e[name]);
  if (e.BROKER === 'snaptrade' && (!e.SNAPTRADE_CLIENT_ID || !e.SNAPTRADE_CONSUMER_KEY)) {
    throw new ConfigError('BROKER=snaptrade needs SNAPTRADE_CLIENT_ID and SNAPTRADE_CONSUMER_KEY');
  }
  if (missing.length > 0 && e.NODE_ENV === 'production') {
    throw new ConfigError(`Missing required secret(s) in production: ${missing.join(', ')}`);
  }
  const testOnly = TEST_ONLY.filter((name) => e[name] !== undefined);
  if (testOnly.length > 0 && e.NODE_ENV !== 'test') {
    throw new ConfigError(
      `${testOnly.join(', ')}: for tests only (NODE_ENV=test), not NODE_ENV=${e.NODE_ENV}`,
    );
  }
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  const vapid = vapidKeys(e, dataDir, publicUrl);
  const generated = missing.length > 0 ? loadOrCreateSecrets(dataDir, missing) : undefined;
  const secret = (name: SecretName): string => {
    const value = e[name] ?? generated?.[name];
    if (!value) throw new ConfigError(`Missing secret ${name}`);
    return value;
  };
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    logLevel: e.LOG_LEVEL,
    authSecret: secret('AUTH_SECRET'),
    encryptionKey: secret('ENCRYPTION_KEY'),
    signInRateLimit: { limit: e.SIGN_IN_RATE_LIMIT, windowSeconds: e.SIGN_IN_RATE_WINDOW_SECONDS },
    runWorkers: e.RUN_WORKERS,
    workerConcurrency: e.WORKER_CONCURRENCY,
    broker: e.BROKER,
    testFault: e.NODE_ENV === 'test' ? e.TEST_FAULT : undefined,
    copyClaimTimeoutMs: e.COPY_CLAIM_TIMEOUT_SECONDS * 1000,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    paperQuoteSeed: e.PAPER_QUOTE_SEED,
    snaptrade: {
      clientId: e.SNAPTRADE_CLIENT_ID,
      consumerKey: e.SNAPTRADE_CONSUMER_KEY,
      baseUrl: e.SNAPTRADE_BASE_URL,
      simulatorPort: e.SNAPTRADE_SIM_PORT,
      requestsPerMinute: e.SNAPTRADE_REQUESTS_PER_MINUTE,
      tradesPerSecondPerAccount: e.SNAPTRADE_TRADES_PER_SECOND_PER_ACCOUNT,
    },
    trustProxy: e.TRUST_PROXY,
    push: { vapid, testOrigin: e.TEST_PUSH_ORIGIN ? new URL(e.TEST_PUSH_ORIGIN).origin : undefined },
    discord: { apiBase: e.TEST_DISCORD_API_URL ?? DISCORD_API_BASE },
    version: readVersion(),
  };
}
