/**
 * The certificate builder: a spec in, signed DER out. Every field can be set,
 * including ones a valid certificate would never have (negative serials,
 * mismatched inner/outer algorithms, unknown critical extensions), so tests
 * can reach each branch of a validator.
 *
 * No hidden clock: times default to TEST_TIME-relative constants.
 */
import { type KeyObject, randomBytes } from 'node:crypto';
import { PkiError } from '../errors';
import { bitString, encodePem, explicit, generalizedTime, implicit, int, seq, tlv, Tag, time, utcTime } from '../der';
import { parseCertificate } from '../cert/parse';
import { encodeExtensions, type ExtensionsSpec } from './extensions';
import { keyIdentifier, type KeyPair, spkiOf, testKey, toPublicKey } from './keys';
import { encodeName, type NameSpec } from './names';
import { defaultSignatureAlgorithm, type SignatureAlgorithmName, signatureAlgorithmIdentifier, signData } from './signing';

/** A fixed "now" for tests: 2026-01-15T03:00:00Z. Default validities contain it. */
export const TEST_TIME = Date.UTC(2026, 0, 15, 3, 0, 0);
export const DAY = 86_400_000;

export type TimeEncoding = 'auto' | 'utc' | 'generalized';

export interface CertificateSpec {
  /** 1, 2 or 3 (default 3). Written as version − 1 in [0]; omitted for v1. Other numbers are written as given − 1. */
  version?: number;
  /** bigint/number: minimal INTEGER (negatives allowed). Uint8Array: the INTEGER content octets verbatim (non-minimal, 21+ bytes, empty...). Default: 16 random bytes, positive. */
  serial?: bigint | number | Uint8Array;
  subject: NameSpec;
  /** Default: the subject of `issuerCert`, else `subject` (self-issued). */
  issuerName?: NameSpec;
  /** DER of the issuing certificate: its subject becomes the issuer name and its SKI (or key id) the AKI key identifier. */
  issuerCert?: Uint8Array;
  /** Default TEST_TIME − 30 days. */
  notBefore?: number;
  /** Default TEST_TIME + 365 days. */
  notAfter?: number;
  /** 'auto' (default): UTCTime through 2049, GeneralizedTime after (RFC 5280). */
  timeEncoding?: TimeEncoding;
  /** The subject's key (public or private). */
  subjectKey: KeyObject;
  /** Replace the SubjectPublicKeyInfo DER (keys Node cannot make). */
  spki?: Uint8Array;
  /** The issuer's private key (the subject's own for a self-signed certificate). */
  issuerKey: KeyObject;
  /** Default by issuer key: sha256WithRSA, ecdsaWithSHA256 (P-256) / ecdsaWithSHA384 (P-384), ed25519. */
  signatureAlgorithm?: SignatureAlgorithmName;
  /** PKCS#1 v1.5 RSA algorithms: write NULL parameters (default true). */
  rsaNullParams?: boolean;
  /** Replace the AlgorithmIdentifier DER inside tbsCertificate (mismatch tests); the signature still uses signatureAlgorithm. */
  tbsSignatureAlgorithm?: Uint8Array;
  /** Replace the outer signatureAlgorithm DER. */
  outerSignatureAlgorithm?: Uint8Array;
  issuerUniqueId?: Uint8Array;
  subjectUniqueId?: Uint8Array;
  /** v3 certificates get AKI and SKI by default; see ExtensionsSpec. */
  extensions?: ExtensionsSpec;
}

function encodeTime(ms: number, enc: TimeEncoding): Buffer {
  return enc === 'utc' ? utcTime(ms) : enc === 'generalized' ? generalizedTime(ms) : time(ms);
}

function randomSerial(): Buffer {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40; // positive, 16 octets, never minimised away
  return tlv(Tag.INTEGER, b);
}

/** Key identifier the issuer's AKI should carry: the issuer certificate's SKI when it has one, else SHA-1 of its key. */
function issuerKeyIdOf(spec: CertificateSpec): Uint8Array {
  if (spec.issuerCert) {
    const c = parseCertificate(spec.issuerCert);
    return c.ext.subjectKeyIdentifier ?? keyIdentifier(c.spki.der);
  }
  return keyIdentifier(spec.issuerKey);
}

