import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'accounts' })
export class AccountEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_accounts' })
  id!: string;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'text', default: 'ko' })
  locale!: string;

  @Column({ name: 'reminders_enabled', type: 'boolean', default: true })
  remindersEnabled!: boolean;

  @Column({ name: 'reminder_days', type: 'int', array: true, default: () => "'{30,7,1}'" })
  reminderDays!: number[];

  /**
   * HMAC-SHA256(IDENTITY_HMAC_KEY, normalised idn), hex, once an identity was
   * verified (VID) for this account: lets "same person" rules compare without
   * storing the identity number (never stored, nor R).
   */
  @Column({ name: 'identity_hash', type: 'char', length: 64, nullable: true })
  identityHash!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
