/**
 * Request payloads at the verifier's edge: shape-checked (zod) and base64
 * decoded strictly (libs/pki decodeBase64: no stray characters, right padding).
 * Anything wrong is MALFORMED_INPUT (PAYLOAD_TOO_LARGE past the size limits)
 * naming the field, never a 500.
 */
import { z } from 'zod';
import { DomainError } from '@jointcert/common';
import type { VerifyChallengeRequest, VerifyDocumentRequest } from '@jointcert/contracts';
import { decodeBase64, isPkiError } from '@jointcert/pki';

/** Largest CMS message accepted (the CMS parser's own limit is the same). */
export const MAX_SIGNED_DATA_BYTES = 1024 * 1024;
/** Largest detached document content. */
export const MAX_CONTENT_BYTES = 16 * 1024 * 1024;

const identity = z
  .object({ idn: z.string().min(1).max(32), randomNum: z.string().min(1).max(256).optional(), encryptedRandom: z.string().min(1).max(32 * 1024).optional() })
  .refine((i) => (i.randomNum === undefined) !== (i.encryptedRandom === undefined), { message: 'give exactly one of randomNum and encryptedRandom' });

export const verifyChallengeSchema = z.object({
  signedData: z.string().min(1),
  expectedContent: z.string().min(1).max(4096),
  identity: identity.optional(),
  purpose: z.enum(['register', 'login', 'replace']),
  signerCertificates: z.array(z.string().min(1).max(22 * 1024)).max(4).optional(),
});

export const verifyDocumentSchema = z.object({
  signedData: z.string().min(1),
  content: z.string().optional(),
});

function parse<T>(schema: z.ZodType<T>, data: unknown): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.join('.') || '(payload)';
  throw new DomainError('MALFORMED_INPUT', `${field}: ${issue?.message ?? 'invalid'}`, { field, reason: 'INVALID_FIELD' });
}

export function parseChallengeRequest(data: unknown): VerifyChallengeRequest {
  return parse(verifyChallengeSchema, data);
}

export function parseDocumentRequest(data: unknown): VerifyDocumentRequest {
  return parse(verifyDocumentSchema, data);
}

export function decodeField(value: string, field: string, maxBytes: number): Buffer {
  let out: Buffer;
  try {
    out = decodeBase64(value, maxBytes);
  } catch (e) {
    const code = isPkiError(e) ? e.code : 'MALFORMED_BASE64';
    if (code === 'INPUT_TOO_LARGE') throw new DomainError('PAYLOAD_TOO_LARGE', `${field} is larger than ${maxBytes} bytes`, { field, reason: code });
    throw new DomainError('MALFORMED_INPUT', `${field} is not valid base64`, { field, reason: 'MALFORMED_BASE64' });
  }
  if (out.length === 0) throw new DomainError('MALFORMED_INPUT', `${field} is empty`, { field, reason: 'EMPTY' });
  return out;
}