/** DER of tbsCertificate. */
export function buildTbsCertificate(spec: CertificateSpec): Buffer {
  const version = spec.version ?? 3;
  const sigAlg = spec.signatureAlgorithm ?? defaultSignatureAlgorithm(spec.issuerKey);
  const algId = spec.tbsSignatureAlgorithm ?? signatureAlgorithmIdentifier(sigAlg, { rsaNullParams: spec.rsaNullParams });
  const spki = spec.spki ?? spkiOf(spec.subjectKey);
  let issuerName: Buffer;
  if (spec.issuerName !== undefined) issuerName = encodeName(spec.issuerName);
  else if (spec.issuerCert) issuerName = Buffer.from(parseCertificate(spec.issuerCert).subject.der);
  else issuerName = encodeName(spec.subject);
  const exts = encodeExtensions(spec.extensions ?? {}, {
    issuerKeyId: issuerKeyIdOf(spec),
    subjectKeyId: keyIdentifier(spki),
    autoKeyIds: version === 3,
  });
  const enc = spec.timeEncoding ?? 'auto';
  const serial =
    spec.serial === undefined ? randomSerial() : spec.serial instanceof Uint8Array ? tlv(Tag.INTEGER, spec.serial) : int(spec.serial);
  return seq(
    version !== 1 && explicit(0, int(version - 1)),
    serial,
    algId,
    issuerName,
    seq(encodeTime(spec.notBefore ?? TEST_TIME - 30 * DAY, enc), encodeTime(spec.notAfter ?? TEST_TIME + 365 * DAY, enc)),
    encodeName(spec.subject),
    spki,
    spec.issuerUniqueId && implicit(1, bitString(spec.issuerUniqueId)),
    spec.subjectUniqueId && implicit(2, bitString(spec.subjectUniqueId)),
    exts.length > 0 && explicit(3, seq(...exts)),
  );
}

/** Build and sign a certificate; returns its DER. */
export function buildCertificate(spec: CertificateSpec): Buffer {
  if (spec.issuerKey.type !== 'private') throw new PkiError('INVALID_ARGUMENT', 'issuerKey must be a private key');
  const sigAlg = spec.signatureAlgorithm ?? defaultSignatureAlgorithm(spec.issuerKey);
  const tbs = buildTbsCertificate(spec);
  const outerAlg = spec.outerSignatureAlgorithm ?? signatureAlgorithmIdentifier(sigAlg, { rsaNullParams: spec.rsaNullParams });
  return seq(tbs, outerAlg, bitString(signData(sigAlg, spec.issuerKey, tbs)));
}

/** A copy of a signed structure (certificate, CRL) with the last signature bit flipped. */
export function tamperSignature(der: Uint8Array): Buffer {
  const out = Buffer.from(der);
  out[out.length - 1]! ^= 0x01;
  return out;
}

/** An issued certificate with its keys. */
export interface Issued {
  der: Buffer;
  /** The subject's private key. */
  key: KeyObject;
  publicKey: KeyObject;
  pem: string;
}

export function issuedFrom(der: Buffer, keys: KeyPair | KeyObject): Issued {
  const key = 'privateKey' in keys ? keys.privateKey : keys;
  return { der, key, publicKey: toPublicKey(key), pem: encodePem('CERTIFICATE', der) };
}

export type IssueSpec = Omit<CertificateSpec, 'subjectKey' | 'issuerKey' | 'issuerCert'> & {
  /** The subject's key pair (or private key). */
  keys: KeyPair | KeyObject;
  /** The issuing certificate and key; omitted → self-signed. */
  issuer?: Pick<Issued, 'der' | 'key'>;
};

/** buildCertificate with key pairs and issuers as objects. */
export function issue(spec: IssueSpec): Issued {
  const { keys, issuer, ...rest } = spec;
  const key = 'privateKey' in keys ? keys.privateKey : keys;
  const der = buildCertificate({
    ...rest,
    subjectKey: key,
    issuerKey: issuer?.key ?? key,
    ...(issuer ? { issuerCert: issuer.der } : {}),
  });
  return issuedFrom(der, key);
}

export type ChainLevelSpec = Partial<IssueSpec> & { subject: NameSpec };

/**
 * A chain root → … → leaf from specs in that order. Defaults: keys from the
 * pool (`chain-0`, `chain-1`, ...), CA levels get basicConstraints CA and
 * keyCertSign/cRLSign, the leaf digitalSignature; validity around TEST_TIME.
 */
export function issueChain(levels: readonly ChainLevelSpec[], keyPrefix = 'chain'): Issued[] {
  const out: Issued[] = [];
  levels.forEach((lvl, i) => {
    const isLeaf = i === levels.length - 1;
    const { keys, issuer, extensions, ...rest } = lvl;
    const defaults: ExtensionsSpec = isLeaf
      ? { keyUsage: ['digitalSignature'] }
      : { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] };
    out.push(
      issue({
        ...rest,
        keys: keys ?? testKey(`${keyPrefix}-${i}`),
        ...(issuer ?? out[i - 1] ? { issuer: issuer ?? out[i - 1] } : {}),
        extensions: { ...defaults, ...extensions },
      }),
    );
  });
  return out;
}
