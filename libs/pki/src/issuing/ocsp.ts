/**
 * buildOcspResponse: signed OCSP responses (RFC 6960 §4.2) from a spec, for
 * tests. Every field can be set, including ones a valid response would never
 * carry (future thisUpdate, unknown critical extensions, foreign certIDs,
 * signatures by the wrong key), so each branch of verifyOcspResponse is reachable.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { parseCertificate } from '../cert/parse';
import { OID } from '../cert/types';
import { bitString, enumerated, explicit, generalizedTime, int, nul, octets, oid, seq, tlv } from '../der';
import { OCSP_OID } from '../revocation/ocsp/types';
import { extension } from './extensions';
import { defaultSignatureAlgorithm, type SignatureAlgorithmName, signatureAlgorithmIdentifier, signData } from './signing';

export type OcspStatusSpec =
  | { status: 'good' }
  | { status: 'revoked'; revokedAt: number; reason?: number }
  | { status: 'unknown' };

export interface SingleResponseSpec {
  /** DER of a CertID to answer for (e.g. `certIdFor(cert, issuer).der`). */
  certId: Uint8Array;
  status: OcspStatusSpec;
  thisUpdate: number;
  /** Omitted when undefined. */
  nextUpdate?: number;
  extensions?: ReadonlyArray<{ oid: string; critical?: boolean; value: Uint8Array }>;
}

export interface OcspResponseSpec {
  /** Default 0 (successful). Non-zero values produce a bare status response. */
  responseStatus?: number;
  /** DER of the responder's certificate: its subject (byName) or key hash (byKey) becomes the responderID. */
  responderCert: Uint8Array;
  responderIdType?: 'byName' | 'byKey';
  /** Key that signs tbsResponseData (normally the responder's). */
  signerKey: KeyObject;
  signatureAlgorithm?: SignatureAlgorithmName;
  producedAt: number;
  responses: readonly SingleResponseSpec[];
  /** Nonce extension value: the bytes go inside an OCTET STRING (as RFC 8954 and OpenSSL write it). */
  nonce?: Uint8Array;
  extensions?: ReadonlyArray<{ oid: string; critical?: boolean; value: Uint8Array }>;
  /** Certificates to include in `certs` (DER). */
  certs?: readonly Uint8Array[];
}

function certStatus(s: OcspStatusSpec): Buffer {
  switch (s.status) {
    case 'good':
      return tlv(0x80, Buffer.alloc(0));
    case 'unknown':
      return tlv(0x82, Buffer.alloc(0));
    case 'revoked':
      return tlv(0xa1, generalizedTime(s.revokedAt), s.reason !== undefined && explicit(0, enumerated(s.reason)));
  }
}

function extensionsOf(list: ReadonlyArray<{ oid: string; critical?: boolean; value: Uint8Array }>): Buffer[] {
  return list.map((e) => extension(e.oid, e.critical ?? false, e.value));
}

/** DER of tbsResponseData for a spec. */
export function buildResponseData(spec: OcspResponseSpec): Buffer {
  const responder = parseCertificate(spec.responderCert);
  const responderId =
    spec.responderIdType === 'byKey'
      ? explicit(2, octets(createHash('sha1').update(responder.spki.publicKey).digest()))
      : explicit(1, Buffer.from(responder.subject.der));
  const exts = [
    ...(spec.nonce ? [extension(OCSP_OID.nonce, false, octets(spec.nonce))] : []),
    ...extensionsOf(spec.extensions ?? []),
  ];
  return seq(
    responderId,
    generalizedTime(spec.producedAt),
    seq(
      ...spec.responses.map((r) => {
        const single = extensionsOf(r.extensions ?? []);
        return seq(
          r.certId,
          certStatus(r.status),
          generalizedTime(r.thisUpdate),
          r.nextUpdate !== undefined && explicit(0, generalizedTime(r.nextUpdate)),
          single.length > 0 && explicit(1, seq(...single)),
        );
      }),
    ),
    exts.length > 0 && explicit(1, seq(...exts)),
  );
}

/** A complete, signed OCSPResponse (DER). */
export function buildOcspResponse(spec: OcspResponseSpec): Buffer {
  const status = spec.responseStatus ?? 0;
  if (status !== 0) return seq(enumerated(status));
  const tbs = buildResponseData(spec);
  const alg = spec.signatureAlgorithm ?? defaultSignatureAlgorithm(spec.signerKey);
  const basic = seq(
    tbs,
    signatureAlgorithmIdentifier(alg),
    bitString(signData(alg, spec.signerKey, tbs)),
    spec.certs && spec.certs.length > 0 && explicit(0, seq(...spec.certs)),
  );
  return seq(enumerated(0), explicit(0, seq(oid(OCSP_OID.basic), octets(basic))));
}

/** The CertID DER for a (certificate, issuer) pair, computed independently of the library's request builder. */
export function testCertId(certDer: Uint8Array, issuerDer: Uint8Array, hash: 'sha1' | 'sha256' = 'sha1'): Buffer {
  const cert = parseCertificate(certDer);
  const issuer = parseCertificate(issuerDer);
  return seq(
    seq(oid(hash === 'sha1' ? OID.sha1 : OID.sha256), nul()),
    octets(createHash(hash).update(issuer.subject.der).digest()),
    octets(createHash(hash).update(issuer.spki.publicKey).digest()),
    int(cert.serial),
  );
}
