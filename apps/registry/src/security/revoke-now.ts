import type { Logger, SessionRevocations } from '@jointcert/common';

/**
 * Tell the gateway's fast check about sessions already revoked in Postgres.
 * Never throws: the change is committed (refresh is refused); if Redis fails
 * only the access tokens may live until they expire, which is logged loudly.
 */
export async function revokeNow(revocations: SessionRevocations, logger: Logger, sessionIds: string[]): Promise<void> {
  try {
    await revocations.revoke(sessionIds);
  } catch (err) {
    logger.error({ err, sessionIds }, 'session revocations could not be recorded in Redis');
  }
}
