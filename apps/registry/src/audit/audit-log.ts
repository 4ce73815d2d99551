import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { currentRequestId, DomainError, type Logger } from '@jointcert/common';
import type { ClientInfo } from '@jointcert/contracts';
import { AuditRepository, type AuditOutcome } from '@jointcert/registry-db';
import { LOGGER } from '../registry.tokens';

export type AuditAction = 'register' | 'login' | 'refresh' | 'logout' | 'replace' | 'delete' | 'account.update' | 'certificate.lock' | 'certificate.unlock' | 'certificate.password-changed' | 'totp.enrol' | 'totp.confirm' | 'totp.disable' | 'totp.verify' | 'sessions.end-all' | 'transfer.create' | 'transfer.claim' | 'transfer.cancel';

export interface AuditEntry {
  action: AuditAction;
  client: ClientInfo;
  accountId?: string | null;
  certificateId?: string | null;
  /** Certificate fingerprint and other facts; never identity numbers, tokens or signatures. */
  details?: Record<string, unknown>;
}

/** The problem code of an error, or INTERNAL for anything unexpected. */
export function reasonOf(err: unknown): string {
  return err instanceof DomainError ? err.code : 'INTERNAL';
}

/**
 * The audit trail: who (account), what (action), outcome, why (reason code),
 * when, from where (ip, user agent), with the request id. Successes are written
 * inside the transaction that makes the change, so a change and its audit row
 * commit together; failures are written after the failed work rolled back.
 */
@Injectable()
export class AuditLog {
  constructor(
    private readonly repository: AuditRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async success(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    await this.write(entry, 'success', null, manager);
  }

  /**
   * Record a failed attempt. Never throws when written on its own: the caller
   * is already failing with `err`, which must reach the client; a lost audit
   * row is logged loudly. Inside a transaction (`manager`) a failed write
   * does throw, so the transaction cannot commit without its audit row.
   */
  async failure(entry: AuditEntry, err: unknown, manager?: EntityManager): Promise<void> {
    const detailReason = err instanceof DomainError && typeof err.extra.reason === 'string' ? err.extra.reason : undefined;
    const entryWithReason = detailReason ? { ...entry, details: { ...entry.details, detailReason } } : entry;
    try {
      await this.write(entryWithReason, 'failure', reasonOf(err), manager);
    } catch (auditErr) {
      if (manager) throw auditErr;
      this.logger.error({ err: auditErr, action: entry.action, reason: reasonOf(err) }, 'audit event could not be written');
    }
  }

  private async write(entry: AuditEntry, outcome: AuditOutcome, reason: string | null, manager?: EntityManager): Promise<void> {
    await this.repository.append(
      {
        action: entry.action,
        outcome,
        reason,
        accountId: entry.accountId ?? null,
        certificateId: entry.certificateId ?? null,
        requestId: currentRequestId() ?? null,
        ip: entry.client.ip,
        userAgent: entry.client.userAgent ?? null,
        details: entry.details ?? {},
      },
      manager,
    );
  }
}
