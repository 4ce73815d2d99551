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
  let name: Name | undefined;
  // a candidate's Name with these exact bytes has the same key and may be decoded already (cached certificates)
  const named = (issuer: Uint8Array): Name => (name ??= sameDerName(issuer, embedded) ?? sameDerName(issuer, extra) ?? nameFromDer(issuer));
  // `embedded`, then each of `extra` not embedded too (by identity or DER): an extra is compared with the
  // embedded ones only once it matches, so a message that embeds its signer costs no DER comparison per extra
  const out: Certificate[] = [];
  const n = embedded.length + extra.length;
  for (let i = 0; i < n && out.length < MAX_SIGNER_CANDIDATES; i++) {
    const isExtra = i >= embedded.length;
    const c = isExtra ? extra[i - embedded.length]! : embedded[i]!;
    if (sid.type === 'subjectKeyIdentifier') {
      const ski = c.ext.subjectKeyIdentifier;
      if (!ski || !bytesEqual(ski, sid.keyIdentifier)) continue;
    } else if (!bytesEqual(c.serial, sid.serial) || (!bytesEqual(c.issuer.der, sid.issuer) && !namesEqual(c.issuer, named(sid.issuer)))) continue;
    if (isExtra && embedded.some((e) => e === c || bytesEqual(e.der, c.der))) continue;
    out.push(c);
  }
  if (sid.type === 'subjectKeyIdentifier') return { certificates: out, rule: 'subjectKeyIdentifier' };
  if (out.length > 0 || signerInfoVersion !== 0) return { certificates: out, rule: 'issuerAndSerialNumber' };
  const sameSerial = embedded.filter((c) => bytesEqual(c.serial, sid.serial));
  const only = sameSerial.length === 1 ? sameSerial[0]! : undefined;
  if (only && (bytesEqual(only.subject.der, sid.issuer) || namesEqual(only.subject, named(sid.issuer)))) return { certificates: [only], rule: 'koscomSubjectAsIssuer' };
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
