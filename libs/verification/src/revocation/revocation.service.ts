/**
 * Revocation plumbing of the verifier: one RevocationChecker (libs/pki) shared
 * by every handler, on
 *   - the guarded Node HttpFetcher (OCSP and http CRLs) and LDAP fetcher
 *     (ldap:// distribution points, as Korean CAs publish them), both behind
 *     the SSRF allowlist (fetch-guard.ts), FETCH_TIMEOUT_MS, OCSP_MAX_BYTES and
 *     CRL_MAX_BYTES;
 *   - the Redis RevocationCache (OCSP answers and responder backoff, shared by
 *     replicas) and an in-process CRL source (parsed CRLs with their serial
 *     index stay in memory, refreshed before nextUpdate by a timer);
 *   - REVOCATION_ORDER and REVOCATION_SKEW_S.
 * The verdict mode is the caller's: challenges use REVOCATION_POLICY
 * (hard-fail by default), documents soft-fail (unknown → indeterminate).
 */
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  type Certificate,
  type CertificateRevocation,
  fetchCrl,
  FetchingCrlSource,
  type HttpFetcher,
  type LdapFetcher,
  RevocationChecker,
  type RevocationMode,
  revocationVerdict,
  type RevocationVerdict,
} from '@jointcert/pki';
import type { AppConfig, Logger } from '@jointcert/common';
import { CONFIG, type Clock, CLOCK, LOGGER } from '@jointcert/common';
import { HTTP_FETCHER, LDAP_FETCHER, REDIS } from '../verifier.tokens';
import { createFetchAllow } from './fetch-guard';
import { RedisRevocationCache } from './redis-revocation-cache';

/** How often due CRLs are looked for (they are refreshed 15 minutes before nextUpdate). */
export const CRL_REFRESH_INTERVAL_MS = 60_000;

export interface PathRevocation {
  results: CertificateRevocation[];
  verdict: RevocationVerdict;
}

@Injectable()
export class RevocationService implements OnModuleDestroy {
  readonly checker: RevocationChecker;
  readonly crl: FetchingCrlSource;
  readonly cache: RedisRevocationCache;
  readonly allow: (url: string) => boolean;
  private readonly timer: NodeJS.Timeout;

  constructor(
    @Inject(CONFIG) config: AppConfig,
    @Inject(CLOCK) clock: Clock,
    @Inject(HTTP_FETCHER) http: HttpFetcher,
    @Inject(LDAP_FETCHER) ldap: LdapFetcher,
    @Inject(REDIS) redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.allow = createFetchAllow(config);
    const maxSkewMs = config.REVOCATION_SKEW_S * 1000;
    this.cache = new RedisRevocationCache(redis, { prefix: config.REDIS_PREFIX, clock });
    this.crl = new FetchingCrlSource({
      fetch: (url) => fetchCrl(url, { http, ldap, allow: this.allow, maxBytes: config.CRL_MAX_BYTES, timeoutMs: config.FETCH_TIMEOUT_MS }),
      clock,
      maxSkewMs,
    });
    this.checker = new RevocationChecker({
      http,
      crl: this.crl,
      clock,
      cache: this.cache,
      order: config.REVOCATION_ORDER,
      allow: this.allow,
      maxSkewMs,
      ocsp: { timeoutMs: config.FETCH_TIMEOUT_MS, maxBytes: config.OCSP_MAX_BYTES },
      mode: config.REVOCATION_POLICY,
    });
    this.timer = setInterval(() => void this.refreshDueCrls(), CRL_REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Status of every non-anchor certificate of a leaf-first path, and the verdict under `mode`. */
  async checkPath(path: readonly Certificate[], at: number, mode: RevocationMode): Promise<PathRevocation> {
    const results = await this.checker.checkPath(path, at);
    return { results, verdict: revocationVerdict(results.map((r) => r.status), mode) };
  }

  /** Fetch the CRLs whose nextUpdate is near; failures are logged (the CRL source backs off). */
  async refreshDueCrls(): Promise<void> {
    for (const url of this.crl.refreshDue()) {
      const r = await this.crl.refresh(url);
      if (!r.ok) this.logger.warn({ url, reason: r.reason, detail: r.detail }, 'CRL refresh failed');
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
