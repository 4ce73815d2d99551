import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Append-only audit trail: a trigger (see the initial migration) refuses
 * UPDATE, DELETE and TRUNCATE. No foreign keys on purpose: an audit row
 * outlives, and must not block, anything it mentions.
 */
@Entity({ name: 'audit_events' })
@Index('ix_audit_events_account_at', ['accountId', 'at'])
@Index('ix_audit_events_certificate_at', ['certificateId', 'at'])
export class AuditEventEntity {
  /** bigint: TypeORM returns it as a string. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_audit_events' })
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId!: string | null;

  @Column({ name: 'certificate_id', type: 'uuid', nullable: true })
  certificateId!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  outcome!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ type: 'inet', nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  details!: Record<string, unknown>;
}
