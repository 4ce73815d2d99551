import { z } from 'zod';
import { canonicalBase64, maxEncodedLength, normaliseWire, WireEncodingError, type WireKind } from './wire-encoding';
import { DOCUMENT_CONTENT_MAX_BYTES, ENCRYPTED_RANDOM_MAX_BYTES, fields, RANDOM_NUM_BYTES, SIGNED_DATA_MAX_BYTES, TRANSFER_FORMAT } from '@jointcert/contracts';

/**
 * The request bodies of the REST API, validated at the edge: a request that
 * fails here never reaches a service. The fields, their sizes and messages
 * are the message contracts' (libs/contracts fields.ts, formats.ts); what is
 * added here is REST's own: objects are strict (unknown fields are refused),
 * signedData and identity.* take the forms Korean clients send
 * (wire-encoding.ts: base64 with line breaks, base64url, PEM, hex) and are
 * normalised here, once, to the standard base64 the services take, a few
 * identifiers have their public format, and every field has its OpenAPI
 * description. The OpenAPI document is generated from these same schemas
 * (openapi/schemas.ts), so the two cannot drift.
 */

/** A binary field in any of the client forms of wire-encoding.ts, normalised to standard base64 (the input schema stays a string). */
export function wireBinary(maxBytes: number, kind: WireKind, exactBytes?: number) {
  return z
    .string()
    .max(maxEncodedLength(maxBytes), { message: `must decode to at most ${maxBytes} bytes` })
    .transform((value, ctx) => {
      try {
        const b64 = normaliseWire(value, maxBytes, kind);
        if (exactBytes !== undefined && Buffer.byteLength(b64, 'base64') !== exactBytes) {
          ctx.addIssue({ code: 'custom', message: `must decode to exactly ${exactBytes} bytes` });
          return z.NEVER;
        }
        return b64;
      } catch (e) {
        if (!(e instanceof WireEncodingError)) throw e;
        ctx.addIssue({ code: 'custom', message: e.message });
        return z.NEVER;
      }
    });
}

/** CMS SignedData, DER or BER: base64 (line breaks allowed), base64url, PEM (PKCS7/CMS) or hex; at most the contracts' SIGNED_DATA_MAX_BYTES decoded. */
export const signedData = wireBinary(SIGNED_DATA_MAX_BYTES, 'cms').meta({
  description:
    `CMS SignedData (DER or BER), at most ${SIGNED_DATA_MAX_BYTES / 1024} KiB decoded, as standard base64 (with or without line breaks), base64url (padded or not), PEM (-----BEGIN PKCS7----- or -----BEGIN CMS-----) or hex; normalised at the gateway`,
});

/** A challenge id as issued by POST /v1/challenges: a UUID or a base64url token. */
export const challengeId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, { message: 'must be the challengeId returned by POST /v1/challenges' })
  .meta({ description: 'The challengeId returned by POST /v1/challenges' });

/** Resident (13 digits) or business (10 digits) registration number; hyphens tolerated. */
export const idn = fields.idn.meta({ description: 'Resident (13 digits) or business (10 digits) registration number; never stored' });

export const identityProof = z
  .strictObject({
    idn,
    randomNum: wireBinary(RANDOM_NUM_BYTES, 'random', RANDOM_NUM_BYTES)
      .optional()
      .meta({ description: 'The 20-byte randomNum R from the private key file, base64 (padded or not) or hex (40 digits)' }),
    encryptedRandom: wireBinary(ENCRYPTED_RANDOM_MAX_BYTES, 'cms')
      .optional()
      .meta({
        description:
          'R encrypted to GET /v1/server-certificate instead: a CMS EnvelopedData, or a vidMsg (DER SEQUENCE { encryptedKey OCTET STRING (RSAES-PKCS1-v1_5 of a 16-byte SEED key), iv OCTET STRING (16), encryptedRandom OCTET STRING (SEED-CBC of R) }); the signedData forms; 422 DECRYPTION_FAILED when it does not decrypt',
      }),
  })
  .refine((i) => (i.randomNum === undefined) !== (i.encryptedRandom === undefined), { message: 'give exactly one of randomNum and encryptedRandom', path: ['randomNum'] })
  .meta({ description: 'Identity proof for the VID check (본인확인); never stored' });

export const email = fields.email;

export const locale = fields.locale.meta({ description: 'The language of emails and pages' });

export const remindersPatch = z
  .strictObject({
    enabled: z.boolean().optional(),
    daysBefore: fields.reminderDays.optional().meta({ description: 'Days before notAfter at which a reminder is sent: 1 to 10 distinct days between 0 and 366, e.g. [30, 7, 1]' }),
  })
  .refine((r) => r.enabled !== undefined || r.daysBefore !== undefined, { message: 'give enabled and/or daysBefore' });

export const registerBody = z.strictObject({
  challengeId,
  signedData,
  email: email.optional(),
  identity: identityProof.optional(),
});

export const signedChallengeBody = z.strictObject({ challengeId, signedData });

export const replaceBody = z.strictObject({ challengeId, signedData, identity: identityProof.optional() });

