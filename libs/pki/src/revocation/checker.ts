/**
 * RevocationChecker: is each certificate of a validated path revoked? Combines
 * OCSP (./ocsp) and CRLs (a CrlSource) per certificate, with a cache, request
 * coalescing and backoff, and returns data: the status of each certificate and
 * what every source said. The verdict (accept or refuse) is the caller's, with
 * `revocationVerdict(statuses, mode)`.
 *
 * Per certificate, sources in `order` (default OCSP, then CRL):
 *   - OCSP: the per-issuer override URL (by issuer key hash or issuer name),
 *     else the certificate's AIA OCSP URLs (http/https); none → NO_SOURCE;
 *   - CRL: the CrlSource (distribution points of the certificate);
 * the first good/revoked answer wins; otherwise the result is unknown, with the
 * first informative reason and every attempt.
 *
 * OCSP caching: a verified answer is cached until its nextUpdate (no nextUpdate:
 * thisUpdate + maxAge), bounded by `maxCacheTtlMs`; on every read the entry's
 * expiry is compared with the injected clock, so a "good" is never served past
 * its nextUpdate whatever the cache backend does with TTLs. Concurrent checks
 * of one CertID at one URL share one lookup and fetch (single-flight, per
 * process; they share the first caller's `at`). A responder that fails
 * (FETCH_FAILED, MALFORMED_RESPONSE, RESPONDER_ERROR) is backed off
 * exponentially per URL — meanwhile OCSP answers NEGATIVE_CACHED at once and
 * the next source is tried.
 *
 * No fail-open: an exception anywhere in a source becomes an `unknown`.
 * Nonces are off by default: with caching and RFC 5019 responders that
 * pre-sign answers they add nothing but misses.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Certificate } from '../cert/types';
import type { Clock } from '../clock';
import { type AlgorithmPolicy, DEFAULT_ALGORITHM_POLICY } from '../crypto/signature';
import { dnStringKey } from './crl/dp-names';
import { type CachedEntry, MemoryRevocationCache, type RevocationCache } from './cache';
import { type CrlSource, freezeStatus } from './crl-source';
import { ocspFetch } from './ocsp/fetch';
import { buildOcspRequest } from './ocsp/request';
import { DEFAULT_OCSP_MAX_AGE_MS, verifyOcspResponse } from './ocsp/verify';
import type { HttpFetcher, RevocationEvidence, RevocationQuery, RevocationSource, RevocationStatus, RevocationUnknownReason } from './types';

export type RevocationMode = 'hard-fail' | 'soft-fail';

/** Ask `url` for certificates of one issuer, named by its key hash (SHA-1 of subjectPublicKey, hex) or its DN (RFC 4514). */
export interface OcspOverride {
  issuerKeyHash?: string;
  issuerName?: string;
  url: string;
}

export interface OcspCheckerOptions {
  hash?: 'sha1' | 'sha256';
  method?: 'POST' | 'GET';
  timeoutMs?: number;
  maxBytes?: number;
  /** Send a nonce (default false). */
  nonce?: boolean;
  requireNonce?: boolean;
  requireNoCheck?: boolean;
  /** Freshness of an answer without nextUpdate. Default 1 hour. */
  maxAgeMs?: number;
  trustedResponders?: readonly Certificate[];
}

export interface RevocationCheckerOptions {
  http: HttpFetcher;
  /** The CRL side; without it CRL attempts answer NO_SOURCE. */
  crl?: CrlSource;
  clock: Clock;
  /** Default: an in-memory cache on `clock`. */
  cache?: RevocationCache;
  /** Default ['ocsp', 'crl']. */
  order?: readonly RevocationSource[];
  /** The SSRF allowlist, applied before any OCSP fetch (the HttpFetcher applies its own too). */
  allow?: (url: string) => boolean;
  ocspOverrides?: readonly OcspOverride[];
  algorithms?: AlgorithmPolicy;
  /** Clock skew tolerated on thisUpdate/nextUpdate. Default 5 minutes. */
  maxSkewMs?: number;
  ocsp?: OcspCheckerOptions;
  /** Upper bound on how long an OCSP answer is cached. Default 24 hours. */
  maxCacheTtlMs?: number;
  /** Backoff of a failing responder: base doubling per failure, up to max. Defaults 30 s and 30 min. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Nonce bytes. Default crypto.randomBytes. */
  random?: (n: number) => Uint8Array;
  /** The verdict `checkPathVerdict` applies. Default 'hard-fail'. */
  mode?: RevocationMode;
}

