import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { generateSecret, type Base32Plugin, type CryptoPlugin, type HashAlgorithm } from '@otplib/core';
import { generateSync, verifySync } from '@otplib/totp';
import { generateTOTP } from '@otplib/uri';

/**
 * otplib's TOTP (RFC 6238) with node:crypto and a plain RFC 4648 base32,
 * instead of its default plugins (@noble/@scure, ESM-only, which jest's
 * CommonJS runtime cannot load). The algorithm is otplib's.
 */
const nodeCrypto: CryptoPlugin = {
  name: 'node',
  algorithms: ['sha1', 'sha256', 'sha512'],
  hmac: (algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array) => new Uint8Array(createHmac(algorithm, key).update(data).digest()),
  randomBytes: (length: number) => new Uint8Array(randomBytes(length)),
  constantTimeEqual: (a: string | Uint8Array, b: string | Uint8Array) => {
    const x = typeof a === 'string' ? Buffer.from(a) : Buffer.from(a);
    const y = typeof b === 'string' ? Buffer.from(b) : Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  },
};

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const base32: Base32Plugin = {
  name: 'rfc4648',
  encode(data: Uint8Array): string {
    let bits = 0;
    let value = 0;
    let out = '';
    for (const byte of data) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        out += ALPHABET[(value >>> (bits - 5)) & 31];
        bits -= 5;
      }
    }
    if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
    return out;
  },
  decode(str: string): Uint8Array {
    const clean = str.toUpperCase().replace(/=+$/, '').replace(/\s/g, '');
    let bits = 0;
    let value = 0;
    const out: number[] = [];
    for (const ch of clean) {
      const idx = ALPHABET.indexOf(ch);
      if (idx < 0) throw new Error('invalid base32');
      value = (value << 5) | idx;
      bits += 5;
      if (bits >= 8) {
        out.push((value >>> (bits - 8)) & 255);
        bits -= 8;
      }
    }
    return new Uint8Array(out);
  },
};

/** A new base32 secret (20 random bytes, as RFC 4226 recommends for SHA-1). */
export function newTotpSecret(): string {
  return generateSecret({ crypto: nodeCrypto, base32, length: 20 });
}

export function totpUri(issuer: string, label: string, secret: string): string {
  return generateTOTP({ issuer, label, secret });
}

/** The six-digit code at `epochS` (Unix seconds). */
export function totpCode(secret: string, epochS: number): string {
  return generateSync({ secret, epoch: epochS, crypto: nodeCrypto, base32 });
}

/** The time step a code matches within ±toleranceS of `epochS`, or null. */
export function totpTimeStep(secret: string, code: string, epochS: number, toleranceS: number): number | null {
  const result = verifySync({ secret, token: code, epoch: epochS, epochTolerance: toleranceS, crypto: nodeCrypto, base32 });
  return result.valid ? result.timeStep : null;
}