export const refreshBody = z.strictObject({
  refreshToken: z
    .string()
    .regex(/^[A-Za-z0-9._~+/=-]{16,512}$/, { message: 'must be the refreshToken returned with the session' })
    .meta({ description: 'The refresh token of the current pair; each is usable once' }),
});

const passwordReminderPatch = z
  .strictObject({
    enabled: z.boolean().optional().meta({ description: 'Opt in (true) or out: one email per certificate whose password was not reported changed for intervalDays' }),
    intervalDays: z.int().min(7).max(730).optional().meta({ description: 'Days between password changes before a reminder (default 90)' }),
  })
  .refine((r) => r.enabled !== undefined || r.intervalDays !== undefined, { message: 'give enabled and/or intervalDays' });

export const updateAccountBody = z
  .strictObject({
    email: email.nullable().optional().meta({ description: 'null removes the address (and with it the reminders)' }),
    locale: locale.optional(),
    reminders: remindersPatch.optional(),
    passwordReminder: passwordReminderPatch.optional(),
  })
  .refine((b) => b.email !== undefined || b.locale !== undefined || b.reminders !== undefined || b.passwordReminder !== undefined, {
    message: 'give at least one of email, locale, reminders, passwordReminder',
  });

/** PUT /v1/certificates/{id}/password-changed: when the client changed the certificate password (never the password). */
export const passwordChangedBody = z.strictObject({
  changedAt: z.iso
    .datetime({ offset: true })
    .optional()
    .meta({ description: 'When the password was changed, ISO-8601 (default: now); a time in the future is refused' }),
});

export const verifyDocumentBody = z.strictObject({
  signedData,
  content: fields
    .base64(DOCUMENT_CONTENT_MAX_BYTES)
    .optional()
    .meta({ description: `The signed content, base64, when the signature is detached; at most ${DOCUMENT_CONTENT_MAX_BYTES / 1024 / 1024} MiB decoded (and within the body limit)` }),
});

/**
 * verifyDocumentBody's output for the body nearly every client sends —
 * exactly `{ signedData }`, a plain object whose signedData is standard
 * base64 within the limit, which the schema passes on unchanged
 * (normaliseWire: canonicalBase64) — told without zod (~3 µs a request);
 * undefined for anything else, which the schema then parses (with its
 * errors). The spec checks it against the schema.
 */
export function plainVerifyDocumentBody(value: unknown): VerifyDocumentBody | undefined {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  let keys = 0;
  for (const k in value) {
    if (k !== 'signedData') return undefined;
    keys++;
  }
  const s = (value as { signedData?: unknown }).signedData;
  if (keys !== 1 || typeof s !== 'string' || s.length > maxEncodedLength(SIGNED_DATA_MAX_BYTES) || !canonicalBase64(s, SIGNED_DATA_MAX_BYTES, 'cms')) return undefined;
  return { signedData: s };
}

export const certificateId = z.uuid({ message: 'must be a certificate id (UUID)' });

/** POST /v1/transfers: the sealed bundle (libs/client/src/transfer makes it) under the SHA-256 of its address. */
export const createTransferBody = z.strictObject({
  addressHash: fields.transferAddressHash.meta({ description: `SHA-256 of the first ${TRANSFER_FORMAT.ADDRESS_DIGITS} digits of the code (ASCII), lowercase hex; the server keeps only a keyed hash of it` }),
  ciphertext: fields.transferEnvelope.shape.ciphertext.meta({
    description: `AES-256-GCM ciphertext and tag of the bundle, base64; at most ${TRANSFER_FORMAT.CIPHERTEXT_MAX_BYTES / 1024} KiB decoded (larger: 413)`,
  }),
  salt: fields.transferEnvelope.shape.salt.meta({ description: `scrypt salt, ${TRANSFER_FORMAT.SALT_BYTES} bytes, base64` }),
  nonce: fields.transferEnvelope.shape.nonce.meta({ description: `AES-GCM nonce, ${TRANSFER_FORMAT.NONCE_BYTES} bytes, base64` }),
});

/** POST /v1/transfers/claim: the address half of the code. */
export const claimTransferBody = z.strictObject({
  address: fields.transferAddress.meta({ description: `The first ${TRANSFER_FORMAT.ADDRESS_DIGITS} digits of the 16-digit code; the other ${TRANSFER_FORMAT.CODE_DIGITS - TRANSFER_FORMAT.ADDRESS_DIGITS} never leave the devices` }),
});

export type RegisterBody = z.infer<typeof registerBody>;
export type SignedChallengeBody = z.infer<typeof signedChallengeBody>;
export type ReplaceBody = z.infer<typeof replaceBody>;
export type RefreshBody = z.infer<typeof refreshBody>;
export type UpdateAccountBody = z.infer<typeof updateAccountBody>;
export type PasswordChangedBody = z.infer<typeof passwordChangedBody>;
export type VerifyDocumentBody = z.infer<typeof verifyDocumentBody>;
export type CreateTransferBody = z.infer<typeof createTransferBody>;
export type ClaimTransferBody = z.infer<typeof claimTransferBody>;
