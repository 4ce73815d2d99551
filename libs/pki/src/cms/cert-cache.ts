/**
 * A bounded cache from certificate bytes to the parsed Certificate, so a
 * repeat signer's certificate is never parsed twice. Keys: the DER as a
 * latin1 string for certificates up to 4 KiB (exact, no hashing), the SHA-256
 * of the DER above that (collision-resistant: a different certificate cannot
 * hit another's entry). Entries are parsed from a private copy of the bytes,
 * so a caller reusing its input buffer cannot alter a cached certificate.
 * Cached certificates are shared: treat them as read-only.
 * Failed parses are not cached. Eviction: oldest first (insertion order,
 * refreshed on hit).
 */
import { createHash } from 'node:crypto';
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';

const INLINE_KEY_MAX = 4096;
export const CERT_CACHE_MAX = 2048;

const byBytes = new Map<string, Certificate>();

function keyOf(der: Uint8Array): string {
  const b = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  return der.length <= INLINE_KEY_MAX ? b.toString('latin1') : `#${createHash('sha256').update(b).digest('hex')}`;
}

/** The parsed certificate for `der`, from the cache or freshly parsed. Throws parseCertificate's PkiErrors. */
export function cachedCertificate(der: Uint8Array): Certificate {
  const key = keyOf(der);
  const hit = byBytes.get(key);
  if (hit) {
    byBytes.delete(key); // refresh recency (LRU)
    byBytes.set(key, hit);
    return hit;
  }
  const cert = parseCertificate(Uint8Array.from(der));
  if (byBytes.size >= CERT_CACHE_MAX) byBytes.delete(byBytes.keys().next().value!);
  byBytes.set(key, cert);
  return cert;
}

/** Empty the certificate cache (benchmarks of first-seen signers, tests). */
export function clearCertificateCache(): void {
  byBytes.clear();
}

export function certificateCacheSize(): number {
  return byBytes.size;
}
