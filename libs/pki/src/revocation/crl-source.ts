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
 * Parsed CRLs (with their serial index) stay in process memory: they are
 * large, and re-parsing a cached blob costs more than fetching it from a CA's
 * directory nearby.
 */
import type { AlgorithmPolicy } from '../crypto/signature';
import { DEFAULT_ALGORITHM_POLICY } from '../crypto/signature';
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

/** The engine's answers kept per source (least recently used evicted). */
const ENGINE_CACHE_MAX = 1024;

/** A number per parsed CRL object (a CRL fetched again is a new object, hence a new number). */
const crlIds = new WeakMap<Crl, number>();
let nextCrlId = 0;
function crlId(c: Crl): number {
  let id = crlIds.get(c);
  if (id === undefined) {
    id = nextCrlId++;
    crlIds.set(c, id);
  }
  return id;
}

/** Freeze a status shared between requests (its lists too). */
function freezeStatus(s: RevocationStatus): RevocationStatus {
  if (s.status === 'unknown') {
    for (const a of s.attempts) Object.freeze(a);
    Object.freeze(s.attempts);
  }
  else if (s.notes) Object.freeze(s.notes);
  return Object.freeze(s);
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

  async check(query: RevocationQuery, at: number): Promise<RevocationStatus> {
    const { cert, issuer } = query;
    // the whole path when the caller gave it (and it is one: cert on it, followed by its issuer), else the link
    const i = query.path ? query.path.indexOf(cert) : -1;
    const onPath = query.path !== undefined && i >= 0 && query.path[i + 1] === issuer;
    const path = onPath ? query.path! : [cert, issuer];
    const index = onPath ? i : 0;
    const checked = path.slice(0, -1);
    // fetched: this certificate's distribution points (and deltas) only — other certificates' CRLs are
    // fetched when they are checked; preloaded CRLs of every issuer on the path are used as they are
    const urls = crlUrlsOf(query);
    // preloaded CRLs of the issuers, or of a cRLIssuer a distribution point names
    const issuerKeys = new Set(checked.flatMap((c) => [c.issuer.key, ...(c.ext.crlDistributionPoints ?? []).flatMap((dp) => (dp.crlIssuer ?? []).flatMap((g) => (g.type === 'directoryName' ? [g.name.key] : [])))]));
    const preloaded = [...issuerKeys].flatMap((k) => this.preloadedByIssuer.get(k) ?? []);
    if (urls.length === 0 && preloaded.length === 0) return { status: 'unknown', reason: 'NO_SOURCE', detail: 'no CRL distribution point', source: 'crl', attempts: [] };

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
    const complete = await gather(urls);
    // delta CRLs: freshestCRL of the certificate and of each complete CRL (§5.2.6)
    const deltaUrls = dpUrls(cert.ext.freshestCrl);
    for (const c of [...complete, ...preloaded]) dpUrls(c.freshestCrl, deltaUrls);
    const deltas = await gather(deltaUrls.filter((u) => !urls.includes(u)));
    const crls = [...complete, ...deltas, ...preloaded];
    if (crls.length === 0) {
      const first = failures[0]!;
      return { ...first, attempts: failures.flatMap((f) => f.attempts) };
    }
    const statuses = this.engine(onPath ? path : [cert, issuer], crls, at);
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
   * certificates' fingerprints, in order; the anchor is the last one), the
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
    for (const c of path) key += `${c.fingerprintSha256},`;
    for (const c of crls) key += `|${crlId(c)}`;
    const hit = this.engineCache.get(key);
    if (hit && hit.crls.every((c) => crlFreshAt(c, at, skew))) {
      this.engineCache.delete(key);
      this.engineCache.set(key, hit);
      return hit.statuses;
    }
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

  private async crlFor(url: string): Promise<{ crl: Crl; cached: boolean } | { status: RevocationStatus }> {
    const now = this.opts.clock.now();
    const h = this.held.get(url);
    if (h && h.crl.nextUpdate !== undefined && now < h.crl.nextUpdate) return { crl: h.crl, cached: true };
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
