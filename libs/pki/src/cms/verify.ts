/**
 * verifySignedData: verify a CMS / PKCS#7 SignedData (attached or detached)
 * and report, as data, who signed what and why anything failed.
 *
 * Per SignerInfo (RFC 5652 §5.4, §5.6):
 *   - digestAlgorithm must be a known digest (params absent or NULL) listed in
 *     `allowedDigests` (default SHA-224/256/384/512; SHA-1 only when listed —
 *     the list also decides whether SHA-1 signature algorithms pass, whatever
 *     `algorithms.allowSha1` says);
 *   - signatureAlgorithm: `rsaEncryption` means PKCS#1 v1.5 with the
 *     digestAlgorithm's hash (old Korean clients, OpenSSL); a combined
 *     algorithm (sha256WithRSAEncryption, ecdsa-with-SHA256, RSASSA-PSS, ...)
 *     must use the same hash as digestAlgorithm (strict: a mismatch is
 *     ALGORITHM_MISMATCH; RFC 5754 pairs them and no client we know differs);
 *   - with signedAttrs: messageDigest must equal digest(content) (constant-time
 *     comparison), contentType must be present and equal eContentType,
 *     signingTime is recorded (its syntax is checked by the parser; it is the
 *     signer's claim, not a trusted time), and the signature covers the DER of
 *     signedAttrs with the SET tag 0x31;
 *   - without signedAttrs: eContentType must be id-data and the signature
 *     covers the content itself;
 *   - the signer certificate is found by ./signer-id.ts (issuerAndSerialNumber
 *     with the RFC 5280 name comparison, subjectKeyIdentifier, the KOSCOM v0
 *     quirk), among the embedded certificates and then `extraCertificates`.
 *     When several match (e.g. a planted certificate with the same issuer and
 *     serial), each is tried, at most MAX_SIGNER_CANDIDATES; the one whose
 *     key verifies is the signer;
 *   - `validatePath(leaf, intermediates, at)` runs only for a signer that
 *     passed everything else, in a message with no message-level reason; a result with `ok: false`, or a throw, is
 *     PATH_INVALID (never fail-open). Without `validatePath` nothing about the
 *     certificate itself (validity, chain, key usage) is checked — `ok` then
 *     means "this key signed this content" and nothing more.
 * Message level: at least one SignerInfo (NO_SIGNERS); exactly one when
 * `requireSingleSigner` (default true; else all must verify); detached
 * content must be supplied (CONTENT_MISSING); `content` given for an attached
 * message must equal eContent, and `expectedContent` (the challenge nonce)
 * must equal the signed content (CONTENT_MISMATCH).
 *
 * Never throws for a bad message: structure errors come back as MALFORMED
 * (with `cause`, the PkiError code). It throws PkiError INVALID_ARGUMENT only
 * for caller mistakes (a non-finite `at`, a non-Uint8Array input).
 *
 * Speed: one parse walk, embedded certificates from a bounded cache
 * (./cert-cache.ts: admitted on their second sighting, so a one-off signer's
 * certificates die young), keys from crypto/signature.ts's cache, the content hashed
 * once per digest algorithm. Without signedAttrs the content is hashed twice
 * (once for `contentDigest`, once inside crypto.verify): fine for nonces.
 */
import { hash as oneShotHash, timingSafeEqual } from 'node:crypto';
import { nameFromDer } from '../cert/name';
import { OID, type AlgorithmIdentifier, type Certificate } from '../cert/types';
import { toHex } from '../der/values';
import { DIGEST_BY_OID, type DigestName } from '../crypto/digest';
import {
  DEFAULT_ALGORITHM_POLICY,
  signatureScheme,
  verifySignature,
  type AlgorithmPolicy,
  type SignatureFailure,
} from '../crypto/signature';
import { PkiError, type PkiErrorCode } from '../errors';
import { cachedCertificate, clearCertificateCache } from './cert-cache';
import { findSignerCertificates } from './signer-id';
import { CMS_OID, parseSignedData, type CmsLimits, type SignedData, type SignerIdentifier, type SignerInfo } from './parse';

