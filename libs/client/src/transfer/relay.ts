import type { SessionTokens } from '@jointcert/contracts';
import { JointcertApi } from '../api';
import { ApiError } from '../errors';
import { decodeBundle, encodeBundle, type TransferFile } from './bundle';
import { generateTransferCode, parseTransferCode, type TransferCode } from './code';
import { addressHash, openBundle, sealBundle } from './seal';

/** Where the jointcert gateway is, and how to reach it (the platform's fetch by default). */
export interface RelayEndpoint {
  /** e.g. https://auth.example.kr (no trailing /v1). */
  baseUrl: string;
  fetch?: typeof fetch;
}

function apiOf(endpoint: RelayEndpoint, accessToken?: string): JointcertApi {
  const api = new JointcertApi({ baseUrl: endpoint.baseUrl, ...(endpoint.fetch ? { fetch: endpoint.fetch } : {}) });
  if (accessToken) api.tokens = { tokenType: 'Bearer', accessToken, expiresIn: 0, refreshToken: '', refreshExpiresIn: 0 } as SessionTokens;
  return api;
}

export interface SentTransfer {
  /** Show `code.display` (and a QR code of it) on the sending device until it is claimed or expires. */
  code: TransferCode;
  transferId: string;
  expiresAt: string;
}

/** A new code when the relay says its address is already in use (1 in 10^8 per live transfer). */
const ADDRESS_ATTEMPTS = 3;

/**
 * The sending half (PC, signed in): seal the certificate's files under a
 * fresh code and leave them on the relay. Only the SHA-256 of the address
 * and the sealed envelope are sent; the code stays here for the user to read.
 * `totpCode`: a fresh second-factor code, needed once the account has one.
 */
export async function sendTransfer(endpoint: RelayEndpoint, accessToken: string, files: readonly TransferFile[], totpCode?: string): Promise<SentTransfer> {
  const plaintext = encodeBundle(files);
  const api = apiOf(endpoint, accessToken);
  try {
    for (let attempt = 1; ; attempt++) {
      const code = generateTransferCode();
      const envelope = await sealBundle(plaintext, code);
      try {
        const created = await api.createTransfer({ addressHash: await addressHash(code), ...envelope }, totpCode);
        return { code, transferId: created.transferId, expiresAt: created.expiresAt };
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 'TRANSFER_ADDRESS_IN_USE' && attempt < ADDRESS_ATTEMPTS)) throw err;
      }
    }
  } finally {
    plaintext.fill(0);
  }
}

/**
 * The receiving half (phone, not signed in): take the envelope once with the
 * code's address, open it with the whole code, and return the files as the
 * sender had them. A wrong code is ApiError TRANSFER_NOT_FOUND (the
 * address matched nothing) or, if the address happened to match, a
 * TransferDecryptError; an altered envelope is TransferDecryptError.
 */
export async function receiveTransfer(endpoint: RelayEndpoint, code: TransferCode | string): Promise<TransferFile[]> {
  const parsed = typeof code === 'string' ? parseTransferCode(code) : code;
  const envelope = await apiOf(endpoint).claimTransfer(parsed.address);
  return decodeBundle(await openBundle(envelope, parsed));
}

/** For the sending device: the transfer still waits (its id and expiry), or null once it was claimed, expired or withdrawn. */
export async function transferStatus(endpoint: RelayEndpoint, accessToken: string): Promise<Omit<SentTransfer, 'code'> | null> {
  try {
    return await apiOf(endpoint, accessToken).currentTransfer();
  } catch (err) {
    if (err instanceof ApiError && err.code === 'TRANSFER_NOT_FOUND') return null;
    throw err;
  }
}

/** The sender withdraws its waiting transfer: the code is dead at once. */
export async function cancelTransfer(endpoint: RelayEndpoint, accessToken: string): Promise<void> {
  await apiOf(endpoint, accessToken).cancelTransfer();
}
