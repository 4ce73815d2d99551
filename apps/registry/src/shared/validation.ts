import { isIP } from 'node:net';
import { z } from 'zod';
import { DomainError } from '@jointcert/common';
import type { Envelope } from '@jointcert/contracts';

/**
 * Every message is validated again here, whatever the gateway checked: the
 * registry is the owner of its data and trusts no caller with its shape.
 * A bad payload is MALFORMED_INPUT naming the fields, never echoing values.
 */
export function parsePayload<S extends z.ZodType>(schema: S, envelope: unknown): z.infer<S> {
  const data = (envelope as Partial<Envelope<unknown>> | null)?.data;
  const result = schema.safeParse(data);
  if (!result.success) {
    const fields = result.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
    throw new DomainError('MALFORMED_INPUT', `invalid request: ${fields.slice(0, 5).join('; ')}`, { fields: result.error.issues.map((i) => i.path.join('.')) });
  }
  return result.data;
}

/** Standard base64 (padding optional), bounded. */
export const base64 = (maxChars: number) =>
  z
    .string()
    .min(1)
    .max(maxChars)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');

/** A CMS SignedData: the gateway's body limit is 256 KiB, so this is never the binding limit. */
export const signedDataSchema = base64(350_000);

export const clientSchema = z.object({
  ip: z.string().max(64).refine((v) => isIP(v) !== 0, 'must be an IP address'),
  userAgent: z
    .string()
    .optional()
    .transform((v) => (v === undefined ? undefined : v.slice(0, 512))),
});

export const callerSchema = z.object({
  accountId: z.uuid(),
  sessionId: z.uuid(),
});

export const identitySchema = z
  .object({
    idn: z.string().min(1).max(32).regex(/^[0-9\s-]+$/, 'must be digits (hyphens allowed)'),
    randomNum: base64(64).optional(),
    /** R encrypted to the server KM certificate; the verifier decrypts it. */
    encryptedRandom: base64(16 * 1024).optional(),
  })
  .refine((i) => (i.randomNum === undefined) !== (i.encryptedRandom === undefined), { message: 'give exactly one of randomNum and encryptedRandom' });

/** Challenge ids are UUIDs; anything else names no challenge (CHALLENGE_UNKNOWN, not a Redis lookup). */
export const challengeIdSchema = z.string().min(1).max(64);
