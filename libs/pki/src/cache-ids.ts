/**
 * Short numbers for cache keys (path/build.ts's path cache,
 * revocation/crl-source.ts's engine answers): a few digits to hash instead
 * of a 64-character fingerprint or a JSON text per part per lookup.
 *
 * certId: one per certificate content.
 * Two Certificate objects with the same fingerprint (the SHA-256 of the DER:
 * two parses of one certificate) get the same number. Numbers are never
 * reused (a counter), so equal numbers always mean the same DER; the table by
 * fingerprint is bounded, and a certificate that fell out of it only gets a
 * new number (a cache miss, never a wrong hit).
 */
import type { Certificate } from './cert/types';

const BY_FINGERPRINT_MAX = 50_000;
const byObject = new WeakMap<Certificate, number>();
const byFingerprint = new Map<string, number>();
let next = 0;

/** A number per object, by identity: for objects that never change (frozen lists, parsed CRLs). */
const byIdentity = new WeakMap<object, number>();
export function objectId(o: object): number {
  let id = byIdentity.get(o);
  if (id === undefined) {
    id = next++;
    byIdentity.set(o, id);
  }
  return id;
}

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
