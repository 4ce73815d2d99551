import { TRANSFER_FORMAT } from '@jointcert/contracts/formats';

/**
 * The one-time code of a device transfer: 16 random digits, shown 4×4. The
 * first 8 address the transfer on the relay; the last 8 never leave the two
 * devices (they key the encryption, with the whole code as the KDF input).
 */
export interface TransferCode {
  /** The 16 digits, no separators. */
  digits: string;
  /** The first 8 digits: what the relay sees (as a hash when sending). */
  address: string;
  /** For people: `1234 5678 9012 3456`. */
  display: string;
}

const GROUP = 4;

/** A fresh code from the platform's CSPRNG (WebCrypto), every digit uniform (rejection sampling). */
export function generateTransferCode(): TransferCode {
  let digits = '';
  while (digits.length < TRANSFER_FORMAT.CODE_DIGITS) {
    for (const byte of globalThis.crypto.getRandomValues(new Uint8Array(TRANSFER_FORMAT.CODE_DIGITS))) {
      // 250 = 25 × 10: bytes 250..255 would favour 0..5, so they are drawn again
      if (byte < 250 && digits.length < TRANSFER_FORMAT.CODE_DIGITS) digits += String(byte % 10);
    }
  }
  return codeOf(digits);
}

/**
 * A code as typed or scanned: digits with spaces or hyphens between them
 * (`1234 5678 9012 3456`, `1234-5678-…`), full-width digits tolerated.
 * Throws TransferCodeError naming what is wrong.
 */
export function parseTransferCode(input: string): TransferCode {
  const normalised = input.normalize('NFKC').replace(/[\s-]/g, '');
  if (!/^[0-9]*$/.test(normalised)) throw new TransferCodeError('the transfer code has only digits (spaces and hyphens between groups are fine)');
  if (normalised.length !== TRANSFER_FORMAT.CODE_DIGITS) {
    throw new TransferCodeError(`the transfer code has ${TRANSFER_FORMAT.CODE_DIGITS} digits; this one has ${normalised.length}`);
  }
  return codeOf(normalised);
}

function codeOf(digits: string): TransferCode {
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += GROUP) groups.push(digits.slice(i, i + GROUP));
  return { digits, address: digits.slice(0, TRANSFER_FORMAT.ADDRESS_DIGITS), display: groups.join(' ') };
}

export class TransferCodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransferCodeError';
  }
}
