/**
 * The CRL side of the revocation checker: the `CrlSource` seam, and a source
 * that fetches, caches and indexes CRLs and answers with the one CRL engine,
 * `checkPathWithCrls` (./crl-path.ts, PKITS-certified RFC 5280 §6.3):
 *
 *   - per certificate it gathers the complete CRLs of its distribution points
 *     (http/https/ldap/ldaps fullName URIs), their delta CRLs (the URIs of
 *     freshestCRL in the certificate and in each complete CRL fetched), and
 *     the preloaded CRLs of every issuer on the path, indexed by issuer name
 *     (`preloaded`: a CRL directory, a conformance corpus), then runs the
 *     engine over all of them on the whole validated path when the query
 *     carries it (query.path, as RevocationChecker.checkPath passes it: CRL
 *     signers are validated to the real anchor), else on the link
 *     [certificate, issuer] with the issuer as the anchor; a separate CRL
 *     signer among `certificates` is validated with its own revocation; the
 *     evidence is labelled with the URL each CRL came from;
 *   - when no CRL could be had, the fetch failure is the answer;
 *   - a cached CRL is used until its nextUpdate (read-time check against the
 *     injected clock); after that it is fetched again before any answer;
 *   - concurrent checks needing the same URL share one fetch (single-flight);
 *   - a failing URL is backed off exponentially (NEGATIVE_CACHED meanwhile);
 *   - `refreshDue(now)` lists the URLs whose nextUpdate is within
 *     `refreshMarginMs`, and `refresh(url)` fetches one: the service's
 *     scheduler calls them so CRLs are renewed before they go stale.
 *
 * The engine's statuses for one path and one list of CRL objects are kept
 * and reused at any instant where each of those CRLs is still fresh (see
 * `engine`): a repeat signer's revocation costs a lookup, not a §6.3 run,
 * while the CRLs it rests on are the same. A CRL fetched again is another
 * object, hence other statuses.
 *
 * Parsed CRLs (with their serial index) stay in process memory: they are
 * large, and re-parsing a cached blob costs more than fetching it from a CA's
 * directory nearby.
 */
import type { AlgorithmPolicy } from '../crypto/signature';
import { DEFAULT_ALGORITHM_POLICY } from '../crypto/signature';
import { certId, objectId } from '../cache-ids';
import type { Certificate, DistributionPoint } from '../cert/types';
import type { Clock } from '../clock';
import type { ProfileRule } from '../path/profile';
import { oneLinkPath } from './crl/check';
import type { CrlFetchResult } from './crl/fetch';
import type { Crl } from './crl/types';
import { checkPathWithCrlsOutcome, crlFreshAt } from './crl-path';
import type { RevocationQuery, RevocationStatus } from './types';

/** Answers "is this certificate on its CRL?" for the checker. Never rejects. */
export interface CrlSource {
  check(query: RevocationQuery, at: number): Promise<RevocationStatus>;
  /** check()'s answer when it is known without waiting (nothing to fetch), else undefined; optional. */
  checkHeld?(query: RevocationQuery, at: number): RevocationStatus | undefined;
}

export interface FetchingCrlSourceOptions {
  /** Fetch and parse one CRL, e.g. `(url) => fetchCrl(url, deps)` with the service's fetchers and allowlist. */
  fetch: (url: string) => Promise<CrlFetchResult>;
  clock: Clock;
  maxSkewMs?: number;
  algorithms?: AlgorithmPolicy;
  /** refreshDue lists a CRL this long before its nextUpdate. Default 15 minutes. */
  refreshMarginMs?: number;
  /** CRLs kept (least recently fetched evicted). Default 512. */
  maxCrls?: number;
  /** Backoff after a failed fetch: base doubling per failure up to max. Defaults 30 s and 30 min. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** CRLs known without a URL (a CRL directory, a conformance corpus), indexed by issuer name. */
  preloaded?: readonly Crl[];
  /** Candidate CRL signer certificates (separate CRL-signing keys, indirect CRL issuers). */
  certificates?: readonly Certificate[];
  /** RFC 5280 profile exceptions for CRL signers' paths (as ValidationPolicy.profileExceptions). */
  profileExceptions?: readonly ProfileRule[];
}

type Unknown = Extract<RevocationStatus, { status: 'unknown' }>;

/** The engine's answers kept per source (oldest evicted first). */
const ENGINE_CACHE_MAX = 1024;

