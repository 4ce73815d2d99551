/**
 * Path building and the validatePath entry point.
 *
 * From the leaf, depth first, towards a trust anchor through an unordered bag
 * of intermediates (junk, duplicates, cross-certificates and loops allowed):
 *   - issuer candidates are the anchors and bag certificates whose subject
 *     equals the certificate's issuer (Name.key, RFC 5280 §7.1); anchors are
 *     tried first, then the policy's configured intermediates
 *     (policy.intermediates), then the certificates the caller passed (from
 *     the message: a decoy there can never be tried before the trust store's
 *     own copy); within each group a candidate whose SKI
 *     equals the child's AKI keyIdentifier comes first, one without SKI/AKI
 *     next, a mismatching SKI last (preferred, never required); otherwise
 *     input order (deterministic);
 *   - the child's signature is verified by each candidate before going on
 *     (wrong-key decoys are dropped early), and a candidate path that reaches
 *     an anchor is fully processed (process.ts, RFC 5280 §6.1); a failure
 *     backtracks to the next alternative;
 *   - loops: a certificate already on the path (same fingerprint, or same
 *     subject and SPKI) is not used again;
 *   - budgets over the whole search: policy.maxSignatureChecks signature
 *     computations (cache hits free), policy.maxSignatureCost in cost units
 *     (crypto/signature.ts signatureCost: modulus², exponent length, curve;
 *     checked before the math, so a 4096-bit key spends 4 units and a key the
 *     algorithm policy refuses — oversized modulus, exponent outside the
 *     allowed set — spends none and is never computed) and
 *     policy.maxCandidates candidates tried;
 *     running out ends the search with BUDGET_EXCEEDED; paths longer than
 *     policy.maxDepth are not explored (MAX_DEPTH).
 * When nothing validates, the reported failure is the most informative attempt:
 * one that reached an anchor (its processing failures) beats a signature
 * failure or depth limit, which beats "no issuer" (NO_PATH / UNTRUSTED_ROOT);
 * within a tier the longer attempt wins, then the first found.
 *
 * Signature results are cached across calls in a bounded LRU keyed by (child
 * fingerprint, issuer fingerprint or SPKI hash, algorithm policy): a repeat
 * signer's chain costs no public-key operation the second time.
 *
 * Whole results are cached too, for a repeat signer (see "path cache" below):
 * a successful search that went straight to its anchor (no dead end, no
 * backtracking) is remembered with the time window in which every
 * certificate of its path, and the anchor, is within its validity period.
 * The same inputs at a time inside that window make the search take the very
 * same steps to the very same checks (validity is the only input of §6.1 that
 * depends on the time), so the result is returned without searching again.
 * Failures are never cached: a refusal is always worked out anew. A result
 * enters the cache on the second such search with the same key (a repeat
 * signer validates its path fully on its first two messages, from the cache
 * after), not the first: see "admission" below.
 */
import { hash } from 'node:crypto';
import { certId, objectId } from '../cache-ids';
import { parseCertificate } from '../cert/parse';
import type { Certificate, Name, SubjectPublicKeyInfo } from '../cert/types';
import { hasDsaParameters, signatureCost, signaturePrecheck, verifySignature, type SignatureCheck } from '../crypto/signature';
import { fnv1aString } from '../der/values';
import { isPkiError } from '../errors';
import { Sightings } from '../sightings';
import { createValidationPolicy, type ValidationPolicy } from './policy';
import { isCertificateAnchor, type TrustAnchor } from './trust-anchor';
import { processPath, signatureReason } from './process';
import type { PathCheck, PathReason, PathResult } from './result';

// ---------------------------------------------------------------------------
// signature cache (bounded LRU, process-wide)

const SIG_CACHE_MAX = 10_000;
let sigCache = new Map<string, SignatureCheck>();
let sigCacheHits = 0;
let sigCacheMisses = 0;

/**
 * Drop every cached signature result, and the cached paths built on them (tests, benchmarks).
 * Both caches are replaced by new maps rather than emptied with Map#clear:
 * measured on Node 20, emptying the path cache while it held a result (a
 * path with its certificates) made the next first-seen validation ~20 µs
 * dearer (old space grew ~50 MB between full collections: the entries appear
 * to outlive the clear, as V8's cleared table still points at them); a new
 * map costs nothing of the kind.
 */