/** What the checker found for one certificate. */
export interface CertificateRevocation {
  subject: string;
  serialHex: string;
  status: RevocationStatus;
  /** Each source's answer, in the order asked. */
  tried: RevocationStatus[];
}

type Unknown = Extract<RevocationStatus, { status: 'unknown' }>;

const SOURCE_FAILURES: ReadonlySet<RevocationUnknownReason> = new Set(['FETCH_FAILED', 'MALFORMED_RESPONSE', 'RESPONDER_ERROR']);

function unknown(source: RevocationSource, reason: RevocationUnknownReason, detail: string, url?: string, attempts: RevocationEvidence[] = []): Unknown {
  return { status: 'unknown', reason, detail, source, ...(url !== undefined ? { url } : {}), attempts };
}

/**
 * What the checker hashes of an issuer, once per Certificate object (a cached
 * CA is the same object on every request): the SHA-1 of its key (override
 * lookup) and the id of its name and key in OCSP cache keys.
 */
const hashesOfIssuer = new WeakMap<Certificate, { keySha1: string; id: string }>();

function issuerHashes(issuer: Certificate): { keySha1: string; id: string } {
  let h = hashesOfIssuer.get(issuer);
  if (h === undefined) {
    h = {
      keySha1: createHash('sha1').update(issuer.spki.publicKey).digest('hex'),
      id: createHash('sha256').update(issuer.subject.der).update(issuer.spki.publicKey).digest('hex').slice(0, 32),
    };
    hashesOfIssuer.set(issuer, h);
  }
  return h;
}

/** The OCSP side's answer for a certificate with no OCSP URL and no override for its issuer (one frozen object). */
const NO_OCSP_URL: Unknown = freezeStatus(unknown('ocsp', 'NO_SOURCE', 'no OCSP URL (AIA) and no override for the issuer')) as Unknown;

const DEFAULT_ORDER: readonly RevocationSource[] = ['ocsp', 'crl'];

