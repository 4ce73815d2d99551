/**
 * Binary fields at the verifier's edge, decoded strictly (libs/pki
 * decodeBase64: no stray characters, right padding) once the contract's schema
 * (libs/contracts, checked by @Handles) has accepted the request and its
 * sizes. Anything wrong is MALFORMED_INPUT in the one shape (libs/common
 * malformedField) with a typed reason, PAYLOAD_TOO_LARGE past `maxBytes`,
 * never a 500.
 */
import { DomainError, malformedField } from '@jointcert/common';
import { decodeBase64, isPkiError } from '@jointcert/pki';

export function decodeField(value: string, field: string, maxBytes: number): Buffer {
  let out: Buffer;
  try {
    out = decodeBase64(value, maxBytes);
  } catch (e) {
    const code = isPkiError(e) ? e.code : 'MALFORMED_BASE64';
    if (code === 'INPUT_TOO_LARGE') throw new DomainError('PAYLOAD_TOO_LARGE', `${field} is larger than ${maxBytes} bytes`, { field, reason: code });
    throw malformedField(field, 'is not valid base64', { reason: 'MALFORMED_BASE64' });
  }
  if (out.length === 0) throw malformedField(field, 'is empty', { reason: 'EMPTY' });
  return out;
}

/** A message that is no CMS SignedData at all (libs/pki reason MALFORMED, message level). */
export function notCms(cause: unknown): DomainError {
  return malformedField('signedData', 'is not a CMS SignedData', { reason: 'MALFORMED', ...(cause ? { cause } : {}) });
}
