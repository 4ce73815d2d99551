import { DomainError } from '@jointcert/common';
import { cachedCertificate, parseSignedData, type Certificate, type SignerIdentifier } from '@jointcert/pki';

/**
 * The SHA-256 fingerprint of the certificate that signed a CMS message, found
 * by a cheap parse (lean DER walk, no signature or chain work) so that
 * attempts can be rate-limited per certificate before the verifier spends
 * effort on them (a repeat signer's certificates come from libs/pki's
 * certificate cache, shared with the verifier in-process). The signer is the certificate named by the first
 * SignerInfo's sid; the verifier checks everything properly afterwards.
 */
export function signerFingerprint(signedDataBase64: string): string {
  let certificates: Uint8Array[];
  let sid: SignerIdentifier;
  try {
    const sd = parseSignedData(Buffer.from(signedDataBase64, 'base64'));
    const first = sd.signerInfos[0];
    if (first === undefined) throw new Error('no SignerInfo');
    certificates = sd.certificates;
    sid = first.sid;
  } catch {
    throw new DomainError('MALFORMED_INPUT', 'signedData is not a CMS SignedData message');
  }
  for (const der of certificates) {
    let cert: Certificate;
    try {
      cert = cachedCertificate(der); // a repeat signer's certificate is parsed once (and the verifier's lookup hits too)
    } catch {
      continue;
    }
    if (matches(cert, sid)) return cert.fingerprintSha256;
  }
  throw new DomainError('MALFORMED_INPUT', "signedData does not include the signer's certificate");
}

function matches(cert: Certificate, sid: SignerIdentifier): boolean {
  if (sid.type === 'issuerAndSerialNumber') {
    return Buffer.from(cert.serial).equals(Buffer.from(sid.serial)) && Buffer.from(cert.issuer.der).equals(Buffer.from(sid.issuer));
  }
  const ski = cert.ext.subjectKeyIdentifier;
  return ski !== undefined && Buffer.from(ski).equals(Buffer.from(sid.keyIdentifier));
}
