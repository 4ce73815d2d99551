import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({});
    expect(c.GATEWAY_PORT).toBe(3000);
    expect(c.REVOCATION_POLICY).toBe('hard-fail');
    expect(c.DEV_CA_ENABLED).toBe(false);
  });

  it('coerces and validates', () => {
    expect(loadConfig({ GATEWAY_PORT: '8080', DEV_CA_ENABLED: 'yes' })).toMatchObject({ GATEWAY_PORT: 8080, DEV_CA_ENABLED: true });
  });

  it('GATEWAY_WORKERS: 1 by default (one process), a number of workers, or auto (one per CPU); nothing else', () => {
    expect(loadConfig({}).GATEWAY_WORKERS).toBe(1);
    expect(loadConfig({ GATEWAY_WORKERS: '4' }, 'gateway').GATEWAY_WORKERS).toBe(4);
    expect(loadConfig({ GATEWAY_WORKERS: 'auto' }, 'gateway').GATEWAY_WORKERS).toBe(availableParallelism());
    for (const bad of ['0', '-1', '2.5', '100', 'all']) expect(() => loadConfig({ GATEWAY_WORKERS: bad }, 'gateway')).toThrow(/GATEWAY_WORKERS: a number of worker processes/);
    // read by the gateway only
    expect(loadConfig({ GATEWAY_WORKERS: 'all' }, 'registry').GATEWAY_WORKERS).toBe(1);
  });

  it('refuses bad values naming each variable', () => {
    try {
      loadConfig({ GATEWAY_PORT: '99999', REVOCATION_POLICY: 'maybe' });
      throw new Error('expected ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as ConfigError).message;
      expect(msg).toContain('GATEWAY_PORT');
      expect(msg).toContain('REVOCATION_POLICY');
    }
  });
});

describe('loadConfig: lists, secrets and production rules', () => {
  it('parses comma lists', () => {
    const c = loadConfig({ ACCEPTED_CERT_TYPES: 'personal/general, yessign ,', REVOCATION_ORDER: 'crl,ocsp', REMINDER_DAYS: '14,3' });
    expect(c.ACCEPTED_CERT_TYPES).toEqual(['personal/general', 'yessign']);
    expect(c.REVOCATION_ORDER).toEqual(['crl', 'ocsp']);
    expect(c.REMINDER_DAYS).toEqual([14, 3]);
    expect(() => loadConfig({ REVOCATION_ORDER: 'ocsp,dns' })).toThrow(/REVOCATION_ORDER/);
  });

  it('refuses short secrets anywhere and development secrets in production', () => {
    expect(() => loadConfig({ ACCESS_TOKEN_SECRET: 'short' })).toThrow(/ACCESS_TOKEN_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ACCESS_TOKEN_SECRET[\s\S]*IDENTITY_HMAC_KEY/);
    const secret = 'x'.repeat(40);
    const all = { ACCESS_TOKEN_SECRET: secret, IDENTITY_HMAC_KEY: secret, TOTP_ENCRYPTION_KEY: secret, UNSUBSCRIBE_SECRET: secret };
    expect(loadConfig({ NODE_ENV: 'production', ...all }).NODE_ENV).toBe('production');
    expect(() => loadConfig({ NODE_ENV: 'production', ...all, TOTP_ENCRYPTION_KEY: undefined })).toThrow(/TOTP_ENCRYPTION_KEY: must be set in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', ...all, UNSUBSCRIBE_SECRET: undefined })).toThrow(/UNSUBSCRIBE_SECRET: must be set in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', ...all, DEV_CA_ENABLED: 'true' })).toThrow(/DEV_CA_ENABLED/);
  });
});
