/**
 * CMS SignedData as the server verifies it (RFC 5652): attached content,
 * signed attributes (contentType, signingTime, messageDigest), SHA-256,
 * RSASSA-PKCS1-v1_5 through WebCrypto, the signer's certificate and its chain
 * included. The same shape `openssl cms -sign -binary -nodetach` makes.
 */
import { explicit, int, nul, octets, oid, seq, set, setOf, time, tlv } from '../../pki/src/der/writer';
import type { Certificate } from '../../pki/src/cert/types';
import { buf } from './bytes';
import { type CryptoKey, digest, subtle } from './webcrypto';
import { SIGN_ALGORITHM } from './keyfile';

export const CMS_OIDS = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const;

export interface SignOptions {
  /** signingTime (ms since the epoch); default now. */
  signingTime?: number;
  /** Leave the content out (detached signature of a document). */
  detached?: boolean;
}

/** DER ContentInfo { signedData } over `content`, signed by `key` for `signer`, `chain` (CA certificates, DER) included. */
export async function signCms(
  key: CryptoKey,
  signer: Certificate,
  chain: readonly Uint8Array[],
  content: Uint8Array,
  opts: SignOptions = {},
): Promise<Uint8Array> {
  const digestAlg = seq(oid(CMS_OIDS.sha256));
  const attr = (type: string, value: Uint8Array): Uint8Array => seq(oid(type), set(value));
  const attrs = setOf(
    attr(CMS_OIDS.contentType, oid(CMS_OIDS.data)),
    attr(CMS_OIDS.signingTime, time(opts.signingTime ?? Date.now())),
    attr(CMS_OIDS.messageDigest, octets(await digest('SHA-256', content))),
  );
  // what is signed is the DER SET OF; in the SignerInfo it is [0] IMPLICIT
  const signature = new Uint8Array(await subtle().sign(SIGN_ALGORITHM, key, buf(attrs)));
  const signedAttrs = new Uint8Array(attrs);
  signedAttrs[0] = 0xa0;
  const signerInfo = seq(
    int(1),
    seq(signer.issuer.der, tlv(0x02, signer.serial)), // the serial exactly as the certificate encodes it
    digestAlg,
    signedAttrs,
    seq(oid(CMS_OIDS.rsaEncryption), nul()),
    octets(signature),
  );
  const encap = opts.detached ? seq(oid(CMS_OIDS.data)) : seq(oid(CMS_OIDS.data), explicit(0, octets(content)));
  const sd = seq(int(1), set(digestAlg), encap, explicit(0, signer.der, ...chain), set(signerInfo));
  return new Uint8Array(seq(oid(CMS_OIDS.signedData), explicit(0, sd)));
}
