import { isIP } from 'node:net';
import { DatabaseError, type Pool } from 'pg';
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


/**
 * K logins as ONE statement (group commit): LOGIN_RECORDED_SQL's steps over
 * arrays, one element per login ($1–$12, in LOGIN_RECORDED_SQL's order; NULL
 * record fields for a login without a record), unnested WITH ORDINALITY.
 * Each login keeps its own semantics: `found` share-locks ITS active
 * certificate row (`FOR SHARE OF c`, re-checked when changed meanwhile, as
 * alone), a login whose certificate or account is missing inserts nothing,
 * every session gets its audit row and, when given, its request_results row;
 * the same fingerprint twice is two logins (two sessions). All of it commits
 * together, or none of it when any part fails (LoginRepository then runs each
 * login alone). The rows are locked in ordinal order (the row locking sits
 * above the ORDER BY) and LoginRepository orders a group by fingerprint, so
 * any two groups take their share locks in one order. One result row per
 * login found (`ord`, 1-based), none for a fingerprint without an active
 * registration. Plan (generic, 50,000 certificates): a nested loop over the
 * unnested arrays probing uq_certificates_active_fingerprint and pk_accounts,
 * already in ordinal order (no sort), the row locking above it; on small
 * tables the planner may hash-join a sequential scan instead, sorted by `ord`
 * before the locking all the same.
 */
export const LOGIN_GROUP_SQL = `
WITH found AS (
  SELECT i.*, c.id AS certificate_id, c.account_id, a.id AS found_account_id, a.email, a.locale, a.reminders_enabled, a.reminder_days,
         a.password_reminder_enabled, a.password_reminder_days, a.created_at
  FROM unnest($1::bpchar[], $2::uuid[], $3::uuid[], $4::bpchar[], $5::timestamptz[], $6::inet[], $7::text[], $8::text[], $9::inet[],
              $10::text[], $11::text[], $12::jsonb[])
         WITH ORDINALITY AS i(fingerprint, session_id, family_id, refresh_token_hash, expires_at, ip, user_agent, request_id, audit_ip,
                              record_id, record_action, record_result, ord)
    JOIN certificates c ON c.fingerprint_sha256 = i.fingerprint AND c.status = 'active' AND c.locked_at IS NULL
    LEFT JOIN accounts a ON a.id = c.account_id
  ORDER BY i.ord
  FOR SHARE OF c
), sess AS (
  INSERT INTO sessions (id, account_id, family_id, refresh_token_hash, certificate_id, expires_at, ip, user_agent)
  SELECT f.session_id, f.found_account_id, f.family_id, f.refresh_token_hash, f.certificate_id, f.expires_at, f.ip, f.user_agent
  FROM found f WHERE f.found_account_id IS NOT NULL
  RETURNING id, account_id, certificate_id
), audit AS (
  INSERT INTO audit_events (action, outcome, account_id, certificate_id, reason, request_id, ip, user_agent, details)
  SELECT 'login', 'success', s.account_id, s.certificate_id, NULL, f.request_id, f.audit_ip, f.user_agent,
         jsonb_build_object('fingerprint', f.fingerprint::text, 'sessionId', s.id)
  FROM sess s JOIN found f ON f.session_id = s.id
  RETURNING id, (details ->> 'sessionId')::uuid AS session_id
), recorded AS (
  INSERT INTO request_results (request_id, action, result)
  SELECT f.record_id, f.record_action, f.record_result || jsonb_build_object('accountId', s.account_id)
  FROM sess s JOIN found f ON f.session_id = s.id
  WHERE f.record_id IS NOT NULL
  RETURNING request_id
)
SELECT f.ord::int AS ord, f.certificate_id, f.account_id, f.found_account_id, f.email, f.locale, f.reminders_enabled, f.reminder_days,
       f.password_reminder_enabled, f.password_reminder_days, f.created_at, s.id AS session_id, au.id AS audit_id, r.request_id AS recorded_id
FROM found f
  LEFT JOIN sess s ON s.id = f.session_id
  LEFT JOIN audit au ON au.session_id = f.session_id
  LEFT JOIN recorded r ON r.request_id = f.record_id`;

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
 * How LoginRepository groups concurrent logins into one statement (group
 * commit). A login that finds a statement slot free goes out at once, alone
 * (no added latency when idle); logins that arrive while every slot is taken
 * wait and go out together, up to maxBatch in one statement, when a slot frees.
 */