export function clearSignatureCache(): void {
  clearPathCache();
  sigCache = new Map();
  sigCacheHits = 0;
  sigCacheMisses = 0;
}

export function signatureCacheStats(): { size: number; hits: number; misses: number; max: number } {
  return { size: sigCache.size, hits: sigCacheHits, misses: sigCacheMisses, max: SIG_CACHE_MAX };
}

function cacheGet(key: string): SignatureCheck | undefined {
  const v = sigCache.get(key);
  if (v !== undefined) {
    sigCache.delete(key);
    sigCache.set(key, v);
  }
  return v;
}

function cachePut(key: string, v: SignatureCheck): void {
  if (sigCache.size >= SIG_CACHE_MAX) sigCache.delete(sigCache.keys().next().value!);
  sigCache.set(key, v);
}

const spkiIds = new WeakMap<SubjectPublicKeyInfo, string>();
function spkiId(spki: SubjectPublicKeyInfo): string {
  let id = spkiIds.get(spki);
  if (!id) {
    id = `k${hash('sha256', spki.der, 'hex')}`;
    spkiIds.set(spki, id);
  }
  return id;
}

/**
 * A short id per distinct algorithm policy (equal JSON, equal id), part of
 * every signature-cache key: the JSON itself (~200 characters) made each key
 * a long string to build and hash per lookup.
 */
const algKeys = new WeakMap<object, string>();
const algIds = new Map<string, string>();
function algKey(policy: ValidationPolicy): string {
  let k = algKeys.get(policy.algorithms);
  if (!k) {
    const json = JSON.stringify(policy.algorithms);
    k = algIds.get(json);
    if (k === undefined) {
      k = `a${algIds.size}`;
      algIds.set(json, k);
    }
    algKeys.set(policy.algorithms, k);
  }
  return k;
}

// ---------------------------------------------------------------------------
// path cache (bounded LRU, process-wide): successful results of searches that
// never backtracked, for a repeat signer.
//
// Why the key is complete. A search's result is a function of (1) the leaf,
// (2) the caller's intermediates in order, (3) every field of the policy and
// (4) the signature cache's state (only through the budgets). The key holds
// (1) the leaf's id, one per fingerprint (the SHA-256 of its DER: a
// certificate is its DER); (2) the ids of the intermediates in the given
// order (the order decides the trial order among them); (3) the id of every
// field of the policy but `at`: primitives by value, the algorithm policy by
// content (algKey), every other object (the frozen anchor and intermediate
// lists, subtrees, policy sets, leafChecks...) by identity — a policy is only
// cached when each of them is frozen, so the same identity is the same
// content (a reloaded trust store makes new lists, hence new keys: nothing to
// invalidate).
// `at` is not in the key: the entry keeps the window [notBefore, notAfter]
// (intersection over the path and a certificate anchor) outside which it is
// not used. (4) is made irrelevant: only searches whose path fits the
// signature budgets with every signature computed (a cold signature cache)
// are stored, so no budget can turn that search into a refusal.
// leafChecks receive only the leaf and are taken as functions of it (the
// Korean type profile); revocation is not part of path validation.

const PATH_CACHE_MAX = 2_000;

// Admission on the second sighting (../sightings.ts, as cms/cert-cache.ts's
// certificates). A cacheable result (everything above holds) is stored only
// when its key was met in a cacheable search before; the first time, only the
// key's number is noted in PATH_SEEN_SLOTS int32 slots. Why: an entry
// outlives young-generation collections, so V8 copies the frozen result
// (checks, path, the leaf certificate's whole parse) into the old
// generation; on a big site most signers are seen once by a process, and
// admitting each one's result cost every first-seen message that copy (row
// cm of bench/cms-verify-loop.ts: ~4 KB of old space per message) and pushed
// repeat signers' entries out of the oldest-first map. The table is a hint:
// a number shared by two keys admits the second early, a slot taken by
// another key makes the first wait for one more sighting; never a wrong hit
// (the map compares the whole key).
const PATH_SEEN_SLOTS = 8192;
const pathSightings = new Sightings(PATH_SEEN_SLOTS);

