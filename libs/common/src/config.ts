import { availableParallelism } from 'node:os';
import { z } from 'zod';

/**
 * Environment variables, validated once at boot into one typed object.
 * Nothing else in the code base reads `process.env`.
 */
const booleanish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const list = z
  .string()
  .transform((v) => v.split(',').map((x) => x.trim()).filter((x) => x.length > 0));

const seconds = (def: number, min = 1, max = 10 * 365 * 86400) => z.coerce.number().int().min(min).max(max).default(def);

/** Development-only secret: every process of one `npm start` derives the same value; refused in production. */
const DEV_SECRET = 'jointcert-development-secret-do-not-use-in-production';

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    REDIS_URL: z.url().default('redis://127.0.0.1:6379/0'),
    DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/jointcert'),
    /** Run pending migrations when the registry starts (default true; operators may run them separately). */
    DATABASE_MIGRATE: booleanish.default(true),
    /** Owner's connection for the registry's migrations; DATABASE_URL (the services' least-privilege role) when unset. */
    MIGRATION_DATABASE_URL: z.url().optional(),
    GATEWAY_HOST: z.string().min(1).default('0.0.0.0'),
    GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Gateway worker processes sharing GATEWAY_PORT (node:cluster; each a whole gateway, with COLOCATE each hosting its own registry and verifier replicas), under one primary that restarts a worker that dies; 1 = one process, no primary; auto = one per CPU this process may run on (os.availableParallelism(): a cpuset counts, a CPU quota does not). */
    GATEWAY_WORKERS: z
      .string()
      .regex(/^(auto|[1-9][0-9]?)$/, 'a number of worker processes (1 to 99) or auto (one per CPU)')
      .transform((v) => (v === 'auto' ? availableParallelism() : Number(v)))
      .default(1),
    /** Prefix for every Redis key and channel this deployment uses. */
    REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*$/).default('jc:'),
    /** Bounded wait for a service reply before the gateway answers 503. */
    SERVICE_TIMEOUT_MS: z.coerce.number().int().min(50).max(60000).default(5000),
    /** Service transport: Redis Streams (consumer groups: one replica per request, redelivery) or Nest's Redis pub/sub. */
    TRANSPORT: z.enum(['streams', 'redis']).default('streams'),
    /** Streams: an entry pending this long on a silent replica is taken over by another one (ms). */
    STREAMS_CLAIM_IDLE_MS: z.coerce.number().int().min(100).max(600000).default(1500),
    /** Streams: deliveries of one entry before it goes to the dead-letter stream (caller answered 503). */
    STREAMS_MAX_DELIVERIES: z.coerce.number().int().min(1).max(100).default(3),
    /** Streams: approximate length bound of each request and dead-letter stream (XADD MAXLEN ~). */
    STREAMS_MAXLEN: z.coerce.number().int().min(100).default(10000),
    /** Streams: most messages one replica handles at once. */
    STREAMS_CONCURRENCY: z.coerce.number().int().min(1).max(10000).default(64),
    /** How long the registry keeps the first result of a state-changing request for repeats (Idempotency-Key, redeliveries). */
    IDEMPOTENCY_TTL_S: seconds(86400, 60, 30 * 86400),
    /** On SIGTERM: how long in-flight requests and messages may still finish before the process exits (ms); below Docker's 10 s stop timeout. */
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120000).default(7000),

    // --- gateway
    /** Allowed CORS origins (comma-separated); empty = CORS off. "*" allows any origin without credentials. */
    CORS_ORIGINS: list.default([]),
    /** Maximum request body in bytes. */
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
    /** Trust X-Forwarded-For from a proxy in front of the gateway. */
    TRUST_PROXY: booleanish.default(false),
    /** Requests per minute per client address on challenge/login/register routes. */
    RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(60),
    /** Login attempts per minute per certificate (by fingerprint). */
    RATE_LIMIT_PER_CERT: z.coerce.number().int().min(1).default(10),
    METRICS_ENABLED: booleanish.default(true),

    // --- sessions and challenges (registry issues tokens, gateway verifies them)
    /** HMAC key for access tokens (HS256), at least 32 characters. Required in production. */
    ACCESS_TOKEN_SECRET: z.string().min(32).default(DEV_SECRET),
    ACCESS_TOKEN_TTL_S: seconds(900, 30, 86400),
    REFRESH_TOKEN_TTL_S: seconds(30 * 86400, 60),
    CHALLENGE_TTL_S: seconds(120, 10, 3600),
    /** Key for the keyed hash under which an identity number may be remembered (never the number itself). */
    IDENTITY_HMAC_KEY: z.string().min(32).default(DEV_SECRET),
    /** Key (≥ 32 characters) from which the AES-256-GCM key of TOTP secrets at rest is derived. Required in production. */
    TOTP_ENCRYPTION_KEY: z.string().min(32).default(DEV_SECRET),

    // --- device transfer (인증서 복사): encrypted bundles relayed through Redis
    /** How long a transfer waits for its claim (default 3 minutes). */
    TRANSFER_TTL_S: seconds(180, 5, 1800),
    /** Fixed window in which failed claims are counted, per client address and in total. */
    TRANSFER_CLAIM_WINDOW_S: seconds(600, 10, 86400),
    /** Failed claims (wrong or expired address) per client address per window; then 429. */
    TRANSFER_CLAIM_FAILURES_PER_IP: z.coerce.number().int().min(1).default(10),
    /** Failed claims from all clients together per window, bounding a distributed search of the address space; then 429. */
    TRANSFER_CLAIM_FAILURES_GLOBAL: z.coerce.number().int().min(1).default(1000),

    // --- verification
    /** Directory of trusted root certificates (PEM/DER files). */
    TRUST_ANCHORS_DIR: z.string().optional(),
    /** Directory of intermediate CA certificates offered to path building (PEM/DER files). */
    INTERMEDIATES_DIR: z.string().optional(),
    /** Accepted certificate types: named groups (default, general, bank-insurance, securities, ...), personal/general, corporate/*, yessign, or policy OIDs. */
    ACCEPTED_CERT_TYPES: list.default(['default']),
    /** The site's name, shown in the challenge's textToSign (POST /v1/challenges) that text-signing clients sign. */
    SITE_NAME: z.string().min(1).max(64).regex(/^[^\n\r{}]*$/).default('jointcert'),
    /** A vendor flow's signed text, matched against the whole signed content: {nonce} exactly once (the base64 nonce), {*} any text, {{ and }} literal braces. Unset = none. */
    CHALLENGE_TEMPLATE: z
      .string()
      .max(1024)
      .refine((t) => t.split('{nonce}').length === 2, { message: 'must contain {nonce} exactly once' })
      .optional(),
    /** Flows in which SHA-1 digests/signatures from old clients are accepted (login, register, replace, document); empty = refused everywhere. */
    ALLOW_SHA1_FOR: list.pipe(z.array(z.enum(['login', 'register', 'replace', 'document']))).default([]),
    /** The server key-management certificate (kmCert.der, DER or PEM) clients encrypt R to; unset = identity.encryptedRandom not offered. */
    KM_CERT_FILE: z.string().optional(),
    /** Its private key: an NPKI kmPri.key (password-encrypted PKCS#8: seedCBCWithSHA1 / PBES2) or an unencrypted PKCS#8 PEM. */
    KM_KEY_FILE: z.string().optional(),
    /** Password of KM_KEY_FILE (from a secret store in production). */
    KM_KEY_PASSWORD: z.string().optional(),
    /** How the registry reaches the verifier: over the transport (remote), or its use case in the registry's own process (in-process; the registry then needs the verifier's configuration: trust anchors, revocation). */
    VERIFIER_MODE: z.enum(['remote', 'in-process']).default('remote'),
    /** Services the gateway hosts in its own process and calls without a transport hop (registry, verifier); each still serves the transport as one more replica and runs its background work. The gateway then reads their configuration too. Empty = none. */
    COLOCATE: list.pipe(z.array(z.enum(['registry', 'verifier']))).default([]),
    /** Revocation policy for register/login/replace. */
    REVOCATION_POLICY: z.enum(['hard-fail', 'soft-fail']).default('hard-fail'),
    /** Revocation sources in order of preference. */
    REVOCATION_ORDER: list.pipe(z.array(z.enum(['ocsp', 'crl'])).min(1)).default(['ocsp', 'crl']),
    /** Hosts (host or host:port) that OCSP/CRL/AIA fetches may reach; empty = any public host. */
    FETCH_ALLOW_HOSTS: list.default([]),
    /** Allow fetches to loopback/private addresses (development, tests, an internal responder). */
    FETCH_ALLOW_PRIVATE: booleanish.default(false),
    FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(5000),
    OCSP_MAX_BYTES: z.coerce.number().int().min(1024).default(256 * 1024),
    CRL_MAX_BYTES: z.coerce.number().int().min(1024).default(64 * 1024 * 1024),
    /** Allowed clock skew for OCSP/CRL freshness. */
    REVOCATION_SKEW_S: seconds(300, 0, 86400),

    // --- development CA (never in production)
    DEV_CA_ENABLED: booleanish.default(false),
    DEV_CA_HOST: z.string().min(1).default('127.0.0.1'),
    DEV_CA_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
    /** Port of the dev CA's LDAP responder serving its CRL (the LDAP CDP of issued certificates); 0 = any free port; unset = 3389, or any free port when that is taken or DEV_CA_PORT is 0. */
    DEV_CA_LDAP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /** Where the dev CA keeps its keys and certificates, and writes trust anchors for the verifier. */
    DEV_CA_DATA_DIR: z.string().default('.dev-ca'),
    /** Base URL written into issued certificates (CRL DP, OCSP); default http://DEV_CA_HOST:DEV_CA_PORT. */
    DEV_CA_PUBLIC_URL: z.url().optional(),

    // --- notifications
    SMTP_URL: z.url().default('smtp://127.0.0.1:1025'),
    MAIL_FROM: z.string().min(3).default('jointcert <no-reply@localhost>'),
    /** Cron pattern of the expiry scan. */
    REMINDER_CRON: z.string().min(9).default('0 9 * * *'),
    /** Default reminder thresholds in days before notAfter. */
    REMINDER_DAYS: list.transform((a) => a.map(Number)).pipe(z.array(z.number().int().min(0).max(366))).default([30, 7, 1]),
    /** Cron pattern (Asia/Seoul) of the revocation re-check of every active certificate. */
    REVOCATION_RECHECK_CRON: z.string().min(9).default('30 */6 * * *'),
    /** Base URL of the gateway as users reach it: the unsubscribe link in emails. */
    NOTIFIER_PUBLIC_URL: z.url().default('http://127.0.0.1:3000'),
    /** HMAC key of the links in emails (unsubscribe, one-click deletion of an unused certificate), at least 32 characters; required in production (development: a fixed development key). */
    UNSUBSCRIBE_SECRET: z.string().min(32).optional(),
    /** How long an unsubscribe link works. */
    UNSUBSCRIBE_TTL_S: seconds(180 * 86400, 60),
    /** How long the one-click deletion link of an unused-certificate notice works. */
    DELETE_LINK_TTL_S: seconds(30 * 86400, 60),
    /** Send attempts per notification per scan (exponential backoff from NOTIFIER_BACKOFF_MS). */
    NOTIFIER_SEND_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
    NOTIFIER_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
    /** SMTP connections of one notifier's pool (its worker runs 4 × as many jobs at once). */
    NOTIFIER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(5),
    /** A 'sending' claim older than this is taken over (its worker died before recording the outcome). */
    NOTIFIER_CLAIM_LEASE_S: seconds(600, 5, 86400),
    /** Port of the notifier's Prometheus metrics (GET /metrics), e.g. 9464; 0 = off (the default: no fixed port unless asked). */
    NOTIFIER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    /** Port of the verifier's Prometheus metrics (GET /metrics: trust anchors loaded and refused), e.g. 9465; unset = off, 0 = any free port. */
    VERIFIER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /** Days an active certificate may go unused before one notice suggests deleting it; 0 = off. */
    UNUSED_NOTICE_DAYS: z.coerce.number().int().min(0).max(3650).default(180),
    /** Cron pattern of the sweep that sends pending one-off notices (lock confirmations, revocations) between scans. */
    NOTICE_SWEEP_CRON: z.string().min(9).default('* * * * *'),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV !== 'production') return;
    for (const key of ['ACCESS_TOKEN_SECRET', 'IDENTITY_HMAC_KEY'] as const) {
      if (c[key] === DEV_SECRET) ctx.addIssue({ code: 'custom', path: [key], message: 'must be set in production' });
    }
    if (c.TOTP_ENCRYPTION_KEY === DEV_SECRET) ctx.addIssue({ code: 'custom', path: ['TOTP_ENCRYPTION_KEY'], message: 'must be set in production' });
    if (c.DEV_CA_ENABLED) ctx.addIssue({ code: 'custom', path: ['DEV_CA_ENABLED'], message: 'the development CA never runs in production' });
    // the notifier signs unsubscribe links with its own key in production (it does not read ACCESS_TOKEN_SECRET to derive one)
    if (c.UNSUBSCRIBE_SECRET === undefined) ctx.addIssue({ code: 'custom', path: ['UNSUBSCRIBE_SECRET'], message: 'must be set in production' });
  });

