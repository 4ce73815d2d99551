import { Column, CreateDateColumn, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { AccountEntity } from './account.entity';

/**
 * An account's TOTP second factor (RFC 6238). The secret is stored encrypted
 * (AES-256-GCM, key from TOTP_ENCRYPTION_KEY); recovery codes only as keyed
 * hashes, each removed when used. `confirmedAt` is null while enrolment waits
 * for its first code; `lastTimeStep` is the last accepted time step, so a code
 * cannot be used twice.
 */
@Entity({ name: 'second_factors' })
export class SecondFactorEntity {
  @PrimaryColumn({ name: 'account_id', type: 'uuid', primaryKeyConstraintName: 'pk_second_factors' })
  accountId!: string;

  @OneToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_second_factors_account' })
  account?: AccountEntity;

  @Column({ name: 'secret_enc', type: 'bytea' })
  secretEnc!: Buffer;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt!: Date | null;

  @Column({ name: 'last_time_step', type: 'bigint', nullable: true })
  lastTimeStep!: string | null;

  @Column({ name: 'recovery_hashes', type: 'text', array: true, default: () => "'{}'" })
  recoveryHashes!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
