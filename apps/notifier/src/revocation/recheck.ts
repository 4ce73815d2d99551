/**
 * The revocation re-check of every active registered certificate, in bulk:
 *
 *   1. certificates whose CRL distribution point was not recorded yet get it
 *      from their DER (certificates.crl_url; '' when they have none);
 *   2. active certificates are grouped by (CRL URL, issuer) in SQL; each CRL
 *      is fetched once (libs/pki fetchCrl: http or ldap, behind the same SSRF
 *      allowlist as the verifier), checked once against a member of the group
 *      (scope, issuer signature, freshness: libs/pki checkCrl), then every
 *      serial of the group is looked up in the CRL's index, page by page;
 *   3. OCSP (libs/pki RevocationChecker) only for certificates without a
 *      usable CRL (none, fetch failed, stale, bad signature);
 *   4. revoked → status `revoked` with time and reason, an audit row and a
 *      pending 'revoked' notice (one statement), enqueued for sending.
 * Login refuses a revoked registration at once: it accepts only `active` rows.
 */
import type { Clock, Logger } from '@jointcert/common';
import type { CrlGroup, NotifierRepository, Revocation } from '@jointcert/registry-db';
import { checkCrl, crlUrlsOf, DEFAULT_ALGORITHM_POLICY, parseCertificate, type Certificate, type CrlFetchResult, type RevocationChecker } from '@jointcert/pki';
import type { NotifierMetrics } from '../metrics/notifier-metrics';
import type { Enqueue } from '../scan/reminder-scan';
import type { IssuerDirectory } from './issuers';

export interface RecheckReport {
  at: string;
  certificates: number;
  groups: number;
  crlFetches: number;
  crlUnusable: number;
  ocspChecked: number;
  unknown: number;
  revoked: number;
  seconds: number;
}

export interface RecheckDeps {
  repo: NotifierRepository;
  enqueue: Enqueue;
  clock: Clock;
  fetchCrl: (url: string) => Promise<CrlFetchResult>;
  issuers: IssuerDirectory;
  /** For certificates without a usable CRL; undefined = no OCSP. */
  ocsp: RevocationChecker | undefined;
  maxSkewMs: number;
  metrics: NotifierMetrics;
  logger: Logger;
  pageSize?: number;
}

export class RevocationRechecker {
  constructor(private readonly d: RecheckDeps) {}

  async recheck(): Promise<RecheckReport> {
    const started = performance.now();
    const at = this.d.clock.now();
    const page = this.d.pageSize ?? 10_000;
    await this.recordCrlUrls(page);
    const groups = await this.d.repo.crlGroups();
    const fetched = new Map<string, CrlFetchResult>();
    const report: RecheckReport = { at: new Date(at).toISOString(), certificates: 0, groups: groups.length, crlFetches: 0, crlUnusable: 0, ocspChecked: 0, unknown: 0, revoked: 0, seconds: 0 };
    const viaOcsp: CrlGroup[] = [];
    const pending: Revocation[] = [];
    const flush = async (force: boolean) => {
      if (pending.length === 0 || (!force && pending.length < 1000)) return;
      const notices = await this.d.repo.markRevoked(pending.splice(0), new Date(at));
      report.revoked += notices.length;
      await this.d.enqueue(notices);
    };

    for (const g of groups) {
      report.certificates += g.certificates;
      if (g.crlUrl === '') {
        viaOcsp.push(g);
        continue;
      }
      let r = fetched.get(g.crlUrl);
      if (!r) {
        r = await this.d.fetchCrl(g.crlUrl).catch((e: unknown): CrlFetchResult => ({ ok: false, url: g.crlUrl, reason: 'FETCH_FAILED', detail: String(e) }));
        fetched.set(g.crlUrl, r);
        report.crlFetches++;
        this.d.metrics.crlFetches.inc({ outcome: r.ok ? 'ok' : 'failed' });
      }
      const usable = r.ok ? await this.usableCrl(g, r, at) : undefined;
      if (!usable) {
        this.d.logger.warn({ url: g.crlUrl, issuer: g.issuerKey, reason: r.ok ? 'unusable' : r.detail }, 'CRL not usable; falling back to OCSP');
        report.crlUnusable++;
        viaOcsp.push(g);
        continue;
      }
      const crl = usable;
      const certKey = crl.issuingDistributionPoint?.indirectCrl ? g.issuerKey : undefined;
      let after: string | null = null;
      for (;;) {
        const rows = await this.d.repo.groupPage(g, after, page);
        for (const row of rows) {
          const hit = crl.lookup(Buffer.from(row.serial_hex, 'hex'), certKey);
          if (hit && hit.reason !== 'removeFromCRL') pending.push({ certificateId: row.id, revokedAt: new Date(hit.revokedAt), reason: hit.reason ?? null, source: 'crl' });
        }
        await flush(false);
        if (rows.length < page) break;
        after = rows[rows.length - 1]!.id;
      }
    }
    await flush(true);
    const crlRevoked = report.revoked;
    if (crlRevoked > 0) this.d.metrics.revocations.inc({ source: 'crl' }, crlRevoked);

    for (const g of viaOcsp) await this.checkByOcsp(g, at, page, pending, report);
    await flush(true);
    if (report.revoked > crlRevoked) this.d.metrics.revocations.inc({ source: 'ocsp' }, report.revoked - crlRevoked);

    report.seconds = (performance.now() - started) / 1000;
    this.d.metrics.scanSeconds.observe({ scan: 'recheck' }, report.seconds);
    this.d.logger.info(report, 'revocation re-check done');
    return report;
  }

