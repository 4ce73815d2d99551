/**
 * Decoders for the certificate extensions of CertificateExtensions, each from
 * the extnValue contents. They throw MALFORMED_DER (or a PkiError from the
 * reader); `decodeExtensions` turns any failure into MALFORMED_EXTENSION with
 * the OID in details. Unknown extensions stay raw in `Certificate.extensions`.
 *
 * Leniency, deliberately: an explicitly encoded DEFAULT (cA FALSE, critical
 * FALSE, GeneralSubtree minimum 0) is not DER but is common in old CA output,
 * so it is accepted; named-bit BIT STRINGs may carry trailing zero bits.
 */
import { type DerCursor, Tag, derCursor, malformed, type Tlv } from '../der/reader';
import { bitsSet, bytes, encoded, readBitString, readBoolean, readOid, readSmallInt, readString } from '../der/values';
import { PkiError } from '../errors';
import { readGeneralName, readGeneralNames } from './general-name';
import { readRdn } from './name';
import {
  KEY_USAGE_BITS,
  OID,
  REASON_FLAGS,
  type AccessDescription,
  type AuthorityKeyIdentifier,
  type BasicConstraints,
  type CertificateExtensions,
  type CertificatePolicies,
  type DistributionPoint,
  type Extension,
  type GeneralSubtree,
  type KeyUsageName,
  type NameConstraints,
  type PolicyConstraints,
  type PolicyInformation,
  type PolicyMapping,
  type PolicyQualifier,
  type ReasonFlag,
  type RelativeDistinguishedName,
  type UserNotice,
} from './types';

/** A cursor over the single element that is an extension's value, and that element. */
function single(value: Uint8Array, tag: number, what: string): { c: DerCursor; tlv: Tlv } {
  const root = derCursor(value);
  const tlv = root.expect(tag, what);
  root.done(what);
  return { c: root, tlv };
}

/** Non-negative INTEGER (as a number). */
function nonNegative(buf: Uint8Array, tlv: Tlv, what: string): number {
  const n = readSmallInt(buf, tlv);
  if (n < 0) throw malformed(`${what} is negative`, tlv.start);
  return n;
}

export function decodeBasicConstraints(value: Uint8Array): BasicConstraints {
  const { c: root, tlv } = single(value, Tag.SEQUENCE, 'BasicConstraints');
  const c = root.enter(tlv);
  const caTlv = c.optional(Tag.BOOLEAN);
  // cA FALSE encoded explicitly violates DER (DEFAULT) but is accepted
  const ca = caTlv ? readBoolean(value, caTlv) : false;
  const plTlv = c.optional(Tag.INTEGER);
  c.done('BasicConstraints');
  const out: BasicConstraints = { ca };
  if (plTlv) out.pathLen = nonNegative(value, plTlv, 'pathLenConstraint');
  return out;
}

export function decodeKeyUsage(value: Uint8Array): Set<KeyUsageName> {
  const { tlv } = single(value, Tag.BIT_STRING, 'KeyUsage');
  const out = new Set<KeyUsageName>();
  for (const i of bitsSet(readBitString(value, tlv))) {
    const name = KEY_USAGE_BITS[i];
    if (name) out.add(name);
  }
  if (out.size === 0) throw malformed('keyUsage with no bits set', tlv.start);
  return out;
}

/** A SEQUENCE SIZE (1..MAX) OF OBJECT IDENTIFIER. */
function oidSequence(value: Uint8Array, what: string): string[] {
  const { c: root, tlv } = single(value, Tag.SEQUENCE, what);
  const c = root.enter(tlv);
  const out: string[] = [];
  while (!c.atEnd()) out.push(readOid(value, c.expect(Tag.OID, what)));
  if (out.length === 0) throw malformed(`empty ${what}`, tlv.start);
  return out;
}

export function decodeExtKeyUsage(value: Uint8Array): string[] {
  return oidSequence(value, 'ExtKeyUsageSyntax');
}

const DISPLAY_TEXT = new Set<number>([Tag.IA5_STRING, Tag.VISIBLE_STRING, Tag.BMP_STRING, Tag.UTF8_STRING]);

function displayText(buf: Uint8Array, tlv: Tlv): string {
  if (!DISPLAY_TEXT.has(tlv.tag)) throw malformed(`DisplayText of tag 0x${tlv.tag.toString(16)}`, tlv.start);
  return readString(buf, tlv);
}