export type CmsReasonCode =
  /** The message (or one SignerInfo) is not valid CMS; `cause` has the PkiError code. */
  | 'MALFORMED'
  /** A SignedData with no SignerInfo (a certificates-only message). */
  | 'NO_SIGNERS'
  /** More than one SignerInfo while `requireSingleSigner` is on. */
  | 'MULTIPLE_SIGNERS'
  /** Detached content (no eContent) and no `content` option. */
  | 'CONTENT_MISSING'
  /** The signed content differs from `expectedContent`, or from the `content` option. */
  | 'CONTENT_MISMATCH'
  /** No certificate (embedded or supplied) matches the SignerIdentifier. */
  | 'SIGNER_NOT_FOUND'
  /** The signature does not verify with the signer certificate's key. */
  | 'SIGNATURE_INVALID'
  /** messageDigest differs from the content's digest (or is missing). */
  | 'DIGEST_MISMATCH'
  /** contentType attribute missing or not eContentType; non-data content without signedAttrs. */
  | 'CONTENT_TYPE_MISMATCH'
  /** A known algorithm refused by policy (SHA-1 unless allowed, MD5, small RSA keys, ...). */
  | 'ALGORITHM_NOT_ALLOWED'
  /** An algorithm we do not implement (unknown digest or signature OID, odd parameters). */
  | 'UNSUPPORTED_ALGORITHM'
  /** signatureAlgorithm's hash differs from digestAlgorithm. */
  | 'ALGORITHM_MISMATCH'
  /** validatePath said no (or threw). */
  | 'PATH_INVALID';

export interface CmsReason {
  code: CmsReasonCode;
  detail: string;
  /** Index of the SignerInfo concerned; absent for message-level reasons. */
  signer?: number;
  /** Underlying code: a PkiErrorCode for MALFORMED, a SignatureFailure for signature checks. */
  cause?: PkiErrorCode | SignatureFailure;
}

export interface CmsSignerResult<TPath> {
  /** Index of the SignerInfo in the message. */
  index: number;
  ok: boolean;
  reasons: CmsReason[];
  /** The signer certificate (whose key verified, or the first match when none did). */
  certificate?: Certificate;
  sid: SignerIdentifier;
  digestAlgorithm: AlgorithmIdentifier;
  signatureAlgorithm: AlgorithmIdentifier;
  /** The digest in use, when digestAlgorithm is known. */
  digest?: DigestName;
  /** signingTime attribute, epoch ms, when present. */
  signingTime?: number;
  /** Lower-case hex digest of the content under digestAlgorithm (undefined when it could not be computed). */
  contentDigest?: string;
  /** Whether the SignerInfo had signedAttrs. */
  signedAttributes: boolean;
  /** validatePath's result, when it ran. */
  path?: TPath;
}

export interface CmsVerification<TPath> {
  ok: boolean;
  /** Every reason: message-level ones, then each signer's (with `signer`). Empty iff ok. */
  reasons: CmsReason[];
  signers: CmsSignerResult<TPath>[];
  /** The signed content (eContent, or the supplied detached content). */
  content?: Buffer;
  /** eContentType (id-data for login challenges); '' when the message did not parse. */
  contentType: string;
  /** True when the message carried no eContent. */
  detached: boolean;
  /** Parsed embedded certificates (shared, read-only). */
  certificates: Certificate[];
}

export interface PathVerdict {
  readonly ok: boolean;
}

