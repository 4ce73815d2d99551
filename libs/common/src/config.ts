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
    /** Key (≥ 32 characters) from which the AES-256-GCM key of TOTP secrets at rest is derived. Required in production. */
    TOTP_ENCRYPTION_KEY: z.string().min(32).default(DEV_SECRET),

    // --- verification
    /** Directory of trusted root certificates (PEM/DER files). */
    TRUST_ANCHORS_DIR: z.string().optional(),
    /** Directory of intermediate CA certificates offered to path building (PEM/DER files). */
    INTERMEDIATES_DIR: z.string().optional(),
    /** Accepted certificate types: selectors such as personal/general, corporate/*, yessign, or policy OIDs. */
    ACCEPTED_CERT_TYPES: list.default(['personal/general', 'corporate/general']),
    /** How the registry reaches the verifier: over the transport (remote), or its use case in the registry's own process (in-process; the registry then needs the verifier's configuration: trust anchors, revocation). */
    VERIFIER_MODE: z.enum(['remote', 'in-process']).default('remote'),
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
    if (c.TOTP_ENCRYPTION_KEY === DEV_SECRET) ctx.addIssue({ code: 'custom', path: ['TOTP_ENCRYPTION_KEY'], message: 'must be set in production' });
    if (c.DEV_CA_ENABLED) ctx.addIssue({ code: 'custom', path: ['DEV_CA_ENABLED'], message: 'the development CA never runs in production' });
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
  SERVICE_TIMEOUT_MS: ['gateway', 'registry', 'notifier'],
  CORS_ORIGINS: ['gateway'],
  BODY_LIMIT_BYTES: ['gateway'],
  TRUST_PROXY: ['gateway'],
  RATE_LIMIT_PER_IP: ['gateway'],
  RATE_LIMIT_PER_CERT: ['registry'],
  METRICS_ENABLED: ['gateway'],
  ACCESS_TOKEN_SECRET: ['gateway', 'registry'],
  ACCESS_TOKEN_TTL_S: ['gateway', 'registry'],
  REFRESH_TOKEN_TTL_S: ['registry'],
  CHALLENGE_TTL_S: ['registry'],
  IDENTITY_HMAC_KEY: ['registry'],
  TRUST_ANCHORS_DIR: ['verifier'],
  INTERMEDIATES_DIR: ['verifier'],
  ACCEPTED_CERT_TYPES: ['verifier'],
  REVOCATION_POLICY: ['verifier'],
  REVOCATION_ORDER: ['verifier'],
  FETCH_ALLOW_HOSTS: ['verifier'],
  FETCH_ALLOW_PRIVATE: ['verifier'],
  FETCH_TIMEOUT_MS: ['verifier'],
  OCSP_MAX_BYTES: ['verifier'],
  CRL_MAX_BYTES: ['verifier'],
  REVOCATION_SKEW_S: ['verifier'],
  DEV_CA_ENABLED: ['dev-ca'],
  DEV_CA_HOST: ['dev-ca'],
  DEV_CA_PORT: ['dev-ca'],
  DEV_CA_DATA_DIR: ['dev-ca'],
  DEV_CA_PUBLIC_URL: ['dev-ca'],
  SMTP_URL: ['notifier'],
  MAIL_FROM: ['notifier'],
  REMINDER_CRON: ['notifier'],
  REMINDER_DAYS: ['registry', 'notifier'],
  TOTP_ENCRYPTION_KEY: ['registry'],
};

/** The services that read `key`. */
export function servicesReading(key: string): readonly ServiceName[] {
  return READ_BY[key as keyof AppConfig] ?? SERVICE_NAMES;
}

const reads = (key: string, service: ServiceName | undefined) => service === undefined || servicesReading(key).includes(service);

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
 * defaults.
 */
export function loadConfig(env: Record<string, string | undefined>, service?: ServiceName): AppConfig {
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