export type AppConfig = z.infer<typeof configSchema>;

/** The processes that read configuration. */
export const SERVICE_NAMES = ['gateway', 'registry', 'verifier', 'notifier', 'dev-ca'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Which services read a variable: only these take it from the environment and
 * validate it (the others keep its default). A variable not listed here is
 * read by every service. One line per variable.
 */
const READ_BY: Partial<Record<keyof AppConfig, readonly ServiceName[]>> = {
  REDIS_URL: ['gateway', 'registry', 'verifier', 'notifier'],
  REDIS_PREFIX: ['gateway', 'registry', 'verifier', 'notifier'],
  DATABASE_URL: ['registry', 'notifier'],
  DATABASE_MIGRATE: ['registry'],
  MIGRATION_DATABASE_URL: ['registry'],
  GATEWAY_HOST: ['gateway'],
  GATEWAY_PORT: ['gateway'],
  GATEWAY_WORKERS: ['gateway'],
  SERVICE_TIMEOUT_MS: ['gateway', 'registry', 'notifier'],
  CORS_ORIGINS: ['gateway'],
  BODY_LIMIT_BYTES: ['gateway'],
  TRUST_PROXY: ['gateway'],
  RATE_LIMIT_PER_IP: ['gateway'],
  RATE_LIMIT_PER_CERT: ['registry'],
  METRICS_ENABLED: ['gateway', 'notifier', 'verifier'],
  ACCESS_TOKEN_SECRET: ['gateway', 'registry'],
  ACCESS_TOKEN_TTL_S: ['gateway', 'registry'],
  REFRESH_TOKEN_TTL_S: ['registry'],
  CHALLENGE_TTL_S: ['registry'],
  IDENTITY_HMAC_KEY: ['registry'],
  TRUST_ANCHORS_DIR: ['verifier', 'notifier'],
  INTERMEDIATES_DIR: ['verifier', 'notifier'],
  ACCEPTED_CERT_TYPES: ['verifier'],
  REVOCATION_POLICY: ['verifier'],
  REVOCATION_ORDER: ['verifier'],
  FETCH_ALLOW_HOSTS: ['verifier', 'notifier'],
  FETCH_ALLOW_PRIVATE: ['verifier', 'notifier'],
  FETCH_TIMEOUT_MS: ['verifier', 'notifier'],
  OCSP_MAX_BYTES: ['verifier', 'notifier'],
  CRL_MAX_BYTES: ['verifier', 'notifier'],
  REVOCATION_SKEW_S: ['verifier', 'notifier'],
  DEV_CA_ENABLED: ['dev-ca'],
  DEV_CA_HOST: ['dev-ca'],
  DEV_CA_PORT: ['dev-ca'],
  DEV_CA_DATA_DIR: ['dev-ca'],
  DEV_CA_PUBLIC_URL: ['dev-ca'],
  SMTP_URL: ['notifier'],
  MAIL_FROM: ['notifier'],
  REMINDER_CRON: ['notifier'],
  REMINDER_DAYS: ['registry', 'notifier'],
  VERIFIER_MODE: ['registry'],
  COLOCATE: ['gateway'],
  SITE_NAME: ['registry', 'verifier'],
  CHALLENGE_TEMPLATE: ['verifier'],
  ALLOW_SHA1_FOR: ['verifier'],
  KM_CERT_FILE: ['gateway', 'verifier', 'dev-ca'],
  KM_KEY_FILE: ['verifier', 'dev-ca'],
  KM_KEY_PASSWORD: ['verifier', 'dev-ca'],
  DEV_CA_LDAP_PORT: ['dev-ca'],
  REVOCATION_RECHECK_CRON: ['notifier'],
  NOTIFIER_PUBLIC_URL: ['notifier'],
  UNSUBSCRIBE_SECRET: ['notifier', 'registry'],
  UNSUBSCRIBE_TTL_S: ['notifier'],
  DELETE_LINK_TTL_S: ['notifier'],
  NOTIFIER_SEND_ATTEMPTS: ['notifier'],
  NOTIFIER_BACKOFF_MS: ['notifier'],
  NOTIFIER_CONCURRENCY: ['notifier'],
  NOTIFIER_CLAIM_LEASE_S: ['notifier'],
  NOTIFIER_METRICS_PORT: ['notifier'],
  VERIFIER_METRICS_PORT: ['verifier'],
  UNUSED_NOTICE_DAYS: ['notifier'],
  NOTICE_SWEEP_CRON: ['notifier'],
  TOTP_ENCRYPTION_KEY: ['registry'],
};

/** The services that read `key`. */
export function servicesReading(key: string): readonly ServiceName[] {
  return READ_BY[key as keyof AppConfig] ?? SERVICE_NAMES;
}

const reads = (key: string, service: ServiceName | readonly ServiceName[] | undefined) =>
  service === undefined || (typeof service === 'string' ? [service] : service).some((s) => servicesReading(key).includes(s));

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parse and validate an environment; throws ConfigError naming every bad
 * variable. With `service`, only the variables that service reads are taken
 * from `env` and checked (production rules included); the others keep their
 * defaults. Several services: what any of them reads (a registry running the
 * verifier in-process reads the verifier's variables too).
 */
export function loadConfig(env: Record<string, string | undefined>, service?: ServiceName | readonly ServiceName[]): AppConfig {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '' && reads(k, service)) cleaned[k] = v;
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const issues = result.error.issues.filter((i) => reads(String(i.path[0] ?? ''), service));
    if (issues.length > 0) throw new ConfigError(issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  if (result.success) return result.data;
  // only rules on variables this service does not read failed (e.g. a production
  // secret it never uses): the values themselves all parsed
  return z.object(configSchema.shape).parse(cleaned);
}
