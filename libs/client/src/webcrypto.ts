/** WebCrypto access: browsers' and Node's globalThis.crypto.subtle (Node ≥ 19). */
// types only (erased): the same interfaces browsers have, without the DOM lib in this Node-typed monorepo
import type { webcrypto } from 'node:crypto';
import { buf } from './bytes';
import { ClientError } from './errors';

export type SubtleCrypto = webcrypto.SubtleCrypto;
export type CryptoKey = webcrypto.CryptoKey;

export function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (!s) throw new ClientError('NO_WEBCRYPTO', 'WebCrypto is not available here (an old browser, or a page not served over https or from localhost)');
  return s;
}

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export async function digest(hash: HashName, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest(hash, buf(data)));
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  (globalThis as unknown as { crypto: { getRandomValues(a: Uint8Array): Uint8Array } }).crypto.getRandomValues(out);
  return out;
}