/** A cached answer `hit` usable for a query at `at` (now, skew: the checker's), else undefined. */
function freshHit(hit: CachedEntry | undefined, now: number, at: number, skew: number): RevocationStatus | undefined {
  if (hit?.kind !== 'status' || now >= hit.expiresAt || at >= hit.expiresAt + skew) return undefined;
  const s = hit.status;
  const from = s.status === 'unknown' ? s.attempts[0]?.thisUpdate : s.thisUpdate;
  return from === undefined || at >= from - skew ? markCached(s) : undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class RevocationChecker {
  private readonly cache: RevocationCache;
  private readonly inflight = new Map<string, Promise<RevocationStatus>>();
  private readonly overridesByKey = new Map<string, string>();
  private readonly overridesByName = new Map<string, string>();
  /** checkNow's results by their (frozen, shared) status. */
  private readonly results = new WeakMap<RevocationStatus, CertificateRevocation>();
  /** ocspUrls per certificate, for the issuer it was asked with (the overrides are fixed). */
  private readonly urlsOf = new WeakMap<Certificate, { issuer: Certificate; urls: readonly string[] }>();
  /** OCSP HTTP exchanges started (for metrics and tests). */
  ocspFetches = 0;

  constructor(private readonly opts: RevocationCheckerOptions) {
    this.cache = opts.cache ?? new MemoryRevocationCache({ clock: opts.clock });
    for (const o of opts.ocspOverrides ?? []) {
      if (o.issuerKeyHash !== undefined) this.overridesByKey.set(o.issuerKeyHash.toLowerCase().replace(/[^0-9a-f]/g, ''), o.url);
      if (o.issuerName !== undefined) {
        const k = dnStringKey(o.issuerName);
        if (k !== undefined) this.overridesByName.set(k, o.url);
      }
    }
  }

  /** Check every certificate of a leaf-first path against its issuer (the next one); the last one (the anchor) is not checked. */
  checkPath(path: readonly Certificate[], at: number): Promise<CertificateRevocation[]> {
    const r = this.checkPathNowOrLater(path, at);
    return Array.isArray(r) ? Promise.resolve(r) : r;
  }

  /** checkPath's answer as the list itself when it is known without waiting (checkPathNow), else as the promise of asking. */
  checkPathNowOrLater(path: readonly Certificate[], at: number): CertificateRevocation[] | Promise<CertificateRevocation[]> {
    const now = this.checkPathNow(path, at);
    if (now !== undefined) return now;
    const jobs: Promise<CertificateRevocation>[] = [];
    for (let i = 0; i + 1 < path.length; i++) jobs.push(this.check({ cert: path[i]!, issuer: path[i + 1]!, at, path }));
    return Promise.all(jobs);
  }

  /**
   * checkPath's answer when every certificate's is known without waiting —
   * its first source in `order` that answers good or revoked does so from
   * memory (an OCSP answer the cache holds in process, CRLs the CRL source
   * holds), after at most an OCSP side with no URL — else undefined (then
   * checkPath asks, fetches, waits). The same answers check() gives, each a
   * frozen object that is the same for the same cached answer: a repeat
   * signer's revocation allocates almost nothing and waits for no promise.
   */
  checkPathNow(path: readonly Certificate[], at: number): CertificateRevocation[] | undefined {
    try {
      const out: CertificateRevocation[] = [];
      for (let i = 0; i + 1 < path.length; i++) {
        const r = this.checkNow({ cert: path[i]!, issuer: path[i + 1]!, at, path });
        if (r === undefined) return undefined;
        out.push(r);
      }
      return out;
    } catch {
      return undefined; // check() turns the failure into its answer
    }
  }

  private checkNow(query: RevocationQuery): CertificateRevocation | undefined {
    let noOcsp = false;
    for (const source of this.opts.order ?? DEFAULT_ORDER) {
      const s = source === 'ocsp' ? this.ocspNow(query) : this.opts.crl?.checkHeld?.(query, query.at);
      if (s === undefined) return undefined;
      if (s.status !== 'unknown') return this.resultNow(query, s, noOcsp);
      // an unknown answer: check() goes on, and gathers the attempts; only "no OCSP URL" is followed here
      if (s !== NO_OCSP_URL || noOcsp) return undefined;
      noOcsp = true;
    }
    return undefined;
  }

  /** check()'s OCSP answer when the cache holds a usable one in process (or there is no URL to ask), else undefined. */
  private ocspNow(query: RevocationQuery): RevocationStatus | undefined {
    const urls = this.ocspUrls(query.cert, query.issuer);
    if (urls.length === 0) return NO_OCSP_URL;
    if (this.cache.peek === undefined) return undefined;
    const key = this.ocspKey(urls[0]!, query);
    if (this.inflight.has(key)) return undefined;
    const s = freshHit(this.cache.peek(key), this.opts.clock.now(), query.at, this.opts.maxSkewMs ?? 5 * 60_000);
    return s?.status === 'unknown' ? undefined : s;
  }

  /** check()'s result for `status` after `noOcsp` (an OCSP side without URL tried first), the same frozen object for the same answer. */
  private resultNow(query: RevocationQuery, status: RevocationStatus, noOcsp: boolean): CertificateRevocation {
    const hit = this.results.get(status);
    const tried = noOcsp ? 2 : 1;
    if (hit !== undefined && hit.tried.length === tried && hit.subject === query.cert.subject.text && hit.serialHex === query.cert.serialHex) return hit;
    const r = Object.freeze(this.result(query, status, Object.freeze(noOcsp ? [NO_OCSP_URL, status] : [status]) as RevocationStatus[]));
    if (Object.isFrozen(status)) this.results.set(status, r);
    return r;
  }

  /** checkPath plus the verdict under the configured mode. */
  async checkPathVerdict(path: readonly Certificate[], at: number): Promise<{ results: CertificateRevocation[]; verdict: RevocationVerdict }> {
    const results = await this.checkPath(path, at);
    return { results, verdict: revocationVerdict(results.map((r) => r.status), this.opts.mode ?? 'hard-fail') };
  }

  async check(query: RevocationQuery): Promise<CertificateRevocation> {
    const tried: RevocationStatus[] = [];
    for (const source of this.opts.order ?? DEFAULT_ORDER) {
      let s: RevocationStatus;
      try {
        s = source === 'ocsp' ? await this.checkOcsp(query) : this.opts.crl ? await this.opts.crl.check(query, query.at) : unknown('crl', 'NO_SOURCE', 'no CRL source configured');
      } catch (e) {
        s = unknown(source, 'FETCH_FAILED', `internal error: ${message(e)}`);
      }
      tried.push(s);
      if (s.status !== 'unknown') return this.result(query, s, tried);
    }
    const unknowns = tried as Unknown[];
    const primary = unknowns.find((u) => u.reason !== 'NO_SOURCE') ?? unknowns[0] ?? unknown('ocsp', 'NO_SOURCE', 'no revocation source configured');
    const status: Unknown = {
      ...primary,
      detail: unknowns.map((u) => `${u.source ?? '?'}: ${u.reason} ${u.detail}`).join('; '),
      attempts: unknowns.flatMap((u) => u.attempts),
    };
    return this.result(query, status, tried);
  }

  private result(query: RevocationQuery, status: RevocationStatus, tried: RevocationStatus[]): CertificateRevocation {
    return { subject: query.cert.subject.text, serialHex: query.cert.serialHex, status, tried };
  }

  /** The OCSP URLs for a certificate: the issuer's override, else its AIA OCSP http(s) URLs. */
  ocspUrls(cert: Certificate, issuer: Certificate): readonly string[] {
    const known = this.urlsOf.get(cert);
    if (known?.issuer === issuer) return known.urls;
    const urls = Object.freeze(this.findOcspUrls(cert, issuer));
    this.urlsOf.set(cert, { issuer, urls });
    return urls;
  }

  private findOcspUrls(cert: Certificate, issuer: Certificate): string[] {
    const keyHash = issuerHashes(issuer).keySha1;
    const o = this.overridesByKey.get(keyHash) ?? this.overridesByName.get(issuer.subject.key);
    if (o !== undefined) return [o];
    const out: string[] = [];
    for (const ad of cert.ext.authorityInfoAccess ?? []) {
      if (ad.method === '1.3.6.1.5.5.7.48.1' && ad.location.type === 'uniformResourceIdentifier' && /^https?:\/\//i.test(ad.location.value) && !out.includes(ad.location.value)) {
        out.push(ad.location.value);
      }
    }
    return out;
  }

  private async checkOcsp(query: RevocationQuery): Promise<RevocationStatus> {
    const urls = this.ocspUrls(query.cert, query.issuer);
    if (urls.length === 0) return NO_OCSP_URL;
    let last: RevocationStatus | undefined;
    for (const url of urls) {
      last = await this.ocspShared(url, query);
      if (last.status !== 'unknown') return last;
    }
    return last!;
  }

  /** The cache (and single-flight) key of an OCSP question to `url`. */
  private ocspKey(url: string, query: RevocationQuery): string {
    return `ocsp|${this.opts.ocsp?.hash ?? 'sha1'}|${url}|${issuerHashes(query.issuer).id}|${query.cert.serialHex}`;
  }

  private ocspShared(url: string, query: RevocationQuery): Promise<RevocationStatus> {
    const key = this.ocspKey(url, query);
    const existing = this.inflight.get(key);
    if (existing) return existing;
    const p = this.ocspLookup(url, key, query)
      .catch((e: unknown) => unknown('ocsp', 'FETCH_FAILED', `internal error: ${message(e)}`, url))
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async cacheGet(key: string): Promise<CachedEntry | undefined> {
    try {
      return await this.cache.get(key);
    } catch {
      return undefined; // a broken cache is a miss, never an answer
    }
  }

  private async cacheSet(key: string, entry: CachedEntry, ttlMs: number): Promise<void> {
    try {
      await this.cache.set(key, entry, ttlMs);
    } catch {
      // best effort
    }
  }

  private async ocspLookup(url: string, key: string, query: RevocationQuery): Promise<RevocationStatus> {
    const skew = this.opts.maxSkewMs ?? 5 * 60_000;
    const now = this.opts.clock.now();
    const cached = freshHit(await this.cacheGet(key), now, query.at, skew);
    if (cached !== undefined) return cached;

    const negKey = `ocsp-neg|${url}`;
    const neg = await this.cacheGet(negKey);
    if (neg?.kind === 'failure' && now < neg.retryAt) {
      return unknown('ocsp', 'NEGATIVE_CACHED', `${neg.reason} (${neg.failures}× in a row): ${neg.detail}; not asking again before ${neg.retryAt}`, url, [{ source: 'ocsp', url, cached: true }]);
    }

    const o = this.opts.ocsp ?? {};
    const nonce = o.nonce ? (this.opts.random ?? randomBytes)(16) : undefined;
    const req = buildOcspRequest(query.cert, query.issuer, { hash: o.hash ?? 'sha1', ...(nonce ? { nonce } : {}) });
    this.ocspFetches++;
    const res = await ocspFetch(url, req.der, this.opts.http, {
      method: o.method ?? 'POST',
      timeoutMs: o.timeoutMs ?? 5000,
      maxBytes: o.maxBytes ?? 64 * 1024,
      ...(this.opts.allow ? { allow: this.opts.allow } : {}),
    });
    let status: RevocationStatus;
    if (!res.ok) {
      status = unknown('ocsp', res.reason, res.detail, url, [{ source: 'ocsp', url, cached: false }]);
    } else {
      status = verifyOcspResponse(res.response, {
        cert: query.cert,
        issuer: query.issuer,
        certId: req.certId,
        ...(req.nonceValue ? { nonce: req.nonceValue } : {}),
        at: query.at,
        maxSkewMs: skew,
        algorithms: this.opts.algorithms ?? DEFAULT_ALGORITHM_POLICY,
        ...(o.trustedResponders ? { trustedResponders: o.trustedResponders } : {}),
        ...(o.maxAgeMs !== undefined ? { maxAgeMs: o.maxAgeMs } : {}),
        ...(o.requireNonce !== undefined ? { requireNonce: o.requireNonce } : {}),
        ...(o.requireNoCheck !== undefined ? { requireNoCheck: o.requireNoCheck } : {}),
        url,
        cached: false,
      });
    }

    const after = this.opts.clock.now();
    if (status.status === 'unknown' && SOURCE_FAILURES.has(status.reason)) {
      const failures = (neg?.kind === 'failure' ? neg.failures : 0) + 1;
      const maxBackoff = this.opts.backoffMaxMs ?? 30 * 60_000;
      const delay = Math.min((this.opts.backoffBaseMs ?? 30_000) * 2 ** Math.min(failures - 1, 30), maxBackoff);
      // keep the count a while after retryAt so the next failure backs off further
      await this.cacheSet(negKey, { kind: 'failure', reason: status.reason, detail: status.detail, failures, retryAt: after + delay }, delay + 2 * maxBackoff);
      return status;
    }
    if (neg) await this.cache.delete(negKey).catch(() => undefined);

    const cacheable = status.status !== 'unknown' || status.reason === 'OCSP_UNKNOWN';
    if (cacheable) {
      const ev = status.status === 'unknown' ? status.attempts[0] : status;
      const thisUpdate = ev?.thisUpdate;
      if (thisUpdate !== undefined) {
        const until = ev?.nextUpdate ?? thisUpdate + (o.maxAgeMs ?? DEFAULT_OCSP_MAX_AGE_MS);
        const expiresAt = Math.min(until, after + (this.opts.maxCacheTtlMs ?? 24 * 60 * 60_000));
        if (expiresAt > after) await this.cacheSet(key, { kind: 'status', status, expiresAt }, expiresAt - after);
      }
    }
    return status;
  }
}

/** A cached answer as served (cached: true): one frozen object per cached answer object. */
const markedCached = new WeakMap<RevocationStatus, RevocationStatus>();

function markCached(s: RevocationStatus): RevocationStatus {
  let m = markedCached.get(s);
  if (m === undefined) {
    m = freezeStatus(s.status === 'unknown' ? { ...s, attempts: s.attempts.map((a) => ({ ...a, cached: true })) } : { ...s, cached: true });
    markedCached.set(s, m);
  }
  return m;
}

export interface RevocationVerdict {
  accepted: boolean;
  mode: RevocationMode;
  /** Indexes (into the statuses given) of revoked certificates. */
  revoked: number[];
  /** Indexes of certificates whose status is unknown (refused in hard-fail, accepted and recorded in soft-fail). */
  unknown: number[];
  reason?: 'REVOKED' | 'REVOCATION_UNKNOWN';
}

/**
 * The decision over a path's statuses. hard-fail: every certificate must be
 * good. soft-fail: any revoked refuses; unknowns are accepted, and listed so
 * the caller records them.
 */
export function revocationVerdict(statuses: readonly RevocationStatus[], mode: RevocationMode): RevocationVerdict {
  const revoked: number[] = [];
  const unknownIdx: number[] = [];
  statuses.forEach((s, i) => {
    if (s.status === 'revoked') revoked.push(i);
    else if (s.status === 'unknown') unknownIdx.push(i);
  });
  if (revoked.length > 0) return { accepted: false, mode, revoked, unknown: unknownIdx, reason: 'REVOKED' };
  if (unknownIdx.length > 0 && mode === 'hard-fail') return { accepted: false, mode, revoked, unknown: unknownIdx, reason: 'REVOCATION_UNKNOWN' };
  return { accepted: true, mode, revoked, unknown: unknownIdx };
}
