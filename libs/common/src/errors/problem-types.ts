/**
 * The one table of problem types (RFC 9457), in the style of smallstep's
 * `acme/errors.go`: a stable code → HTTP status, short title and type URI.
 * Services throw `DomainError(code, detail)`; the gateway renders it from here.
 *
 * Decisions worth knowing:
 * - CHALLENGE_EXPIRED is 400, not 410: the request URL (e.g. /v1/sessions) is
 *   not what is gone; the challenge named in the body is unusable, and the
 *   client's remedy is the same as for CHALLENGE_UNKNOWN (fetch a new one).
 * - REVOCATION_UNKNOWN is 503, not 422: under hard-fail it means we could not
 *   find out (responder down, CRL stale), which is nothing the client's input
 *   can fix and usually passes; retrying later may succeed, and operators see
 *   it among the 5xx. "Revoked" is a definite answer and stays 422.
 */
export const PROBLEM_TYPES = {
  MALFORMED_INPUT: { status: 400, title: 'Malformed input' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  CHALLENGE_EXPIRED: { status: 400, title: 'Challenge expired' },
  CHALLENGE_UNKNOWN: { status: 400, title: 'Challenge unknown' },
  /** Unsubscribe link: not one we signed (or for no account). */
  UNSUBSCRIBE_TOKEN_INVALID: { status: 400, title: 'Unsubscribe link invalid' },
  /** Unsubscribe link: past its expiry (400 like CHALLENGE_EXPIRED: the link, not the URL, is unusable). */
  UNSUBSCRIBE_TOKEN_EXPIRED: { status: 400, title: 'Unsubscribe link expired' },
  /** The deletion link of an unused-certificate notice: not one we signed. */
  DELETE_LINK_INVALID: { status: 400, title: 'Deletion link invalid' },
  /** The deletion link is past its expiry (DELETE_LINK_TTL_S). */
  DELETE_LINK_EXPIRED: { status: 400, title: 'Deletion link expired' },
  /** The deletion link no longer fits the certificate (`reason`: DELETED — already used, USED_AGAIN — logged in since the notice, NOT_ACTIVE). */
  DELETE_LINK_OUTDATED: { status: 409, title: 'Deletion link outdated' },
  SIGNATURE_INVALID: { status: 422, title: 'Signature invalid' },
  /** The signature may be fine, but what it signs is not this challenge (nonce, textToSign, template). */
  CONTENT_MISMATCH: { status: 422, title: 'Signed content does not match the challenge' },
  CHAIN_UNTRUSTED: { status: 422, title: 'Certificate chain untrusted' },
  CERT_EXPIRED: { status: 422, title: 'Certificate expired' },
  CERT_REVOKED: { status: 422, title: 'Certificate revoked' },
  REVOCATION_UNKNOWN: { status: 503, title: 'Revocation status unknown' },
  POLICY_NOT_ACCEPTED: { status: 422, title: 'Certificate policy not accepted' },
  VID_MISMATCH: { status: 422, title: 'Identity does not match the certificate' },
  /** identity.encryptedRandom did not decrypt under the server KM key (one answer whatever failed: no padding oracle). */
  DECRYPTION_FAILED: { status: 422, title: 'Encrypted value could not be decrypted' },
  CERT_ALREADY_REGISTERED: { status: 409, title: 'Certificate already registered' },
  CERT_NOT_REGISTERED: { status: 401, title: 'Certificate not registered' },
  /** Login with a certificate its holder locked as lost (POST /v1/certificates/{id}/lock). */
  CERT_LOCKED: { status: 401, title: 'Certificate locked' },
  /** The account has a second factor and this action needs a fresh code (X-TOTP-Code): the frontend asks for it. */
  TOTP_REQUIRED: { status: 403, title: 'Second-factor code required' },
  /** The code is wrong, already used, or from a window long past (`reason` says which when known). */
  TOTP_INVALID: { status: 403, title: 'Second-factor code invalid' },
  /** Enrolling while a confirmed second factor exists: disable it first. */
  TOTP_ALREADY_ENABLED: { status: 409, title: 'Second factor already enabled' },
  /** Replace: the new certificate is not an acceptable successor of the old one (`reason` says which rule). */
  CERT_NOT_SUCCESSOR: { status: 422, title: 'Certificate is not a successor' },
  UNAUTHENTICATED: { status: 401, title: 'Unauthenticated' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  /** Device transfer: no live transfer at this address (wrong code, already claimed or expired: indistinguishable on purpose). */
  TRANSFER_NOT_FOUND: { status: 404, title: 'Transfer not found' },
  /** Device transfer: another live transfer uses this address; make a new code. */
  TRANSFER_ADDRESS_IN_USE: { status: 409, title: 'Transfer address in use' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_TYPES;

export const PROBLEM_TYPE_BASE = 'https://jointcert.dev/problems/';

export interface ProblemType {
  code: ProblemCode;
  status: number;
  title: string;
  /** e.g. https://jointcert.dev/problems/cert-already-registered */
  type: string;
}

export function isProblemCode(value: unknown): value is ProblemCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PROBLEM_TYPES, value);
}

export function problemType(code: ProblemCode): ProblemType {
  const { status, title } = PROBLEM_TYPES[code];
  return { code, status, title, type: PROBLEM_TYPE_BASE + code.toLowerCase().replace(/_/g, '-') };
}

/** The code for an HTTP status that did not come from a DomainError (Nest/Fastify errors). */
export function codeForStatus(status: number): ProblemCode {
  switch (status) {
    case 400: return 'MALFORMED_INPUT';
    case 401: return 'UNAUTHENTICATED';
    case 403: return 'FORBIDDEN';
    case 404: return 'NOT_FOUND';
    case 413: return 'PAYLOAD_TOO_LARGE';
    case 415: return 'UNSUPPORTED_MEDIA_TYPE';
    case 429: return 'RATE_LIMITED';
    case 502:
    case 503:
    case 504: return 'SERVICE_UNAVAILABLE';
    default: return status >= 400 && status < 500 ? 'MALFORMED_INPUT' : 'INTERNAL';
  }
}
