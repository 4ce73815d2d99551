import { z } from 'zod';

/**
 * Environment variables, validated once at boot into one typed object.
 * Nothing else in the code base reads `process.env`.
 */
const booleanish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379/0'),
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/jointcert'),
  GATEWAY_HOST: z.string().min(1).default('0.0.0.0'),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Prefix for every Redis key and channel this deployment uses. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*$/).default('jc:'),
  /** Bounded wait for a service reply before the gateway answers 503. */
  SERVICE_TIMEOUT_MS: z.coerce.number().int().min(50).max(60000).default(5000),
  TRUST_ANCHORS_DIR: z.string().optional(),
  REVOCATION_POLICY: z.enum(['hard-fail', 'soft-fail']).default('hard-fail'),
  DEV_CA_ENABLED: booleanish.default(false),
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
