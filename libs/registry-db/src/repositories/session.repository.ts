import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { entityManager, type Tx } from '../database';
import { SessionEntity } from '../entities/session.entity';
import type { NewSession, Session } from './session.types';

/**
 * Refresh-token sessions. Rotation and revocation are decided in Postgres:
 * `findByTokenHashForUpdate` locks the presented token's row, so of two
 * concurrent refreshes with one token the second sees it rotated.
 */
export class SessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(input: NewSession, tx?: Tx): Promise<Session> {
    const manager = entityManager(tx, this.dataSource);
    const repo = manager.getRepository(SessionEntity);
    const saved = await repo.save(
      repo.create({
        id: input.id,
        accountId: input.accountId,
        familyId: input.familyId,
        refreshTokenHash: input.refreshTokenHash,
        certificateId: input.certificateId,
        expiresAt: input.expiresAt,
        rotatedAt: null,
        revokedAt: null,
        ip: input.ip,
        userAgent: input.userAgent,
      }),
      { reload: true },
    );
    return toDomain(saved);
  }

  async findById(id: string, tx?: Tx): Promise<Session | null> {
    const manager = entityManager(tx, this.dataSource);
    const row = await manager.getRepository(SessionEntity).findOneBy({ id });
    return row ? toDomain(row) : null;
  }

  async findByTokenHash(refreshTokenHash: string, tx?: Tx): Promise<Session | null> {
    const manager = entityManager(tx, this.dataSource);
    const row = await manager.getRepository(SessionEntity).findOneBy({ refreshTokenHash });
    return row ? toDomain(row) : null;
  }

  /** The row of a refresh token, locked until the transaction ends (call inside one). */
  async findByTokenHashForUpdate(refreshTokenHash: string, tx: Tx): Promise<Session | null> {
    const manager = entityManager(tx, this.dataSource);
    const row = await manager.getRepository(SessionEntity).findOne({ where: { refreshTokenHash }, lock: { mode: 'pessimistic_write' } });
    return row ? toDomain(row) : null;
  }

  /** Mark a row rotated unless it already is; false when another rotation got there first. */
  async markRotated(id: string, at: Date, tx: Tx): Promise<boolean> {
    const manager = entityManager(tx, this.dataSource);
    const result = await manager.getRepository(SessionEntity).update({ id, rotatedAt: IsNull() }, { rotatedAt: at });
    return (result.affected ?? 0) > 0;
  }

  /** Revoke every live row of a family; returns the ids newly revoked. */
  async revokeFamily(familyId: string, at: Date, tx?: Tx): Promise<string[]> {
    return this.revokeWhere(entityManager(tx, this.dataSource), 'family_id = :familyId', { familyId }, at);
  }

  /** Revoke the family of one of the account's sessions (logout); returns the ids newly revoked. */
  async revokeFamilyOf(sessionId: string, accountId: string, at: Date, tx?: Tx): Promise<string[]> {
    return this.revokeWhere(
      entityManager(tx, this.dataSource),
      'family_id IN (SELECT s.family_id FROM sessions s WHERE s.id = :sessionId AND s.account_id = :accountId)',
      { sessionId, accountId },
      at,
    );
  }

  /** Revoke every live session opened with a certificate (and rotated from it); returns the ids newly revoked. */
  async revokeByCertificate(certificateId: string, at: Date, tx?: Tx): Promise<string[]> {
    return this.revokeWhere(entityManager(tx, this.dataSource), 'certificate_id = :certificateId', { certificateId }, at);
  }

  /** Ids of the sessions revoked within the last `seconds` (to reload the revocation cache). */
  async revokedWithin(seconds: number): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(`SELECT id FROM sessions WHERE revoked_at IS NOT NULL AND revoked_at > now() - make_interval(secs => $1)`, [seconds]);
    return rows.map((r) => r.id);
  }

  private async revokeWhere(manager: EntityManager, where: string, params: Record<string, string>, at: Date): Promise<string[]> {
    const result = await manager
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ revokedAt: at })
      .where(where, params)
      .andWhere('revoked_at IS NULL')
      .returning(['id'])
      .execute();
    return (result.raw as Array<{ id: string }>).map((r) => r.id);
  }
}

function toDomain(e: SessionEntity): Session {
  return {
    id: e.id,
    accountId: e.accountId,
    familyId: e.familyId,
    certificateId: e.certificateId,
    createdAt: e.createdAt,
    expiresAt: e.expiresAt,
    rotatedAt: e.rotatedAt,
    revokedAt: e.revokedAt,
  };
}
