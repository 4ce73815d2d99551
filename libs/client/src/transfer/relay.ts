import type { TransferCreated, TransferEnvelope } from '@jointcert/contracts';
import { decodeBundle, encodeBundle, type TransferFile } from './bundle';
import { generateTransferCode, parseTransferCode, type TransferCode } from './code';
import { addressHash, openBundle, sealBundle } from './seal';

/** Where the jointcert gateway is, and how to reach it (the platform's fetch by default). */
export interface RelayEndpoint {
  /** e.g. https://auth.example.kr (no trailing /v1). */
  baseUrl: string;
  fetch?: typeof fetch;
}

/** The relay answered with a problem (RFC 9457): its stable code, detail and Retry-After when limited. */
export class TransferApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly retryAfter?: number,
  ) {
    super(detail);
    this.name = 'TransferApiError';
  }
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
 */
export async function sendTransfer(endpoint: RelayEndpoint, accessToken: string, files: readonly TransferFile[]): Promise<SentTransfer> {
  const plaintext = encodeBundle(files);
  try {
    for (let attempt = 1; ; attempt++) {
      const code = generateTransferCode();
      const envelope = await sealBundle(plaintext, code);
      try {
        const created = await post<TransferCreated>(endpoint, '/v1/transfers', { addressHash: await addressHash(code), ...envelope }, accessToken);
        return { code, transferId: created.transferId, expiresAt: created.expiresAt };
      } catch (err) {
        if (!(err instanceof TransferApiError && err.code === 'TRANSFER_ADDRESS_IN_USE' && attempt < ADDRESS_ATTEMPTS)) throw err;
      }
    }
  } finally {
    plaintext.fill(0);
  }
}

/**
 * The receiving half (phone, not signed in): take the envelope once with the
 * code's address, open it with the whole code, and return the files as the
 * sender had them. A wrong code is TransferApiError TRANSFER_NOT_FOUND (the
 * address matched nothing) or, if the address happened to match, a
 * TransferDecryptError; an altered envelope is TransferDecryptError.
 */
export async function receiveTransfer(endpoint: RelayEndpoint, code: TransferCode | string): Promise<TransferFile[]> {
  const parsed = typeof code === 'string' ? parseTransferCode(code) : code;
  const envelope = await post<TransferEnvelope>(endpoint, '/v1/transfers/claim', { address: parsed.address });
  return decodeBundle(await openBundle(envelope, parsed));
}

/** For the sending device: the transfer still waits (its id and expiry), or null once it was claimed, expired or withdrawn. */
export async function transferStatus(endpoint: RelayEndpoint, accessToken: string): Promise<Omit<SentTransfer, 'code'> | null> {
  try {
    return await call<Omit<SentTransfer, 'code'>>(endpoint, 'GET', '/v1/transfers/current', undefined, accessToken);
  } catch (err) {
    if (err instanceof TransferApiError && err.code === 'TRANSFER_NOT_FOUND') return null;
    throw err;
  }
}

/** The sender withdraws its waiting transfer: the code is dead at once. */
export async function cancelTransfer(endpoint: RelayEndpoint, accessToken: string): Promise<void> {
  await call<null>(endpoint, 'DELETE', '/v1/transfers/current', undefined, accessToken);
}

function post<T>(endpoint: RelayEndpoint, path: string, body: unknown, accessToken?: string): Promise<T> {
  return call<T>(endpoint, 'POST', path, body, accessToken);
}

async function call<T>(endpoint: RelayEndpoint, method: 'GET' | 'POST' | 'DELETE', path: string, body: unknown, accessToken?: string): Promise<T> {
  const doFetch = endpoint.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  const res = await doFetch(endpoint.baseUrl.replace(/\/+$/, '') + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported below with the status
  }
  if (res.ok) return json as T;
  const problem = (json ?? {}) as { code?: unknown; detail?: unknown; retryAfter?: unknown };
  const retryAfter = Number(res.headers.get('retry-after') ?? problem.retryAfter);
  throw new TransferApiError(
    res.status,
    typeof problem.code === 'string' ? problem.code : `HTTP_${res.status}`,
    typeof problem.detail === 'string' ? problem.detail : `the relay answered ${res.status}`,
    Number.isFinite(retryAfter) ? retryAfter : undefined,
  );
}
