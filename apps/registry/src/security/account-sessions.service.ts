import { Inject, Injectable } from '@nestjs/common';
import { SessionRevocations, CLOCK, LOGGER, type Logger, type Clock } from '@jointcert/common';
import type { CallerRequest, SessionView } from '@jointcert/contracts';
import { AccountSessionsRepository, RegistryDatabase } from '@jointcert/registry-db';
import { AuditLog } from '../audit/audit-log';
import { revokeNow } from './revoke-now';

/**
 * The account's sessions (GET /v1/sessions, DELETE /v1/sessions): where it is
 * logged in from, and "log out everywhere" — every session revoked in Postgres
 * (refresh refused) and in SessionRevocations (access tokens refused at once),
 * the caller's own included. Audited as `sessions.end-all`.
 */
@Injectable()
export class AccountSessions {
  constructor(
    private readonly db: RegistryDatabase,
    private readonly sessions: AccountSessionsRepository,
    private readonly revocations: SessionRevocations,
    private readonly audit: AuditLog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async list(request: CallerRequest): Promise<SessionView[]> {
    const rows = await this.sessions.active(request.caller.accountId, new Date(this.clock.now()));
    return rows.map((s) => ({
      id: s.id,
      certificateId: s.certificateId,
      createdAt: s.createdAt.toISOString(),
      lastRefreshAt: s.lastRefreshAt?.toISOString() ?? null,
      expiresAt: s.expiresAt.toISOString(),
      ip: s.ip,
      userAgent: s.userAgent,
      current: s.id === request.caller.sessionId,
    }));
  }

  async endAll(request: CallerRequest): Promise<{ ended: number }> {
    const { accountId } = request.caller;
    const revoked = await this.db.transaction(async (tx) => {
      const ids = await this.sessions.revokeAll(accountId, new Date(this.clock.now()), tx);
      await this.audit.success({ action: 'sessions.end-all', client: request.client, accountId, details: { revokedSessions: ids.length, bySession: request.caller.sessionId } }, tx);
      return ids;
    });
    await revokeNow(this.revocations, this.logger, revoked);
    return { ended: revoked.length };
  }
}
