import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { AppConfig } from '@jointcert/common';

const VERSION = 1;

/**
 * TOTP secrets at rest: AES-256-GCM under a key derived (HKDF-SHA256) from
 * TOTP_ENCRYPTION_KEY, the account id as associated data (a secret copied to
 * another account's row does not decrypt). Layout: version(1) | iv(12) |
 * tag(16) | ciphertext. Recovery codes are kept only as HMAC-SHA256 under a
 * second derived key.
 */
export class TotpCipher {
  private readonly encKey: Buffer;
  private readonly hashKey: Buffer;

  constructor(config: Pick<AppConfig, 'TOTP_ENCRYPTION_KEY'>) {
    const ikm = Buffer.from(config.TOTP_ENCRYPTION_KEY, 'utf8');
    this.encKey = Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), 'jointcert totp secret v1', 32));
    this.hashKey = Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), 'jointcert recovery code v1', 32));
  }

  encrypt(accountId: string, secret: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    cipher.setAAD(Buffer.from(accountId, 'utf8'));
    const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ct]);
  }

  decrypt(accountId: string, stored: Buffer): string {
    if (stored[0] !== VERSION) throw new Error(`unknown TOTP secret format ${stored[0]}`);
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, stored.subarray(1, 13));
    decipher.setAAD(Buffer.from(accountId, 'utf8'));
    decipher.setAuthTag(stored.subarray(13, 29));
    return Buffer.concat([decipher.update(stored.subarray(29)), decipher.final()]).toString('utf8');
  }

  hashRecoveryCode(accountId: string, code: string): string {
    return createHmac('sha256', this.hashKey).update(`${accountId}:${code.toLowerCase()}`).digest('hex');
  }
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Ten recovery codes, xxxx-xxxx from a 32-letter alphabet (40 bits each). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: 10 }, () => {
    const bytes = randomBytes(8);
    const chars = Array.from(bytes, (b) => ALPHABET[b % 32]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4)}`;
  });
}
