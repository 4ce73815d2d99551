import { isIP } from 'node:net';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { Account } from './account.types';

/** What a login writes besides the rows it reads. */
export interface LoginWrite {
  fingerprintSha256: string;
  /** The new session (chosen by the caller, so the access token can name it). */
  sessionId: string;
  familyId: string;
  refreshTokenHash: string;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  /** Request id for the audit row. */
  requestId: string | null;
  /**
   * The idempotency record of this login, if the message carried a key: a
   * request_results row inserted by the same statement (so it commits with
   * the session) with `result` = this JSON object plus `accountId` (the one
   * thing of the answer only the statement knows). A row already there for
   * `requestId` fails the whole statement (23505, pk_request_results): a
   * racing copy answered first, nothing is written twice.
   */
  record?: { requestId: string; action: string; result: string } | null;
}

export type LoginOutcome =
  | { kind: 'not-registered' }
  | { kind: 'account-missing'; accountId: string; certificateId: string }
  | { kind: 'opened'; certificateId: string; account: Pick<Account, 'id' | 'email' | 'locale' | 'remindersEnabled' | 'reminderDays' | 'passwordReminderEnabled' | 'passwordReminderDays' | 'createdAt'> };

/**
 * The login transaction as ONE statement (one round trip, its own implicit
 * transaction): share-lock the active registration of the fingerprint (read
 * with its account in the same scan), insert the session and the success
 * audit row, and return what the tokens need. The same guarantees as the
 * step-by-step transaction it replaces: the certificate row is share-locked
 * until commit (`FOR SHARE OF c`; a row changed meanwhile is re-checked
 * against the WHERE clause), so a concurrent delete/replace (FOR UPDATE)
 * either comes first (the row is no longer 'active' when re-checked: nothing
 * inserted) or after (and sees the session); the session and its audit row
 * commit together or not at all; nothing is inserted when the certificate or
 * account is missing.
 *
 * The idempotency record (request_results) is one more data-modifying CTE
 * beside `audit` in LOGIN_RECORDED_SQL: recorded and done commit together,
 * there is no window between them. A login without a record runs LOGIN_SQL,
 * which does not carry that insert: every plan node and table in a statement
 * is initialised (relation and indexes opened, locked) on every execution,
 * whether it writes or not.
 */
const LOGIN_WRITES = `
WITH found AS (
  SELECT c.id AS certificate_id, c.account_id, a.id AS found_account_id, a.email, a.locale, a.reminders_enabled, a.reminder_days,
         a.password_reminder_enabled, a.password_reminder_days, a.created_at
  FROM certificates c LEFT JOIN accounts a ON a.id = c.account_id
  WHERE c.fingerprint_sha256 = $1 AND c.status = 'active' AND c.locked_at IS NULL
  FOR SHARE OF c
), sess AS (
  INSERT INTO sessions (id, account_id, family_id, refresh_token_hash, certificate_id, expires_at, ip, user_agent)
  SELECT $2::uuid, found.found_account_id, $3::uuid, $4, found.certificate_id, $5, $6::inet, $7 FROM found WHERE found.found_account_id IS NOT NULL
  RETURNING id, account_id, certificate_id
), audit AS (
  INSERT INTO audit_events (action, outcome, account_id, certificate_id, reason, request_id, ip, user_agent, details)
  SELECT 'login', 'success', sess.account_id, sess.certificate_id, NULL, $8, $9::inet, $7,
         jsonb_build_object('fingerprint', $1::text, 'sessionId', sess.id)
  FROM sess
  RETURNING id
)`;

const LOGIN_RESULT = `
SELECT found.certificate_id, found.account_id, found.found_account_id, found.email, found.locale, found.reminders_enabled, found.reminder_days,
       found.password_reminder_enabled, found.password_reminder_days, found.created_at,
       (SELECT sess.id FROM sess) AS session_id, (SELECT audit.id FROM audit) AS audit_id`;

/** A login without an idempotency record: parameters $1–$9. */
export const LOGIN_SQL = `${LOGIN_WRITES}${LOGIN_RESULT}, NULL AS recorded_id
FROM found`;

/** A login with its idempotency record: parameters $1–$12 ($10 request id, $11 action, $12 the sealed result). */
export const LOGIN_RECORDED_SQL = `${LOGIN_WRITES}, recorded AS (
  INSERT INTO request_results (request_id, action, result)
  SELECT $10::text, $11::text, $12::jsonb || jsonb_build_object('accountId', sess.account_id)
  FROM sess
  RETURNING request_id
)${LOGIN_RESULT}, (SELECT recorded.request_id FROM recorded) AS recorded_id
FROM found`;

interface LoginRow {
  certificate_id: string;
  account_id: string;
  found_account_id: string | null;
  email: string | null;
  locale: string;
  reminders_enabled: boolean;
  reminder_days: number[];
  password_reminder_enabled: boolean;
  password_reminder_days: number;
  created_at: Date;
  session_id: string | null;
  audit_id: string | null;
  recorded_id: string | null;
}

/** The pg pool under a TypeORM DataSource (postgres driver), for statements that bypass entity building. */
export function pgPool(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

/**
 * The login hot path: a prepared statement (named, so each pooled connection
 * parses and plans it once) straight on the pg pool — no entity building, no
 * reloads, no BEGIN/COMMIT round trips.
 */
export class LoginRepository {
  constructor(private readonly dataSource: DataSource) {}

  async openSession(input: LoginWrite): Promise<LoginOutcome> {
    const auditIp = input.ip && isIP(input.ip) !== 0 ? input.ip : null;
    const values: unknown[] = [
      input.fingerprintSha256,
      input.sessionId,
      input.familyId,
      input.refreshTokenHash,
      input.expiresAt,
      input.ip,
      input.userAgent,
      input.requestId,
      auditIp,
    ];
    const record = input.record ?? null;
    const result = await pgPool(this.dataSource).query<LoginRow>(
      record
        ? { name: 'jointcert_login_recorded_v3', text: LOGIN_RECORDED_SQL, values: [...values, record.requestId, record.action, record.result] }
        : { name: 'jointcert_login_v3', text: LOGIN_SQL, values },
    );
    const row = result.rows[0];
    if (!row) return { kind: 'not-registered' };
    if (row.found_account_id === null) return { kind: 'account-missing', accountId: row.account_id, certificateId: row.certificate_id };
    if (row.session_id === null || row.audit_id === null || (record !== null) !== (row.recorded_id !== null)) {
      throw new Error(`login statement wrote session ${row.session_id}, audit row ${row.audit_id}, request result ${row.recorded_id}`);
    }
    return {
      kind: 'opened',
      certificateId: row.certificate_id,
      account: {
        id: row.found_account_id,
        email: row.email,
        locale: row.locale,
        remindersEnabled: row.reminders_enabled,
        reminderDays: row.reminder_days,
        passwordReminderEnabled: row.password_reminder_enabled,
        passwordReminderDays: row.password_reminder_days,
        createdAt: row.created_at,
      },
    };
  }
}