export interface VerifySignedDataOptions<TPath extends PathVerdict> {
  /** Validation time, epoch ms; handed to validatePath. */
  at: number;
  /** Detached content (when the message has no eContent). */
  content?: Uint8Array;
  /** Certificates known beside the message (a registered certificate, intermediates). */
  extraCertificates?: readonly Certificate[];
  /** Signature algorithm policy (RSA size, PSS/ECDSA/EdDSA). SHA-1 is governed by `allowedDigests`. */
  algorithms?: AlgorithmPolicy;
  /** Accepted digests for content and signatures. Default sha224, sha256, sha384, sha512. */
  allowedDigests?: readonly DigestName[];
  /** Path validation of the signer certificate; its result is stored in `signers[i].path`. */
  validatePath?: (leaf: Certificate, intermediates: Certificate[], at: number) => TPath;
  /** The content the caller expects to have been signed (e.g. the challenge nonce). */
  expectedContent?: Uint8Array;
  /** A rule the signed content must satisfy (e.g. the nonce, or a text carrying it); false is CONTENT_MISMATCH. */
  acceptContent?: (content: Uint8Array) => boolean;
  /** Exactly one SignerInfo (login). Default true. When false, all signers must verify. */
  requireSingleSigner?: boolean;
  /** Parser limits. */
  limits?: Partial<CmsLimits>;
}

export const DEFAULT_ALLOWED_DIGESTS: readonly DigestName[] = Object.freeze(['sha224', 'sha256', 'sha384', 'sha512'] as DigestName[]);

/**
 * Empty the caches owned by the CMS verifier (parsed certificates, and which
 * certificates were seen: ./cert-cache.ts admits one on its second sighting;
 * `keepSightings` keeps that memory; the cached certificates with a `keep`
 * encoding stay). Keys stay cached in crypto/signature.ts.
 */
export function clearCmsCaches(opts: { keepSightings?: boolean; keep?: readonly Uint8Array[] } = {}): void {
  clearCertificateCache(opts);
}

export function verifySignedData<TPath extends PathVerdict = PathVerdict>(
  input: Uint8Array,
  opts: VerifySignedDataOptions<TPath>,
): CmsVerification<TPath> {
  if (!(input instanceof Uint8Array)) throw new PkiError('INVALID_ARGUMENT', 'verifySignedData: input must be a Uint8Array');
  if (typeof opts.at !== 'number' || !Number.isFinite(opts.at)) throw new PkiError('INVALID_ARGUMENT', 'verifySignedData: `at` must be a finite epoch-ms number');
  let sd: SignedData;
  let certificates: Certificate[];
  try {
    sd = parseSignedData(input, opts.limits);
    certificates = sd.certificates.map((der, i) => {
      try {
        return cachedCertificate(der);
      } catch (e) {
        throw new PkiError('MALFORMED_CMS', `embedded certificate #${i}: ${e instanceof Error ? e.message : String(e)}`, {
          cause: e instanceof PkiError ? e.code : undefined,
        });
      }
    });
  } catch (e) {
    return malformedResult(e);
  }
  try {
    return verifyParsed(sd, certificates, opts);
  } catch (e) {
    // defensive: verifyParsed reports failures as reasons; anything thrown is a failed check, never a pass
    return malformedResult(e, sd.eContentType);
  }
}

function malformedResult<TPath>(e: unknown, contentType = ''): CmsVerification<TPath> {
  const reason: CmsReason = { code: 'MALFORMED', detail: e instanceof Error ? e.message : String(e) };
  if (e instanceof PkiError) reason.cause = e.code;
  return { ok: false, reasons: [reason], signers: [], contentType, detached: false, certificates: [] };
}

