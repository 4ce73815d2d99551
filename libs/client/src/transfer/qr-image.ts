/**
 * The transfer code drawn as a QR code, through the `qrcode` package (browsers
 * and Node). Not re-exported by the package index: it weighs ~10 KiB gzipped,
 * more than the whole transfer protocol, so the browser bundle stays lean and
 * a page or the CLI that shows a QR code imports this file itself.
 */
import QRCode from 'qrcode';
import type { TransferCode } from './code';
import { transferQrPayload } from './qr';

/** An SVG document (for a page). */
export function transferQrSvg(code: TransferCode): Promise<string> {
  return QRCode.toString(transferQrPayload(code), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** Block characters for a terminal (the CLI's `transfer send`). */
export function transferQrTerminal(code: TransferCode): Promise<string> {
  return QRCode.toString(transferQrPayload(code), { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
