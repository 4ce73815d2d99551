import type { MigrationInterface, QueryRunner } from 'typeorm';

/** TOTP second factor per account: encrypted secret, last accepted time step, hashed recovery codes. */
export class SecondFactor1767450000001 implements MigrationInterface {
  name = 'SecondFactor1767450000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "second_factors" ("account_id" uuid NOT NULL, "secret_enc" bytea NOT NULL, "confirmed_at" TIMESTAMP WITH TIME ZONE, "last_time_step" bigint, ` +
        `"recovery_hashes" text array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_second_factors" PRIMARY KEY ("account_id"))`,
    );
    await q.query(
      `ALTER TABLE "second_factors" ADD CONSTRAINT "fk_second_factors_account" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "second_factors"`);
  }
}