function verifyParsed<TPath extends PathVerdict>(sd: SignedData, embedded: Certificate[], opts: VerifySignedDataOptions<TPath>): CmsVerification<TPath> {
  const reasons: CmsReason[] = [];
  const detached = sd.eContent === undefined;
  let content: Uint8Array | undefined = sd.eContent ?? opts.content;
  if (sd.eContent && opts.content && !bytesEqual(sd.eContent, opts.content)) {
    reasons.push({ code: 'CONTENT_MISMATCH', detail: 'the supplied content differs from the encapsulated content' });
  }
  if (content && opts.expectedContent && !bytesEqual(content, opts.expectedContent)) {
    reasons.push({ code: 'CONTENT_MISMATCH', detail: 'the signed content is not the expected content' });
  }
  if (content && opts.acceptContent && !opts.acceptContent(content)) {
    reasons.push({ code: 'CONTENT_MISMATCH', detail: 'the signed content is none of the accepted contents' });
  }
  if (sd.signerInfos.length === 0) reasons.push({ code: 'NO_SIGNERS', detail: 'the SignedData has no SignerInfo' });
  if ((opts.requireSingleSigner ?? true) && sd.signerInfos.length > 1) {
    reasons.push({ code: 'MULTIPLE_SIGNERS', detail: `${sd.signerInfos.length} SignerInfos; exactly one is required` });
  }

  const allowed = opts.allowedDigests ?? DEFAULT_ALLOWED_DIGESTS;
  // the caller's policy with allowSha1 from `allowed` (as given when it already says so: no copy per message)
  const given = opts.algorithms ?? DEFAULT_ALGORITHM_POLICY;
  const allowSha1 = allowed.includes('sha1');
  const policy: AlgorithmPolicy = given.allowSha1 === allowSha1 ? given : { ...given, allowSha1 };
  const extra = opts.extraCertificates ?? [];
  const pool = extra.length === 0 ? embedded : poolOf(embedded, extra);
  const digests = new Map<DigestName, Buffer>();
  const ctx: SignerContext<TPath> = { sd, content, pool, embedded, extra, allowed, policy, digests, opts, messageFailed: reasons.length > 0 };

  const signers = sd.signerInfos.map((si, index) => verifySigner(si, index, ctx));
  for (const s of signers) reasons.push(...s.reasons);
  const ok = reasons.length === 0 && signers.length > 0 && signers.every((s) => s.ok);
  const out: CmsVerification<TPath> = { ok, reasons, signers, contentType: sd.eContentType, detached, certificates: embedded };
  if (content) {
    content = Buffer.isBuffer(content) ? content : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    out.content = content as Buffer;
  }
  return out;
}

interface SignerContext<TPath extends PathVerdict> {
  sd: SignedData;
  content: Uint8Array | undefined;
  pool: Certificate[];
  embedded: Certificate[];
  extra: readonly Certificate[];
  allowed: readonly DigestName[];
  policy: AlgorithmPolicy;
  digests: Map<DigestName, Buffer>;
  opts: VerifySignedDataOptions<TPath>;
  /** A message-level reason exists: the verdict is already no, so path validation is skipped. */
  messageFailed: boolean;
}

