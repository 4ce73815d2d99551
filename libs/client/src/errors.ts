/**
 * The client's typed errors. Local failures (a wrong password, a damaged
 * file) are ClientErrors; an answer of the API that is not a success is an
 * ApiError carrying the problem+json document and its stable `code`.
 */

export type ClientErrorCode =
  /** The password does not decrypt signPri.key (details.check: padding, pkcs8 or key). */
  | 'WRONG_PASSWORD'
  /** A new certificate password breaks the NPKI rule (details.rule, details.missing). */
  | 'WEAK_PASSWORD'
  /** signPri.key is not an EncryptedPrivateKeyInfo we can read, or asks for too many iterations. */
  | 'MALFORMED_KEY_FILE'
  /** signCert.der is not a certificate. */
  | 'MALFORMED_CERTIFICATE'
  /** The key does not belong to the certificate. */
  | 'KEY_CERT_MISMATCH'
  /** Not an RSA key, or a certificate/key WebCrypto cannot use. */
  | 'UNSUPPORTED_KEY'
  /** A file is missing from the NPKI folder. */
  | 'NPKI_FILE_MISSING'
  /** No WebCrypto (globalThis.crypto.subtle): an old browser or an insecure (http, non-localhost) page. */
  | 'NO_WEBCRYPTO'
  /** The API could not be reached, or answered something that is not JSON. */
  | 'NETWORK'
  | 'INVALID_ARGUMENT';

export class ClientError extends Error {
  override readonly name = 'ClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** An RFC 9457 problem document as the gateway renders it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** The stable code of the problem table (e.g. CERT_NOT_REGISTERED, CHALLENGE_EXPIRED). */
  code: string;
  instance?: string;
  requestId?: string;
  /** Per-field errors of a MALFORMED_INPUT problem, and other extensions. */
  [extension: string]: unknown;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;
  readonly status: number;
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail ?? problem.title}`);
    this.code = problem.code;
    this.status = problem.status;
  }
}

export function isClientError(e: unknown, code?: ClientErrorCode): e is ClientError {
  return e instanceof ClientError && (code === undefined || e.code === code);
}

export function isApiError(e: unknown, code?: string): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}
