/**
 * The trust store: trust anchors from TRUST_ANCHORS_DIR and intermediates from
 * INTERMEDIATES_DIR, read once at boot (never per request).
 *
 * Each regular file of a directory (not recursive; dot-files ignored) may be a
 * PEM bundle (any number of CERTIFICATE blocks) or one DER certificate. A file
 * that holds no certificate (a README, a key, a CRL) is skipped with a warning.
 * A verifier without anchors trusts nothing, so it refuses to start when
 * TRUST_ANCHORS_DIR is unset, unreadable, or yields no certificate.
 * Duplicates (same SHA-256 fingerprint) are kept once.
 *
 * Anchor checks, decided in two halves (libs/pki path/profile.ts):
 *   - at load (here), structural faults that never change with time: an
 *     unknown critical extension, no basicConstraints / cA FALSE /
 *     basicConstraints not critical, a critical AKI or SKI, an empty subject.
 *     Such an anchor is refused — left out of the store — with an error log
 *     line ("TRUST_ANCHORS_DIR: refusing trust anchor", subject, fingerprint,
 *     reasons) and counted in jointcert_verifier_trust_anchors_refused{reason}
 *     (TrustMetrics). When every anchor is refused the verifier does not start;
 *   - at validation time (libs/pki, ValidationPolicy.enforceAnchorConstraints),
 *     what depends on the time or the path: the anchor's validity period (an
 *     expired root fails every path under it: CERT_EXPIRED) and its own
 *     nameConstraints, applied to every path under it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { anchorDefects, type Certificate, isPkiError, KNOWN_EXTENSIONS, parseCertificates, type PathReason } from '@jointcert/pki';
import type { AppConfig, Logger } from '@jointcert/common';
import { TrustMetrics } from './trust-metrics';

export interface TrustStore {
  readonly anchors: readonly Certificate[];
  readonly intermediates: readonly Certificate[];
  /** Anchor certificates refused at load, with their typed reasons. */
  readonly refused: readonly RefusedAnchor[];
}

export interface RefusedAnchor {
  subject: string;
  fingerprint: string;
  reasons: PathReason[];
  details: string[];
}

export class TrustStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrustStoreError';
  }
}

/** Certificates of every file in `dir`; throws TrustStoreError when the directory cannot be read. */
export function readCertificateDir(dir: string, logger: Pick<Logger, 'warn'>, what: string): Certificate[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new TrustStoreError(`${what}: cannot read directory ${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const out: Certificate[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    let bytes: Buffer;
    try {
      if (!statSync(path).isFile()) continue;
      bytes = readFileSync(path);
    } catch (e) {
      logger.warn({ file: path, err: e instanceof Error ? e.message : String(e) }, `${what}: skipping unreadable file`);
      continue;
    }
    let certs: Certificate[];
    try {
      certs = parseCertificates(bytes);
    } catch (e) {
      logger.warn({ file: path, reason: isPkiError(e) ? e.code : 'ERROR', detail: e instanceof Error ? e.message : String(e) }, `${what}: skipping a file that holds no certificate`);
      continue;
    }
    for (const c of certs) {
      if (seen.has(c.fingerprintSha256)) continue;
      seen.add(c.fingerprintSha256);
      out.push(c);
    }
  }
  return out;
}

export function loadTrustStore(
  config: Pick<AppConfig, 'TRUST_ANCHORS_DIR' | 'INTERMEDIATES_DIR'>,
  logger: Pick<Logger, 'warn' | 'info' | 'error'>,
  metrics: TrustMetrics = new TrustMetrics(),
): TrustStore {
  const dir = config.TRUST_ANCHORS_DIR;
  if (dir === undefined || dir.trim() === '') {
    throw new TrustStoreError('TRUST_ANCHORS_DIR is not set: the verifier refuses to start without trust anchors (it would trust nothing)');
  }
  const read = readCertificateDir(dir, logger, 'TRUST_ANCHORS_DIR');
  if (read.length === 0) {
    throw new TrustStoreError(`TRUST_ANCHORS_DIR ${dir} holds no certificate: the verifier refuses to start without trust anchors`);
  }
  const anchors: Certificate[] = [];
  const refused: RefusedAnchor[] = [];
  metrics.refused.reset();
  for (const c of read) {
    const defects = anchorDefects(c, KNOWN_EXTENSIONS);
    if (defects.length === 0) {
      anchors.push(c);
      continue;
    }
    const r: RefusedAnchor = { subject: c.subject.text, fingerprint: c.fingerprintSha256, reasons: [...new Set(defects.map((d) => d.reason))], details: defects.map((d) => d.detail) };
    refused.push(r);
    for (const reason of r.reasons) metrics.refused.inc({ reason });
    logger.error(r, `TRUST_ANCHORS_DIR: refusing trust anchor ${r.subject}: ${r.details.join('; ')}`);
  }
  metrics.loaded.set(anchors.length);
  if (anchors.length === 0) {
    throw new TrustStoreError(`TRUST_ANCHORS_DIR ${dir}: every trust anchor was refused (${refused.map((r) => `${r.subject}: ${r.reasons.join(', ')}`).join('; ')})`);
  }
  const intermediates = config.INTERMEDIATES_DIR ? readCertificateDir(config.INTERMEDIATES_DIR, logger, 'INTERMEDIATES_DIR') : [];
  const anchorPrints = new Set(anchors.map((a) => a.fingerprintSha256));
  const bag = intermediates.filter((c) => !anchorPrints.has(c.fingerprintSha256));
  logger.info({ anchors: anchors.map((a) => a.subject.text), intermediates: bag.length, refused: refused.length }, 'trust store loaded');
  return Object.freeze({ anchors: Object.freeze(anchors), intermediates: Object.freeze(bag), refused: Object.freeze(refused) });
}
