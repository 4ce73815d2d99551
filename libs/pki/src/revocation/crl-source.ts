/**
 * The CRL side of the revocation checker: the `CrlSource` seam, and an adapter
 * over the CRL engine (./crl: fetchCrl, checkCrl) that keeps parsed CRLs in
 * memory by distribution-point URL.
 *
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
 * directory nearby. Delta CRLs (freshestCRL) are not fetched yet.
 */
import type { AlgorithmPolicy } from '../crypto/signature';
import { DEFAULT_ALGORITHM_POLICY } from '../crypto/signature';
import { checkCrl } from './crl/check';
import type { CrlFetchResult } from './crl/fetch';
import type { Crl } from './crl/types';
import type { RevocationEvidence, RevocationQuery, RevocationStatus } from './types';

/** Answers "is this certificate on its CRL?" for the checker. Never rejects. */
export interface CrlSource {
  check(query: RevocationQuery, at: number): Promise<RevocationStatus>;
}

export interface FetchingCrlSourceOptions {
  /** Fetch and parse one CRL, e.g. `(url) => fetchCrl(url, deps)` with the service's fetchers and allowlist. */
  fetch: (url: string) => Promise<CrlFetchResult>;
  clock: () => number;
  maxSkewMs?: number;
  algorithms?: AlgorithmPolicy;
  /** refreshDue lists a CRL this long before its nextUpdate. Default 15 minutes. */
  refreshMarginMs?: number;
  /** CRLs kept (least recently fetched evicted). Default 512. */
  maxCrls?: number;
  /** Backoff after a failed fetch: base doubling per failure up to max. Defaults 30 s and 30 min. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

interface Held {
  crl: Crl;
  fetchedAt: number;
}

/** URIs of the certificate's CRL distribution points (fullName), in order, de-duplicated. */
export function crlUrlsOf(query: RevocationQuery): string[] {
  const out: string[] = [];
  for (const dp of query.cert.ext.crlDistributionPoints ?? []) {
    for (const gn of dp.fullName ?? []) {
      if (gn.type === 'uniformResourceIdentifier' && /^(https?|ldaps?):\/\//i.test(gn.value) && !out.includes(gn.value)) out.push(gn.value);
    }
  }
  return out;
}

export class FetchingCrlSource implements CrlSource {
  private readonly held = new Map<string, Held>();
  private readonly inflight = new Map<string, Promise<CrlFetchResult>>();
  private readonly failures = new Map<string, { failures: number; retryAt: number; reason: 'FETCH_FAILED' | 'MALFORMED_RESPONSE'; detail: string }>();
  /** Number of fetches started (for tests and metrics). */
  fetches = 0;

  constructor(private readonly opts: FetchingCrlSourceOptions) {}

  async check(query: RevocationQuery, at: number): Promise<RevocationStatus> {
    const urls = crlUrlsOf(query);
    if (urls.length === 0) return { status: 'unknown', reason: 'NO_SOURCE', detail: 'no CRL distribution point', source: 'crl', attempts: [] };
    const attempts: RevocationEvidence[] = [];
    let last: RevocationStatus | undefined;
    for (const url of urls) {
      const got = await this.crlFor(url);
      let s: RevocationStatus;
      if ('crl' in got) {
        s = checkCrl({ ...query, at }, got.crl, {
          at,
          maxSkewMs: this.opts.maxSkewMs ?? 5 * 60_000,
          algorithms: this.opts.algorithms ?? DEFAULT_ALGORITHM_POLICY,
          url,
          cached: got.cached,
        });
      } else {
        s = got.status;
      }
      if (s.status !== 'unknown') return s;
      attempts.push(...(s.attempts.length > 0 ? s.attempts : [{ source: 'crl' as const, url, cached: false }]));
      last = s;
    }
    return { ...(last as Extract<RevocationStatus, { status: 'unknown' }>), attempts };
  }

  /** URLs whose CRL reaches nextUpdate (or has none) within the refresh margin at `now`. */
  refreshDue(now: number = this.opts.clock()): string[] {
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
    const now = this.opts.clock();
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
    const now = this.opts.clock();
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
