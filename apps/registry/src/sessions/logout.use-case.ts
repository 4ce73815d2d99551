import { Inject, Injectable } from '@nestjs/common';
import { SessionRevocations, CLOCK, type Clock } from '@jointcert/common';
import type { CallerRequest } from '@jointcert/contracts';
import { RegistryDatabase, SessionRepository } from '@jointcert/registry-db';
import { AuditLog } from '../audit/audit-log';

/**
 * Log out (DELETE /v1/sessions/current): revoke the caller's session — its
 * whole refresh family, since earlier rows' access tokens may still be alive —
 * in Postgres, then in SessionRevocations (the caller's own session id always,
 * even if its row is unknown) so the gateway refuses the tokens at once.
 * Idempotent: a second logout changes nothing and succeeds.
 */
@Injectable()
export class LogOut {
  constructor(
    private readonly db: RegistryDatabase,
    private readonly sessions: SessionRepository,
    private readonly revocations: SessionRevocations,
    private readonly audit: AuditLog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(request: CallerRequest): Promise<{ ok: true }> {
    const { accountId, sessionId } = request.caller;
    const revoked = await this.db.transaction(async (tx) => {
      const ids = await this.sessions.revokeFamilyOf(sessionId, accountId, new Date(this.clock.now()), tx);
      if (ids.length > 0) {
        await this.audit.success({ action: 'logout', client: request.client, accountId, details: { sessionId, revokedSessions: ids.length } }, tx);
      }
      return ids;
    });
    await this.revocations.revoke([...new Set([sessionId, ...revoked])]);
    return { ok: true };
  }
}
