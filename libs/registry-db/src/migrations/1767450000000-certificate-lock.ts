import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Lost certificates: `locked_at` set while the holder reports one lost; login refuses it (LOGIN_SQL). */
export class CertificateLock1767450000000 implements MigrationInterface {
  name = 'CertificateLock1767450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "certificates" ADD "locked_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "certificates" DROP COLUMN "locked_at"`);
  }
}