interface CachedPath {
  /** The result as a hit returns it: nothing searched (no signature, no candidate), frozen (shared). */
  hit: PathResult;
  /** The window of validation times in which the same search gives the result: every validity check passes. */
  from: number;
  until: number;
}

/** Oldest entry evicted first (no reordering on a hit: a hit stays a few map reads). */
let pathCache = new Map<string, CachedPath>();
let pathCacheHits = 0;

/** Drop every cached path and the noted sightings (tests, benchmarks: a first-seen signer). */
export function clearPathCache(): void {
  pathCache = new Map(); // not Map#clear: see clearSignatureCache
  pathCacheHits = 0;
  pathSightings.clear();
}

export function pathCacheStats(): { size: number; hits: number; max: number } {
  return { size: pathCache.size, hits: pathCacheHits, max: PATH_CACHE_MAX };
}

/** Short ids for policies, never reused (a counter). */
let nextPolicyId = 0;

/**
 * The policy's fields but `at`, as a short id; undefined when some object in
 * it is not frozen (could still change: not cached then). Frozen is checked
 * one level deep: the items of a frozen list (anchors, subtrees, rules) are
 * taken as unchanging, as ValidationPolicy asks of every caller. Per policy object,
 * and for a per-request copy (another `at`, every other field the same
 * values as the last policy seen with its anchor list) taken from that one
 * without building the key again.
 */
const policyIds = new WeakMap<ValidationPolicy, number | null>();
const policyKeyIds = new Map<string, number>();
const lastByAnchors = new WeakMap<readonly TrustAnchor[], { policy: ValidationPolicy; id: number | null }>();
function policyIdOf(policy: ValidationPolicy): number | undefined {
  let id = policyIds.get(policy);
  if (id === undefined) {
    const last = lastByAnchors.get(policy.trustAnchors);
    if (last !== undefined && sameButAt(last.policy, policy)) id = last.id;
    else {
      const key = policyKey(policy);
      if (key === null) id = null;
      else {
        id = policyKeyIds.get(key);
        if (id === undefined) {
          id = nextPolicyId++;
          policyKeyIds.set(key, id);
        }
      }
    }
    policyIds.set(policy, id);
    if (policy.trustAnchors) lastByAnchors.set(policy.trustAnchors, { policy, id });
  }
  return id ?? undefined;
}

function sameButAt(a: ValidationPolicy, b: ValidationPolicy): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  for (const k of kb) if (k !== 'at' && (!(k in ra) || !Object.is(ra[k], rb[k]))) return false;
  return true;
}

function policyKey(policy: ValidationPolicy): string | null {
  // the algorithm policy is keyed by its content (algKey's JSON, kept per object): it must not change either
  const alg: object = policy.algorithms;
  if (!Object.isFrozen(alg) || Object.values(alg).some((v) => typeof v === 'object' && v !== null && !Object.isFrozen(v))) return null;
  const parts: string[] = [algKey(policy)];
  for (const name of Object.keys(policy).sort()) {
    if (name === 'at' || name === 'algorithms') continue;
    const v: unknown = (policy as unknown as Record<string, unknown>)[name];
    if (v === undefined) parts.push(`${name}=u`);
    else if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') parts.push(`${name}=${typeof v}:${String(v)}`);
    else if (typeof v === 'object' && Object.isFrozen(v)) parts.push(`${name}=#${objectId(v)}`);
    else return null;
  }
  return parts.join('|');
}

