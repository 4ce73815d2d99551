/**
 * A bounded cache from certificate bytes to the parsed Certificate, so a
 * repeat signer's certificate is never parsed twice.
 *
 * Lookup is cheap and exact: the map key is a 32-bit FNV-1a hash of the
 * length and the last 32 octets of the encoding (the tail of the
 * certificate's signature value), and a hit counts only when the whole DER is equal to
 * the cached certificate's (one memcmp). A colliding certificate — crafted or
 * not — is parsed afresh and never served another's entry. Building a key from
 * the whole DER (a latin1 string of ~1.5 KB, hashed by the Map) cost ~3.5 µs
 * per certificate; this costs a fraction of a microsecond.
 *
 * Entries are parsed from a private copy of the bytes, so a caller reusing its
 * input buffer cannot alter a cached certificate (a copy, not `slice()`: on a
 * Buffer that is a view). Cached certificates are
 * shared: treat them as read-only. Failed parses are not cached. Eviction:
 * least recently used first.
 */
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';

export const CERT_CACHE_MAX = 2048;
const TAIL = 32;

const byTail = new Map<number, Certificate>();

/** FNV-1a over the length and the last TAIL octets: a number key (a string key cost a string build and its hash per lookup). */
function keyOf(der: Uint8Array): number {
  let h = (0x811c9dc5 ^ der.length) >>> 0;
  for (let i = Math.max(0, der.length - TAIL); i < der.length; i++) h = Math.imul(h ^ der[i]!, 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** The parsed certificate for `der`, from the cache or freshly parsed. Throws parseCertificate's PkiErrors. */
export function cachedCertificate(der: Uint8Array): Certificate {
  const key = keyOf(der);
  const hit = byTail.get(key);
  if (hit && sameBytes(hit.der, der)) {
    byTail.delete(key); // refresh recency (LRU)
    byTail.set(key, hit);
    return hit;
  }
  // a miss, or a different certificate with the same key: parse (the newer one takes the slot)
  // Buffer.from copies (small ones into Node's pool); Buffer#slice would be a view of the caller's bytes
  const cert = parseCertificate(Buffer.from(der));
  if (hit) byTail.delete(key);
  else if (byTail.size >= CERT_CACHE_MAX) byTail.delete(byTail.keys().next().value!);
  byTail.set(key, cert);
  return cert;
}

/** Empty the certificate cache (benchmarks of first-seen signers, tests). */
export function clearCertificateCache(): void {
  byTail.clear();
}

export function certificateCacheSize(): number {
  return byTail.size;
}
