/**
 * Verification failures → DomainError (libs/common problem table), precisely:
 *
 *   CMS (verifySignedData reasons)
 *     MALFORMED (message level: not CMS at all)            → MALFORMED_INPUT
 *     PATH_INVALID                                        → by the path reasons below
 *     CONTENT_MISMATCH                                    → CONTENT_MISMATCH (the signature is not judged)
 *     anything else (signature, digest, signer not found,
 *     algorithms, signer count)                           → SIGNATURE_INVALID, the detail
 *                                                           saying which (SIGNATURE_DETAILS)
 *   Path (validatePath reasons), first match wins:
 *     trust and structure (NO_PATH, UNTRUSTED_ROOT, BAD_SIGNATURE, NOT_A_CA,
 *     a CA's KEY_USAGE, name constraints, policies, ...)   → CHAIN_UNTRUSTED
 *     EXPIRED / NOT_YET_VALID                             → CERT_EXPIRED (with the dates)
 *     the leaf's keyUsage / extKeyUsage / leaf check      → POLICY_NOT_ACCEPTED
 * `extra.reason` carries the typed libs/pki reason, `extra.reasonDetail` its
 * detail (`detail` and `type` are reserved members of a problem document).
 */
import { DomainError } from '@jointcert/common';
import { notCms } from './input';
import type { CmsReason, CmsVerification, PathCheck, PathReason, PathResult } from '@jointcert/pki';

const TIME_REASONS: ReadonlySet<PathReason> = new Set(['EXPIRED', 'NOT_YET_VALID']);

/** Leaf-only refusals of a relying-party requirement (the certificate is fine, just not for this use). */
function isLeafPolicyCheck(c: PathCheck): boolean {
  return c.cert === 0 && (c.check === 'leafKeyUsage' || c.check === 'leafExtKeyUsage' || c.check === 'leafCheck');
}

export type PathFailureClass = 'CHAIN_UNTRUSTED' | 'CERT_EXPIRED' | 'POLICY_NOT_ACCEPTED';

/** The failing check that decides, and its class. */
export function classifyPathFailure(path: PathResult): { cls: PathFailureClass; check: PathCheck | undefined } {
  const failing = path.checks.filter((c) => !c.ok);
  const structural = failing.find((c) => !(c.reason !== undefined && TIME_REASONS.has(c.reason)) && !isLeafPolicyCheck(c));
  if (structural || failing.length === 0) return { cls: 'CHAIN_UNTRUSTED', check: structural };
  const time = failing.find((c) => c.reason !== undefined && TIME_REASONS.has(c.reason));
  if (time) return { cls: 'CERT_EXPIRED', check: time };
  return { cls: 'POLICY_NOT_ACCEPTED', check: failing[0] };
}

export function pathFailure(path: PathResult, at: number): DomainError {
  const { cls, check } = classifyPathFailure(path);
  const reason = check?.reason ?? path.reasons[0] ?? 'NO_PATH';
  const cert = check ? path.path[check.cert] : undefined;
  const common = { reason, reasons: path.reasons, ...(check?.detail ? { reasonDetail: check.detail } : {}), ...(check ? { certIndex: check.cert } : {}) };
  switch (cls) {
    case 'CERT_EXPIRED': {
      const c = cert ?? path.path[0];
      return new DomainError('CERT_EXPIRED', reason === 'NOT_YET_VALID' ? 'the certificate is not valid yet' : 'the certificate has expired', {
        ...common,
        subject: c?.subject.text,
        notBefore: c ? new Date(c.notBefore).toISOString() : undefined,
        notAfter: c ? new Date(c.notAfter).toISOString() : undefined,
        validationTime: new Date(at).toISOString(),
      });
    }
    case 'POLICY_NOT_ACCEPTED':
      return new DomainError('POLICY_NOT_ACCEPTED', 'the certificate may not be used to sign here', common);
    case 'CHAIN_UNTRUSTED':
      return new DomainError('CHAIN_UNTRUSTED', 'the certificate does not chain to a trusted root', { ...common, ...(cert ? { subject: cert.subject.text } : {}) });
  }
}

/** The problem detail per CMS reason, so that the text says what is wrong. */
const SIGNATURE_DETAILS: Record<Exclude<CmsReason['code'], 'PATH_INVALID' | 'CONTENT_MISMATCH'>, string> = {
  MALFORMED: 'a SignerInfo of the message is malformed',
  NO_SIGNERS: 'the message has no signer',
  MULTIPLE_SIGNERS: 'the message has more than one signer; exactly one is required',
  CONTENT_MISSING: 'the signature is detached and its content is not known here',
  SIGNER_NOT_FOUND: 'no certificate in the message (or registered) matches the signer identifier',
  SIGNATURE_INVALID: "the signature does not verify with the signer certificate's key",
  DIGEST_MISMATCH: 'the messageDigest attribute is not the digest of the signed content',
  CONTENT_TYPE_MISMATCH: 'the contentType attribute does not match the signed content type',
  ALGORITHM_NOT_ALLOWED: 'the signature uses an algorithm this site does not accept (SHA-1 is refused unless ALLOW_SHA1_FOR names the flow; RSA below 2048 bits is refused)',
  UNSUPPORTED_ALGORITHM: 'the signature uses an algorithm that is not supported',
  ALGORITHM_MISMATCH: 'the signature algorithm does not match the digest algorithm',
};

/** The first reason that decides a failed CMS verification. */
function decisive(r: CmsVerification<PathResult>): CmsReason | undefined {
  return r.reasons.find((x) => x.code !== 'PATH_INVALID') ?? r.reasons[0];
}

export function cmsFailure(r: CmsVerification<PathResult>, at: number): DomainError {
  const first = decisive(r);
  if (first === undefined) return new DomainError('SIGNATURE_INVALID', 'the signature could not be verified', { reason: 'NO_SIGNERS' });
  if (first.code === 'MALFORMED' && first.signer === undefined) {
    return notCms(first.cause);
  }
  if (first.code === 'PATH_INVALID') {
    const path = r.signers[first.signer ?? 0]?.path;
    if (path) return pathFailure(path, at);
    return new DomainError('CHAIN_UNTRUSTED', 'the certificate path could not be validated', { reason: 'PATH_INVALID', reasonDetail: first.detail });
  }
  if (first.code === 'CONTENT_MISMATCH') {
    return new DomainError('CONTENT_MISMATCH', 'the signed content is not this challenge: sign the nonce, or textToSign in UTF-8 or EUC-KR (or the site\'s template)', {
      reason: first.code,
      reasonDetail: first.detail,
    });
  }
  return new DomainError('SIGNATURE_INVALID', SIGNATURE_DETAILS[first.code], {
    reason: first.code,
    reasonDetail: first.detail,
    ...(first.cause ? { cause: first.cause } : {}),
  });
}
