import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the notifier needs beyond the initial schema:
 * - notification_status 'sending' (claimed by a worker, SMTP not yet
 *   confirmed) and 'skipped' (no longer due: certificate replaced/deleted,
 *   reminders off, no address);
 * - notifications.claimed_at (the claim's lease), message_id (the SMTP
 *   Message-ID, set once the server accepted the message), updated_at;
 * - certificates.crl_url: the first http/ldap CRL distribution point, filled
 *   by the revocation re-check from the DER ('' = none), so certificates are
 *   grouped by CRL in SQL; indexed for active rows.
 */
export class Notifier1767430000000 implements MigrationInterface {
  name = 'Notifier1767430000000';
  // ALTER TYPE … ADD VALUE cannot be used in the transaction that adds it.
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TYPE "public"."notification_status" ADD VALUE IF NOT EXISTS 'sending'`);
    await q.query(`ALTER TYPE "public"."notification_status" ADD VALUE IF NOT EXISTS 'skipped'`);
    await q.query(`ALTER TABLE "notifications" ADD "claimed_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "notifications" ADD "message_id" text`);
    await q.query(`ALTER TABLE "notifications" ADD "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`);
    await q.query(`CREATE INDEX "ix_notifications_status" ON "notifications" ("status") WHERE status IN ('pending', 'sending', 'failed')`);
    await q.query(`ALTER TABLE "certificates" ADD "crl_url" text`);
    await q.query(`CREATE INDEX "ix_certificates_active_crl_url" ON "certificates" ("crl_url", "issuer_key") WHERE status = 'active'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_certificates_active_crl_url"`);
    await q.query(`ALTER TABLE "certificates" DROP COLUMN "crl_url"`);
    await q.query(`DROP INDEX "public"."ix_notifications_status"`);
    await q.query(`ALTER TABLE "notifications" DROP COLUMN "updated_at"`);
    await q.query(`ALTER TABLE "notifications" DROP COLUMN "message_id"`);
    await q.query(`ALTER TABLE "notifications" DROP COLUMN "claimed_at"`);
    // Enum values cannot be dropped in PostgreSQL; 'sending'/'skipped' stay (unused).
  }
}