function userNotice(buf: Uint8Array, tlv: Tlv, parent: DerCursor): UserNotice {
  const c = parent.enter(tlv);
  const out: UserNotice = {};
  if (c.peekTag() === Tag.SEQUENCE) {
    const nr = c.enter(c.next());
    const organization = displayText(buf, nr.next());
    const nnTlv = nr.expect(Tag.SEQUENCE, 'noticeNumbers');
    nr.done('NoticeReference');
    const nn = nr.enter(nnTlv);
    const noticeNumbers: number[] = [];
    while (!nn.atEnd()) noticeNumbers.push(readSmallInt(buf, nn.expect(Tag.INTEGER, 'noticeNumber')));
    out.noticeRef = { organization, noticeNumbers };
  }
  if (!c.atEnd()) out.explicitText = displayText(buf, c.next());
  c.done('UserNotice');
  return out;
}

export function decodeCertificatePolicies(value: Uint8Array, critical: boolean): CertificatePolicies {
  const { c: root, tlv } = single(value, Tag.SEQUENCE, 'CertificatePolicies');
  const c = root.enter(tlv);
  const policies: PolicyInformation[] = [];
  const seen = new Set<string>();
  while (!c.atEnd()) {
    const pi = c.enter(c.expect(Tag.SEQUENCE, 'PolicyInformation'));
    const oid = readOid(value, pi.expect(Tag.OID, 'policyIdentifier'));
    if (seen.has(oid)) throw malformed(`policy ${oid} appears twice`);
    seen.add(oid);
    const qualifiers: PolicyQualifier[] = [];
    const qsTlv = pi.optional(Tag.SEQUENCE);
    pi.done('PolicyInformation');
    if (qsTlv) {
      const qs = pi.enter(qsTlv);
      while (!qs.atEnd()) {
        const q = qs.enter(qs.expect(Tag.SEQUENCE, 'PolicyQualifierInfo'));
        const qOid = readOid(value, q.expect(Tag.OID, 'policyQualifierId'));
        const vTlv = q.next();
        q.done('PolicyQualifierInfo');
        const pq: PolicyQualifier = { oid: qOid, der: encoded(value, vTlv) };
        if (qOid === OID.qtCps) {
          if (vTlv.tag !== Tag.IA5_STRING) throw malformed('CPS qualifier is not an IA5String', vTlv.start);
          pq.cps = readString(value, vTlv);
        } else if (qOid === OID.qtUnotice) {
          if (vTlv.tag !== Tag.SEQUENCE) throw malformed('UserNotice is not a SEQUENCE', vTlv.start);
          pq.userNotice = userNotice(value, vTlv, q);
        }
        qualifiers.push(pq);
      }
      if (qualifiers.length === 0) throw malformed('empty policyQualifiers', qsTlv.start);
    }
    policies.push({ oid, qualifiers });
  }
  if (policies.length === 0) throw malformed('empty certificatePolicies', tlv.start);
  return { critical, policies };
}

export function decodePolicyMappings(value: Uint8Array): PolicyMapping[] {
  const { c: root, tlv } = single(value, Tag.SEQUENCE, 'PolicyMappings');
  const c = root.enter(tlv);
  const out: PolicyMapping[] = [];
  while (!c.atEnd()) {
    const m = c.enter(c.expect(Tag.SEQUENCE, 'PolicyMapping'));
    const issuerDomainPolicy = readOid(value, m.expect(Tag.OID, 'issuerDomainPolicy'));
    const subjectDomainPolicy = readOid(value, m.expect(Tag.OID, 'subjectDomainPolicy'));
    m.done('PolicyMapping');
    out.push({ issuerDomainPolicy, subjectDomainPolicy });
  }
  if (out.length === 0) throw malformed('empty policyMappings', tlv.start);
  return out;
}

export function decodePolicyConstraints(value: Uint8Array): PolicyConstraints {
  const { c: root, tlv } = single(value, Tag.SEQUENCE, 'PolicyConstraints');
  const c = root.enter(tlv);
  const out: PolicyConstraints = {};
  const r = c.optional(0x80);
  if (r) out.requireExplicitPolicy = nonNegative(value, r, 'requireExplicitPolicy');
  const i = c.optional(0x81);
  if (i) out.inhibitPolicyMapping = nonNegative(value, i, 'inhibitPolicyMapping');
  c.done('PolicyConstraints');
  if (!r && !i) throw malformed('empty policyConstraints', tlv.start);
  return out;
}

export function decodeInhibitAnyPolicy(value: Uint8Array): number {
  const { tlv } = single(value, Tag.INTEGER, 'InhibitAnyPolicy');
  return nonNegative(value, tlv, 'inhibitAnyPolicy');
}

function generalSubtrees(buf: Uint8Array, tlv: Tlv, parent: DerCursor): GeneralSubtree[] {
  const c = parent.enter(tlv);
  const out: GeneralSubtree[] = [];
  while (!c.atEnd()) {
    const st = c.enter(c.expect(Tag.SEQUENCE, 'GeneralSubtree'));
    const base = readGeneralName(buf, st.next(), st, { ip: 'subnet' });
    const minTlv = st.optional(0x80);
    const maxTlv = st.optional(0x81);
    st.done('GeneralSubtree');
    const sub: GeneralSubtree = { base, minimum: minTlv ? nonNegative(buf, minTlv, 'minimum') : 0 };
    if (maxTlv) sub.maximum = nonNegative(buf, maxTlv, 'maximum');
    out.push(sub);
  }
  if (out.length === 0) throw malformed('empty GeneralSubtrees', tlv.start);
  return out;
}

