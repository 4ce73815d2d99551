import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { CertificateEntity } from './certificate.entity';

export const NOTIFICATION_KINDS = ['expiry', 'revoked', 'lock', 'unused', 'password'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed', 'sending', 'skipped'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/**
 * One row per notice that must go out exactly once: an expiry reminder per
 * (certificate, threshold), a revocation notice per certificate, a lock
 * confirmation per lock (threshold_days = the lock's number), an unused-
 * certificate notice per last use (threshold_days = its UTC day), a
 * password reminder per interval (threshold_days = the UTC day it fell due). Inserting the
 * row claims the notice; a duplicate insert fails on the unique key.
 *
 * Two partial unique indexes instead of one (certificate_id, kind,
 * threshold_days) key: NULLs are distinct in a plain unique key, so a
 * threshold-less notice ('revoked') would not be unique. (PostgreSQL 15's
 * NULLS NOT DISTINCT would do it, but TypeORM cannot express it.)
 */
@Entity({ name: 'notifications' })
@Index('uq_notifications_threshold', ['certificateId', 'kind', 'thresholdDays'], { unique: true, where: 'threshold_days IS NOT NULL' })
@Index('uq_notifications_once', ['certificateId', 'kind'], { unique: true, where: 'threshold_days IS NULL' })
@Index('ix_notifications_status', ['status'], { where: `status IN ('pending', 'sending', 'failed')` })
@Check('ck_notifications_threshold', `(kind = 'revoked') = (threshold_days IS NULL)`)
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_notifications' })
  id!: string;

  @Column({ name: 'certificate_id', type: 'uuid' })
  certificateId!: string;

  @ManyToOne(() => CertificateEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'certificate_id', foreignKeyConstraintName: 'fk_notifications_certificate' })
  certificate?: CertificateEntity;

  @Column({ type: 'enum', enum: NOTIFICATION_KINDS, enumName: 'notification_kind' })
  kind!: NotificationKind;

  @Column({ name: 'threshold_days', type: 'int', nullable: true })
  thresholdDays!: number | null;

  @Column({ type: 'enum', enum: NOTIFICATION_STATUSES, enumName: 'notification_status', default: 'pending' })
  status!: NotificationStatus;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  /** When a worker claimed the row ('sending'); the claim lapses after the notifier's lease. */
  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  /** Message-ID of the email the SMTP server accepted. */
  @Column({ name: 'message_id', type: 'text', nullable: true })
  messageId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
