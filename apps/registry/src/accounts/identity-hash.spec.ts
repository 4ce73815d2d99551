import { loadConfig } from '@jointcert/common';
import { IdentityHasher } from './identity-hash';

describe('IdentityHasher', () => {
  const hasher = new IdentityHasher(loadConfig({ IDENTITY_HMAC_KEY: 'k'.repeat(40) }));

  it('is a keyed hash of the normalised number: hyphens and spaces do not matter, the key does', () => {
    const h = hasher.hash('800101-1234567');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hasher.hash('8001011234567')).toBe(h);
    expect(hasher.hash(' 800101 1234567 ')).toBe(h);
    expect(hasher.hash('8001011234568')).not.toBe(h);
    expect(new IdentityHasher(loadConfig({ IDENTITY_HMAC_KEY: 'j'.repeat(40) })).hash('8001011234567')).not.toBe(h);
    expect(h).not.toContain('8001011234567');
  });

  it('refuses what is not an identity number', () => {
    expect(() => hasher.hash('12345')).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }) as Error);
  });
});
