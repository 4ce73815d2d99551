import { DomainError } from '@jointcert/common';

/** Another account's certificate is indistinguishable from a missing one: existence is not leaked. */
export function certificateNotFound(): DomainError {
  return new DomainError('NOT_FOUND', 'no such certificate');
}

/** A valid token for an account that is gone. */
export function accountUnknown(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'the account no longer exists', { reason: 'ACCOUNT_UNKNOWN' });
}
