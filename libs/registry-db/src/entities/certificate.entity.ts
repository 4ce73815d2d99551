import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { AccountEntity } from './account.entity';

export const CERTIFICATE_STATUSES = ['active', 'replaced', 'revoked', 'deleted', 'expired'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/**
 * A certificate registered to an account. At most one row per fingerprint may
 * be `active` (partial unique index): of two concurrent registrations of one
 * certificate exactly one commits.
 */
@Entity({ name: 'certificates' })
@Index('uq_certificates_active_fingerprint', ['fingerprintSha256'], { unique: true, where: `status = 'active'` })
@Index('ix_certificates_status_not_after', ['status', 'notAfter'])
@Index('ix_certificates_account', ['accountId'])
@Index('ix_certificates_issuer_serial', ['issuerKey', 'serialHex'])
@Index('ix_certificates_active_crl_url', ['crlUrl', 'issuerKey'], { where: `status = 'active'` })
export class CertificateEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_certificates' })
  id!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_certificates_account' })
  account?: AccountEntity;

  @Column({ type: 'enum', enum: CERTIFICATE_STATUSES, enumName: 'certificate_status', default: 'active' })
  status!: CertificateStatus;

  @Column({ type: 'bytea' })
  der!: Buffer;

  @Column({ name: 'fingerprint_sha256', type: 'char', length: 64 })
  fingerprintSha256!: string;

  @Column({ name: 'issuer_dn', type: 'text' })
  issuerDn!: string;

  /** Normalised issuer name, for matching CRL/OCSP answers and lookups. */
  @Column({ name: 'issuer_key', type: 'text' })
  issuerKey!: string;

  @Column({ name: 'serial_hex', type: 'text' })
  serialHex!: string;

  @Column({ name: 'subject_dn', type: 'text' })
  subjectDn!: string;

  @Column({ name: 'policy_oid', type: 'text', nullable: true })
  policyOid!: string | null;

  @Column({ name: 'cert_type', type: 'text', nullable: true })
  certType!: string | null;

  @Column({ type: 'text', nullable: true })
  ca!: string | null;

  /** Subject CN without the per-issuance number (from the verifier), for the replace rules. */
  @Column({ name: 'cn_base', type: 'text', nullable: true })
  cnBase!: string | null;

  @Column({ name: 'not_before', type: 'timestamptz' })
  notBefore!: Date;

  @Column({ name: 'not_after', type: 'timestamptz' })
  notAfter!: Date;

  @Column({ name: 'replaced_by', type: 'uuid', nullable: true })
  replacedBy!: string | null;

  @ManyToOne(() => CertificateEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'replaced_by', foreignKeyConstraintName: 'fk_certificates_replaced_by' })
  successor?: CertificateEntity | null;

  /** First http/ldap CRL distribution point, filled by the notifier's re-check ('' = none; null = not looked at yet). */
  @Column({ name: 'crl_url', type: 'text', nullable: true })
  crlUrl!: string | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revocation_reason', type: 'text', nullable: true })
  revocationReason!: string | null;

  /** Set while the holder reports the certificate lost: it cannot log in (POST /v1/certificates/{id}/lock). */
  @Column({ name: 'locked_at', type: 'timestamptz', nullable: true })
  lockedAt!: Date | null;

  /** When the holder's client last reported changing the certificate password (a hint: the server never sees it); null if never. */
  @Column({ name: 'password_changed_at', type: 'timestamptz', nullable: true })
  passwordChangedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
