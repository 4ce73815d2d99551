/**
 * One error vocabulary for libs/pki. Every failure is a PkiError with a stable
 * code; services map codes to problem types. Never a bare Error, never a boolean.
 */
export type PkiErrorCode =
  // input decoding
  | 'INPUT_TOO_LARGE'
  | 'MALFORMED_DER'
  | 'MALFORMED_PEM'
  | 'MALFORMED_BASE64'
  | 'NESTING_TOO_DEEP'
  | 'UNSUPPORTED_ALGORITHM'
  // a caller passed a value outside a function's contract (key or IV length, option)
  | 'INVALID_ARGUMENT'
  // certificate structure
  | 'MALFORMED_CERTIFICATE'
  | 'MALFORMED_EXTENSION'
  | 'DUPLICATE_EXTENSION'
  // NPKI key files and identity
  | 'WRONG_PASSWORD'
  | 'MALFORMED_KEY_FILE'
  | 'KEY_CERT_MISMATCH'
  | 'NO_IDENTIFY_DATA'
  | 'VID_MISMATCH'
  | 'NPKI_FOLDER_INVALID'
  // a value encrypted to our key-management certificate did not decrypt (one code, whatever failed: no oracle)
  | 'DECRYPTION_FAILED'
  // CMS
  | 'MALFORMED_CMS'
  // revocation structures
  | 'MALFORMED_CRL'
  | 'MALFORMED_OCSP';

export class PkiError extends Error {
  constructor(
    readonly code: PkiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'PkiError';
  }
}

export function isPkiError(e: unknown, code?: PkiErrorCode): e is PkiError {
  return e instanceof PkiError && (code === undefined || e.code === code);
}
