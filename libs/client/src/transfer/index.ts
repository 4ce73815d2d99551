/** Device transfer (인증서 복사): the sending and receiving halves, WebCrypto only (browsers and Node). */
export { decodeBundle, encodeBundle, TransferBundleError, TRANSFER_FILE_NAME, type TransferFile } from './bundle';
export { generateTransferCode, parseTransferCode, TransferCodeError, type TransferCode } from './code';
// the QR image (transferQrSvg, transferQrTerminal) is in ./qr-image, imported on its own: see there
export { parseTransferQrPayload, transferQrPayload } from './qr';
export { cancelTransfer, receiveTransfer, sendTransfer, transferStatus, type RelayEndpoint, type SentTransfer } from './relay';
export { addressHash, openBundle, sealBundle, TransferDecryptError, TRANSFER_KDF } from './seal';
