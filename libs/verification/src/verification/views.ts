/**
 * Mapping libs/pki results to the contract's views (libs/contracts api.ts):
 * plain JSON, times as ISO-8601, bytes as base64/hex.
 */
import type { CertificateSummary, ReportCheck, RevocationCheckView, SignerCertificate } from '@jointcert/contracts';
import { type Certificate, type CertificateRevocation, certificatePolicyOids, classifyCertificate, cnBaseOf, commonNameOf, hasIdentifyData, isoString, type PathCheck } from '@jointcert/pki';

/** A time as the report shows it (ISO-8601), null when absent. */
export function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : isoString(ms);
}

/** The ISO text of the last time asked for, kept: a report's validation and signing times repeat over many requests in a row. */
export class LastIso {
  private ms: number | undefined;
  private text: string | null = null;

  of(ms: number | undefined): string | null {
    if (ms !== this.ms) {
      this.text = iso(ms);
      this.ms = ms;
    }
    return this.text;
  }
}

/*
 * Views of a certificate depend on nothing else, and a repeat signer's
 * Certificate (and its CA's) is the same object every time (libs/pki's
 * certificate cache): build each view once per certificate and hand out the
 * frozen result. Keyed weakly, so a view lives exactly as long as its certificate.
 */
function perCertificate<T extends object>(build: (c: Certificate) => T): (c: Certificate) => Readonly<T> {
  const views = new WeakMap<Certificate, Readonly<T>>();
  return (c) => {
    let view = views.get(c);
    if (view === undefined) {
      view = Object.freeze(build(c));
      views.set(c, view);
    }
    return view;
  };
}

/** The contract's summary of a certificate (built once per certificate). */
export const summaryOf = perCertificate(buildSummary);

function buildSummary(c: Certificate): CertificateSummary {
  return {
    subject: c.subject.text,
    issuer: c.issuer.text,
    serialHex: c.serialHex,
    fingerprintSha256: c.fingerprintSha256,
    notBefore: isoString(c.notBefore),
    notAfter: isoString(c.notAfter),
  };
}

/** A validated path's summaries: one frozen list per path list that is frozen (libs/pki's path cache hands out the same one for a repeat signer). */
const pathSummaries = new WeakMap<readonly Certificate[], readonly CertificateSummary[]>();
export function pathSummariesOf(path: readonly Certificate[]): CertificateSummary[] {
  const hit = pathSummaries.get(path);
  if (hit !== undefined) return hit as CertificateSummary[];
  const out = path.map(summaryOf);
  if (Object.isFrozen(path)) pathSummaries.set(path, Object.freeze(out));
  return out;
}

/** What a document report says of its signer's certificate beyond the summary: its first policy OID and its type (built once per certificate). */
export const signerFactsOf = perCertificate((c: Certificate): { policyOid: string | null; type: string | null } => {
  const type = classifyCertificate(c);
  return { policyOid: certificatePolicyOids(c)[0] ?? null, type: type ? `${type.holder}/${type.usage}` : null };
});

/** The contract's view of the signer's certificate (built once per certificate). */
export const signerCertificateOf = perCertificate(buildSignerCertificate);

function buildSignerCertificate(c: Certificate): SignerCertificate {
  const type = classifyCertificate(c);
  return {
    ...summaryOf(c),
    der: Buffer.from(c.der.buffer, c.der.byteOffset, c.der.byteLength).toString('base64'),
    issuerKey: c.issuer.key,
    policyOid: certificatePolicyOids(c)[0] ?? null,
    ca: type?.ca ?? null,
    type: type ? `${type.holder}/${type.usage}` : null,
    typeLabel: type?.label ?? null,
    hasIdentifyData: hasIdentifyData(c),
    cnBase: cnBaseOf(commonNameOf(c)),
  };
}

/*
 * A path's checks as report checks (`path.<check>`). A repeat signer's path
 * result comes from libs/pki's path cache with the same frozen checks list
 * every time: its views are built once per list and handed out frozen. A
 * list that is not frozen could still change and is mapped anew.
 */
const pathCheckViews = new WeakMap<readonly PathCheck[], readonly ReportCheck[]>();
export function pathChecksOf(checks: readonly PathCheck[]): readonly ReportCheck[] {
  const hit = pathCheckViews.get(checks);
  if (hit !== undefined) return hit;
  const out = checks.map(pathCheckView);
  if (Object.isFrozen(checks) && checks.every((c) => Object.isFrozen(c))) {
    for (const v of out) Object.freeze(v);
    pathCheckViews.set(checks, Object.freeze(out));
  }
  return out;
}

function pathCheckView(c: PathCheck): ReportCheck {
  const v: ReportCheck = { check: `path.${c.check}`, cert: c.cert, ok: c.ok };
  if (c.reason) v.reason = c.reason;
  if (c.detail) v.detail = c.detail;
  return v;
}

/*
 * A revocation view per checker result: RevocationChecker#checkPathNow hands
 * out the same frozen result for the same cached answer, so its view is
 * built once and shared frozen; a result that is not frozen is viewed anew.
 */
const revocationViews = new WeakMap<CertificateRevocation, RevocationCheckView>();
export function revocationViewOf(r: CertificateRevocation): RevocationCheckView {
  if (!Object.isFrozen(r) || !Object.isFrozen(r.status)) return buildRevocationView(r);
  let view = revocationViews.get(r);
  if (view === undefined) {
    view = Object.freeze(buildRevocationView(r));
    revocationViews.set(r, view);
  }
  return view;
}

// each view is one literal: spreading a small fresh object (`{ ...base, … }`) made V8 build it
// property by property in the runtime, ~10 µs a view where the literal takes tens of ns
function buildRevocationView(r: CertificateRevocation): RevocationCheckView {
  const s = r.status;
  if (s.status === 'unknown') {
    const ev = s.attempts[0];
    return {
      subject: r.subject,
      serialHex: r.serialHex,
      status: 'unknown',
      source: s.source ?? ev?.source ?? null,
      url: s.url ?? ev?.url ?? null,
      thisUpdate: iso(ev?.thisUpdate),
      nextUpdate: iso(ev?.nextUpdate),
      producedAt: iso(ev?.producedAt),
      cached: s.attempts.some((a) => a.cached),
      revokedAt: null,
      reason: null,
      unknownReason: s.reason,
      detail: s.detail,
    };
  }
  return {
    subject: r.subject,
    serialHex: r.serialHex,
    status: s.status,
    source: s.source,
    url: s.url ?? null,
    thisUpdate: iso(s.thisUpdate),
    nextUpdate: iso(s.nextUpdate),
    producedAt: iso(s.producedAt),
    cached: s.cached,
    revokedAt: s.status === 'revoked' ? iso(s.revokedAt) : null,
    reason: s.status === 'revoked' ? (s.reason ?? null) : null,
    unknownReason: null,
    detail: s.notes && s.notes.length > 0 ? s.notes.join('; ') : null,
  };
}

const ALGORITHM_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.1': 'rsaEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'Ed25519',
};

/** A readable name for a signature algorithm OID (the OID itself when unknown). */
export function algorithmName(oid: string): string {
  return ALGORITHM_NAMES[oid] ?? oid;
}
