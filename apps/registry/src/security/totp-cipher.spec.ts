import { loadConfig } from '@jointcert/common';
import { newTotpSecret, totpCode, totpTimeStep, totpUri } from './otp';
import { newRecoveryCodes, TotpCipher } from './totp-cipher';

describe('TotpCipher', () => {
  const cipher = new TotpCipher(loadConfig({ TOTP_ENCRYPTION_KEY: 'k'.repeat(40) }));
  const account = '0b7f3c2a-5d41-4e8b-9c6f-2a1d3e4f5a6b';

  it('round-trips a secret, never storing it in clear, with a fresh IV each time', () => {
    const a = cipher.encrypt(account, 'JBSWY3DPEHPK3PXP');
    const b = cipher.encrypt(account, 'JBSWY3DPEHPK3PXP');
    expect(a.equals(b)).toBe(false);
    expect(a.toString('latin1')).not.toContain('JBSWY3DPEHPK3PXP');
    expect(cipher.decrypt(account, a)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses another account, a tampered byte and another key', () => {
    const stored = cipher.encrypt(account, 'JBSWY3DPEHPK3PXP');
    expect(() => cipher.decrypt('11111111-1111-4111-8111-111111111111', stored)).toThrow();
    const tampered = Buffer.from(stored);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => cipher.decrypt(account, tampered)).toThrow();
    expect(() => new TotpCipher(loadConfig({ TOTP_ENCRYPTION_KEY: 'j'.repeat(40) })).decrypt(account, stored)).toThrow();
  });

  it('ten distinct recovery codes, hashed per account, case-insensitively', () => {
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}$/);
    expect(cipher.hashRecoveryCode(account, codes[0]!)).toBe(cipher.hashRecoveryCode(account, codes[0]!.toUpperCase()));
    expect(cipher.hashRecoveryCode(account, codes[0]!)).not.toBe(cipher.hashRecoveryCode('11111111-1111-4111-8111-111111111111', codes[0]!));
  });
});

describe('otp (otplib with node:crypto)', () => {
  // RFC 6238 appendix B, SHA-1, secret "12345678901234567890" (base32 below), 8 digits there: the last 6 here
  const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  it('matches the RFC 6238 test vectors and finds the time step within the tolerance', () => {
    expect(totpCode(rfcSecret, 59)).toBe('287082');
    expect(totpCode(rfcSecret, 1111111109)).toBe('081804');
    expect(totpCode(rfcSecret, 1234567890)).toBe('005924');
    expect(totpTimeStep(rfcSecret, '005924', 1234567890, 30)).toBe(Math.floor(1234567890 / 30));
    expect(totpTimeStep(rfcSecret, '005924', 1234567890 + 30, 30)).toBe(Math.floor(1234567890 / 30));
    expect(totpTimeStep(rfcSecret, '005924', 1234567890 + 90, 30)).toBeNull();
    expect(totpTimeStep(rfcSecret, '005925', 1234567890, 30)).toBeNull();
  });

  it('new secrets are 160-bit base32 and give otpauth URIs', () => {
    const s = newTotpSecret();
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(totpUri('jointcert', 'acct', s)).toBe(`otpauth://totp/jointcert:acct?secret=${s}&issuer=jointcert`);
    expect(totpTimeStep(s, totpCode(s, 1_800_000_000), 1_800_000_000, 30)).toBe(60_000_000);
  });
});
