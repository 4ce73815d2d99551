/**
 * certId: a short number per certificate content, for cache keys (path/build.ts's
 * path cache, revocation/crl-source.ts's engine answers) — a few digits to
 * hash instead of a 64-character fingerprint per certificate per lookup.
 *
 * Two Certificate objects with the same fingerprint (the SHA-256 of the DER:
 * two parses of one certificate) get the same number. Numbers are never
 * reused (a counter), so equal numbers always mean the same DER; the table by
 * fingerprint is bounded, and a certificate that fell out of it only gets a
 * new number (a cache miss, never a wrong hit).
 */
import type { Certificate } from './types';

const BY_FINGERPRINT_MAX = 50_000;
const byObject = new WeakMap<Certificate, number>();
const byFingerprint = new Map<string, number>();
let next = 0;

export function certId(c: Certificate): number {
  let id = byObject.get(c);
  if (id === undefined) {
    id = byFingerprint.get(c.fingerprintSha256);
    if (id === undefined) {
      id = next++;
      if (byFingerprint.size >= BY_FINGERPRINT_MAX) byFingerprint.delete(byFingerprint.keys().next().value!);
      byFingerprint.set(c.fingerprintSha256, id);
    }
    byObject.set(c, id);
  }
  return id;
}