export function decodeNameConstraints(value: Uint8Array): NameConstraints {
  const { c: root, tlv } = single(value, Tag.SEQUENCE, 'NameConstraints');
  const c = root.enter(tlv);
  const out: NameConstraints = {};
  const p = c.optional(0xa0);
  if (p) out.permitted = generalSubtrees(value, p, c);
  const e = c.optional(0xa1);
  if (e) out.excluded = generalSubtrees(value, e, c);
  c.done('NameConstraints');
  if (!p && !e) throw malformed('empty nameConstraints', tlv.start);
  return out;
}

/** subjectAltName / issuerAltName: GeneralNames. */
export function decodeAltName(value: Uint8Array): ReturnType<typeof readGeneralNames> {
  const { c, tlv } = single(value, Tag.SEQUENCE, 'GeneralNames');
  return readGeneralNames(value, tlv, c);
}

export function decodeAuthorityKeyIdentifier(value: Uint8Array): AuthorityKeyIdentifier {
  const { c: root, tlv } = single(value, Tag.SEQUENCE, 'AuthorityKeyIdentifier');
  const c = root.enter(tlv);
  const out: AuthorityKeyIdentifier = {};
  const k = c.optional(0x80);
  if (k) out.keyIdentifier = bytes(value, k);
  const iss = c.optional(0xa1);
  if (iss) out.authorityCertIssuer = readGeneralNames(value, iss, c);
  const sn = c.optional(0x82);
  if (sn) {
    if (sn.valueEnd === sn.valueStart) throw malformed('empty authorityCertSerialNumber', sn.start);
    out.authorityCertSerialNumber = bytes(value, sn);
  }
  c.done('AuthorityKeyIdentifier');
  // RFC 5280 §4.2.1.1: issuer and serial come together
  if (!!iss !== !!sn) throw malformed('authorityCertIssuer and authorityCertSerialNumber must appear together', tlv.start);
  return out;
}

export function decodeSubjectKeyIdentifier(value: Uint8Array): Uint8Array {
  const { tlv } = single(value, Tag.OCTET_STRING, 'SubjectKeyIdentifier');
  return bytes(value, tlv);
}

/** authorityInfoAccess / subjectInfoAccess. */
export function decodeInfoAccess(value: Uint8Array): AccessDescription[] {
  const { c: root, tlv } = single(value, Tag.SEQUENCE, 'InfoAccessSyntax');
  const c = root.enter(tlv);
  const out: AccessDescription[] = [];
  while (!c.atEnd()) {
    const ad = c.enter(c.expect(Tag.SEQUENCE, 'AccessDescription'));
    const method = readOid(value, ad.expect(Tag.OID, 'accessMethod'));
    const location = readGeneralName(value, ad.next(), ad);
    ad.done('AccessDescription');
    out.push({ method, location });
  }
  if (out.length === 0) throw malformed('empty InfoAccessSyntax', tlv.start);
  return out;
}

/** ReasonFlags BIT STRING (an IMPLICIT [n] tag allowed: only the tag octet differs). */
export function readReasonFlags(buf: Uint8Array, tlv: Tlv): ReasonFlag[] {
  if (tlv.constructed) throw malformed('ReasonFlags: constructed encoding', tlv.start);
  const bits = bitsSet(readBitString(buf, { ...tlv, tag: Tag.BIT_STRING }));
  const out: ReasonFlag[] = [];
  for (const i of bits) {
    const f = REASON_FLAGS[i];
    if (f) out.push(f);
  }
  return out;
}

export interface DistributionPointName {
  fullName?: DistributionPoint['fullName'];
  nameRelativeToCrlIssuer?: RelativeDistinguishedName;
}

/**
 * DistributionPointName, given the [0] EXPLICIT element that holds it (the
 * `distributionPoint [0]` of a DistributionPoint or of an IssuingDistributionPoint).
 */
export function readDistributionPointName(buf: Uint8Array, tlv: Tlv, parent: DerCursor): DistributionPointName {
  const c = parent.enter(tlv);
  const inner = c.next();
  c.done('DistributionPointName');
  if (inner.tag === 0xa0) return { fullName: readGeneralNames(buf, inner, c) };
  // nameRelativeToCRLIssuer [1] IMPLICIT RelativeDistinguishedName
  if (inner.tag === 0xa1) return { nameRelativeToCrlIssuer: readRdn(buf, inner, c).rdn };
  throw malformed(`DistributionPointName of tag 0x${inner.tag.toString(16)}`, inner.start);
}