function verifySigner<TPath extends PathVerdict>(si: SignerInfo, index: number, ctx: SignerContext<TPath>): CmsSignerResult<TPath> {
  const reasons: CmsReason[] = [];
  const fail = (code: CmsReasonCode, detail: string, cause?: CmsReason['cause']): void => {
    const r: CmsReason = { code, detail, signer: index };
    if (cause) r.cause = cause;
    reasons.push(r);
  };
  const res: CmsSignerResult<TPath> = {
    index,
    ok: false,
    reasons,
    sid: si.sid,
    digestAlgorithm: si.digestAlgorithm,
    signatureAlgorithm: si.signatureAlgorithm,
    signedAttributes: si.signedAttrs !== undefined,
  };
  const sa = si.signedAttrs;
  if (sa?.signingTime !== undefined) res.signingTime = sa.signingTime;

  // algorithms
  const digest = digestOf(si.digestAlgorithm, ctx.allowed, fail);
  let algorithmsOk = digest !== undefined;
  if (digest) {
    res.digest = digest;
    const scheme = signatureScheme(si.signatureAlgorithm, digest);
    if ('error' in scheme) {
      fail(scheme.error === 'ALGORITHM_NOT_ALLOWED' ? 'ALGORITHM_NOT_ALLOWED' : 'UNSUPPORTED_ALGORITHM', scheme.detail, scheme.error);
      algorithmsOk = false;
    } else if (scheme.digest !== null && scheme.digest !== digest) {
      fail('ALGORITHM_MISMATCH', `signatureAlgorithm uses ${scheme.digest} but digestAlgorithm is ${digest}`);
      algorithmsOk = false;
    } else if (scheme.digest !== null && !ctx.allowed.includes(scheme.digest)) {
      fail('ALGORITHM_NOT_ALLOWED', `${scheme.digest} signatures are not allowed`);
      algorithmsOk = false;
    }
  }

  // content, digest and the signed bytes
  const content = ctx.content;
  let signedBytes: Uint8Array | undefined;
  if (!content) {
    fail('CONTENT_MISSING', 'detached signature and no content supplied');
  } else {
    if (digest) {
      let d = ctx.digests.get(digest);
      if (!d) {
        d = oneShotHash(digest, content, 'buffer');
        ctx.digests.set(digest, d);
      }
      res.contentDigest = d.toString('hex');
      if (sa) {
        if (sa.messageDigest === undefined) fail('DIGEST_MISMATCH', 'signedAttrs have no messageDigest attribute');
        else if (sa.messageDigest.length !== d.length || !timingSafeEqual(sa.messageDigest, d)) {
          fail('DIGEST_MISMATCH', `messageDigest ${toHex(sa.messageDigest)} is not the ${digest} of the content`);
        }
      }
    }
    if (sa) {
      if (sa.contentType === undefined) fail('CONTENT_TYPE_MISMATCH', 'signedAttrs have no contentType attribute');
      else if (sa.contentType !== ctx.sd.eContentType) fail('CONTENT_TYPE_MISMATCH', `contentType attribute ${sa.contentType} is not eContentType ${ctx.sd.eContentType}`);
      signedBytes = sa.signedBytes;
    } else {
      if (ctx.sd.eContentType !== CMS_OID.data) fail('CONTENT_TYPE_MISMATCH', `content type ${ctx.sd.eContentType} without signedAttrs (only id-data may be signed directly)`);
      signedBytes = content;
    }
  }

  // signer certificate
  let candidates: Certificate[];
  try {
    candidates = findSignerCertificates(si.sid, ctx.embedded, ctx.extra, si.version).certificates;
  } catch (e) {
    fail('MALFORMED', `SignerIdentifier: ${e instanceof Error ? e.message : String(e)}`, e instanceof PkiError ? e.code : undefined);
    candidates = [];
  }
  if (candidates.length === 0) {
    if (!reasons.some((r) => r.code === 'MALFORMED')) fail('SIGNER_NOT_FOUND', `no certificate matches ${sidText(si.sid)}`);
  } else {
    res.certificate = candidates[0]!;
  }

  // signature
  let signatureOk = false;
  if (candidates.length > 0 && algorithmsOk && digest && signedBytes) {
    let first: { reason: SignatureFailure; detail: string } | undefined;
    for (const cert of candidates) {
      const check = verifySignature(si.signatureAlgorithm, cert.spki, signedBytes, si.signature, ctx.policy, digest);
      if (check.ok) {
        res.certificate = cert;
        signatureOk = true;
        break;
      }
      first ??= check;
    }
    if (!signatureOk && first) fail(signatureReason(first.reason), first.detail, first.reason);
  }

  // path, only for an otherwise good signer of an otherwise good message
  const validatePath = ctx.opts.validatePath;
  if (signatureOk && reasons.length === 0 && !ctx.messageFailed && validatePath && res.certificate) {
    const leaf = res.certificate;
    try {
      const path = validatePath(
        leaf,
        othersThan(leaf, ctx.pool),
        ctx.opts.at,
      );
      res.path = path;
      if (!path || path.ok !== true) fail('PATH_INVALID', 'path validation failed for the signer certificate');
    } catch (e) {
      fail('PATH_INVALID', `path validation threw: ${e instanceof Error ? e.message : String(e)}`, e instanceof PkiError ? e.code : undefined);
    }
  }
  res.ok = signatureOk && reasons.length === 0;
  return res;
}

