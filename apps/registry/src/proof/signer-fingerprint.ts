import { DomainError, malformedField } from '@jointcert/common';
import { findSignerCertificates, nameFromDer, cachedCertificate, parseSignedData, toHex, verifySignedData, type Certificate, type SignerInfo } from '@jointcert/pki';

/**
 * Who signed a CMS message, found by a cheap parse (lean DER walk, no
 * signature or chain work) so that attempts can be rate-limited per
 * certificate before the verifier spends effort on them. The signer is the
 * certificate the first SignerInfo names, found by the library's one rule
 * (findSignerCertificates: RFC 5280 name comparison, SKI, the KOSCOM v0
 * quirk) — the same rule the verifier applies, so the two never disagree. A
 * message that names its signer by issuer and serial but carries no matching
 * certificate yields that issuer and serial, for a lookup among registered
 * certificates (login). The verifier checks everything properly afterwards.
 */
export type SignerRef = { fingerprint: string } | { fingerprint?: undefined; issuerKey: string; serialHex: string };

export function signerOf(signedDataBase64: string): SignerRef {
  let certificates: Uint8Array[];
  let first: SignerInfo;
  const bytes = Buffer.from(signedDataBase64, 'base64');
  try {
    const sd = parseSignedData(bytes);
    const si = sd.signerInfos[0];
    if (si === undefined) throw new Error('no SignerInfo');
    certificates = sd.certificates;
    first = si;
  } catch {
    throw malformedField('signedData', 'is not a CMS SignedData message');
  }
  const embedded: Certificate[] = [];
  for (const der of certificates) {
    try {
      embedded.push(cachedCertificate(der)); // a repeat signer's certificate is parsed once (the verifier's lookup hits too)
    } catch {
      // an unparseable certificate is never the signer; the verifier reports it
    }
  }
  let ref: SignerRef | undefined;
  let ambiguous: boolean;
  try {
    const match = findSignerCertificates(first.sid, embedded, [], first.version);
    ambiguous = match.ambiguous === true;
    // several certificates with the signer's issuer and serial (one planted): the one whose key verifies, as the verifier decides
    const cert = match.certificates.length > 1 ? (verifySignedData(bytes, { at: 0, allowedDigests: ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'] }).signers[0]?.certificate ?? match.certificates[0]) : match.certificates[0];
    if (cert) ref = { fingerprint: cert.fingerprintSha256 };
    else if (first.sid.type === 'issuerAndSerialNumber' && !ambiguous) ref = { issuerKey: nameFromDer(first.sid.issuer).key, serialHex: toHex(first.sid.serial) };
  } catch {
    throw malformedField('signedData', 'names its signer with an undecodable issuer');
  }
  if (ambiguous) throw new DomainError('SIGNATURE_INVALID', 'several embedded certificates carry the signer\'s serial: the signer cannot be told apart', { reason: 'SIGNER_NOT_FOUND' });
  if (ref === undefined) throw notIncluded();
  return ref;
}

/** The signer's fingerprint when the message carries its certificate (MALFORMED_INPUT otherwise). */
export function signerFingerprint(signedDataBase64: string): string {
  const ref = signerOf(signedDataBase64);
  if (ref.fingerprint === undefined) throw notIncluded();
  return ref.fingerprint;
}

export function notIncluded(): DomainError {
  return malformedField('signedData', "does not include the signer's certificate");
}
