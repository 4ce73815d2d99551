import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry schema: accounts, certificates, sessions, notifications,
 * audit_events. Generated from the entities with TypeORM's schema builder,
 * then ordered by hand; the append-only trigger on audit_events is hand-written
 * (TypeORM does not model triggers). `registry-db.schema.spec.ts` fails when
 * entities and migrations disagree.
 */
export class Initial1767225600000 implements MigrationInterface {
  name = 'Initial1767225600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "accounts" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "email" text,
      "locale" text NOT NULL DEFAULT 'ko',
      "reminders_enabled" boolean NOT NULL DEFAULT true,
      "reminder_days" integer array NOT NULL DEFAULT '{30,7,1}',
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_accounts" PRIMARY KEY ("id"))`);

    await q.query(`CREATE TYPE "public"."certificate_status" AS ENUM('active', 'replaced', 'revoked', 'deleted', 'expired')`);
    await q.query(`CREATE TABLE "certificates" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "account_id" uuid NOT NULL,
      "status" "public"."certificate_status" NOT NULL DEFAULT 'active',
      "der" bytea NOT NULL,
      "fingerprint_sha256" character(64) NOT NULL,
      "issuer_dn" text NOT NULL,
      "issuer_key" text NOT NULL,
      "serial_hex" text NOT NULL,
      "subject_dn" text NOT NULL,
      "policy_oid" text,
      "cert_type" text,
      "ca" text,
      "not_before" TIMESTAMP WITH TIME ZONE NOT NULL,
      "not_after" TIMESTAMP WITH TIME ZONE NOT NULL,
      "replaced_by" uuid,
      "revoked_at" TIMESTAMP WITH TIME ZONE,
      "revocation_reason" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_certificates" PRIMARY KEY ("id"))`);
    // One active registration per certificate: the race between two registrations is decided here.
    await q.query(`CREATE UNIQUE INDEX "uq_certificates_active_fingerprint" ON "certificates" ("fingerprint_sha256") WHERE status = 'active'`);
    // The reminder scan: active certificates by expiry.
    await q.query(`CREATE INDEX "ix_certificates_status_not_after" ON "certificates" ("status", "not_after")`);
    await q.query(`CREATE INDEX "ix_certificates_account" ON "certificates" ("account_id")`);
    await q.query(`CREATE INDEX "ix_certificates_issuer_serial" ON "certificates" ("issuer_key", "serial_hex")`);
    await q.query(`ALTER TABLE "certificates" ADD CONSTRAINT "fk_certificates_account" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "certificates" ADD CONSTRAINT "fk_certificates_replaced_by" FOREIGN KEY ("replaced_by") REFERENCES "certificates"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);

    await q.query(`CREATE TABLE "sessions" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "account_id" uuid NOT NULL,
      "family_id" uuid NOT NULL,
      "refresh_token_hash" character(64) NOT NULL,
      "certificate_id" uuid NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "rotated_at" TIMESTAMP WITH TIME ZONE,
      "revoked_at" TIMESTAMP WITH TIME ZONE,
      "user_agent" text,
      "ip" inet,
      CONSTRAINT "pk_sessions" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_sessions_refresh_token_hash" ON "sessions" ("refresh_token_hash")`);
    await q.query(`CREATE INDEX "ix_sessions_account" ON "sessions" ("account_id")`);
    await q.query(`CREATE INDEX "ix_sessions_family" ON "sessions" ("family_id")`);
    await q.query(`ALTER TABLE "sessions" ADD CONSTRAINT "fk_sessions_account" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "sessions" ADD CONSTRAINT "fk_sessions_certificate" FOREIGN KEY ("certificate_id") REFERENCES "certificates"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);

    await q.query(`CREATE TYPE "public"."notification_kind" AS ENUM('expiry', 'revoked')`);
    await q.query(`CREATE TYPE "public"."notification_status" AS ENUM('pending', 'sent', 'failed')`);
    await q.query(`CREATE TABLE "notifications" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "certificate_id" uuid NOT NULL,
      "kind" "public"."notification_kind" NOT NULL,
      "threshold_days" integer,
      "status" "public"."notification_status" NOT NULL DEFAULT 'pending',
      "attempts" integer NOT NULL DEFAULT '0',
      "last_error" text,
      "sent_at" TIMESTAMP WITH TIME ZONE,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "ck_notifications_threshold" CHECK ((kind = 'expiry') = (threshold_days IS NOT NULL)),
      CONSTRAINT "pk_notifications" PRIMARY KEY ("id"))`);
    // Exactly once: per (certificate, kind, threshold) for reminders, per (certificate, kind) otherwise.
    await q.query(`CREATE UNIQUE INDEX "uq_notifications_threshold" ON "notifications" ("certificate_id", "kind", "threshold_days") WHERE threshold_days IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX "uq_notifications_once" ON "notifications" ("certificate_id", "kind") WHERE threshold_days IS NULL`);
    await q.query(`ALTER TABLE "notifications" ADD CONSTRAINT "fk_notifications_certificate" FOREIGN KEY ("certificate_id") REFERENCES "certificates"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);

    await q.query(`CREATE TABLE "audit_events" (
      "id" BIGSERIAL NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "account_id" uuid,
      "certificate_id" uuid,
      "action" text NOT NULL,
      "outcome" text NOT NULL,
      "reason" text,
      "request_id" text,
      "ip" inet,
      "details" jsonb NOT NULL DEFAULT '{}',
      CONSTRAINT "pk_audit_events" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_audit_events_account_at" ON "audit_events" ("account_id", "at")`);
    await q.query(`CREATE INDEX "ix_audit_events_certificate_at" ON "audit_events" ("certificate_id", "at")`);
    // Append-only: rows can be inserted and read, never changed or removed.
    await q.query(`CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`CREATE TRIGGER "audit_events_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"()`);
    await q.query(`CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events" FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_events"`);
    await q.query(`DROP FUNCTION "audit_events_append_only"()`);
    await q.query(`DROP TABLE "notifications"`);
    await q.query(`DROP TYPE "public"."notification_status"`);
    await q.query(`DROP TYPE "public"."notification_kind"`);
    await q.query(`DROP TABLE "sessions"`);
    await q.query(`DROP TABLE "certificates"`);
    await q.query(`DROP TYPE "public"."certificate_status"`);
    await q.query(`DROP TABLE "accounts"`);
  }
}
