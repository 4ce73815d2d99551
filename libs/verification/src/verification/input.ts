/**
 * Binary fields at the verifier's edge, decoded strictly (libs/pki
 * decodeBase64: no stray characters, right padding) once the contract's schema
 * (libs/contracts, checked by @Handles) has accepted the request and its
 * sizes; for the canonical text that check has just decoded, its bytes
 * are taken from it instead (libs/contracts takeRememberedBase64). Anything
 * wrong is MALFORMED_INPUT in the one shape (libs/common malformedField) with
 * a typed reason, PAYLOAD_TOO_LARGE past `maxBytes`, never a 500.
 */
import { DomainError, malformedField } from '@jointcert/common';
import { takeRememberedBase64 } from '@jointcert/contracts';
import { decodeBase64, isPkiError } from '@jointcert/pki';

export function decodeField(value: string, field: string, maxBytes: number): Buffer {
  // the schema's check has usually just decoded this very text (libs/contracts base64.ts): its bytes, else decoded here
  let out = takeRememberedBase64(value);
  if (out === undefined) {
    try {
      out = decodeBase64(value, maxBytes);
    } catch (e) {
      const code = isPkiError(e) ? e.code : 'MALFORMED_BASE64';
      if (code === 'INPUT_TOO_LARGE') throw tooLarge(field, maxBytes);
      throw malformedField(field, 'is not valid base64', { reason: 'MALFORMED_BASE64' });
    }
  } else if (out.length > maxBytes) throw tooLarge(field, maxBytes);
  if (out.length === 0) throw malformedField(field, 'is empty', { reason: 'EMPTY' });
  return out;
}

function tooLarge(field: string, maxBytes: number): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', `${field} is larger than ${maxBytes} bytes`, { field, reason: 'INPUT_TOO_LARGE' });
}

/** A message that is no CMS SignedData at all (libs/pki reason MALFORMED, message level). */
export function notCms(cause: unknown): DomainError {
  return malformedField('signedData', 'is not a CMS SignedData', { reason: 'MALFORMED', ...(cause ? { cause } : {}) });
}
