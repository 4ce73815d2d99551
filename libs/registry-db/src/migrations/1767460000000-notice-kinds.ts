import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two more notice kinds (issue #17), keyed in `threshold_days` so the unique
 * index uq_notifications_threshold keeps each exactly once:
 * - 'lock': the confirmation of a lost-certificate lock; the key is the lock's
 *   number for that certificate (1, 2, … — one email per lock), inserted by
 *   the registry in the locking transaction;
 * - 'unused': the unused-certificate notice; the key is the UTC day (days
 *   since 1970-01-01) of the last use it reports, so it goes once until the
 *   certificate is used again.
 * Only 'revoked' is left without a key.
 */
export class NoticeKinds1767460000000 implements MigrationInterface {
  name = 'NoticeKinds1767460000000';
  // ALTER TYPE … ADD VALUE cannot be used in the transaction that adds it.
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TYPE "public"."notification_kind" ADD VALUE IF NOT EXISTS 'lock'`);
    await q.query(`ALTER TYPE "public"."notification_kind" ADD VALUE IF NOT EXISTS 'unused'`);
    await q.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_threshold"`);
    await q.query(`ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_threshold" CHECK ((kind = 'revoked') = (threshold_days IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "notifications" WHERE kind IN ('lock', 'unused')`);
    await q.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_threshold"`);
    await q.query(`ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_threshold" CHECK ((kind = 'expiry') = (threshold_days IS NOT NULL))`);
    // Enum values cannot be dropped in PostgreSQL; 'lock'/'unused' stay (unused).
  }
}
