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
 * Admission on the second sighting (../sightings.ts, shared with the path
 * cache). A certificate seen for the first time is
 * parsed and kept only in a short ring of recent first sightings
 * (RECENT_FIRST_SIGHTINGS), and its key is noted in a fixed table of seen keys
 * (SEEN_SLOTS int32 slots, direct-mapped: a newer key takes an older one's
 * slot); it enters the LRU map when it is met again — from the ring without a
 * second parse (the registry's signer pre-check followed by the verifier; the
 * same message twice), else parsed again once. Why: an entry of the
 * long-lived map outlives several young-generation collections, so V8 copies
 * its whole object graph (~3 KB: views, names, extensions) into the old
 * generation — measured, that promotion cost a first-seen message more than
 * parsing its two certificates did. A certificate seen once (a one-off
 * signer, a flood of made-up certificates) now dies young and evicts nobody
 * from the map; one seen again pays one more parse, once. The ring and the
 * seen table hold numbers or a few slots, never a growing set of objects.
 *
 * Entries are parsed from a private copy of the bytes, so a caller reusing its
 * input buffer cannot alter a cached certificate (a copy, not `slice()`: on a
 * Buffer that is a view). Cached certificates are
 * shared: treat them as read-only. Failed parses are not cached. Eviction:
 * least recently used first.
 */
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';
import { fnv1a } from '../der/values';
import { Sightings } from '../sightings';

export const CERT_CACHE_MAX = 2048;
/** First sightings kept (strongly) for a second sighting soon after: a few messages' worth. */
export const RECENT_FIRST_SIGHTINGS = 16;
/** Slots of the seen-keys table (a power of two). */
const SEEN_SLOTS = 8192;
const TAIL = 32;

let byTail = new Map<number, Certificate>();
const recent: (Certificate | undefined)[] = new Array<Certificate | undefined>(RECENT_FIRST_SIGHTINGS).fill(undefined);
const recentKeys = new Int32Array(RECENT_FIRST_SIGHTINGS);
let recentNext = 0;
/** Keys of certificates seen once. */
const seen = new Sightings(SEEN_SLOTS);

/** FNV-1a over the length and the last TAIL octets: a number key (a string key cost a string build and its hash per lookup). */
function keyOf(der: Uint8Array): number {
  return fnv1a(der, Math.max(0, der.length - TAIL), der.length, der.length);
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
  // seen a moment ago: admit that parse
  for (let i = 0; i < RECENT_FIRST_SIGHTINGS; i++) {
    const r = recent[i];
    if (r !== undefined && recentKeys[i] === key && sameBytes(r.der, der)) {
      recent[i] = undefined;
      admit(key, r, hit !== undefined);
      return r;
    }
  }
  // Buffer.from copies (small ones into Node's pool); Buffer#slice would be a view of the caller's bytes
  const cert = parseCertificate(Buffer.from(der));
  if (seen.seenBefore(key)) {
    admit(key, cert, hit !== undefined);
  } else {
    recent[recentNext] = cert;
    recentKeys[recentNext] = key;
    recentNext = (recentNext + 1) % RECENT_FIRST_SIGHTINGS;
  }
  return cert;
}

/** Put `cert` in the map under `key`; `replacing`: a different certificate holds the key (the newer one takes the slot). */
function admit(key: number, cert: Certificate, replacing: boolean): void {
  if (replacing) byTail.delete(key);
  else if (byTail.size >= CERT_CACHE_MAX) byTail.delete(byTail.keys().next().value!);
  byTail.set(key, cert);
}

/**
 * Empty the certificate cache, its recent first sightings and seen keys
 * (benchmarks of first-seen signers, tests). With `keepSightings`, the seen
 * keys stay: the next sighting of a certificate met before is a second one,
 * parsed again and admitted (benchmarks of a returning signer). `keep`: the
 * cached certificates with these encodings stay cached, the same objects (a
 * first-seen signer under a CA whose certificate every message carries and
 * the cache already holds, as in production).
 */
export function clearCertificateCache(opts: { keepSightings?: boolean; keep?: readonly Uint8Array[] } = {}): void {
  const old = byTail;
  byTail = new Map(); // not Map#clear: see path/build.ts clearSignatureCache
  for (const der of opts.keep ?? []) {
    const key = keyOf(der);
    const c = old.get(key);
    if (c !== undefined && sameBytes(c.der, der)) byTail.set(key, c);
  }
  recent.fill(undefined);
  recentNext = 0;
  if (opts.keepSightings !== true) seen.clear();
}

/** Certificates admitted to the map (seen at least twice). */
export function certificateCacheSize(): number {
  return byTail.size;
}