/** One DistributionPoint SEQUENCE. */
export function readDistributionPoint(buf: Uint8Array, tlv: Tlv, parent: DerCursor): DistributionPoint {
  if (tlv.tag !== Tag.SEQUENCE) throw malformed('DistributionPoint: expected SEQUENCE', tlv.start);
  const c = parent.enter(tlv);
  const out: DistributionPoint = {};
  const dpTlv = c.optional(0xa0);
  if (dpTlv) Object.assign(out, readDistributionPointName(buf, dpTlv, c));
  const rTlv = c.optional(0x81);
  if (rTlv) out.reasons = readReasonFlags(buf, rTlv);
  const iTlv = c.optional(0xa2);
  if (iTlv) out.crlIssuer = readGeneralNames(buf, iTlv, c);
  c.done('DistributionPoint');
  if (!dpTlv && !iTlv) throw malformed('DistributionPoint without distributionPoint or cRLIssuer', tlv.start);
  return out;
}

/** cRLDistributionPoints / freshestCRL. */
export function decodeCrlDistributionPoints(value: Uint8Array): DistributionPoint[] {
  const { c: root, tlv } = single(value, Tag.SEQUENCE, 'CRLDistributionPoints');
  const c = root.enter(tlv);
  const out: DistributionPoint[] = [];
  while (!c.atEnd()) out.push(readDistributionPoint(value, c.next(), c));
  if (out.length === 0) throw malformed('empty CRLDistributionPoints', tlv.start);
  return out;
}

export function decodeOcspNoCheck(value: Uint8Array): true {
  // the value is NULL; some responders' certificates carry an empty extnValue
  if (value.length !== 0) {
    const { tlv } = single(value, Tag.NULL, 'OCSPNoCheck');
    if (tlv.valueEnd !== tlv.valueStart) throw malformed('OCSPNoCheck NULL with contents', tlv.start);
  }
  return true;
}

/**
 * The typed view of a certificate's extensions. Duplicate OIDs were rejected by
 * the caller; any decoding failure of a known extension is MALFORMED_EXTENSION.
 */
export function decodeExtensions(extensions: readonly Extension[]): CertificateExtensions {
  const ext: CertificateExtensions = {};
  for (const e of extensions) {
    try {
      decodeOne(ext, e);
    } catch (err) {
      if (err instanceof PkiError && err.code === 'MALFORMED_EXTENSION') throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw new PkiError('MALFORMED_EXTENSION', `extension ${e.oid}: ${msg}`, {
        oid: e.oid,
        ...(err instanceof PkiError ? { cause: err.code, ...err.details } : {}),
      });
    }
  }
  return ext;
}

function decodeOne(ext: CertificateExtensions, e: Extension): void {
  const v = e.value;
  switch (e.oid) {
    case OID.basicConstraints:
      ext.basicConstraints = decodeBasicConstraints(v);
      return;
    case OID.keyUsage:
      ext.keyUsage = decodeKeyUsage(v);
      return;
    case OID.extKeyUsage:
      ext.extKeyUsage = decodeExtKeyUsage(v);
      return;
    case OID.certificatePolicies:
      ext.certificatePolicies = decodeCertificatePolicies(v, e.critical);
      return;
    case OID.policyMappings:
      ext.policyMappings = decodePolicyMappings(v);
      return;
    case OID.policyConstraints:
      ext.policyConstraints = decodePolicyConstraints(v);
      return;
    case OID.inhibitAnyPolicy:
      ext.inhibitAnyPolicy = decodeInhibitAnyPolicy(v);
      return;
    case OID.nameConstraints:
      ext.nameConstraints = decodeNameConstraints(v);
      return;
    case OID.subjectAltName:
      ext.subjectAltName = decodeAltName(v);
      return;
    case OID.issuerAltName:
      ext.issuerAltName = decodeAltName(v);
      return;
    case OID.authorityKeyIdentifier:
      ext.authorityKeyIdentifier = decodeAuthorityKeyIdentifier(v);
      return;
    case OID.subjectKeyIdentifier:
      ext.subjectKeyIdentifier = decodeSubjectKeyIdentifier(v);
      return;
    case OID.authorityInfoAccess:
      ext.authorityInfoAccess = decodeInfoAccess(v);
      return;
    case OID.subjectInfoAccess:
      ext.subjectInfoAccess = decodeInfoAccess(v);
      return;
    case OID.crlDistributionPoints:
      ext.crlDistributionPoints = decodeCrlDistributionPoints(v);
      return;
    case OID.freshestCrl:
      ext.freshestCrl = decodeCrlDistributionPoints(v);
      return;
    case OID.ocspNoCheck:
      ext.ocspNoCheck = decodeOcspNoCheck(v);
      return;
    default:
      return;
  }
}
