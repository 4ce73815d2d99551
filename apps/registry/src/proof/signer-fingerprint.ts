import { DomainError } from '@jointcert/common';
import { findSignerCertificates, nameFromDer, parseCertificate, parseSignedData, toHex, type Certificate, type SignerInfo } from '@jointcert/pki';

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
  try {
    const sd = parseSignedData(Buffer.from(signedDataBase64, 'base64'));
    const si = sd.signerInfos[0];
    if (si === undefined) throw new Error('no SignerInfo');
    certificates = sd.certificates;
    first = si;
  } catch {
    throw new DomainError('MALFORMED_INPUT', 'signedData is not a CMS SignedData message');
  }
  const embedded: Certificate[] = [];
  for (const der of certificates) {
    try {
      embedded.push(parseCertificate(der));
    } catch {
      // an unparseable certificate is never the signer; the verifier reports it
    }
  }
  try {
    const match = findSignerCertificates(first.sid, embedded, [], first.version).certificates[0];
    if (match) return { fingerprint: match.fingerprintSha256 };
    if (first.sid.type === 'issuerAndSerialNumber') return { issuerKey: nameFromDer(first.sid.issuer).key, serialHex: toHex(first.sid.serial) };
  } catch {
    throw new DomainError('MALFORMED_INPUT', 'signedData names its signer with an undecodable issuer');
  }
  throw notIncluded();
}

/** The signer's fingerprint when the message carries its certificate (MALFORMED_INPUT otherwise). */
export function signerFingerprint(signedDataBase64: string): string {
  const ref = signerOf(signedDataBase64);
  if (ref.fingerprint === undefined) throw notIncluded();
  return ref.fingerprint;
}

export function notIncluded(): DomainError {
  return new DomainError('MALFORMED_INPUT', "signedData does not include the signer's certificate");
}