export interface LoginGrouping {
  /**
   * Login statements in flight at once (default 2). More only splits the
   * same logins into smaller groups — more round trips and commits — and
   * takes more of the pool, which the registry's other statements share (4:
   * ~5 logins a statement where 2 gives ~11, and more CPU per login; bench
   * login-sql). 1 makes the biggest groups and is the cheapest (~20–40 µs
   * less per login than 2), but then every login waits behind one statement
   * that waits: on a row a delete or replace holds, on a slow WAL flush, on
   * the re-runs of a failed group; with 2 the other slot keeps going.
   */
  maxInFlight: number;
  /** Logins in one statement at most (default 64); 1 groups nothing. */
  maxBatch: number;
}

const DEFAULT_GROUPING: LoginGrouping = { maxInFlight: 2, maxBatch: 64 };

/** What LoginRepository sent so far (for tests and benchmarks). */
export interface LoginStatements {
  /** Statements sent: one-login ones, groups, and the one-login re-runs of failed groups. */
  sent: number;
  /** Groups (statements for more than one login) sent. */
  groups: number;
  /** Logins those groups carried. */
  groupedLogins: number;
  /** Groups that failed and whose logins were run again, each alone. */
  rerun: number;
}

interface Waiting {
  input: LoginWrite;
  resolve(outcome: LoginOutcome): void;
  reject(err: unknown): void;
}

/**
 * The login hot path: prepared statements (named, so each pooled connection
 * parses and plans them once) straight on the pg pool — no entity building,
 * no reloads, no BEGIN/COMMIT round trips — and concurrent logins grouped
 * into one statement (LoginGrouping): one round trip, one transaction, one
 * commit for the group.
 *
 * A group whose statement fails committed nothing (one statement, one
 * transaction): when Postgres refused it (a login's request_results key
 * already recorded by a racing copy, a deadlock, a serialization failure,
 * a bad value), each of its logins runs again alone, so each caller gets the
 * outcome or the error it would have had alone; when the connection or the
 * server failed (SQLSTATE classes 08, 53, 57, or no answer at all), every
 * caller gets that error, as it would have alone (an outage: 503).
 */
