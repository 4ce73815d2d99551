/**
 * Sizes and formats of the wire, without a schema library: the one place a
 * limit is written. The gateway, the services' message schemas (fields.ts)
 * and the client halves all read these, so no layer accepts what another
 * refuses.
 */

/** Largest CMS SignedData accepted anywhere (decoded bytes): the gateway's REST limit, and every service's. */
export const SIGNED_DATA_MAX_BYTES = 64 * 1024;

/** Largest detached document content of a signature verification (decoded bytes). */
export const DOCUMENT_CONTENT_MAX_BYTES = 1024 * 1024;

/** The 20-byte randomNum R from the private key file. */
export const RANDOM_NUM_BYTES = 20;
/** Largest identity.encryptedRandom (an EnvelopedData or vidMsg of R), decoded. */
export const ENCRYPTED_RANDOM_MAX_BYTES = 16 * 1024;

/** Largest challenge nonce the verifier binds a signature to (decoded bytes). */
export const EXPECTED_CONTENT_MAX_BYTES = 4096;
/** Largest registered certificate the registry passes to the verifier (DER bytes), and how many. */
export const SIGNER_CERTIFICATE_MAX_BYTES = 16 * 1024;
export const SIGNER_CERTIFICATES_MAX = 4;

/**
 * The wire format of a device transfer, shared by the gateway, the registry
 * and the client halves (libs/client/src/transfer). The code is 16 digits:
 * the first ADDRESS_DIGITS address the transfer, the rest never leave the
 * devices. Binary fields are standard base64.
 */
export const TRANSFER_FORMAT = {
  CODE_DIGITS: 16,
  ADDRESS_DIGITS: 8,
  /** scrypt salt, chosen by the sender for each transfer. */
  SALT_BYTES: 16,
  /** AES-256-GCM nonce (IV). */
  NONCE_BYTES: 12,
  /** Largest ciphertext the relay accepts (an NPKI pair or a PFX is a few KiB). */
  CIPHERTEXT_MAX_BYTES: 64 * 1024,
} as const;
