import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * request_results: the first answer to a state-changing request (sign-up,
 * add, replace, delete, login), written in the same transaction as its
 * effect, so a redelivered message or a client retry with the same
 * Idempotency-Key gets that answer instead of acting twice
 * (apps/registry/src/idempotency). `request_id` is a hash of the action, the
 * key and the request; `result` is encrypted under a key derived from the
 * request (AES-256-GCM), so the table never holds usable tokens. Rows expire
 * by age (created_at).
 */
export class RequestResults1767410000000 implements MigrationInterface {
  name = 'RequestResults1767410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "request_results" (
      "request_id" character(64) NOT NULL,
      "action" text NOT NULL,
      "result" jsonb NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_request_results" PRIMARY KEY ("request_id"))`);
    await q.query(`CREATE INDEX "ix_request_results_created_at" ON "request_results" ("created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "request_results"`);
  }
}
