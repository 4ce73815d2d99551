import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, configSchema, loadConfig, SERVICE_NAMES, servicesReading } from './config';

const ROOT = resolve(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.spec.ts') ? [p] : [];
  });
}

describe('configuration per service', () => {
  it('every variable an app reads (config.X in apps/<app>/src) is one that app validates', () => {
    const keys = Object.keys(configSchema.shape);
    for (const app of SERVICE_NAMES) {
      const read = new Set(sources(join(ROOT, 'apps', app, 'src')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\bconfig\.([A-Z][A-Z0-9_]+)\b/g)].map((m) => m[1]!)));
      for (const key of read) {
        expect(keys).toContain(key);
        expect([key, servicesReading(key)]).toEqual([key, expect.arrayContaining([app])]);
      }
    }
  });

  it('the verifier and the notifier need no token secrets in production', () => {
    const env = { NODE_ENV: 'production', ACCESS_TOKEN_SECRET: '', IDENTITY_HMAC_KEY: undefined };
    expect(() => loadConfig(env, 'verifier')).not.toThrow();
    // the notifier's one secret is its own: the key of unsubscribe links
    expect(() => loadConfig(env, 'notifier')).toThrow(/UNSUBSCRIBE_SECRET: must be set in production/);
    expect(() => loadConfig({ ...env, UNSUBSCRIBE_SECRET: 'u'.repeat(32) }, 'notifier')).not.toThrow();
    expect(() => loadConfig(env, 'registry')).toThrow(/IDENTITY_HMAC_KEY: must be set in production/);
    expect(() => loadConfig(env, 'gateway')).toThrow(/ACCESS_TOKEN_SECRET: must be set in production/);
    expect(() => loadConfig(env)).toThrow(ConfigError);
  });

  it("a service ignores (and does not validate) the variables it does not read", () => {
    const env = { GATEWAY_PORT: 'not-a-port', REVOCATION_POLICY: 'soft-fail', DEV_CA_ENABLED: 'true' };
    const verifier = loadConfig(env, 'verifier');
    expect(verifier.REVOCATION_POLICY).toBe('soft-fail');
    expect(verifier.GATEWAY_PORT).toBe(3000);
    expect(verifier.DEV_CA_ENABLED).toBe(false);
    expect(() => loadConfig(env, 'gateway')).toThrow(/GATEWAY_PORT/);
    expect(() => loadConfig(env)).toThrow(/GATEWAY_PORT/);
  });

  it('a variable not in READ_BY is read by every service', () => {
    expect(servicesReading('LOG_LEVEL')).toEqual(SERVICE_NAMES);
    expect(servicesReading('NO_SUCH_VARIABLE')).toEqual(SERVICE_NAMES);
    for (const s of SERVICE_NAMES) expect(loadConfig({ LOG_LEVEL: 'debug' }, s).LOG_LEVEL).toBe('debug');
  });
});
