/**
 * CMS SignedData (RFC 5652) for tests, benchmarks and stand-ins: the one
 * builder, over the DER writer and Node's crypto (RSA PKCS#1 v1.5 by the
 * signer's key). By default the shape `openssl cms -sign -binary -nodetach`
 * makes: attached id-data content, signed attributes contentType, signingTime
 * and messageDigest, SHA-256, issuerAndSerialNumber, the signer's certificate
 * included. The options make what Korean clients and hostile peers send.
 */
import { createHash, type KeyObject, sign } from 'node:crypto';
import { PkiError } from '../errors';
import { explicit, int, nul, octets, oid, seq, set, setOf, tlv, utcTime } from '../der';
import { OID } from '../cert/types';
import { parseCertificate } from '../cert/parse';
import { CMS_OID } from '../cms/parse';
import { DIGEST_OID, type DigestName } from '../crypto/digest';

export interface CmsSignOptions {
  /** Leave the content out of the message (a detached signature). */
  detached?: boolean;
  /** The digest, of the content and under the signature (default sha256). */
  digest?: DigestName;
  /** Write NULL parameters in the digestAlgorithm (default absent, as OpenSSL writes it). */
  digestNullParams?: boolean;
  /** Name this digestAlgorithm OID in place of the digest's (a message that names a digest it does not use). */
  digestAlgorithmOid?: string;
  /** The SignerInfo's signatureAlgorithm OID, NULL parameters (default rsaEncryption). */
  signatureAlgorithmOid?: string;
  /** No signed attributes: the signature covers the content itself. */
  noAttributes?: boolean;
  /** These signed attributes in place of the default three (see cmsAttribute). */
  attributes?: Uint8Array[];
  /** signingTime in the default attributes (default 2026-01-15T02:59:00Z); null leaves the attribute out. */
  signingTime?: number | null;
  /** Encode the [0] signedAttrs header with a non-minimal length (BER, not DER). */
  nonDerAttributes?: boolean;
  /** The encapsulated content type (default id-data). */
  eContentType?: string;
  /** Certificates embedded (default: the signer's only). */
  certs?: Uint8Array[];
  /** No certificates in the message at all (the verifier must know the signer's). */
  noCertificates?: boolean;
  /** Sign with this key instead of the signer's. */
  key?: KeyObject;
  /** The 2016 KOSCOM toolkit shape: SignedData v0 / SignerInfo v0, the sid's "issuer" the signer's own subject. */
  koscomV0?: boolean;
  /** This SignerIdentifier (DER) in place of the signer's issuerAndSerialNumber. */
  sid?: Uint8Array;
  /** The SignedData and SignerInfo version (default 1; koscomV0: 0). */
  version?: number;
}

/** A CMS Attribute: SEQUENCE { type, SET OF values }. */
export function cmsAttribute(type: string, ...values: Buffer[]): Buffer {
  return seq(oid(type), set(...values));
}

/** CMS SignedData (ContentInfo, DER) of `content` by `signer`. */
export function signCms(signer: { der: Uint8Array; key: KeyObject }, content: Uint8Array, opts: CmsSignOptions = {}): Buffer {
  const cert = parseCertificate(signer.der);
  const digest = opts.digest ?? 'sha256';
  const digestAlg = seq(oid(opts.digestAlgorithmOid ?? DIGEST_OID[digest]), opts.digestNullParams === true && nul());
  const eContentType = opts.eContentType ?? CMS_OID.data;
  let toSign: Uint8Array = content;
  let signedAttrs: Buffer | undefined;
  if (!opts.noAttributes) {
    const signingTime = opts.signingTime === undefined ? Date.UTC(2026, 0, 15, 2, 59, 0) : opts.signingTime;
    const attrs = setOf(
      ...(opts.attributes ?? [
        cmsAttribute(CMS_OID.contentType, oid(eContentType)),
        signingTime !== null && cmsAttribute(CMS_OID.signingTime, utcTime(signingTime)),
        cmsAttribute(CMS_OID.messageDigest, octets(createHash(digest).update(content).digest())),
      ]),
    );
    toSign = attrs;
    signedAttrs = Buffer.from(attrs);
    signedAttrs[0] = 0xa0; // [0] IMPLICIT SET OF Attribute
    if (opts.nonDerAttributes) {
      if (signedAttrs[1]! >= 0x80) throw new PkiError('INVALID_ARGUMENT', 'nonDerAttributes needs attributes shorter than 128 bytes');
      signedAttrs = Buffer.concat([Buffer.from([0xa0, 0x81]), signedAttrs.subarray(1)]);
    }
  }
  const signature = sign(digest, toSign, opts.key ?? signer.key);
  const version = opts.version ?? (opts.koscomV0 ? 0 : 1);
  const sid = opts.sid ?? seq(Buffer.from(opts.koscomV0 ? cert.subject.der : cert.issuer.der), tlv(0x02, cert.serial));
  const signerInfo = seq(int(version), sid, digestAlg, signedAttrs, seq(oid(opts.signatureAlgorithmOid ?? OID.rsaEncryption), nul()), octets(signature));
  // [0] IMPLICIT SET OF CertificateChoices: the same bytes as [0] around the list
  const certificates = opts.noCertificates ? undefined : explicit(0, ...(opts.certs ?? [signer.der]));
  const sd = seq(int(version), set(digestAlg), seq(oid(eContentType), opts.detached ? undefined : explicit(0, octets(content))), certificates, set(signerInfo));
  return seq(oid(CMS_OID.signedData), explicit(0, sd));
}
