import { parseTransferCode, TransferCodeError, type TransferCode } from './code';

/** What the sending device's QR code holds: a scheme, the protocol version and the 16 digits. Nothing goes to a server. */
const SCHEME = 'jointcert-transfer:v1:';

export function transferQrPayload(code: TransferCode): string {
  return SCHEME + code.digits;
}

/** The code in a scanned QR payload (or TransferCodeError when it is something else). */
export function parseTransferQrPayload(payload: string): TransferCode {
  if (!payload.startsWith(SCHEME)) throw new TransferCodeError('this QR code is not a jointcert transfer code');
  return parseTransferCode(payload.slice(SCHEME.length));
}
