import { DomainError } from '@jointcert/common';

/** Another account's certificate is indistinguishable from a missing one: existence is not leaked. */
export function certificateNotFound(): DomainError {
  return new DomainError('NOT_FOUND', 'no such certificate');
}

/** A valid token for an account that is gone. */
export function accountUnknown(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'the account no longer exists', { reason: 'ACCOUNT_UNKNOWN' });
}

/** A certificate its holder locked as lost: refused at login until unlocked (security/certificate-lock.use-case.ts). */
export function certificateLocked(): DomainError {
  return new DomainError('CERT_LOCKED', 'this certificate was locked as lost; unlock it from another registered certificate or with your second factor');
}
