import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'accounts' })
@Check('ck_accounts_password_reminder_days', 'password_reminder_days BETWEEN 7 AND 730')
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

  /** Opt-in: remind to change the certificate password when a certificate's hint is older than password_reminder_days (off by default). */
  @Column({ name: 'password_reminder_enabled', type: 'boolean', default: false })
  passwordReminderEnabled!: boolean;

  @Column({ name: 'password_reminder_days', type: 'int', default: 90 })
  passwordReminderDays!: number;

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