function digestOf(alg: AlgorithmIdentifier, allowed: readonly DigestName[], fail: (c: CmsReasonCode, d: string) => void): DigestName | undefined {
  const d = DIGEST_BY_OID[alg.oid];
  if (!d) {
    if (alg.oid === OID.md5) fail('ALGORITHM_NOT_ALLOWED', 'MD5 digest');
    else fail('UNSUPPORTED_ALGORITHM', `digest algorithm ${alg.oid}`);
    return undefined;
  }
  if (alg.params && !(alg.params.length === 2 && alg.params[0] === 0x05 && alg.params[1] === 0)) {
    fail('UNSUPPORTED_ALGORITHM', `digest algorithm ${alg.oid} with parameters other than NULL`);
    return undefined;
  }
  if (!allowed.includes(d)) {
    fail('ALGORITHM_NOT_ALLOWED', `${d} digests are not allowed`);
    return undefined;
  }
  return d;
}

function signatureReason(f: SignatureFailure): CmsReasonCode {
  switch (f) {
    case 'BAD_SIGNATURE':
    case 'KEY_ALGORITHM_MISMATCH':
    case 'BAD_KEY':
      return 'SIGNATURE_INVALID';
    case 'ALGORITHM_NOT_ALLOWED':
    case 'WEAK_KEY':
    case 'KEY_NOT_ALLOWED':
      return 'ALGORITHM_NOT_ALLOWED';
    case 'UNSUPPORTED_ALGORITHM':
      return 'UNSUPPORTED_ALGORITHM';
    default: {
      const never: never = f;
      return never;
    }
  }
}

function sidText(sid: SignerIdentifier): string {
  if (sid.type === 'subjectKeyIdentifier') return `subjectKeyIdentifier ${toHex(sid.keyIdentifier)}`;
  let issuer: string;
  try {
    issuer = nameFromDer(sid.issuer).text;
  } catch {
    issuer = `(undecodable issuer ${toHex(sid.issuer).slice(0, 64)})`;
  }
  return `issuer ${issuer}, serial ${toHex(sid.serial)}`;
}

/*
 * A repeat signer's message embeds the same (cached) certificate objects each
 * time, and the extra certificates are one configured list: the candidate
 * pool they make, and the pool without the signer that path validation gets,
 * are kept for the last embedded list per extra list and handed out frozen
 * (the same list each time, and libs/pki's path cache keys it once). Another
 * embedded list, or an extra list that is not frozen, is pooled anew.
 */
const pools = new WeakMap<readonly Certificate[], { embedded: readonly Certificate[]; pool: readonly Certificate[] }>();
const withoutLeaf = new WeakMap<readonly Certificate[], { leaf: Certificate; others: readonly Certificate[] }>();

function poolOf(embedded: readonly Certificate[], extra: readonly Certificate[]): Certificate[] {
  if (!Object.isFrozen(extra)) return dedupe([...embedded, ...extra]);
  const hit = pools.get(extra);
  if (hit !== undefined && hit.embedded.length === embedded.length && embedded.every((c, i) => c === hit.embedded[i])) return hit.pool as Certificate[];
  const pool = Object.freeze(dedupe([...embedded, ...extra]));
  pools.set(extra, { embedded: [...embedded], pool });
  return pool as Certificate[];
}

/** `pool` without `leaf` (the same frozen list each time for a kept pool). */
function othersThan(leaf: Certificate, pool: readonly Certificate[]): Certificate[] {
  if (!Object.isFrozen(pool)) return pool.filter((c) => c !== leaf);
  const hit = withoutLeaf.get(pool);
  if (hit?.leaf === leaf) return hit.others as Certificate[];
  const others = Object.freeze(pool.filter((c) => c !== leaf));
  withoutLeaf.set(pool, { leaf, others });
  return others as Certificate[];
}

function dedupe(certs: Certificate[]): Certificate[] {
  const out: Certificate[] = [];
  for (const c of certs) if (!out.some((o) => o === c || bytesEqual(o.der, c.der))) out.push(c);
  return out;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