export class LoginRepository {
  /** What was sent so far. */
  readonly statements: LoginStatements = { sent: 0, groups: 0, groupedLogins: 0, rerun: 0 };
  private readonly grouping: LoginGrouping;
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly dataSource: DataSource,
    grouping: Partial<LoginGrouping> = {},
  ) {
    this.grouping = { ...DEFAULT_GROUPING, ...grouping };
  }

  openSession(input: LoginWrite): Promise<LoginOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.sendWaiting();
    });
  }

  /** Send what waits, as long as a statement slot is free. */
  private sendWaiting(): void {
    while (this.inFlight < this.grouping.maxInFlight && this.waiting.length > 0) {
      const logins = this.waiting.splice(0, this.grouping.maxBatch);
      this.inFlight++;
      void this.send(logins).finally(() => {
        this.inFlight--;
        this.sendWaiting();
      });
    }
  }

  /** One statement for `logins` (and the re-runs if it failed); settles every login, never rejects. */
  private async send(logins: Waiting[]): Promise<void> {
    if (logins.length === 1) return this.alone(logins[0]!);
    logins.sort((a, b) => (a.input.fingerprintSha256 < b.input.fingerprintSha256 ? -1 : a.input.fingerprintSha256 > b.input.fingerprintSha256 ? 1 : 0));
    let rows: Array<LoginRow & { ord: number }>;
    try {
      rows = await this.group(logins.map((l) => l.input));
    } catch (err) {
      if (!refusedByPostgres(err)) {
        // each caller its own error object: callers attach their own facts to the error they are given (audit-log's withFacts)
        logins.forEach((login, i) => login.reject(i === 0 ? err : copyOf(err)));
        return;
      }
      this.statements.rerun++;
      await Promise.all(logins.map((login) => this.alone(login)));
      return;
    }
    const byOrdinal = new Array<LoginRow | undefined>(logins.length);
    for (const row of rows) byOrdinal[row.ord - 1] = row;
    logins.forEach((login, i) => {
      try {
        login.resolve(outcome(byOrdinal[i], login.input));
      } catch (err) {
        login.reject(err);
      }
    });
  }

  private async alone(login: Waiting): Promise<void> {
    try {
      login.resolve(outcome(await this.one(login.input), login.input));
    } catch (err) {
      login.reject(err);
    }
  }

  /** LOGIN_SQL or LOGIN_RECORDED_SQL: the row of the login, if its certificate was found. */
  private async one(input: LoginWrite): Promise<LoginRow | undefined> {
    this.statements.sent++;
    const result = await pgPool(this.dataSource).query<LoginRow>(
      input.record
        ? { name: 'jointcert_login_recorded_v3', text: LOGIN_RECORDED_SQL, values: parameters(input) }
        : { name: 'jointcert_login_v3', text: LOGIN_SQL, values: parameters(input).slice(0, 9) },
    );
    return result.rows[0];
  }

  /** LOGIN_GROUP_SQL for `inputs` (in lock order): a row per login found, by ordinal. */
  private async group(inputs: LoginWrite[]): Promise<Array<LoginRow & { ord: number }>> {
    const columns: unknown[][] = Array.from({ length: 12 }, () => new Array<unknown>(inputs.length));
    inputs.forEach((input, i) => parameters(input).forEach((value, c) => (columns[c]![i] = value)));
    this.statements.sent++;
    this.statements.groups++;
    this.statements.groupedLogins += inputs.length;
    const result = await pgPool(this.dataSource).query<LoginRow & { ord: number }>({ name: 'jointcert_login_group_v1', text: LOGIN_GROUP_SQL, values: columns });
    return result.rows;
  }
}

/**
 * $1–$12 of LOGIN_RECORDED_SQL ($1–$9 are LOGIN_SQL's; of LOGIN_GROUP_SQL: one element of each array, the
 * record's three NULL without a record); the audit row's address only when valid (the session's is the caller's as given).
 */
function parameters(input: LoginWrite): unknown[] {
  const auditIp = input.ip && isIP(input.ip) !== 0 ? input.ip : null;
  const record = input.record ?? null;
  return [
    input.fingerprintSha256, input.sessionId, input.familyId, input.refreshTokenHash, input.expiresAt, input.ip, input.userAgent, input.requestId, auditIp,
    record?.requestId ?? null, record?.action ?? null, record?.result ?? null,
  ];
}

/** A login's outcome from its row (none: its certificate was not found); throws when the statement did not write what it should have. */
function outcome(row: LoginRow | undefined, input: LoginWrite): LoginOutcome {
  if (!row) return { kind: 'not-registered' };
  if (row.found_account_id === null) return { kind: 'account-missing', accountId: row.account_id, certificateId: row.certificate_id };
  if (row.session_id === null || row.audit_id === null || (input.record != null) !== (row.recorded_id !== null)) {
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

/**
 * Did Postgres answer the statement with an error (so its transaction rolled
 * back, nothing committed) while the connection and the server stay usable?
 * Not for a connection exception (08), insufficient resources (53) or
 * operator intervention (57: shutdown, cancel, statement timeout), nor for an
 * error without an answer (the connection dropped: the outcome is unknown).
 */
function refusedByPostgres(err: unknown): boolean {
  return err instanceof DatabaseError && typeof err.code === 'string' && !/^(08|53|57)/.test(err.code);
}

/** A shallow copy of an error: the same class, message, stack and fields (pg's code, severity, ...), another object. */
function copyOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? Object.create(Object.getPrototypeOf(err) as object | null, Object.getOwnPropertyDescriptors(err)) as object : err;
}
