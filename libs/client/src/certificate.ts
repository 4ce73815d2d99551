/**
 * What a certificate is, in the words a person picks it by: holder, CA, type
 * (범용 / 은행·보험용 ... from the Korean profile table of libs/pki), expiry
 * and days left. Parsed with libs/pki's certificate parser (pure TS).
 */
import { parseCertificate } from '../../pki/src/cert/parse';
import { nameValues } from '../../pki/src/cert/name';
import { OID, type Certificate } from '../../pki/src/cert/types';
import { isPkiError } from '../../pki/src/errors';
import { classifyCertificate, type NpkiCertType, NPKI_POLICIES } from '../../pki/src/npki/profile';
import { ClientError } from './errors';

const DAY_MS = 86_400_000;

export interface CertificateInfo {
  /** The holder's name: the subject CN ("홍길동()0010..."), or the whole subject. */
  holder: string;
  subject: string;
  issuer: string;
  /** The issuing CA's common name, e.g. "yessignCA Class 2". */
  issuerName: string;
  /** CA family from the profile table (yessign, KICA, ...), or the issuer's O. */
  ca: string | null;
  /** The profile entry for the first policy OID, if known. */
  type: NpkiCertType | null;
  /** "개인 범용 (personal, general-purpose)" or "unknown type (OID)". */
  typeLabel: string;
  policyOid: string | null;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  /** Whole days until notAfter from `now` (negative once expired). */
  daysLeft: number;
  expired: boolean;
  notYetValid: boolean;
  /** The certificate carries an identifyData (VID) in its subjectAltName. */
  hasVid: boolean;
  keyType: string;
  rsaBits: number | null;
  ocspUrls: string[];
  crlUrls: string[];
}

export function parseCertificateBytes(der: Uint8Array): Certificate {
  try {
    return parseCertificate(der);
  } catch (e) {
    if (isPkiError(e)) throw new ClientError('MALFORMED_CERTIFICATE', `not a certificate: ${e.message}`);
    throw e;
  }
}

/** Whole days from `now` to `notAfter`, rounded down (0 on the last day). */
export function daysLeft(notAfter: number, now: number): number {
  return Math.floor((notAfter - now) / DAY_MS);
}

export function describeCertificate(cert: Certificate | Uint8Array, now: number = Date.now(), table: ReadonlyArray<NpkiCertType> = NPKI_POLICIES): CertificateInfo {
  const c = cert instanceof Uint8Array ? parseCertificateBytes(cert) : cert;
  const type = classifyCertificate(c, table) ?? null;
  const policyOid = c.ext.certificatePolicies?.policies[0]?.oid ?? null;
  const cn = nameValues(c.subject, OID.commonName)[0];
  const uris = (names: { type: string; value?: unknown }[] | undefined): string[] =>
    (names ?? []).flatMap((g) => (g.type === 'uniformResourceIdentifier' && typeof g.value === 'string' ? [g.value] : []));
  return {
    holder: cn ?? c.subject.text,
    subject: c.subject.text,
    issuer: c.issuer.text,
    issuerName: nameValues(c.issuer, OID.commonName)[0] ?? c.issuer.text,
    ca: type?.ca ?? nameValues(c.issuer, OID.organizationName)[0] ?? null,
    type,
    typeLabel: type?.label ?? (policyOid ? `알 수 없는 유형 / unknown type (${policyOid})` : '정책 없음 / no policy'),
    policyOid,
    serialHex: c.serialHex,
    notBefore: new Date(c.notBefore),
    notAfter: new Date(c.notAfter),
    daysLeft: daysLeft(c.notAfter, now),
    expired: now > c.notAfter,
    notYetValid: now < c.notBefore,
    hasVid: (c.ext.subjectAltName ?? []).some((g) => g.type === 'otherName' && g.typeId === OID.npkiIdentifyData),
    keyType: c.spki.keyType,
    rsaBits: c.spki.rsaBits ?? null,
    ocspUrls: uris((c.ext.authorityInfoAccess ?? []).filter((a) => a.method === OCSP_METHOD).map((a) => a.location)),
    crlUrls: uris((c.ext.crlDistributionPoints ?? []).flatMap((d) => d.fullName ?? [])),
  };
}

const OCSP_METHOD = '1.3.6.1.5.5.7.48.1';
