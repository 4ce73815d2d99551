import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The key-password hint and its opt-in reminder (issue #17):
 * - certificates.password_changed_at: when the holder's client last reported
 *   changing the certificate password (PUT /v1/certificates/{id}/password-changed;
 *   the server never sees a password), null when never reported;
 * - accounts.password_reminder_enabled / password_reminder_days: the opt-in
 *   reminder (off by default) and its interval;
 * - notification kind 'password': keyed in threshold_days by the UTC day the
 *   reminder became due (one per interval; a reported change starts anew).
 */
export class PasswordReminder1767470000000 implements MigrationInterface {
  name = 'PasswordReminder1767470000000';
  // ALTER TYPE … ADD VALUE cannot be used in the transaction that adds it.
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TYPE "public"."notification_kind" ADD VALUE IF NOT EXISTS 'password'`);
    await q.query(`ALTER TABLE "certificates" ADD "password_changed_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "accounts" ADD "password_reminder_enabled" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "accounts" ADD "password_reminder_days" integer NOT NULL DEFAULT 90`);
    await q.query(`ALTER TABLE "accounts" ADD CONSTRAINT "ck_accounts_password_reminder_days" CHECK (password_reminder_days BETWEEN 7 AND 730)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "notifications" WHERE kind = 'password'`);
    await q.query(`ALTER TABLE "accounts" DROP CONSTRAINT "ck_accounts_password_reminder_days"`);
    await q.query(`ALTER TABLE "accounts" DROP COLUMN "password_reminder_days"`);
    await q.query(`ALTER TABLE "accounts" DROP COLUMN "password_reminder_enabled"`);
    await q.query(`ALTER TABLE "certificates" DROP COLUMN "password_changed_at"`);
    // Enum values cannot be dropped in PostgreSQL; 'password' stays (unused).
  }
}