function pathCacheKey(policy: ValidationPolicy, leaf: Certificate, intermediates: readonly Certificate[]): string | undefined {
  const pid = policyIdOf(policy);
  if (pid === undefined || typeof leaf?.fingerprintSha256 !== 'string') return undefined;
  // a frozen list (a repeat signer's pool, libs/pki cms) keeps the key it made last, for the same policy and leaf
  const frozen = Object.isFrozen(intermediates);
  const last = frozen ? lastKeys.get(intermediates) : undefined;
  if (last !== undefined && last.pid === pid && last.leaf === leaf) return last.key;
  let k = `${pid}|${certId(leaf)}`;
  for (const c of intermediates) k += c && typeof c.fingerprintSha256 === 'string' ? `,${certId(c)}` : ',-';
  if (frozen) lastKeys.set(intermediates, { pid, leaf, key: k });
  return k;
}
const lastKeys = new WeakMap<readonly Certificate[], { pid: number; leaf: Certificate; key: string }>();

function pathCacheGet(key: string, at: number, leaf: Certificate): PathResult | undefined {
  const e = pathCache.get(key);
  if (e === undefined || at < e.from || at > e.until) return undefined;
  pathCacheHits++;
  const r = e.hit;
  // the path starts with the caller's own leaf object (same DER)
  return r.path[0] === leaf ? r : { ...r, path: [leaf, ...r.path.slice(1)] };
}

/**
 * Store `result` when the search went straight to its anchor and would fit
 * the budgets with a cold signature cache, and such a search with this key
 * was seen before (admission on the second sighting).
 */
function pathCachePut(key: string, search: Search, result: PathResult, policy: ValidationPolicy): void {
  if (!result.ok || search.best !== undefined || search.budgetExceeded || result.anchor === undefined) return;
  const anchor = result.anchor;
  const certs = isCertificateAnchor(anchor) && result.path[result.path.length - 1] === anchor ? result.path.slice(0, -1) : result.path;
  // cold-cache cost of the path's signatures: one per certificate, by its issuer's key
  let cost = 0;
  for (let i = 0; i < certs.length; i++) cost += signatureCost(i + 1 < certs.length ? certs[i + 1]!.spki : anchor.spki);
  if (certs.length > policy.maxSignatureChecks || cost > policy.maxSignatureCost || search.candidatesTried > policy.maxCandidates) return;
  let from = -Infinity;
  let until = Infinity;
  // the same comparisons as process.ts: valid iff !(at < notBefore) && !(at > notAfter + 999)
  for (const c of isCertificateAnchor(anchor) ? [...certs, anchor] : certs) {
    from = Math.max(from, c.notBefore);
    until = Math.min(until, c.notAfter + 999);
  }
  if (!(policy.at >= from && policy.at <= until)) return;
  // a key already in the map (its window missed) was seen: replaced as before
  if (!pathCache.has(key) && !pathSightings.seenBefore(fnv1aString(key))) return;
  // shared between callers from now on: frozen, so no caller can change another's result
  for (const c of result.checks) Object.freeze(c);
  Object.freeze(result.checks);
  Object.freeze(result.path);
  Object.freeze(result.validPolicies);
  Object.freeze(result.reasons);
  if (pathCache.size >= PATH_CACHE_MAX) pathCache.delete(pathCache.keys().next().value!);
  pathCache.set(key, { hit: Object.freeze({ ...result, signatureChecks: 0, signatureCost: 0, candidatesTried: 0 }), from, until });
}

// ---------------------------------------------------------------------------
// anchors and configured intermediates, indexed once per (frozen) list: a
// per-request policy copy (another `at`) shares its template's lists, and so
// their indexes; a list that is not frozen could change, and is indexed anew

interface AnchorIndex {
  byName: Map<string, TrustAnchor[]>;
  certFingerprints: Set<string>;
  /** Each anchor name's key by the name's DER (latin1): an issuer encoded the same way has that key, undecoded. */
  keyByDer: Map<string, string>;
}

const anchorIndexes = new WeakMap<readonly TrustAnchor[], AnchorIndex>();
function anchorIndex(policy: ValidationPolicy): AnchorIndex {
  const list = policy.trustAnchors;
  let ix = anchorIndexes.get(list);
  if (!ix) {
    ix = { byName: new Map(), certFingerprints: new Set(), keyByDer: new Map() };
    for (const a of list) {
      const name = isCertificateAnchor(a) ? a.subject : a.name;
      const key = name.key;
      ix.keyByDer.set(derText(name.der), key);
      const l = ix.byName.get(key);
      if (l) l.push(a);
      else ix.byName.set(key, [a]);
      if (isCertificateAnchor(a)) ix.certFingerprints.add(a.fingerprintSha256);
    }
    if (Object.isFrozen(list)) anchorIndexes.set(list, ix);
  }
  return ix;
}

