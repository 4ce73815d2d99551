import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the registry service needs beyond the initial schema:
 * - accounts.identity_hash: keyed hash of a verified identity number (never the number);
 * - certificates.cn_base: the subject CN without its per-issuance number, for replace rules;
 * - audit_events.user_agent: "from where" beside the address;
 * - ix_sessions_certificate: deleting a certificate revokes the sessions it opened.
 */
export class RegistryServices1767312000000 implements MigrationInterface {
  name = 'RegistryServices1767312000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "accounts" ADD "identity_hash" character(64)`);
    await q.query(`ALTER TABLE "certificates" ADD "cn_base" text`);
    await q.query(`ALTER TABLE "audit_events" ADD "user_agent" text`);
    await q.query(`CREATE INDEX "ix_sessions_certificate" ON "sessions" ("certificate_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_sessions_certificate"`);
    await q.query(`ALTER TABLE "audit_events" DROP COLUMN "user_agent"`);
    await q.query(`ALTER TABLE "certificates" DROP COLUMN "cn_base"`);
    await q.query(`ALTER TABLE "accounts" DROP COLUMN "identity_hash"`);
  }
}
