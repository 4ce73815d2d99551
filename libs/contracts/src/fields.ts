/**
 * The fields the message schemas are made of (api.ts), one definition each:
 * the services parse every message with them (libs/common parseMessage), the
 * gateway builds its REST bodies from them and adds only what is REST's own
 * (unknown keys refused, the client encodings of binary fields, OpenAPI
 * metadata). Messages name expectations, never the value received.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { isCanonicalBase64 } from './base64';
import { ENCRYPTED_RANDOM_MAX_BYTES, RANDOM_NUM_BYTES, SIGNED_DATA_MAX_BYTES, TRANSFER_FORMAT } from './formats';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Whether `s` matches BASE64. Canonical base64 (what every encoder writes) is
 * recognised by a native decode and re-encode (base64.ts: the text the gateway
 * has just checked is recognised by a comparison, and its handler takes the
 * bytes), a few µs for a signedData where the expression takes tens; anything
 * else (non-zero padding bits, stray characters) is left to the expression,
 * so the accepted set is its.
 */
function isBase64(s: string): boolean {
  return isCanonicalBase64(s) || BASE64.test(s);
}

/** Decoded length of a padded base64 string (assumes BASE64 matched). */
function decodedLength(s: string): number {
  return (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
}

/** Standard padded base64 of at most `maxBytes` decoded bytes (and at least `minBytes`). */
export function base64(maxBytes: number, minBytes = 1) {
  return z
    .string()
    .max(Math.ceil(maxBytes / 3) * 4, { message: `must decode to at most ${maxBytes} bytes`, abort: true })
    .refine(isBase64, { message: 'must be standard base64 (A-Z a-z 0-9 + /, padded with =)', abort: true })
    .meta({ pattern: BASE64.source }) // JSON Schema (OpenAPI) shows the rule as `.regex()` did
    .refine((s) => decodedLength(s) <= maxBytes, { message: minBytes === maxBytes ? `must decode to exactly ${maxBytes} bytes` : `must decode to at most ${maxBytes} bytes` })
    .refine((s) => decodedLength(s) >= minBytes, { message: minBytes === maxBytes ? `must decode to exactly ${maxBytes} bytes` : minBytes === 1 ? 'must not be empty' : `must decode to at least ${minBytes} bytes` });
}

/** A CMS SignedData (DER or BER), standard base64, at most SIGNED_DATA_MAX_BYTES decoded. */
export const signedData = base64(SIGNED_DATA_MAX_BYTES);

/** Who is calling, as the gateway saw it (audit and rate limiting); the user agent is cut to 512 characters. */
export const clientInfo = z.object({
  ip: z
    .string()
    .max(64)
    .refine((v) => isIP(v) !== 0, 'must be an IP address'),
  userAgent: z
    .string()
    .transform((v) => v.slice(0, 512))
    .optional(),
});

/** The authenticated caller (from a verified access token). */
export const caller = z.object({ accountId: z.uuid(), sessionId: z.uuid() });

/** Challenge ids are issued as UUIDs; anything else names no challenge (CHALLENGE_UNKNOWN, not a Redis lookup). */
export const challengeId = z.string().min(1).max(64);

export const email = z.email({ message: 'must be an email address' }).max(254);

/** Locales the frontends are translated into. */
export const LOCALES = ['ko', 'en'] as const;
export const locale = z.enum(LOCALES, { message: `must be one of ${LOCALES.join(', ')}` });

/** Expiry reminder days: 1–10 distinct whole days between 0 and 366 before notAfter, stored largest first. */
export const reminderDays = z
  .array(z.int().min(0).max(366))
  .min(1)
  .max(10)
  .refine((days) => new Set(days).size === days.length, { message: 'must not repeat a day' })
  .transform((days) => [...days].sort((a, b) => b - a));

/** Six TOTP digits, or a recovery code (xxxx-xxxx). */
export const totpCode = z.string().regex(/^\d{6}$|^[0-9a-z]{4}-[0-9a-z]{4}$/, { message: 'must be six digits or a recovery code' });

/** Resident (13 digits) or business (10 digits) registration number; hyphens tolerated. */
export const idn = z.string().regex(/^(?:\d{6}-?\d{7}|\d{3}-?\d{2}-?\d{5})$/, { message: 'must be a 13-digit resident or 10-digit business registration number (digits, optional hyphens)' });

/** Identity proof for the VID check (본인확인): exactly one of randomNum and encryptedRandom. */
export const identityProof = z
  .object({
    idn,
    randomNum: base64(RANDOM_NUM_BYTES, RANDOM_NUM_BYTES).optional(),
    encryptedRandom: base64(ENCRYPTED_RANDOM_MAX_BYTES).optional(),
  })
  .refine((i) => (i.randomNum === undefined) !== (i.encryptedRandom === undefined), { message: 'give exactly one of randomNum and encryptedRandom', path: ['randomNum'] });

export const transferAddressHash = z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be the SHA-256 of the address digits, lowercase hex' });
export const transferAddress = z
  .string()
  .regex(new RegExp(`^[0-9]{${TRANSFER_FORMAT.ADDRESS_DIGITS}}$`), { message: `must be the first ${TRANSFER_FORMAT.ADDRESS_DIGITS} digits of the code` });

/** A sealed transfer bundle: AES-256-GCM ciphertext with its 16-byte tag (at least one byte of plaintext), the KDF salt, the nonce. */
export const transferEnvelope = z.object({
  ciphertext: base64(TRANSFER_FORMAT.CIPHERTEXT_MAX_BYTES, 17),
  salt: base64(TRANSFER_FORMAT.SALT_BYTES, TRANSFER_FORMAT.SALT_BYTES),
  nonce: base64(TRANSFER_FORMAT.NONCE_BYTES, TRANSFER_FORMAT.NONCE_BYTES),
});