function derText(der: Uint8Array): string {
  return Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');
}

/**
 * `name`'s key (RFC 5280 §7.1 comparison form). A name whose DER is exactly
 * an anchor's name has that anchor name's key (the key is a function of the
 * DER): found without decoding its values, as for a leaf issued by an anchor.
 */
function issuerKey(anchors: AnchorIndex, name: Name): string {
  return anchors.keyByDer.get(derText(name.der)) ?? name.key;
}

/** The policy's configured intermediates by subject, de-duplicated, anchors left out. */
interface ConfiguredIndex {
  bySubject: Map<string, Certificate[]>;
  fingerprints: Set<string>;
  members: Set<Certificate>;
}

const configuredIndexes = new WeakMap<readonly Certificate[], WeakMap<AnchorIndex, ConfiguredIndex>>();
function configuredIndex(policy: ValidationPolicy, anchors: AnchorIndex): ConfiguredIndex {
  const list = policy.intermediates;
  const hit = configuredIndexes.get(list)?.get(anchors);
  if (hit) return hit;
  const ix: ConfiguredIndex = { bySubject: new Map(), fingerprints: new Set(), members: new Set() };
  for (const c of list) {
    if (!c || typeof c.fingerprintSha256 !== 'string' || ix.fingerprints.has(c.fingerprintSha256) || anchors.certFingerprints.has(c.fingerprintSha256)) continue;
    ix.fingerprints.add(c.fingerprintSha256);
    ix.members.add(c);
    const l = ix.bySubject.get(c.subject.key);
    if (l) l.push(c);
    else ix.bySubject.set(c.subject.key, [c]);
  }
  if (Object.isFrozen(list)) {
    let byAnchors = configuredIndexes.get(list);
    if (!byAnchors) {
      byAnchors = new WeakMap();
      configuredIndexes.set(list, byAnchors);
    }
    byAnchors.set(anchors, ix);
  }
  return ix;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** 0 = SKI matches the child's AKI, 1 = nothing to compare, 2 = mismatch. */
function keyIdRank(child: Certificate, candidate: TrustAnchor): number {
  const aki = child.ext.authorityKeyIdentifier?.keyIdentifier;
  const ski = isCertificateAnchor(candidate) ? candidate.ext.subjectKeyIdentifier : undefined;
  if (!aki || !ski) return 1;
  return sameBytes(aki, ski) ? 0 : 2;
}

/** `list` in trial order: by group (`group(c)`, lower first: configured before supplied), then key-id rank, then input order. */
function ordered<T extends TrustAnchor>(child: Certificate, list: readonly T[] | undefined, group: (c: T) => number = () => 0): T[] {
  if (!list || list.length === 0) return [];
  if (list.length === 1) return [list[0]!];
  return list
    .map((c, i) => ({ c, i, g: group(c), r: keyIdRank(child, c) }))
    .sort((a, b) => a.g - b.g || a.r - b.r || a.i - b.i)
    .map((x) => x.c);
}

function inheritsParameters(spki: SubjectPublicKeyInfo): boolean {
  return spki.keyType === 'dsa' && !hasDsaParameters(spki);
}

function loopKey(c: Certificate): string {
  return `${c.subject.key}|${spkiId(c.spki)}`;
}

// ---------------------------------------------------------------------------
// the search

interface Attempt {
  tier: number; // 2 = reached an anchor, 1 = signature/depth failure, 0 = no issuer
  path: Certificate[];
  anchor?: TrustAnchor;
  checks: PathCheck[];
  reasons: PathReason[];
  validPolicies: string[];
}

class Search {
  signatureChecks = 0;
  signatureCost = 0;
  candidatesTried = 0;
  budgetExceeded = false;
  best: Attempt | undefined;
  success: Attempt | undefined;
  private readonly memo = new Map<string, SignatureCheck>();
  private readonly alg: string;
  private readonly anchors: AnchorIndex;
  /** Configured intermediates by subject (shared across requests), and the caller's by subject (this search's). */
  private readonly configured: ConfiguredIndex;
  private readonly supplied = new Map<string, Certificate[]>();
  /** The leaf when it is also a configured intermediate: never its own issuer. */
  private readonly leafFp: string | undefined;
  private readonly group = (c: Certificate): number => (this.configured.members.has(c) ? 0 : 1);

  constructor(
    private readonly policy: ValidationPolicy,
    leaf: Certificate,
    intermediates: readonly Certificate[],
  ) {
    this.alg = algKey(policy);
    this.anchors = anchorIndex(policy);
    this.configured = configuredIndex(policy, this.anchors);
    const configuredFps = this.configured.fingerprints;
    this.leafFp = configuredFps.has(leaf.fingerprintSha256) ? leaf.fingerprintSha256 : undefined;
    const seen = new Set<string>([leaf.fingerprintSha256]);
    for (const c of intermediates) {
      if (!c || typeof c.fingerprintSha256 !== 'string' || seen.has(c.fingerprintSha256) || configuredFps.has(c.fingerprintSha256) || this.anchors.certFingerprints.has(c.fingerprintSha256)) continue;
      seen.add(c.fingerprintSha256);
      const l = this.supplied.get(c.subject.key);
      if (l) l.push(c);
      else this.supplied.set(c.subject.key, [c]);
    }
  }

  /** Candidate issuers named `key`: configured first (without a configured leaf), then the caller's. */
  private issuersNamed(key: string): Certificate[] | undefined {
    let conf = this.configured.bySubject.get(key);
    const leafFp = this.leafFp;
    if (conf && leafFp !== undefined && conf.some((c) => c.fingerprintSha256 === leafFp)) conf = conf.filter((c) => c.fingerprintSha256 !== leafFp);
    const mine = this.supplied.get(key);
    if (!mine) return conf && conf.length > 0 ? conf : undefined;
    return conf && conf.length > 0 ? [...conf, ...mine] : mine;
  }

  readonly verify = (child: Certificate, key: SubjectPublicKeyInfo, issuer: Certificate | TrustAnchor): SignatureCheck => {
    const issuerId = isCertificateAnchor(issuer) && issuer.spki === key ? issuer.fingerprintSha256 : spkiId(key);
    const k = `${child.fingerprintSha256}|${issuerId}|${this.alg}`;
    const m = this.memo.get(k);
    if (m) return m;
    const cached = cacheGet(k);
    if (cached) {
      sigCacheHits++;
      this.memo.set(k, cached);
      return cached;
    }
    const pre = signaturePrecheck(child.signatureAlgorithm, key, this.policy.algorithms);
    if (!pre.ok) {
      // refused by policy before any math: free, and the same answer every time
      this.memo.set(k, pre);
      return pre;
    }
    const cost = signatureCost(key);
    if (this.signatureChecks >= this.policy.maxSignatureChecks || this.signatureCost + cost > this.policy.maxSignatureCost) {
      this.budgetExceeded = true;
      return { ok: false, reason: 'BAD_SIGNATURE', detail: 'signature-check budget exhausted' };
    }
    sigCacheMisses++;
    this.signatureChecks++;
    this.signatureCost += cost;
    const r = verifySignature(child.signatureAlgorithm, key, child.tbsDer, child.signature, this.policy.algorithms);
    this.memo.set(k, r);
    cachePut(k, r);
    return r;
  };

  private stopped(): boolean {
    return this.budgetExceeded || this.success !== undefined;
  }

  private spendCandidate(): boolean {
    if (this.candidatesTried >= this.policy.maxCandidates) {
      this.budgetExceeded = true;
      return false;
    }
    this.candidatesTried++;
    return true;
  }

  private note(a: Attempt): void {
    const b = this.best;
    if (!b || a.tier > b.tier || (a.tier === b.tier && a.path.length > b.path.length)) this.best = a;
  }

  private deadEnd(chain: Certificate[], check: PathCheck): void {
    this.note({ tier: check.reason === 'NO_PATH' || check.reason === 'UNTRUSTED_ROOT' ? 0 : 1, path: [...chain], checks: [check], reasons: [check.reason!], validPolicies: [] });
  }

  /**
   * The loop keys (subject and SPKI) of the certificates of the current chain,
   * made on the first candidate that needs them: a path straight from the leaf
   * to an anchor never decodes the leaf's subject or hashes its key for them.
   * From then on kept equal to the chain's keys (added and removed with it).
   */
  private loopKeys: Set<string> | undefined;

  /** Extend `chain` (leaf first) to an anchor. True when a valid path was found. */
  dfs(chain: Certificate[], fingerprints: Set<string>): boolean {
    const cur = chain[chain.length - 1]!;
    const idx = chain.length - 1;
    let candidates = 0;

    const curIssuer = issuerKey(this.anchors, cur.issuer);
    for (const anchor of ordered(cur, this.anchors.byName.get(curIssuer))) {
      if (this.stopped() || !this.spendCandidate()) return false;
      candidates++;
      const sig = this.verify(cur, anchor.spki, anchor);
      if (this.budgetExceeded) return false;
      if (!sig.ok) {
        this.deadEnd(chain, { check: 'signature', cert: idx, ok: false, reason: signatureReason(sig.reason), detail: `by trust anchor: ${sig.detail}` });
        continue;
      }
      const out = processPath(chain, anchor, this.policy, this.verify);
      if (this.budgetExceeded) return false;
      const path = isCertificateAnchor(anchor) ? [...chain, anchor] : [...chain];
      const attempt: Attempt = { tier: 2, path, anchor, checks: out.checks, reasons: out.reasons, validPolicies: out.validPolicies };
      if (out.ok) {
        this.success = attempt;
        return true;
      }
      this.note(attempt);
    }

    const next = this.issuersNamed(curIssuer);
    if (next && chain.length >= this.policy.maxDepth) {
      if (next.some((c) => !fingerprints.has(c.fingerprintSha256))) {
        this.deadEnd(chain, { check: 'depth', cert: idx, ok: false, reason: 'MAX_DEPTH', detail: `paths are limited to ${this.policy.maxDepth} certificates` });
        candidates++;
      }
    } else {
      for (const cand of ordered(cur, next, this.group)) {
        if (this.stopped()) return false;
        if (fingerprints.has(cand.fingerprintSha256)) continue;
        const lk = loopKey(cand);
        const loopKeys = (this.loopKeys ??= new Set(chain.map(loopKey)));
        if (loopKeys.has(lk)) continue;
        if (!this.spendCandidate()) return false;
        candidates++;
        // a DSA key without parameters inherits them from further up (RFC 5280
        // §6.1.4 (d)-(f)), unknown yet: processPath checks this signature
        const sig: SignatureCheck = inheritsParameters(cand.spki) ? { ok: true, digest: null } : this.verify(cur, cand.spki, cand);
        if (this.budgetExceeded) return false;
        if (!sig.ok) {
          this.deadEnd(chain, { check: 'signature', cert: idx, ok: false, reason: signatureReason(sig.reason), detail: `by ${cand.subject.text}: ${sig.detail}` });
          continue;
        }
        chain.push(cand);
        fingerprints.add(cand.fingerprintSha256);
        loopKeys.add(lk);
        const found = this.dfs(chain, fingerprints);
        chain.pop();
        fingerprints.delete(cand.fingerprintSha256);
        loopKeys.delete(lk);
        if (found) return true;
      }
    }

    if (candidates === 0 && !this.stopped()) {
      const selfIssued = cur.selfIssued;
      this.deadEnd(chain, {
        check: 'issuer',
        cert: idx,
        ok: false,
        reason: selfIssued ? 'UNTRUSTED_ROOT' : 'NO_PATH',
        detail: selfIssued ? `${cur.subject.text} is self-issued and not a trust anchor` : `no issuer found for ${cur.issuer.text}`,
      });
    }
    return false;
  }
}

function reasonsOf(checks: readonly PathCheck[]): PathReason[] {
  const out = new Set<PathReason>();
  for (const c of checks) if (!c.ok && c.reason) out.add(c.reason);
  return [...out];
}

/**
 * Validate `leaf` against `policy.trustAnchors`, building the path through
 * `intermediates` (any order, may hold junk). Never throws for bad
 * certificates: every failure is a typed reason in the result. Throws
 * PkiError('INVALID_ARGUMENT') only when `policy` is not a valid policy.
 */
export function validatePath(leaf: Certificate, intermediates: readonly Certificate[], policy: ValidationPolicy): PathResult {
  const pol = Object.isFrozen(policy) ? policy : createValidationPolicy(policy);
  const bag = Array.isArray(intermediates) ? intermediates : [];
  // a policy made here is new on every call: caching under it would only fill the cache
  const key = pol === policy ? pathCacheKey(pol, leaf, bag) : undefined;
  if (key !== undefined) {
    const hit = pathCacheGet(key, pol.at, leaf);
    if (hit) return hit;
  }
  const search = new Search(pol, leaf, bag);
  try {
    search.dfs([leaf], new Set([leaf.fingerprintSha256]));
  } catch (e) {
    // defensive: process/build are written not to throw on certificate content
    const detail = isPkiError(e) ? `${e.code}: ${e.message}` : `internal error: ${e instanceof Error ? e.message : String(e)}`;
    return { ok: false, path: [leaf], checks: [{ check: 'issuer', cert: 0, ok: false, reason: 'MALFORMED', detail }], reasons: ['MALFORMED'], validPolicies: [], signatureChecks: search.signatureChecks, signatureCost: search.signatureCost, candidatesTried: search.candidatesTried };
  }
  const base = { signatureChecks: search.signatureChecks, signatureCost: search.signatureCost, candidatesTried: search.candidatesTried };
  if (search.success) {
    const s = search.success;
    const result: PathResult = { ok: true, path: s.path, anchor: s.anchor, checks: s.checks, reasons: [], validPolicies: s.validPolicies, ...base };
    if (key !== undefined) pathCachePut(key, search, result, pol);
    return result;
  }
  if (search.budgetExceeded) {
    const b = search.best;
    const checks: PathCheck[] = [
      ...(b?.checks ?? []),
      { check: 'budget', cert: 0, ok: false, reason: 'BUDGET_EXCEEDED', detail: `after ${search.signatureChecks} signature checks (cost ${search.signatureCost}) and ${search.candidatesTried} candidates` },
    ];
    return { ok: false, path: b?.path ?? [leaf], anchor: b?.anchor, checks, reasons: reasonsOf(checks), validPolicies: [], ...base };
  }
  const fallback: Attempt = { tier: 0, path: [leaf], checks: [{ check: 'issuer', cert: 0, ok: false, reason: 'NO_PATH' }], reasons: ['NO_PATH'], validPolicies: [] };
  const b = search.best ?? fallback;
  return { ok: false, path: b.path, anchor: b.anchor, checks: b.checks, reasons: b.reasons, validPolicies: [], ...base };
}

/**
 * validatePath from DER: a leaf that does not parse gives a MALFORMED result;
 * intermediates that do not parse are left out of the bag (they could never
 * be part of a valid path).
 */
export function validatePathDer(leafDer: Uint8Array, intermediatesDer: readonly Uint8Array[], policy: ValidationPolicy): PathResult {
  let leaf: Certificate;
  try {
    leaf = parseCertificate(leafDer);
  } catch (e) {
    const detail = isPkiError(e) ? `${e.code}: ${e.message}` : String(e);
    return { ok: false, path: [], checks: [{ check: 'issuer', cert: 0, ok: false, reason: 'MALFORMED', detail }], reasons: ['MALFORMED'], validPolicies: [], signatureChecks: 0, signatureCost: 0, candidatesTried: 0 };
  }
  const bag: Certificate[] = [];
  for (const d of intermediatesDer) {
    try {
      bag.push(parseCertificate(d));
    } catch {
      // unparseable: cannot be on a valid path
    }
  }
  return validatePath(leaf, bag, policy);
}