/** Freeze a status shared between requests (its lists too). */
export function freezeStatus(s: RevocationStatus): RevocationStatus {
  if (s.status === 'unknown') {
    for (const a of s.attempts) Object.freeze(a);
    Object.freeze(s.attempts);
  }
  else if (s.notes) Object.freeze(s.notes);
  return Object.freeze(s);
}

/** A certificate without any CRL source (no distribution point, no preloaded CRL of its issuers). */
const NO_DISTRIBUTION_POINT: RevocationStatus = freezeStatus({ status: 'unknown', reason: 'NO_SOURCE', detail: 'no CRL distribution point', source: 'crl', attempts: [] });

/** What check() works on for one query (see FetchingCrlSource#scope). */
interface CrlScope {
  path: readonly Certificate[];
  index: number;
  own: CertUrls;
  urls: readonly string[];
  preloaded: Crl[];
}

interface Held {
  crl: Crl;
  fetchedAt: number;
}

/** Fetchable URIs (http/https/ldap/ldaps fullName) of distribution points, in order, de-duplicated into `out`. */
function dpUrls(points: readonly DistributionPoint[] | undefined, out: string[] = []): string[] {
  for (const dp of points ?? []) {
    for (const gn of dp.fullName ?? []) {
      if (gn.type === 'uniformResourceIdentifier' && /^(https?|ldaps?):\/\//i.test(gn.value) && !out.includes(gn.value)) out.push(gn.value);
    }
  }
  return out;
}

/** URIs of the certificate's CRL distribution points (fullName), in order, de-duplicated. */
export function crlUrlsOf(query: RevocationQuery): string[] {
  return dpUrls(query.cert.ext.crlDistributionPoints);
}

/*
 * What check() reads off a certificate or a CRL depends on nothing else:
 * worked out once per (immutable, parsed) object, kept weakly.
 */
interface CertUrls {
  /** crlDistributionPoints URIs. */
  crl: readonly string[];
  /** freshestCRL URIs (delta CRLs). */
  delta: readonly string[];
  /** Issuer names whose preloaded CRLs may speak for it: its issuer, and each cRLIssuer of its distribution points. */
  issuerKeys: readonly string[];
}
const certUrls = new WeakMap<Certificate, CertUrls>();
function urlsOfCert(c: Certificate): CertUrls {
  let u = certUrls.get(c);
  if (u === undefined) {
    const dps = c.ext.crlDistributionPoints ?? [];
    const issuerKeys = [...new Set([c.issuer.key, ...dps.flatMap((dp) => (dp.crlIssuer ?? []).flatMap((g) => (g.type === 'directoryName' ? [g.name.key] : [])))])];
    u = Object.freeze({ crl: Object.freeze(dpUrls(dps)), delta: Object.freeze(dpUrls(c.ext.freshestCrl)), issuerKeys: Object.freeze(issuerKeys) });
    certUrls.set(c, u);
  }
  return u;
}
const crlDeltaUrls = new WeakMap<Crl, readonly string[]>();
function deltaUrlsOfCrl(c: Crl): readonly string[] {
  let u = crlDeltaUrls.get(c);
  if (u === undefined) {
    u = Object.freeze(dpUrls(c.freshestCrl));
    crlDeltaUrls.set(c, u);
  }
  return u;
}

/** The engine's evidence labelled with the URL (and cache state) of the CRL it came from (matched by issuer and thisUpdate). */
function labelEvidence(s: RevocationStatus, crls: readonly Crl[], origin: ReadonlyMap<Crl, { url: string; cached: boolean }>): RevocationStatus {
  const find = (e: { thisUpdate?: number; signer?: string }): { url: string; cached: boolean } | undefined => {
    const crl = crls.find((c) => c.thisUpdate === e.thisUpdate && c.issuer.text === e.signer && origin.has(c));
    return crl ? origin.get(crl) : undefined;
  };
  if (s.status === 'unknown') return { ...s, attempts: s.attempts.map((e) => ({ ...e, ...find(e) })) };
  return { ...s, ...find(s) };
}

export class FetchingCrlSource implements CrlSource {
  private readonly held = new Map<string, Held>();
  private readonly inflight = new Map<string, Promise<CrlFetchResult>>();
  private readonly failures = new Map<string, { failures: number; retryAt: number; reason: 'FETCH_FAILED' | 'MALFORMED_RESPONSE'; detail: string }>();
  private readonly preloadedByIssuer = new Map<string, Crl[]>();
  /**
   * The engine's statuses for a path and a list of CRLs, reused at any
   * instant where each of those CRLs is fresh (see `engine`).
   */
  private readonly engineCache = new Map<string, { statuses: readonly RevocationStatus[]; crls: readonly Crl[] }>();
  /** A held answer per reused engine answer (see `heldAnswer`). */
  private readonly labelled = new WeakMap<RevocationStatus, { crls: readonly Crl[]; urls: readonly string[]; status: RevocationStatus }>();
  /** Number of fetches started (for tests and metrics). */
  fetches = 0;
  /** Number of runs of the CRL engine (engine answers reused are not counted; for tests and metrics). */
  engineRuns = 0;

  constructor(private readonly opts: FetchingCrlSourceOptions) {
    for (const c of opts.preloaded ?? []) {
      const l = this.preloadedByIssuer.get(c.issuer.key);
      if (l) l.push(c);
      else this.preloadedByIssuer.set(c.issuer.key, [c]);
    }
  }

  check(query: RevocationQuery, at: number): Promise<RevocationStatus> {
    const scope = this.scope(query);
    if (scope === undefined) return Promise.resolve(NO_DISTRIBUTION_POINT);
    const now = this.heldFor(scope, at);
    return now !== undefined ? Promise.resolve(now) : this.checkFetching(scope, at);
  }

  /**
   * check()'s answer when it needs no fetch — every CRL of the certificate
   * held and before its nextUpdate, no delta CRL to fetch (the usual case) —
   * else undefined. The same answer check() gives, and for the same inputs
   * the same frozen object (see `heldAnswer`).
   */
  checkHeld(query: RevocationQuery, at: number): RevocationStatus | undefined {
    const scope = this.scope(query);
    return scope === undefined ? NO_DISTRIBUTION_POINT : this.heldFor(scope, at);
  }

  /** checkHeld for a query's scope. */
  private heldFor(scope: CrlScope, at: number): RevocationStatus | undefined {
    const complete = this.allHeld(scope.urls);
    if (complete === undefined) return undefined;
    for (const u of this.deltaUrls(scope, complete)) if (!scope.urls.includes(u)) return undefined;
    const crls = scope.preloaded.length === 0 ? complete : [...complete, ...scope.preloaded];
    const statuses = this.engine(scope.path, crls, at);
    return this.heldAnswer(statuses[scope.index]!, crls, scope.urls);
  }

  /**
   * A held answer as one frozen object per engine answer and CRLs: the
   * engine's statuses are reused (and frozen) while their CRLs are fresh, and
   * labelling one with the URLs of the same held CRLs (`urls`, the
   * certificate's own list, for the first crls) gives the same result, so a
   * repeat signer's check allocates no status. An engine answer that is not
   * frozen (not reusable) is labelled anew.
   */
  private heldAnswer(status: RevocationStatus, crls: readonly Crl[], urls: readonly string[]): RevocationStatus {
    const hit = Object.isFrozen(status) ? this.labelled.get(status) : undefined;
    if (hit !== undefined && hit.urls === urls && hit.crls.length === crls.length && crls.every((c, i) => c === hit.crls[i])) return hit.status;
    const origin = new Map<Crl, { url: string; cached: boolean }>();
    urls.forEach((url, i) => origin.set(crls[i]!, { url, cached: true }));
    const out = labelEvidence(status, crls, origin);
    if (!Object.isFrozen(status)) return out;
    this.labelled.set(status, { crls, urls, status: freezeStatus(out) });
    return out;
  }

  /** What check() reads for a query: the path, the certificate's place on it, its URLs, the preloaded CRLs in scope; undefined when it has no source at all. */
  private scope(query: RevocationQuery): CrlScope | undefined {
    const { cert, issuer } = query;
    // the whole path when the caller gave it (and it is one: cert on it, followed by its issuer), else the link
    const i = query.path ? query.path.indexOf(cert) : -1;
    const onPath = query.path !== undefined && i >= 0 && query.path[i + 1] === issuer;
    const path = onPath ? query.path! : [cert, issuer];
    const index = onPath ? i : 0;
    // fetched: this certificate's distribution points (and deltas) only — other certificates' CRLs are
    // fetched when they are checked; preloaded CRLs of every issuer on the path are used as they are
    const own = urlsOfCert(cert);
    const urls = own.crl;
    // preloaded CRLs of the issuers, or of a cRLIssuer a distribution point names
    let preloaded: Crl[] = [];
    if (this.preloadedByIssuer.size > 0) {
      const issuerKeys = new Set(path.slice(0, -1).flatMap((c) => urlsOfCert(c).issuerKeys));
      preloaded = [...issuerKeys].flatMap((k) => this.preloadedByIssuer.get(k) ?? []);
    }
    if (urls.length === 0 && preloaded.length === 0) return undefined;
    return { path, index, own, urls, preloaded };
  }

  /** delta CRLs: freshestCRL of the certificate and of each complete CRL (§5.2.6) */
  private deltaUrls(scope: CrlScope, complete: readonly Crl[]): readonly string[] {
    if (scope.own.delta.length === 0 && complete.every((c) => deltaUrlsOfCrl(c).length === 0) && scope.preloaded.every((c) => deltaUrlsOfCrl(c).length === 0)) return [];
    const deltaUrls = [...scope.own.delta];
    for (const c of complete) for (const u of deltaUrlsOfCrl(c)) if (!deltaUrls.includes(u)) deltaUrls.push(u);
    for (const c of scope.preloaded) for (const u of deltaUrlsOfCrl(c)) if (!deltaUrls.includes(u)) deltaUrls.push(u);
    return deltaUrls;
  }

  private async checkFetching(scope: CrlScope, at: number): Promise<RevocationStatus> {
    const { path, index, urls, preloaded } = scope;
    const origin = new Map<Crl, { url: string; cached: boolean }>();
    const failures: Unknown[] = [];
    const gather = async (list: readonly string[]): Promise<Crl[]> => {
      const out: Crl[] = [];
      for (const url of list) {
        const got = await this.crlFor(url);
        if ('crl' in got) {
          origin.set(got.crl, { url, cached: got.cached });
          out.push(got.crl);
        } else if (got.status.status === 'unknown') failures.push(got.status);
      }
      return out;
    };
    const complete = this.allHeld(urls, origin) ?? (await gather(urls));
    const deltaUrls = this.deltaUrls(scope, complete);
    const deltas = deltaUrls.length === 0 ? [] : await gather(deltaUrls.filter((u) => !urls.includes(u)));
    const crls = deltas.length === 0 && preloaded.length === 0 ? complete : [...complete, ...deltas, ...preloaded];
    if (crls.length === 0) {
      const first = failures[0]!;
      return { ...first, attempts: failures.flatMap((f) => f.attempts) };
    }
    const statuses = this.engine(path, crls, at);
    const labelled = labelEvidence(statuses[index]!, crls, origin);
    if (labelled.status !== 'unknown' || failures.length === 0) return labelled;
    // nothing in scope answered and some distribution point failed: that failure is the more telling answer
    const primary = labelled.reason === 'NO_SOURCE' || labelled.reason === 'SCOPE_MISMATCH' ? failures[0]! : labelled;
    return { ...primary, attempts: [...labelled.attempts, ...failures.flatMap((f) => f.attempts)] };
  }

  /**
   * checkPathWithCrls on `path` (leaf first, its last certificate the anchor)
   * with `crls` at `at`, or the statuses it gave before for the same inputs.
   * Why the key is complete: the engine's inputs are the path (the
   * certificates, in order, by cert/cert-id.ts's id: one per fingerprint; the
   * anchor is the last one), the
   * CRLs (each parsed CRL object by identity, in order: parsed CRLs are never
   * changed, and a CRL fetched again is another object), this source's
   * options (fixed for its life: skew, algorithms, signer candidates, profile
   * exceptions) and `at`. `at` is left out: an entry is only stored when the
   * engine validated no CRL issuer path (the one use of `at` besides
   * freshness) and every CRL was fresh, and it is only used at an instant
   * where every one of its CRLs is still fresh (crlFreshAt, the engine's own
   * test) — there every freshness test has the same outcome, so the engine
   * would make the same decisions. A revoked certificate stays revoked: the
   * answer comes from the same CRL objects, never from a looser source.
   */
  private engine(path: readonly Certificate[], crls: Crl[], at: number): readonly RevocationStatus[] {
    const skew = this.opts.maxSkewMs ?? 5 * 60_000;
    let key = '';
    for (const c of path) key += `${certId(c)},`;
    for (const c of crls) key += `|${objectId(c)}`; // a CRL fetched again is a new object, hence a new id
    const hit = this.engineCache.get(key);
    if (hit && hit.crls.every((c) => crlFreshAt(c, at, skew))) return hit.statuses;
    this.engineRuns++;
    const anchor = path[path.length - 1]!;
    const result = { ...oneLinkPath(path[0]!, path[1]!), path: [...path], anchor };
    const out = checkPathWithCrlsOutcome(result, crls, {
      at,
      maxSkewMs: skew,
      algorithms: this.opts.algorithms ?? DEFAULT_ALGORITHM_POLICY,
      anchors: [anchor],
      certificates: this.opts.certificates ?? [],
      ...(this.opts.profileExceptions ? { profileExceptions: this.opts.profileExceptions } : {}),
    });
    if (out.freshnessOnly && crls.every((c) => crlFreshAt(c, at, skew))) {
      if (this.engineCache.size >= ENGINE_CACHE_MAX) this.engineCache.delete(this.engineCache.keys().next().value!);
      this.engineCache.set(key, { statuses: Object.freeze(out.statuses.map(freezeStatus)), crls: Object.freeze([...crls]) });
    }
    return out.statuses;
  }

  /** URLs whose CRL reaches nextUpdate (or has none) within the refresh margin at `now`. */
  refreshDue(now: number = this.opts.clock.now()): string[] {
    const margin = this.opts.refreshMarginMs ?? 15 * 60_000;
    const out: string[] = [];
    for (const [url, h] of this.held) if (h.crl.nextUpdate === undefined || h.crl.nextUpdate - margin <= now) out.push(url);
    return out;
  }

  /** Fetch `url` now (single-flight with concurrent checks); keeps the newer CRL. */
  async refresh(url: string): Promise<CrlFetchResult> {
    return this.fetchShared(url);
  }

  /** The held CRLs of `urls`, labelled in `origin` (when given) as cached, when every one is held and before its nextUpdate; else undefined (and `origin` untouched). */
  private allHeld(urls: readonly string[], origin?: Map<Crl, { url: string; cached: boolean }>): Crl[] | undefined {
    const now = this.opts.clock.now();
    const out: Crl[] = [];
    for (const url of urls) {
      const crl = this.current(url, now);
      if (crl === undefined) return undefined;
      out.push(crl);
    }
    if (origin !== undefined) urls.forEach((url, i) => origin.set(out[i]!, { url, cached: true }));
    return out;
  }

  /** The CRL held for `url` when `now` is before its nextUpdate (crlFor's cache test). */
  private current(url: string, now: number): Crl | undefined {
    const h = this.held.get(url);
    return h && h.crl.nextUpdate !== undefined && now < h.crl.nextUpdate ? h.crl : undefined;
  }

  private async crlFor(url: string): Promise<{ crl: Crl; cached: boolean } | { status: RevocationStatus }> {
    const now = this.opts.clock.now();
    const held = this.current(url, now);
    if (held) return { crl: held, cached: true };
    const neg = this.failures.get(url);
    if (neg && now < neg.retryAt) {
      return {
        status: { status: 'unknown', reason: 'NEGATIVE_CACHED', detail: `${neg.reason} ${neg.detail}; retry after ${neg.retryAt}`, source: 'crl', url, attempts: [{ source: 'crl', url, cached: true }] },
      };
    }
    const r = await this.fetchShared(url);
    if (r.ok) {
      const cur = this.held.get(url);
      return { crl: cur?.crl ?? r.crl, cached: false };
    }
    return { status: { status: 'unknown', reason: r.reason, detail: r.detail, source: 'crl', url, attempts: [{ source: 'crl', url, cached: false }] } };
  }

  private fetchShared(url: string): Promise<CrlFetchResult> {
    const existing = this.inflight.get(url);
    if (existing) return existing;
    this.fetches++;
    const p = this.opts
      .fetch(url)
      .catch((e: unknown): CrlFetchResult => ({ ok: false, url, reason: 'FETCH_FAILED', detail: e instanceof Error ? e.message : String(e) }))
      .then((r) => {
        this.record(url, r);
        return r;
      })
      .finally(() => this.inflight.delete(url));
    this.inflight.set(url, p);
    return p;
  }

  private record(url: string, r: CrlFetchResult): void {
    const now = this.opts.clock.now();
    if (r.ok) {
      this.failures.delete(url);
      const cur = this.held.get(url);
      // never replace a CRL by an older one (a lagging mirror)
      if (cur && cur.crl.thisUpdate > r.crl.thisUpdate) return;
      this.held.delete(url);
      const max = this.opts.maxCrls ?? 512;
      while (this.held.size >= max) this.held.delete(this.held.keys().next().value!);
      this.held.set(url, { crl: r.crl, fetchedAt: now });
      return;
    }
    const prev = this.failures.get(url);
    const failures = (prev?.failures ?? 0) + 1;
    const base = this.opts.backoffBaseMs ?? 30_000;
    const delay = Math.min(base * 2 ** (failures - 1), this.opts.backoffMaxMs ?? 30 * 60_000);
    this.failures.set(url, { failures, retryAt: now + delay, reason: r.reason, detail: r.detail });
  }
}
