/**
 * Signature verification by AlgorithmIdentifier, with Node's crypto doing the
 * math and imported keys cached. Used by path validation, CMS, OCSP and CRLs.
 *
 * RSA keys are imported from their PKCS#1 RSAPublicKey (the SPKI's BIT STRING),
 * which is ~50× cheaper than importing the SPKI; every key object is cached by
 * the SPKI bytes (bounded).
 */
import { constants, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { type DerCursor, Tag, ctx, derCursor, type Tlv } from '../der/reader';
import { readSmallInt, readOid } from '../der/values';
import type { AlgorithmIdentifier, SubjectPublicKeyInfo } from '../cert/types';
import { OID } from '../cert/types';
import { PkiError } from '../errors';
import { DIGEST_BY_OID, type DigestName } from './digest';
import { rsaPssVerifyRaw } from './pss';

/** What signature algorithms and keys a caller accepts. */
export interface AlgorithmPolicy {
  /** SHA-1 in signatures (old NPKI material, PKITS). Default false. */
  allowSha1: boolean;
  /** Minimum RSA modulus size. Default 2048. */
  minRsaBits: number;
  allowRsaPss: boolean;
  allowEcdsa: boolean;
  allowEdDsa: boolean;
  /**
   * DSA (FIPS 186) signatures: dsaWithSHA1, dsa-with-sha224, dsa-with-sha256.
   * Default false (absent = false): DSA is not used in NPKI and is obsolete;
   * turned on for conformance corpora (PKITS 4.1.4–4.1.6). The prime p must be
   * at least `minRsaBits` long (finite-field sizes compare like RSA moduli).
   */
  allowDsa?: boolean;
  /** Accepted EC curve OIDs. */
  curves: readonly string[];
  /**
   * Largest RSA modulus accepted (bits). Default (absent) 4096: a verification
   * costs about the square of the modulus size, so a bound here bounds what a
   * message-supplied key can make us compute. Checked before any math.
   */
  maxRsaBits?: number;
  /**
   * Accepted RSA public exponents. Default (absent) DEFAULT_RSA_EXPONENTS =
   * [3, 65537]: a verification costs about the bit length of e, and a
   * 3072-bit exponent makes one check ~180× dearer than e = 65537 (the
   * "huge exponent" decoy). Checked before any math (KEY_NOT_ALLOWED).
   */
  rsaExponents?: readonly number[];
}

/** RSA public exponents accepted when AlgorithmPolicy.rsaExponents is absent. */
export const DEFAULT_RSA_EXPONENTS: readonly number[] = Object.freeze([3, 65537]);
/** RSA modulus ceiling when AlgorithmPolicy.maxRsaBits is absent. */
export const DEFAULT_MAX_RSA_BITS = 4096;

export const DEFAULT_ALGORITHM_POLICY: Readonly<AlgorithmPolicy> = Object.freeze({
  allowSha1: false,
  minRsaBits: 2048,
  allowRsaPss: true,
  allowEcdsa: true,
  allowEdDsa: true,
  allowDsa: false,
  curves: Object.freeze([OID.prime256v1, OID.secp384r1, OID.secp521r1]),
  maxRsaBits: DEFAULT_MAX_RSA_BITS,
  rsaExponents: DEFAULT_RSA_EXPONENTS,
});

export type SignatureFailure =
  | 'BAD_SIGNATURE'
  | 'UNSUPPORTED_ALGORITHM'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'WEAK_KEY'
  | 'KEY_ALGORITHM_MISMATCH'
  | 'BAD_KEY'
  // the key is outside the policy's accepted sizes: RSA modulus above
  // maxRsaBits or a public exponent not in rsaExponents (refused before any math)
  | 'KEY_NOT_ALLOWED';

export type SignatureCheck = { ok: true; digest: DigestName | null } | { ok: false; reason: SignatureFailure; detail: string };

export interface Scheme {
  kind: 'rsa' | 'rsa-pss' | 'ecdsa' | 'eddsa' | 'dsa';
  digest: DigestName | null;
  saltLength?: number;
  /** RSASSA-PSS: the MGF1 hash (the message hash unless the parameters say otherwise). */
  mgfDigest?: DigestName;
}

const RSA_PKCS1: Readonly<Record<string, DigestName>> = {
  [OID.sha1WithRSA]: 'sha1',
  [OID.sha224WithRSA]: 'sha224',
  [OID.sha256WithRSA]: 'sha256',
  [OID.sha384WithRSA]: 'sha384',
  [OID.sha512WithRSA]: 'sha512',
};

/** DSA signature OIDs (RFC 3279 §2.2.2, RFC 5758 §3.1); parameters absent. */
export const DSA_SIGNATURE_OIDS = {
  dsaWithSHA1: OID.dsaWithSHA1,
  dsaWithSHA224: '2.16.840.1.101.3.4.3.1',
  dsaWithSHA256: '2.16.840.1.101.3.4.3.2',
} as const;

const DSA: Readonly<Record<string, DigestName>> = {
  [DSA_SIGNATURE_OIDS.dsaWithSHA1]: 'sha1',
  [DSA_SIGNATURE_OIDS.dsaWithSHA224]: 'sha224',
  [DSA_SIGNATURE_OIDS.dsaWithSHA256]: 'sha256',
};

const ECDSA: Readonly<Record<string, DigestName>> = {
  [OID.ecdsaWithSHA1]: 'sha1',
  [OID.ecdsaWithSHA224]: 'sha224',
  [OID.ecdsaWithSHA256]: 'sha256',
  [OID.ecdsaWithSHA384]: 'sha384',
  [OID.ecdsaWithSHA512]: 'sha512',
};

/**
 * Resolve a signature AlgorithmIdentifier to a scheme. `rsaEncryption` as a
 * signature algorithm (seen in CMS SignerInfos) needs the digest from elsewhere:
 * pass it as `digestForRsaEncryption`.
 */
export function signatureScheme(alg: AlgorithmIdentifier, digestForRsaEncryption?: DigestName): Scheme | { error: SignatureFailure; detail: string } {
  const rsa = RSA_PKCS1[alg.oid];
  if (rsa) {
    if (alg.params && !isNull(alg.params)) return { error: 'UNSUPPORTED_ALGORITHM', detail: `${alg.oid} with non-NULL parameters` };
    return { kind: 'rsa', digest: rsa };
  }
  if (alg.oid === OID.rsaEncryption && digestForRsaEncryption) {
    if (alg.params && !isNull(alg.params)) return { error: 'UNSUPPORTED_ALGORITHM', detail: 'rsaEncryption with non-NULL parameters' };
    return { kind: 'rsa', digest: digestForRsaEncryption };
  }
  const ec = ECDSA[alg.oid];
  if (ec) {
    if (alg.params) return { error: 'UNSUPPORTED_ALGORITHM', detail: `${alg.oid} must have absent parameters` };
    return { kind: 'ecdsa', digest: ec };
  }
  const dsa = DSA[alg.oid];
  if (dsa) {
    if (alg.params) return { error: 'UNSUPPORTED_ALGORITHM', detail: `${alg.oid} must have absent parameters` };
    return { kind: 'dsa', digest: dsa };
  }
  if (alg.oid === OID.ed25519 || alg.oid === OID.ed448) {
    if (alg.params) return { error: 'UNSUPPORTED_ALGORITHM', detail: 'EdDSA must have absent parameters' };
    return { kind: 'eddsa', digest: null };
  }
  if (alg.oid === OID.rsassaPss) return pssScheme(alg);
  if (alg.oid === OID.md5WithRSA) return { error: 'ALGORITHM_NOT_ALLOWED', detail: 'md5WithRSAEncryption' };
  return { error: 'UNSUPPORTED_ALGORITHM', detail: `signature algorithm ${alg.oid}` };
}

function isNull(params: Uint8Array): boolean {
  return params.length === 2 && params[0] === Tag.NULL && params[1] === 0;
}

/** A DSA key carries its own Dss-Parms (absent or NULL parameters: inherited on a path, RFC 5280 §6.1.4 (d)-(f)). */
export function hasDsaParameters(spki: SubjectPublicKeyInfo): boolean {
  const p = spki.algorithm.params;
  return p !== undefined && !isNull(p);
}

const dsaBits = new WeakMap<SubjectPublicKeyInfo, number | null>();
/** Bit length of p in the key's Dss-Parms ::= SEQUENCE { p, q, g INTEGER }; undefined when they do not parse. */
export function dsaPrimeBits(spki: SubjectPublicKeyInfo): number | undefined {
  let v = dsaBits.get(spki);
  if (v === undefined) {
    v = null;
    try {
      const params = spki.algorithm.params;
      if (params) {
        const outer = derCursor(params);
        const c = outer.enter(outer.expect(Tag.SEQUENCE, 'Dss-Parms'));
        outer.done('Dss-Parms');
        const p = c.expect(Tag.INTEGER, 'p');
        c.expect(Tag.INTEGER, 'q');
        c.expect(Tag.INTEGER, 'g');
        c.done('Dss-Parms');
        let i = p.valueStart;
        while (i < p.valueEnd && params[i] === 0) i++;
        v = i === p.valueEnd ? 0 : (p.valueEnd - i - 1) * 8 + (32 - Math.clz32(params[i]!));
      }
    } catch (e) {
      if (!(e instanceof PkiError)) throw e;
    }
    dsaBits.set(spki, v);
  }
  return v ?? undefined;
}

/**
 * RSASSA-PSS-params (RFC 4055): hash [0], MGF1 [1] (any supported hash: one
 * different from the message hash is verified by crypto/pss.ts), salt [2],
 * trailer [3] = 1.
 */
function pssScheme(alg: AlgorithmIdentifier): Scheme | { error: SignatureFailure; detail: string } {
  let digest: DigestName = 'sha1';
  let mgfDigest: DigestName = 'sha1';
  let saltLength = 20;
  try {
    if (!alg.params) return { error: 'UNSUPPORTED_ALGORITHM', detail: 'RSASSA-PSS without parameters' };
    const outer = derCursor(alg.params);
    const seq = outer.expect(Tag.SEQUENCE, 'RSASSA-PSS-params');
    outer.done('RSASSA-PSS-params');
    const c = outer.enter(seq);
    const hashTlv = c.optional(ctx(0, true));
    if (hashTlv) digest = digestOfAlgId(c, hashTlv);
    const mgfTlv = c.optional(ctx(1, true));
    if (mgfTlv) {
      const m = c.enter(mgfTlv);
      const mseq = m.enter(m.expect(Tag.SEQUENCE, 'maskGenAlgorithm'));
      if (readOid(c.buf, mseq.expect(Tag.OID, 'MGF oid')) !== OID.mgf1) return { error: 'UNSUPPORTED_ALGORITHM', detail: 'PSS mask generation other than MGF1' };
      const h = mseq.expect(Tag.SEQUENCE, 'MGF1 hash');
      mgfDigest = digestOfAlgId(mseq, h, true);
    }
    const saltTlv = c.optional(ctx(2, true));
    if (saltTlv) saltLength = readSmallInt(c.buf, c.enter(saltTlv).expect(Tag.INTEGER, 'saltLength'));
    const trailer = c.optional(ctx(3, true));
    if (trailer && readSmallInt(c.buf, c.enter(trailer).expect(Tag.INTEGER, 'trailerField')) !== 1) {
      return { error: 'UNSUPPORTED_ALGORITHM', detail: 'PSS trailerField other than 1' };
    }
    c.done('RSASSA-PSS-params');
  } catch (e) {
    if (e instanceof PkiError) return { error: 'UNSUPPORTED_ALGORITHM', detail: `bad RSASSA-PSS parameters: ${e.message}` };
    throw e;
  }
  if (saltLength < 0 || saltLength > 512) return { error: 'UNSUPPORTED_ALGORITHM', detail: 'PSS salt length out of range' };
  return { kind: 'rsa-pss', digest, saltLength, mgfDigest };
}

function digestOfAlgId(c: DerCursor, tlv: Tlv, isSeq = false): DigestName {
  const inner = isSeq ? c.enter(tlv) : c.enter(c.enter(tlv).expect(Tag.SEQUENCE, 'hash AlgorithmIdentifier'));
  const oid = readOid(c.buf, inner.expect(Tag.OID, 'hash oid'));
  const d = DIGEST_BY_OID[oid];
  if (!d) throw new PkiError('UNSUPPORTED_ALGORITHM', `digest ${oid}`);
  if (!inner.atEnd()) {
    const p = inner.next();
    if (p.tag !== Tag.NULL || p.valueEnd !== p.valueStart) throw new PkiError('UNSUPPORTED_ALGORITHM', 'digest parameters must be NULL or absent');
  }
  return d;
}

/**
 * Why `spki` (an RSA key) is outside `policy`'s accepted sizes, or undefined:
 * modulus above maxRsaBits, or a public exponent not in rsaExponents. Pure
 * arithmetic on parsed sizes: callers run it before any signature math.
 */
export function rsaKeyRefusal(spki: SubjectPublicKeyInfo, policy: Pick<AlgorithmPolicy, 'maxRsaBits' | 'rsaExponents'>): string | undefined {
  const max = policy.maxRsaBits ?? DEFAULT_MAX_RSA_BITS;
  if ((spki.rsaBits ?? 0) > max) return `RSA ${spki.rsaBits ?? 0} bits is above ${max}`;
  const allowed = policy.rsaExponents ?? DEFAULT_RSA_EXPONENTS;
  if (spki.rsaExponent === undefined || !allowed.includes(spki.rsaExponent)) {
    return `RSA public exponent ${spki.rsaExponent ?? `of ${spki.rsaExponentBits ?? '?'} bits`} is not one of ${allowed.join(', ')}`;
  }
  return undefined;
}

function rsaSizeFailure(spki: SubjectPublicKeyInfo, policy: AlgorithmPolicy): { ok: false; reason: SignatureFailure; detail: string } | undefined {
  if ((spki.rsaBits ?? 0) < policy.minRsaBits) return { ok: false, reason: 'WEAK_KEY', detail: `RSA ${spki.rsaBits ?? 0} bits is below ${policy.minRsaBits}` };
  const refused = rsaKeyRefusal(spki, policy);
  return refused ? { ok: false, reason: 'KEY_NOT_ALLOWED', detail: refused } : undefined;
}

/**
 * Whether a certificate's own public key is acceptable under `policy` (the
 * key of every certificate of a path, the leaf's included, not only the keys
 * that sign): RSA size and exponent, EC curve, DSA size. Undefined when fine
 * or of a type the policy says nothing about.
 */
export function publicKeyProblem(spki: SubjectPublicKeyInfo, policy: AlgorithmPolicy): { reason: SignatureFailure; detail: string } | undefined {
  switch (spki.keyType) {
    case 'rsa':
    case 'rsa-pss':
      return rsaSizeFailure(spki, policy);
    case 'ec':
      return spki.curve && policy.curves.includes(spki.curve) ? undefined : { reason: 'ALGORITHM_NOT_ALLOWED', detail: `curve ${spki.curve ?? '(none)'}` };
    case 'dsa': {
      const bits = dsaPrimeBits(spki);
      return bits !== undefined && bits < policy.minRsaBits ? { reason: 'WEAK_KEY', detail: `DSA p of ${bits} bits is below ${policy.minRsaBits}` } : undefined;
    }
    case 'ed25519':
    case 'ed448':
    case 'unknown':
      return undefined;
    default: {
      const never: never = spki.keyType;
      return { reason: 'UNSUPPORTED_ALGORITHM', detail: String(never) };
    }
  }
}

/**
 * What one verification with `spki` costs, in units of one RSA-2048 (e =
 * 65537) verification, from the key's sizes alone (nothing computed): RSA
 * ∝ modulus² × exponent length, DSA ∝ p² × two 256-bit exponentiations,
 * ECDSA/EdDSA by curve (measured ratios on Node 22, rounded up). Path
 * building spends a budget of these (ValidationPolicy.maxSignatureCost), so
 * big keys cannot buy more work than small ones.
 */
export function signatureCost(spki: SubjectPublicKeyInfo): number {
  switch (spki.keyType) {
    case 'rsa':
    case 'rsa-pss': {
      const m = (spki.rsaBits ?? 2048) / 2048;
      return Math.max(1, Math.ceil(m * m * Math.max(1, ((spki.rsaExponentBits ?? 17) + 1) / 18)));
    }
    case 'dsa': {
      const m = (dsaPrimeBits(spki) ?? 2048) / 2048;
      return Math.max(1, Math.ceil(m * m * 30));
    }
    case 'ec':
      return spki.curve === OID.secp521r1 ? 30 : spki.curve === OID.secp384r1 ? 12 : 4;
    case 'ed25519':
      return 3;
    case 'ed448':
      return 10;
    case 'unknown':
      return 1;
    default: {
      const never: never = spki.keyType;
      return Number(never);
    }
  }
}

/** A cache id for the PKCS#1 import of an RSA(-PSS) key: its RSAPublicKey bytes, tagged apart from SPKI ids. */
function rawRsaSpkiId(spki: SubjectPublicKeyInfo): Uint8Array {
  return Buffer.concat([Buffer.from('pkcs1:'), spki.publicKey]);
}

const KEY_CACHE_MAX = 4096;
let keyCache = new Map<string, KeyObject>();

/**
 * Forget every imported key (benchmarks of a genuinely new signer key, tests):
 * the next verification with a key imports it again and pays OpenSSL's
 * first use of a new key. Keys found by their SPKI buffer (keysByDer: a
 * cached certificate's or anchor's) stay. A new map, as the other caches'
 * clears (path/build.ts clearSignatureCache).
 */
export function clearKeyCache(): void {
  keyCache = new Map();
}

/**
 * A Node KeyObject for an SPKI, cached by its bytes. RSA keys go through the
 * cheap PKCS#1 import. Throws PkiError('UNSUPPORTED_ALGORITHM') for keys Node cannot load.
 */
export function publicKeyOf(spki: SubjectPublicKeyInfo): KeyObject {
  // a repeat signer's certificate comes from the certificate cache with the same DER buffer: found
  // by identity, and still compared byte for byte (a buffer written to since is looked up afresh)
  const same = keysByDer.get(spki.der);
  if (same && Buffer.from(spki.der.buffer, spki.der.byteOffset, spki.der.byteLength).equals(same.der)) return same.key;
  const key = publicKeyById(spki);
  keysByDer.set(spki.der, { der: Buffer.from(spki.der), key });
  return key;
}

/** KeyObjects by the bytes of the SPKI they came from. */
const keysByDer = new WeakMap<Uint8Array, { der: Buffer; key: KeyObject }>();

function publicKeyById(spki: SubjectPublicKeyInfo): KeyObject {
  const id = Buffer.from(spki.der.buffer, spki.der.byteOffset, spki.der.byteLength).toString('latin1');
  const hit = keyCache.get(id);
  if (hit) return hit;
  let key: KeyObject;
  try {
    key =
      spki.keyType === 'rsa'
        ? createPublicKey({ key: Buffer.from(spki.publicKey), format: 'der', type: 'pkcs1' })
        : createPublicKey({ key: Buffer.from(spki.der), format: 'der', type: 'spki' });
  } catch (e) {
    throw new PkiError('UNSUPPORTED_ALGORITHM', `cannot load ${spki.keyType} public key: ${(e as Error).message}`);
  }
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(id, key);
  return key;
}

/**
 * Everything verifySignature decides before any public-key math: the scheme,
 * the policy (algorithms, digests, key sizes, RSA exponents, curves) and the
 * key/algorithm match. A failure, or the scheme to run. Callers that budget
 * work (path building) use it to charge only the checks that will compute.
 */
export function signaturePrecheck(
  alg: AlgorithmIdentifier,
  spki: SubjectPublicKeyInfo,
  policy: AlgorithmPolicy = DEFAULT_ALGORITHM_POLICY,
  digestForRsaEncryption?: DigestName,
): { ok: true; scheme: Scheme } | { ok: false; reason: SignatureFailure; detail: string } {
  const scheme = signatureScheme(alg, digestForRsaEncryption);
  if ('error' in scheme) return { ok: false, reason: scheme.error, detail: scheme.detail };
  if (scheme.digest === 'sha1' && !policy.allowSha1) return { ok: false, reason: 'ALGORITHM_NOT_ALLOWED', detail: 'SHA-1 signatures are not allowed by the policy' };
  switch (scheme.kind) {
    case 'rsa':
      if (spki.keyType !== 'rsa') return { ok: false, reason: 'KEY_ALGORITHM_MISMATCH', detail: `${alg.oid} with a ${spki.keyType} key` };
      {
        const sized = rsaSizeFailure(spki, policy);
        if (sized) return sized;
      }
      break;
    case 'rsa-pss':
      if (!policy.allowRsaPss) return { ok: false, reason: 'ALGORITHM_NOT_ALLOWED', detail: 'RSASSA-PSS' };
      if (spki.keyType !== 'rsa' && spki.keyType !== 'rsa-pss') return { ok: false, reason: 'KEY_ALGORITHM_MISMATCH', detail: `RSASSA-PSS with a ${spki.keyType} key` };
      {
        const sized = rsaSizeFailure(spki, policy);
        if (sized) return sized;
      }
      break;
    case 'ecdsa':
      if (!policy.allowEcdsa) return { ok: false, reason: 'ALGORITHM_NOT_ALLOWED', detail: 'ECDSA' };
      if (spki.keyType !== 'ec') return { ok: false, reason: 'KEY_ALGORITHM_MISMATCH', detail: `ECDSA with a ${spki.keyType} key` };
      if (!spki.curve || !policy.curves.includes(spki.curve)) return { ok: false, reason: 'ALGORITHM_NOT_ALLOWED', detail: `curve ${spki.curve ?? '(none)'}` };
      break;
    case 'eddsa':
      if (!policy.allowEdDsa) return { ok: false, reason: 'ALGORITHM_NOT_ALLOWED', detail: 'EdDSA' };
      if ((alg.oid === OID.ed25519 ? 'ed25519' : 'ed448') !== spki.keyType) return { ok: false, reason: 'KEY_ALGORITHM_MISMATCH', detail: `${alg.oid} with a ${spki.keyType} key` };
      break;
    case 'dsa': {
      if (!policy.allowDsa) return { ok: false, reason: 'ALGORITHM_NOT_ALLOWED', detail: 'DSA signatures are not allowed by the policy' };
      if (spki.keyType !== 'dsa') return { ok: false, reason: 'KEY_ALGORITHM_MISMATCH', detail: `${alg.oid} with a ${spki.keyType} key` };
      if (!hasDsaParameters(spki)) {
        return { ok: false, reason: 'BAD_KEY', detail: 'DSA key without parameters (they are inherited from the issuer key on a path: RFC 5280 §6.1.4 (d)-(f))' };
      }
      const bits = dsaPrimeBits(spki);
      if (bits === undefined) return { ok: false, reason: 'BAD_KEY', detail: 'DSA parameters are not Dss-Parms' };
      if (bits < policy.minRsaBits) return { ok: false, reason: 'WEAK_KEY', detail: `DSA p of ${bits} bits is below ${policy.minRsaBits}` };
      break;
    }
    default: {
      const never: never = scheme.kind;
      return { ok: false, reason: 'UNSUPPORTED_ALGORITHM', detail: String(never) };
    }
  }
  return { ok: true, scheme };
}

/**
 * Verify `signature` over `data` with the key in `spki` under the algorithm
 * `alg`, subject to `policy`. Never throws for bad input: the result says why.
 */
export function verifySignature(
  alg: AlgorithmIdentifier,
  spki: SubjectPublicKeyInfo,
  data: Uint8Array,
  signature: Uint8Array,
  policy: AlgorithmPolicy = DEFAULT_ALGORITHM_POLICY,
  digestForRsaEncryption?: DigestName,
): SignatureCheck {
  const pre = signaturePrecheck(alg, spki, policy, digestForRsaEncryption);
  if (!pre.ok) return pre;
  const scheme = pre.scheme;
  const ownPss = scheme.kind === 'rsa-pss' && scheme.mgfDigest !== undefined && scheme.mgfDigest !== scheme.digest;
  let key: KeyObject;
  try {
    // an RSASSA-PSS-typed SPKI cannot do the raw RSA operation: take its RSAPublicKey
    key = ownPss ? publicKeyOf({ ...spki, keyType: 'rsa', der: rawRsaSpkiId(spki) }) : publicKeyOf(spki);
  } catch (e) {
    return { ok: false, reason: 'BAD_KEY', detail: (e as Error).message };
  }
  let ok: boolean;
  try {
    if (ownPss) ok = rsaPssVerifyRaw(key, spki.rsaBits ?? 0, data, signature, scheme.digest!, scheme.mgfDigest!, scheme.saltLength!);
    else
      ok =
        scheme.kind === 'rsa-pss'
          ? cryptoVerify(scheme.digest, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength! }, signature)
          : cryptoVerify(scheme.digest, data, key, signature);
  } catch (e) {
    // OpenSSL raises for structurally bad signatures (wrong length, bad ECDSA DER): that is a bad signature
    return { ok: false, reason: 'BAD_SIGNATURE', detail: (e as Error).message };
  }
  return ok ? { ok: true, digest: scheme.digest } : { ok: false, reason: 'BAD_SIGNATURE', detail: 'signature does not verify' };
}
