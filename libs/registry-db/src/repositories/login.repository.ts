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
 * transaction): share-lock the active registration of the fingerprint, read
 * its account, insert the session and the success audit row, and return what
 * the tokens need. The same guarantees as the step-by-step transaction it
 * replaces: the certificate row is share-locked until commit, so a concurrent
 * delete/replace (FOR UPDATE) either comes first (the row is no longer
 * 'active' when re-checked: nothing inserted) or after (and sees the session);
 * the session and its audit row commit together or not at all; nothing is
 * inserted when the certificate or account is missing.
 *
 * The idempotency record (request_results, when `record` is given) is one
 * more data-modifying CTE beside `audit`: recorded and done commit together,
 * there is no window between them.
 */
export const LOGIN_SQL = `
WITH cert AS (
  SELECT c.id, c.account_id FROM certificates c
  WHERE c.fingerprint_sha256 = $1 AND c.status = 'active' AND c.locked_at IS NULL
  FOR SHARE
), acct AS (
  SELECT a.id, a.email, a.locale, a.reminders_enabled, a.reminder_days, a.password_reminder_enabled, a.password_reminder_days, a.created_at
  FROM accounts a JOIN cert ON a.id = cert.account_id
), sess AS (
  INSERT INTO sessions (id, account_id, family_id, refresh_token_hash, certificate_id, expires_at, ip, user_agent)
  SELECT $2::uuid, acct.id, $3::uuid, $4, cert.id, $5, $6::inet, $7 FROM cert JOIN acct ON acct.id = cert.account_id
  RETURNING id, account_id, certificate_id
), audit AS (
  INSERT INTO audit_events (action, outcome, account_id, certificate_id, reason, request_id, ip, user_agent, details)
  SELECT 'login', 'success', sess.account_id, sess.certificate_id, NULL, $8, $9::inet, $7,
         jsonb_build_object('fingerprint', $1::text, 'sessionId', sess.id)
  FROM sess
  RETURNING id
), recorded AS (
  INSERT INTO request_results (request_id, action, result)
  SELECT $10::text, $11::text, $12::jsonb || jsonb_build_object('accountId', sess.account_id)
  FROM sess WHERE $10::text IS NOT NULL
  RETURNING request_id
)
SELECT cert.id AS certificate_id, cert.account_id, acct.id AS found_account_id, acct.email, acct.locale,
       acct.reminders_enabled, acct.reminder_days, acct.password_reminder_enabled, acct.password_reminder_days, acct.created_at,
       (SELECT count(*) FROM sess)::int AS sessions, (SELECT count(*) FROM audit)::int AS audits,
       (SELECT count(*) FROM recorded)::int AS recorded
FROM cert LEFT JOIN acct ON acct.id = cert.account_id`;

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
  sessions: number;
  audits: number;
  recorded: number;
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
    const result = await pgPool(this.dataSource).query<LoginRow>({
      name: 'jointcert_login_v2',
      text: LOGIN_SQL,
      values: [
        input.fingerprintSha256,
        input.sessionId,
        input.familyId,
        input.refreshTokenHash,
        input.expiresAt,
        input.ip,
        input.userAgent,
        input.requestId,
        auditIp,
        input.record?.requestId ?? null,
        input.record?.action ?? null,
        input.record?.result ?? null,
      ],
    });
    const row = result.rows[0];
    if (!row) return { kind: 'not-registered' };
    if (row.found_account_id === null) return { kind: 'account-missing', accountId: row.account_id, certificateId: row.certificate_id };
    if (row.sessions !== 1 || row.audits !== 1 || row.recorded !== (input.record ? 1 : 0)) {
      throw new Error(`login statement wrote ${row.sessions} session(s), ${row.audits} audit row(s) and ${row.recorded} request result(s)`);
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
