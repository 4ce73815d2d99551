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
    GATEWAY_HOST: z.string().min(1).default('0.0.0.0'),
    GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Prefix for every Redis key and channel this deployment uses. */
    REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*$/).default('jc:'),
    /** Bounded wait for a service reply before the gateway answers 503. */
    SERVICE_TIMEOUT_MS: z.coerce.number().int().min(50).max(60000).default(5000),

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
    /** Accepted certificate types: selectors such as personal/general, corporate/*, yessign, or policy OIDs. */
    ACCEPTED_CERT_TYPES: list.default(['personal/general', 'corporate/general']),
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
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV !== 'production') return;
    for (const key of ['ACCESS_TOKEN_SECRET', 'IDENTITY_HMAC_KEY'] as const) {
      if (c[key] === DEV_SECRET) ctx.addIssue({ code: 'custom', path: [key], message: 'must be set in production' });
    }
    if (c.DEV_CA_ENABLED) ctx.addIssue({ code: 'custom', path: ['DEV_CA_ENABLED'], message: 'the development CA never runs in production' });
  });

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parse and validate an environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return result.data;
}
