import type { SignerCertificate } from '@jointcert/contracts';
import type { RegisteredCertificate } from '@jointcert/registry-db';

/**
 * When may certificate `next` replace `previous` ("인증서 변경")?
 *
 *  1. `previous` is active (PREVIOUS_NOT_ACTIVE otherwise) and `next` is
 *     another certificate (SAME_CERTIFICATE).
 *  2. `next` expires later than `previous` (NOT_LATER): a successor extends,
 *     never shortens, the account's coverage.
 *  3. Same person:
 *     - the account has an identity hash (a VID was verified for it before):
 *       the request must carry an identity proof the verifier accepted for
 *       `next` (IDENTITY_REQUIRED), and its hash must equal the account's
 *       (IDENTITY_MISMATCH). The CA may differ: a person may move CAs.
 *     - otherwise: same CA family (`ca`, both known; DIFFERENT_CA) and the
 *       same subject CN base — the CN without its per-issuance number, e.g.
 *       "홍길동()" (DIFFERENT_SUBJECT; unknown bases never match). This is the
 *       weaker rule: two people of one name at one CA share a CN base; it
 *       holds because the caller is already authenticated to the account and
 *       proves possession of `next`. A verified identity on `next` is then
 *       remembered on the account, so later replacements use the strong rule.
 *
 * Refusals are CERT_NOT_SUCCESSOR (422) with the rule's name as `reason`.
 */
export type SuccessorRefusal =
  | 'PREVIOUS_NOT_ACTIVE'
  | 'SAME_CERTIFICATE'
  | 'NOT_LATER'
  | 'IDENTITY_REQUIRED'
  | 'IDENTITY_MISMATCH'
  | 'DIFFERENT_CA'
  | 'DIFFERENT_SUBJECT';

export type SuccessorCheck = { ok: true; sameBy: 'identity' | 'ca-and-cn' } | { ok: false; reason: SuccessorRefusal };

export interface SuccessorFacts {
  previous: Pick<RegisteredCertificate, 'status' | 'fingerprintSha256' | 'notAfter' | 'ca' | 'cnBase'>;
  next: Pick<SignerCertificate, 'fingerprintSha256' | 'notAfter' | 'ca' | 'cnBase'>;
  /** The account's remembered identity hash, if any. */
  accountIdentityHash: string | null;
  /** Hash of the identity the verifier matched against `next`'s VID; null without a verified proof. */
  proofIdentityHash: string | null;
}

export function checkSuccessor(f: SuccessorFacts): SuccessorCheck {
  if (f.previous.status !== 'active') return { ok: false, reason: 'PREVIOUS_NOT_ACTIVE' };
  if (f.previous.fingerprintSha256 === f.next.fingerprintSha256) return { ok: false, reason: 'SAME_CERTIFICATE' };
  if (!(Date.parse(f.next.notAfter) > f.previous.notAfter.getTime())) return { ok: false, reason: 'NOT_LATER' };
  if (f.accountIdentityHash !== null) {
    if (f.proofIdentityHash === null) return { ok: false, reason: 'IDENTITY_REQUIRED' };
    if (f.proofIdentityHash !== f.accountIdentityHash) return { ok: false, reason: 'IDENTITY_MISMATCH' };
    return { ok: true, sameBy: 'identity' };
  }
  if (f.previous.ca === null || f.next.ca === null || f.previous.ca !== f.next.ca) return { ok: false, reason: 'DIFFERENT_CA' };
  if (f.previous.cnBase === null || f.next.cnBase === null || f.previous.cnBase !== f.next.cnBase) return { ok: false, reason: 'DIFFERENT_SUBJECT' };
  return { ok: true, sameBy: 'ca-and-cn' };
}
