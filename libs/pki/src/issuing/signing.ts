/**
 * Signature algorithms for test certificates, CRLs and OCSP responses: the
 * AlgorithmIdentifier DER and the signing itself, with Node's crypto.
 */
import { constants, type KeyObject, sign } from 'node:crypto';
import { PkiError } from '../errors';
import { explicit, int, nul, oid, seq } from '../der';
import { OID } from '../cert/types';

export type SignatureAlgorithmName =
  | 'md5WithRSA'
  | 'sha1WithRSA'
  | 'sha224WithRSA'
  | 'sha256WithRSA'
  | 'sha384WithRSA'
  | 'sha512WithRSA'
  | 'rsaPss-sha256'
  | 'rsaPss-sha384'
  | 'rsaPss-sha512'
  | 'ecdsaWithSHA1'
  | 'ecdsaWithSHA256'
  | 'ecdsaWithSHA384'
  | 'ecdsaWithSHA512'
  | 'ed25519';

type Hash = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

interface AlgInfo {
  kind: 'rsa' | 'pss' | 'ecdsa' | 'eddsa';
  hash: Hash | null;
  oid: string;
}

const ALGS: Readonly<Record<SignatureAlgorithmName, AlgInfo>> = {
  md5WithRSA: { kind: 'rsa', hash: 'md5', oid: OID.md5WithRSA },
  sha1WithRSA: { kind: 'rsa', hash: 'sha1', oid: OID.sha1WithRSA },
  sha224WithRSA: { kind: 'rsa', hash: 'sha224', oid: OID.sha224WithRSA },
  sha256WithRSA: { kind: 'rsa', hash: 'sha256', oid: OID.sha256WithRSA },
  sha384WithRSA: { kind: 'rsa', hash: 'sha384', oid: OID.sha384WithRSA },
  sha512WithRSA: { kind: 'rsa', hash: 'sha512', oid: OID.sha512WithRSA },
  'rsaPss-sha256': { kind: 'pss', hash: 'sha256', oid: OID.rsassaPss },
  'rsaPss-sha384': { kind: 'pss', hash: 'sha384', oid: OID.rsassaPss },
  'rsaPss-sha512': { kind: 'pss', hash: 'sha512', oid: OID.rsassaPss },
  ecdsaWithSHA1: { kind: 'ecdsa', hash: 'sha1', oid: OID.ecdsaWithSHA1 },
  ecdsaWithSHA256: { kind: 'ecdsa', hash: 'sha256', oid: OID.ecdsaWithSHA256 },
  ecdsaWithSHA384: { kind: 'ecdsa', hash: 'sha384', oid: OID.ecdsaWithSHA384 },
  ecdsaWithSHA512: { kind: 'ecdsa', hash: 'sha512', oid: OID.ecdsaWithSHA512 },
  ed25519: { kind: 'eddsa', hash: null, oid: OID.ed25519 },
};

const HASH_OID: Readonly<Record<Hash, string>> = {
  md5: OID.md5,
  sha1: OID.sha1,
  sha224: OID.sha224,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

const HASH_LEN: Readonly<Record<Hash, number>> = { md5: 16, sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

export interface AlgorithmIdentifierOptions {
  /** PKCS#1 v1.5 RSA: write the NULL parameters (default true, as RFC 4055 asks); false omits them. */
  rsaNullParams?: boolean;
}

/** The AlgorithmIdentifier DER of a signature algorithm (PSS: hash, MGF1 with the same hash, salt = hash length). */
export function signatureAlgorithmIdentifier(name: SignatureAlgorithmName, opts: AlgorithmIdentifierOptions = {}): Buffer {
  const a = ALGS[name];
  switch (a.kind) {
    case 'rsa':
      return seq(oid(a.oid), opts.rsaNullParams !== false && nul());
    case 'pss': {
      const h = a.hash!;
      const hashAlg = seq(oid(HASH_OID[h]), nul());
      return seq(oid(a.oid), seq(explicit(0, hashAlg), explicit(1, seq(oid(OID.mgf1), hashAlg)), explicit(2, int(HASH_LEN[h]))));
    }
    case 'ecdsa':
    case 'eddsa':
      return seq(oid(a.oid));
  }
}

/** The default signature algorithm for an issuer key: sha256WithRSA, ecdsaWithSHA256/384 by curve, ed25519. */
export function defaultSignatureAlgorithm(issuerKey: KeyObject): SignatureAlgorithmName {
  switch (issuerKey.asymmetricKeyType) {
    case 'rsa':
      return 'sha256WithRSA';
    case 'rsa-pss':
      return 'rsaPss-sha256';
    case 'ec':
      return issuerKey.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'ecdsaWithSHA384' : 'ecdsaWithSHA256';
    case 'ed25519':
      return 'ed25519';
    case 'dsa':
    case 'ed448':
    case 'x25519':
    case 'x448':
    case undefined:
      throw new PkiError('UNSUPPORTED_ALGORITHM', `no default signature algorithm for ${String(issuerKey.asymmetricKeyType)} keys`);
  }
}

/** Sign `data` with `key` under the named algorithm (ECDSA signatures DER-encoded, as X.509 wants). */
export function signData(name: SignatureAlgorithmName, key: KeyObject, data: Uint8Array): Buffer {
  if (key.type !== 'private') throw new PkiError('INVALID_ARGUMENT', 'signing needs a private key');
  const a = ALGS[name];
  switch (a.kind) {
    case 'rsa':
      return sign(a.hash, data, { key, padding: constants.RSA_PKCS1_PADDING });
    case 'pss':
      return sign(a.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_LEN[a.hash!] });
    case 'ecdsa':
      return sign(a.hash, data, { key, dsaEncoding: 'der' });
    case 'eddsa':
      return sign(null, data, key);
  }
}
