import { isIP } from 'node:net';
import type { DataSource } from 'typeorm';
import { entityManager, type Tx } from '../database';
import { AuditEventEntity } from '../entities/audit-event.entity';
import type { AuditEvent, NewAuditEvent } from './audit.types';

/** Append-only audit events (a trigger refuses UPDATE, DELETE and TRUNCATE). */
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  async append(event: NewAuditEvent, tx?: Tx): Promise<void> {
    const manager = entityManager(tx, this.dataSource);
    const ip = event.ip && isIP(event.ip) !== 0 ? event.ip : null;
    const repo = manager.getRepository(AuditEventEntity);
    const row = repo.create({
      action: event.action,
      outcome: event.outcome,
      accountId: event.accountId ?? null,
      certificateId: event.certificateId ?? null,
      reason: event.reason ?? null,
      requestId: event.requestId ?? null,
      ip,
      userAgent: event.userAgent ?? null,
      details: event.details ?? {},
    });
    await repo.save(row, { reload: false });
  }

  /** An account's events, oldest first (support and tests). */
  async listForAccount(accountId: string, tx?: Tx): Promise<AuditEvent[]> {
    const manager = entityManager(tx, this.dataSource);
    const rows = await manager.getRepository(AuditEventEntity).find({ where: { accountId }, order: { id: 'ASC' } });
    return rows.map(toDomain);
  }
}

function toDomain(e: AuditEventEntity): AuditEvent {
  return {
    id: e.id,
    at: e.at,
    action: e.action,
    outcome: e.outcome as AuditEvent['outcome'],
    accountId: e.accountId,
    certificateId: e.certificateId,
    reason: e.reason,
    requestId: e.requestId,
    ip: e.ip,
    userAgent: e.userAgent,
    details: e.details,
  };
}
