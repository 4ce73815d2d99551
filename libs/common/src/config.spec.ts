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
