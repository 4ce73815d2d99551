/**
 * One rule for finding the certificate a SignerInfo names, used by the CMS
 * verifier and by the registry's intake pre-check (so the two never
 * disagree on which certificate signed):
 *
 *   - subjectKeyIdentifier: certificates whose SKI extension equals it;
 *   - issuerAndSerialNumber: serial equal by bytes, issuer equal by bytes or
 *     else by the RFC 5280 comparison key (`Name.key`: case-folded,
 *     whitespace-normalised, so a re-encoded `c=kr` matches `C=KR`);
 *   - the KOSCOM quirk (a 2016 SignKorea toolkit writes SignedData v0 /
 *     SignerInfo v0 with an "issuer" that is the signer's own SUBJECT, the
 *     serial right): only for a version-0 SignerInfo and only when nothing
 *     matched by the rules above, and only when EXACTLY ONE embedded
 *     certificate has that serial and its subject is the named name. Two
 *     embedded certificates with the serial: nothing (never guess). The
 *     verifier still requires the signature to verify under that certificate
 *     and the path to validate.
 * At most MAX_SIGNER_CANDIDATES certificates are returned (a planted
 * certificate with the same issuer and serial is tried, not trusted).
 */
import { nameFromDer, namesEqual } from '../cert/name';
import type { Certificate, Name } from '../cert/types';
import type { SignerIdentifier } from './parse';

/** Most certificates tried for one SignerIdentifier. */
export const MAX_SIGNER_CANDIDATES = 4;

export type SignerMatchRule = 'subjectKeyIdentifier' | 'issuerAndSerialNumber' | 'koscomSubjectAsIssuer';

export interface SignerMatch {
  certificates: Certificate[];
  rule: SignerMatchRule;
  /** The KOSCOM rule found several embedded certificates with the serial, so it named none. */
  ambiguous?: true;
}

/**
 * Certificates matching a SignerIdentifier among `embedded` then `extra`.
 * `signerInfoVersion` enables the KOSCOM rule (0 only). May throw PkiError
 * for an undecodable issuer Name.
 */
export function findSignerCertificates(
  sid: SignerIdentifier,
  embedded: readonly Certificate[],
  extra: readonly Certificate[] = [],
  signerInfoVersion = 1,
): SignerMatch {
  const pool = extra.length === 0 ? embedded : [...embedded, ...extra.filter((e) => !embedded.some((c) => c === e || bytesEqual(c.der, e.der)))];
  if (sid.type === 'subjectKeyIdentifier') {
    const out: Certificate[] = [];
    for (const c of pool) {
      const ski = c.ext.subjectKeyIdentifier;
      if (ski && bytesEqual(ski, sid.keyIdentifier)) out.push(c);
      if (out.length >= MAX_SIGNER_CANDIDATES) break;
    }
    return { certificates: out, rule: 'subjectKeyIdentifier' };
  }
  let name: Name | undefined;
  // a pool certificate's Name with these exact bytes has the same key and may be decoded already (cached certificates)
  const named = (): Name => (name ??= sameDerName(sid.issuer, pool) ?? nameFromDer(sid.issuer));
  const out: Certificate[] = [];
  for (const c of pool) {
    if (!bytesEqual(c.serial, sid.serial)) continue;
    if (!bytesEqual(c.issuer.der, sid.issuer) && !namesEqual(c.issuer, named())) continue;
    out.push(c);
    if (out.length >= MAX_SIGNER_CANDIDATES) break;
  }
  if (out.length > 0 || signerInfoVersion !== 0) return { certificates: out, rule: 'issuerAndSerialNumber' };
  const sameSerial = embedded.filter((c) => bytesEqual(c.serial, sid.serial));
  const only = sameSerial.length === 1 ? sameSerial[0]! : undefined;
  if (only && (bytesEqual(only.subject.der, sid.issuer) || namesEqual(only.subject, named()))) return { certificates: [only], rule: 'koscomSubjectAsIssuer' };
  return sameSerial.length > 1 ? { certificates: [], rule: 'koscomSubjectAsIssuer', ambiguous: true } : { certificates: [], rule: 'issuerAndSerialNumber' };
}

function sameDerName(der: Uint8Array, pool: readonly Certificate[]): Name | undefined {
  for (const c of pool) {
    if (bytesEqual(c.issuer.der, der)) return c.issuer;
    if (bytesEqual(c.subject.der, der)) return c.subject;
  }
  return undefined;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  // serials, key identifiers and names: a loop beats making a Buffer view to call equals
  if (a.length <= 128) {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