  /** Fill certificates.crl_url from the DER of those not looked at yet. */
  private async recordCrlUrls(page: number): Promise<void> {
    let after: string | null = null;
    for (;;) {
      const rows = await this.d.repo.certificatesWithoutCrlUrl(after, page);
      await this.d.repo.setCrlUrls(rows.map((r) => ({ id: r.id, crlUrl: crlUrlOf(r.der) })));
      if (rows.length < page) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  /** The CRL when it is usable for the group: checked once against one member (scope, signer, signature, freshness). */
  private async usableCrl(g: CrlGroup, r: Extract<CrlFetchResult, { ok: true }>, at: number) {
    const [first] = await this.d.repo.groupPage(g, null, 1, true);
    const cert = first?.der ? tryParse(first.der) : undefined;
    if (!cert) return undefined;
    for (const issuer of this.d.issuers.find(g.issuerKey)) {
      const s = checkCrl({ cert, issuer, at }, r.crl, { at, maxSkewMs: this.d.maxSkewMs, algorithms: DEFAULT_ALGORITHM_POLICY, url: g.crlUrl });
      if (s.status !== 'unknown') return r.crl;
    }
    return undefined;
  }

  private async checkByOcsp(g: CrlGroup, at: number, page: number, out: Revocation[], report: RecheckReport): Promise<void> {
    const issuers = this.d.issuers.find(g.issuerKey);
    let after: string | null = null;
    for (;;) {
      const rows = await this.d.repo.groupPage(g, after, page, true);
      for (const row of rows) {
        const cert = row.der ? tryParse(row.der) : undefined;
        const issuer = issuers[0];
        if (!cert || !issuer || !this.d.ocsp) {
          report.unknown++;
          continue;
        }
        report.ocspChecked++;
        const s = (await this.d.ocsp.check({ cert, issuer, at })).status;
        if (s.status === 'revoked') out.push({ certificateId: row.id, revokedAt: new Date(s.revokedAt), reason: s.reason ?? null, source: 'ocsp' });
        else if (s.status === 'unknown') report.unknown++;
      }
      if (rows.length < page) return;
      after = rows[rows.length - 1]!.id;
    }
  }
}

function tryParse(der: Uint8Array): Certificate | undefined {
  try {
    return parseCertificate(der);
  } catch {
    return undefined;
  }
}

/** The first http/ldap CRL distribution point of a certificate's DER; '' when none (or unparsable). */
export function crlUrlOf(der: Uint8Array): string {
  const cert = tryParse(der);
  return cert ? (crlUrlsOf({ cert, issuer: cert, at: 0 })[0] ?? '') : '';
}
