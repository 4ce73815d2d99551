import { DomainError } from '@jointcert/common';
import { Not, QueryFailedError, type DataSource } from 'typeorm';
import { entityManager, type Tx } from '../database';
import { CertificateEntity } from '../entities/certificate.entity';
import type { NewCertificate, RegisteredCertificate } from './certificate.types';

const ACTIVE_FINGERPRINT_INDEX = 'uq_certificates_active_fingerprint';
const UNIQUE_VIOLATION = '23505';

/** The certificate is already registered (active) to an account — this one or another. */
export class CertificateAlreadyRegistered extends DomainError {
  constructor(readonly fingerprintSha256: string) {
    super('CERT_ALREADY_REGISTERED', 'this certificate is already registered', { fingerprint: fingerprintSha256 });
    this.name = 'CertificateAlreadyRegistered';
  }
}

/**
 * Registered certificates. Returns plain domain types; entities stay inside.
 * Every method takes a `tx` (optional for reads) to join a caller's transaction.
 * Deleted certificates stay in the table (audit) but are invisible to the
 * account-scoped reads.
 */
export class CertificateRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Insert an `active` registration. The partial unique index on the
   * fingerprint decides races: of concurrent registrations of one certificate
   * exactly one commits, the others get CertificateAlreadyRegistered.
   * Pass `tx` to take part in a caller's transaction.
   */
  async registerActive(input: NewCertificate, tx?: Tx): Promise<RegisteredCertificate> {
    const manager = entityManager(tx, this.dataSource);
    const repo = manager.getRepository(CertificateEntity);
    const entity = repo.create({
      accountId: input.accountId,
      status: 'active',
      der: Buffer.from(input.der),
      fingerprintSha256: input.fingerprintSha256,
      issuerDn: input.issuerDn,
      issuerKey: input.issuerKey,
      serialHex: input.serialHex,
      subjectDn: input.subjectDn,
      policyOid: input.policyOid ?? null,
      certType: input.certType ?? null,
      ca: input.ca ?? null,
      cnBase: input.cnBase ?? null,
      notBefore: input.notBefore,
      notAfter: input.notAfter,
      replacedBy: null,
      revokedAt: null,
      revocationReason: null,
    });
    try {
      return toDomain(await repo.save(entity, { reload: true }));
    } catch (err) {
      if (isUniqueViolation(err, ACTIVE_FINGERPRINT_INDEX)) throw new CertificateAlreadyRegistered(input.fingerprintSha256);
      throw err;
    }
  }

  async findActiveByFingerprint(fingerprintSha256: string, tx?: Tx): Promise<RegisteredCertificate | null> {
    const manager = entityManager(tx, this.dataSource);
    const row = await manager.getRepository(CertificateEntity).findOneBy({ fingerprintSha256, status: 'active' });
    return row ? toDomain(row) : null;
  }

  /** Active registrations by issuer (RFC 5280 comparison key) and serial: the signer of a CMS that carries no certificate (at most 4). */
  async findActiveByIssuerSerial(issuerKey: string, serialHex: string, tx?: Tx): Promise<RegisteredCertificate[]> {
    const manager = entityManager(tx, this.dataSource);
    const rows = await manager.getRepository(CertificateEntity).find({ where: { issuerKey, serialHex, status: 'active' }, take: 4 });
    return rows.map(toDomain);
  }

  /**
   * The active registration of a fingerprint, share-locked until the
   * transaction ends: a concurrent delete or replace (which lock the row for
   * update) waits, so whatever is made from it (a session) is seen by them.
   */
  async lockActiveByFingerprint(fingerprintSha256: string, tx: Tx): Promise<RegisteredCertificate | null> {
    const manager = entityManager(tx, this.dataSource);
    const row = await manager.getRepository(CertificateEntity).findOne({ where: { fingerprintSha256, status: 'active' }, lock: { mode: 'pessimistic_read' } });
    return row ? toDomain(row) : null;
  }

  /** A certificate by id, share-locked until the transaction ends. */
  async lockShared(id: string, tx: Tx): Promise<RegisteredCertificate | null> {
    const manager = entityManager(tx, this.dataSource);
    const row = await manager.getRepository(CertificateEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_read' } });
    return row ? toDomain(row) : null;
  }

  /** The account's certificates except deleted ones, newest first. */
  async listForAccount(accountId: string, tx?: Tx): Promise<RegisteredCertificate[]> {
    const manager = entityManager(tx, this.dataSource);
    const rows = await manager.getRepository(CertificateEntity).find({
      where: { accountId, status: Not('deleted') },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    return rows.map(toDomain);
  }

  /** One of the account's certificates (not deleted); null for another account's or an unknown id. */
  async findForAccount(id: string, accountId: string, tx?: Tx): Promise<RegisteredCertificate | null> {
    const manager = entityManager(tx, this.dataSource);
    const row = await manager.getRepository(CertificateEntity).findOneBy({ id, accountId, status: Not('deleted') });
    return row ? toDomain(row) : null;
  }

  /** Like findForAccount (deleted ones included), holding a row lock until the transaction ends. */
  async lockForAccount(id: string, accountId: string, tx: Tx): Promise<RegisteredCertificate | null> {
    const manager = entityManager(tx, this.dataSource);
    const row = await manager.getRepository(CertificateEntity).findOne({ where: { id, accountId }, lock: { mode: 'pessimistic_write' } });
    return row ? toDomain(row) : null;
  }

  async markReplaced(id: string, replacedBy: string, tx: Tx): Promise<RegisteredCertificate> {
    const manager = entityManager(tx, this.dataSource);
    const repo = manager.getRepository(CertificateEntity);
    await repo.update({ id }, { status: 'replaced', replacedBy });
    return toDomain(await repo.findOneByOrFail({ id }));
  }

  async markDeleted(id: string, tx: Tx): Promise<RegisteredCertificate> {
    const manager = entityManager(tx, this.dataSource);
    const repo = manager.getRepository(CertificateEntity);
    await repo.update({ id }, { status: 'deleted' });
    return toDomain(await repo.findOneByOrFail({ id }));
  }
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driverError = err.driverError as { code?: unknown; constraint?: unknown } | undefined;
  return driverError?.code === UNIQUE_VIOLATION && driverError.constraint === constraint;
}

function toDomain(e: CertificateEntity): RegisteredCertificate {
  return {
    id: e.id,
    accountId: e.accountId,
    status: e.status,
    der: new Uint8Array(e.der),
    fingerprintSha256: e.fingerprintSha256,
    issuerDn: e.issuerDn,
    issuerKey: e.issuerKey,
    serialHex: e.serialHex,
    subjectDn: e.subjectDn,
    policyOid: e.policyOid,
    certType: e.certType,
    ca: e.ca,
    cnBase: e.cnBase,
    notBefore: e.notBefore,
    notAfter: e.notAfter,
    replacedBy: e.replacedBy,
    revokedAt: e.revokedAt,
    revocationReason: e.revocationReason,
    lockedAt: e.lockedAt,
    passwordChangedAt: e.passwordChangedAt,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
