import type { DataSource } from 'typeorm';
import type { NotificationKind, NotificationStatus } from '../entities/notification.entity';

/**
 * The notifier's set-based reads and writes (raw SQL: one statement per page,
 * no entity round-trips). Every "now" is the caller's injected clock.
 *
 * Exactly once: the notifications row — unique per (certificate, kind,
 * threshold) — is the claim. The scan inserts it (ON CONFLICT DO NOTHING);
 * a worker moves it pending|failed → sending (or takes over a 'sending' row
 * whose lease lapsed), then sending → sent | failed | skipped.
 */
export interface DueReminder {
  certificateId: string;
  notAfter: Date;
  thresholdDays: number;
  email: string;
  locale: string;
}

export interface QueuedNotification {
  notificationId: string;
  certificateId: string;
  kind: NotificationKind;
  thresholdDays: number | null;
  status: NotificationStatus;
}

/** Everything an email needs, read when the worker claims the row. */
export interface NotificationTarget {
  notificationId: string;
  kind: NotificationKind;
  thresholdDays: number | null;
  attempts: number;
  certificateId: string;
  certificateStatus: string;
  subjectDn: string;
  issuerDn: string;
  ca: string | null;
  certType: string | null;
  policyOid: string | null;
  serialHex: string;
  notAfter: Date;
  revokedAt: Date | null;
  revocationReason: string | null;
  accountId: string;
  email: string | null;
  locale: string;
  remindersEnabled: boolean;
  /** Locked as lost (the lock confirmation's time), or null. */
  lockedAt: Date | null;
  /** The password reminder (opt-in) and what it counts from: the reported change, else the registration. */
  passwordReminderEnabled: boolean;
  passwordReminderDays: number;
  passwordChangedAt: Date | null;
  registeredAt: Date;
  /** The latest login the certificate opened, or its registration when never used (the unused-certificate notice). */
  lastUsedAt: Date;
}

export type ClaimResult = { claimed: true; target: NotificationTarget } | { claimed: false; status: NotificationStatus | 'missing'; claimedAt: Date | null };

export interface CrlGroup {
  crlUrl: string;
  issuerKey: string;
  certificates: number;
}

export interface Revocation {
  certificateId: string;
  revokedAt: Date;
  reason: string | null;
  source: string;
}

/**
 * When a certificate was last used: the latest session family it opened (a
 * login; refreshes continue a family), as the certificate list computes
 * lastUsedAt — or its registration when it never logged in.
 */
const LAST_USED = `coalesce((SELECT max(f.first_at) FROM (SELECT min(s.created_at) AS first_at FROM sessions s WHERE s.certificate_id = c.id GROUP BY s.family_id) f), c.created_at)`;

const TARGET_COLUMNS = `n.id, n.kind, n.threshold_days, n.attempts, c.id AS certificate_id, c.status AS certificate_status, c.subject_dn, c.issuer_dn, c.ca,
  c.cert_type, c.policy_oid, c.serial_hex, c.not_after, c.revoked_at, c.revocation_reason, a.id AS account_id, a.email, a.locale, a.reminders_enabled,
  c.locked_at, ${LAST_USED} AS last_used_at, a.password_reminder_enabled, a.password_reminder_days, c.password_changed_at, c.created_at AS registered_at`;

function toTarget(r: Record<string, unknown>): NotificationTarget {
  return {
    notificationId: r.id as string,
    kind: r.kind as NotificationKind,
    thresholdDays: r.threshold_days as number | null,
    attempts: r.attempts as number,
    certificateId: r.certificate_id as string,
    certificateStatus: r.certificate_status as string,
    subjectDn: r.subject_dn as string,
    issuerDn: r.issuer_dn as string,
    ca: r.ca as string | null,
    certType: r.cert_type as string | null,
    policyOid: r.policy_oid as string | null,
    serialHex: r.serial_hex as string,
    notAfter: r.not_after as Date,
    revokedAt: r.revoked_at as Date | null,
    revocationReason: r.revocation_reason as string | null,
    accountId: r.account_id as string,
    email: r.email as string | null,
    locale: r.locale as string,
    remindersEnabled: r.reminders_enabled as boolean,
    lockedAt: r.locked_at as Date | null,
    lastUsedAt: r.last_used_at as Date,
    passwordReminderEnabled: r.password_reminder_enabled as boolean,
    passwordReminderDays: r.password_reminder_days as number,
    passwordChangedAt: r.password_changed_at as Date | null,
    registeredAt: r.registered_at as Date,
  };
}

export class NotifierRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The largest reminder threshold of any account with reminders on (bounds the scan's window); null when none. */
  async maxReminderDays(): Promise<number | null> {
    const rows = await this.dataSource.query<Array<{ max: number | null }>>(
      `SELECT max(d) AS max FROM (SELECT DISTINCT reminder_days FROM accounts WHERE reminders_enabled AND email IS NOT NULL) a, unnest(a.reminder_days) d`,
    );
    return rows[0]?.max ?? null;
  }

  /**
   * One keyset page of active certificates of accounts with reminders on whose
   * notAfter lies in (now, now + maxDays], each with the smallest threshold it
   * has crossed (the most recent reminder it is due; the larger ones it passed
   * while the notifier was down are not sent separately), unless that
   * reminder was already sent or skipped. Ordered by (not_after, id).
   */
  async dueRemindersPage(q: { now: Date; maxDays: number; after: { notAfter: Date; id: string } | null; limit: number }): Promise<DueReminder[]> {
    const rows = await this.dataSource.query<Array<{ id: string; not_after: Date; threshold: number; email: string; locale: string }>>(
      `SELECT c.id, c.not_after, t.threshold, a.email, a.locale
         FROM certificates c
         JOIN accounts a ON a.id = c.account_id
         CROSS JOIN LATERAL (SELECT min(d) AS threshold FROM unnest(a.reminder_days) d WHERE c.not_after <= $1::timestamptz + make_interval(days => d)) t
        WHERE c.status = 'active'
          AND c.not_after > $1 AND c.not_after <= $1::timestamptz + make_interval(days => $2::int)
          AND ($3::timestamptz IS NULL OR (c.not_after, c.id) > ($3::timestamptz, $4::uuid))
          AND a.reminders_enabled AND a.email IS NOT NULL
          AND t.threshold IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM notifications n
                           WHERE n.certificate_id = c.id AND n.kind = 'expiry' AND n.threshold_days = t.threshold AND n.status IN ('sent', 'skipped'))
        ORDER BY c.not_after, c.id
        LIMIT $5`,
      [q.now, q.maxDays, q.after?.notAfter ?? null, q.after?.id ?? null, q.limit],
    );
    return rows.map((r) => ({ certificateId: r.id, notAfter: r.not_after, thresholdDays: r.threshold, email: r.email, locale: r.locale }));
  }

  /**
   * Insert the claim rows of a page (existing ones untouched) and return those
   * still to send: pending, failed (retried by every scan) or sending (the job
   * id deduplicates a live job; a dead one's lease lapses).
   */
  async claimReminders(due: ReadonlyArray<Pick<DueReminder, 'certificateId' | 'thresholdDays'>>): Promise<QueuedNotification[]> {
    if (due.length === 0) return [];
    const ids = due.map((d) => d.certificateId);
    const thresholds = due.map((d) => d.thresholdDays);
    const rows = await this.dataSource.query<Array<{ id: string; certificate_id: string; threshold_days: number; status: NotificationStatus }>>(
      `WITH due AS (SELECT * FROM unnest($1::uuid[], $2::int[]) AS d(certificate_id, threshold_days)),
            ins AS (INSERT INTO notifications (certificate_id, kind, threshold_days)
                    SELECT certificate_id, 'expiry', threshold_days FROM due
                    ON CONFLICT DO NOTHING
                    RETURNING id, certificate_id, threshold_days, status)
       SELECT id, certificate_id, threshold_days, status FROM ins
       UNION ALL
       SELECT n.id, n.certificate_id, n.threshold_days, n.status
         FROM notifications n JOIN due USING (certificate_id, threshold_days)
        WHERE n.kind = 'expiry' AND n.status IN ('pending', 'sending', 'failed')`,
      [ids, thresholds],
    );
    return rows.map((r) => ({ notificationId: r.id, certificateId: r.certificate_id, kind: 'expiry', thresholdDays: r.threshold_days, status: r.status }));
  }

  /**
   * One-off notices not yet sent — revocations, lock confirmations, unused-certificate
   * notices (pending, failed, or sending with a lapsed job): (re-)enqueued by every scan;
   * without `failed` for the minutely sweep (a refused address is retried by the scans only).
   */
  async unsentRevocationNotices(limit: number, withFailed = true): Promise<QueuedNotification[]> {
    const rows = await this.dataSource.query<Array<{ id: string; certificate_id: string; kind: NotificationKind; threshold_days: number | null; status: NotificationStatus }>>(
      `SELECT id, certificate_id, kind, threshold_days, status FROM notifications WHERE kind <> 'expiry' AND (status IN ('pending', 'sending') OR ($2 AND status = 'failed')) ORDER BY created_at LIMIT $1`,
      [limit, withFailed],
    );
    return rows.map((r) => ({ notificationId: r.id, certificateId: r.certificate_id, kind: r.kind, thresholdDays: r.threshold_days, status: r.status }));
  }

  /**
   * Claim rows for the unused-certificate notice: active, unlocked certificates
   * of accounts with reminders on and an address, not used (LAST_USED) for
   * `days` days. Keyed by the UTC day of that last use, so a certificate gets
   * one notice until it is used again (ON CONFLICT DO NOTHING). Returns how
   * many were new; they are sent with the other unsent notices.
   */
  async claimUnusedNotices(now: Date, days: number): Promise<number> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `WITH u AS (SELECT c.id, ${LAST_USED} AS last_used
                    FROM certificates c JOIN accounts a ON a.id = c.account_id
                   WHERE c.status = 'active' AND c.locked_at IS NULL AND a.reminders_enabled AND a.email IS NOT NULL
                     AND c.created_at <= $1::timestamptz - make_interval(days => $2::int))
       INSERT INTO notifications (certificate_id, kind, threshold_days)
       SELECT id, 'unused', floor(extract(epoch FROM last_used) / 86400)::int FROM u WHERE last_used <= $1::timestamptz - make_interval(days => $2::int)
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [now, days],
    );
    return rows.length;
  }

  /**
   * Claim rows for the password reminder: active, unlocked certificates of
   * accounts that opted in (and have an address) whose password was not
   * reported changed — since its registration, when never — for the account's
   * interval. Keyed by the UTC day the current interval fell due (see
   * passwordReminderKey), so one email per interval; a reported change starts
   * the count anew. Returns how many were new.
   */
  async claimPasswordReminders(now: Date): Promise<number> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `WITH p AS (SELECT c.id, floor(extract(epoch FROM coalesce(c.password_changed_at, c.created_at)) / 86400)::int AS since_day,
                         floor(extract(epoch FROM $1::timestamptz - coalesce(c.password_changed_at, c.created_at)) / 86400)::int AS elapsed, a.password_reminder_days AS iv
                    FROM certificates c JOIN accounts a ON a.id = c.account_id
                   WHERE c.status = 'active' AND c.locked_at IS NULL AND a.password_reminder_enabled AND a.email IS NOT NULL
                     AND coalesce(c.password_changed_at, c.created_at) <= $1::timestamptz - make_interval(days => a.password_reminder_days))
       INSERT INTO notifications (certificate_id, kind, threshold_days)
       SELECT id, 'password', since_day + (elapsed / iv) * iv FROM p
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [now],
    );
    return rows.length;
  }

  /** Active certificates past notAfter become `expired`, each with an audit row, in one statement. Returns how many. */
  async expireCertificates(now: Date): Promise<number> {
    const rows = await this.dataSource.query<Array<{ n: string }>>(
      `WITH e AS (UPDATE certificates SET status = 'expired', updated_at = $1 WHERE status = 'active' AND not_after <= $1 RETURNING id, account_id, not_after),
            a AS (INSERT INTO audit_events (at, account_id, certificate_id, action, outcome, details)
                  SELECT $1, account_id, id, 'certificate.expired', 'success', jsonb_build_object('notAfter', not_after, 'by', 'notifier') FROM e)
       SELECT count(*)::text AS n FROM e`,
      [now],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Claim one notification for sending: pending|failed → sending, or a
   * 'sending' row whose claim is older than `leaseExpiredBefore` (its worker
   * died). Counts the attempt. Returns what the email needs, or why not.
   */
  async claim(notificationId: string, now: Date, leaseExpiredBefore: Date): Promise<ClaimResult> {
    // one round trip: the claim and what the email needs
    const claimed = await this.dataSource.query<Array<Record<string, unknown>>>(
      `WITH u AS (UPDATE notifications SET status = 'sending', attempts = attempts + 1, claimed_at = $2, updated_at = $2
                   WHERE id = $1 AND (status IN ('pending', 'failed') OR (status = 'sending' AND claimed_at < $3))
                   RETURNING id, certificate_id, kind, threshold_days, attempts)
       SELECT ${TARGET_COLUMNS} FROM u n JOIN certificates c ON c.id = n.certificate_id JOIN accounts a ON a.id = c.account_id`,
      [notificationId, now, leaseExpiredBefore],
    );
    const row = claimed[0];
    if (row) return { claimed: true, target: toTarget(row) };
    const rows = await this.dataSource.query<Array<{ status: NotificationStatus; claimed_at: Date | null }>>(`SELECT status, claimed_at FROM notifications WHERE id = $1`, [notificationId]);
    return { claimed: false, status: rows[0]?.status ?? 'missing', claimedAt: rows[0]?.claimed_at ?? null };
  }

  async target(notificationId: string): Promise<NotificationTarget | null> {
    const rows = await this.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT ${TARGET_COLUMNS} FROM notifications n JOIN certificates c ON c.id = n.certificate_id JOIN accounts a ON a.id = c.account_id WHERE n.id = $1`,
      [notificationId],
    );
    return rows[0] ? toTarget(rows[0]) : null;
  }

  async markSent(notificationId: string, messageId: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE notifications SET status = 'sent', sent_at = $2, message_id = $3, last_error = NULL, updated_at = $2 WHERE id = $1`, [notificationId, now, messageId]);
  }

  /** An attempt failed: back to pending (another attempt follows) or failed (the last one). */
  async markAttemptFailed(notificationId: string, error: string, final: boolean, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE notifications SET status = $2, last_error = $3, claimed_at = NULL, updated_at = $4 WHERE id = $1 AND status = 'sending'`, [
      notificationId,
      final ? 'failed' : 'pending',
      error.slice(0, 1000),
      now,
    ]);
  }

  async markSkipped(notificationId: string, reason: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE notifications SET status = 'skipped', last_error = $2, claimed_at = NULL, updated_at = $3 WHERE id = $1`, [notificationId, reason, now]);
  }

  /**
   * Turn off one of an account's lists (an unsubscribe link): the expiry
   * reminders, or the password reminder; with an audit row. False when the
   * account does not exist.
   */
  async disableReminders(accountId: string, now: Date, details: Record<string, unknown>, list: 'reminders' | 'password' = 'reminders'): Promise<boolean> {
    const [column, action] = list === 'password' ? ['password_reminder_enabled', 'account.password-reminder-unsubscribed'] : ['reminders_enabled', 'account.reminders-unsubscribed'];
    const rows = await this.dataSource.query<Array<{ n: string }>>(
      `WITH u AS (UPDATE accounts SET ${column} = false, updated_at = $2 WHERE id = $1 RETURNING id),
            a AS (INSERT INTO audit_events (at, account_id, action, outcome, details) SELECT $2, id, $4, 'success', $3::jsonb FROM u)
       SELECT count(*)::text AS n FROM u`,
      [accountId, now, JSON.stringify(details), action],
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }

  async accountForUnsubscribe(accountId: string): Promise<{ email: string | null; locale: string; remindersEnabled: boolean; passwordReminderEnabled: boolean } | null> {
    const rows = await this.dataSource.query<Array<{ email: string | null; locale: string; reminders_enabled: boolean; password_reminder_enabled: boolean }>>(
      `SELECT email, locale, reminders_enabled, password_reminder_enabled FROM accounts WHERE id = $1`,
      [accountId],
    );
    const r = rows[0];
    return r ? { email: r.email, locale: r.locale, remindersEnabled: r.reminders_enabled, passwordReminderEnabled: r.password_reminder_enabled } : null;
  }

  // ------------------------------------------------------------ revocation re-check

  /** Active certificates whose CRL URL was not looked at yet (keyset by id). */
  async certificatesWithoutCrlUrl(afterId: string | null, limit: number): Promise<Array<{ id: string; der: Buffer }>> {
    return this.dataSource.query(
      `SELECT id, der FROM certificates WHERE status = 'active' AND crl_url IS NULL AND ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
  }

  async setCrlUrls(rows: ReadonlyArray<{ id: string; crlUrl: string }>): Promise<void> {
    if (rows.length === 0) return;
    await this.dataSource.query(`UPDATE certificates c SET crl_url = u.url FROM unnest($1::uuid[], $2::text[]) AS u(id, url) WHERE c.id = u.id`, [
      rows.map((r) => r.id),
      rows.map((r) => r.crlUrl),
    ]);
  }

  /** Active certificates grouped by (CRL URL, issuer); '' = no CRL distribution point. */
  async crlGroups(): Promise<CrlGroup[]> {
    const rows = await this.dataSource.query<Array<{ crl_url: string; issuer_key: string; n: string }>>(
      `SELECT crl_url, issuer_key, count(*)::text AS n FROM certificates WHERE status = 'active' AND crl_url IS NOT NULL GROUP BY crl_url, issuer_key ORDER BY crl_url, issuer_key`,
    );
    return rows.map((r) => ({ crlUrl: r.crl_url, issuerKey: r.issuer_key, certificates: Number(r.n) }));
  }

  /** One keyset page of a group's certificates: id and serial (and DER, when `withDer`, for OCSP). */
  async groupPage(group: { crlUrl: string; issuerKey: string }, afterId: string | null, limit: number, withDer = false): Promise<Array<{ id: string; serial_hex: string; der?: Buffer }>> {
    return this.dataSource.query(
      `SELECT id, serial_hex${withDer ? ', der' : ''} FROM certificates
        WHERE status = 'active' AND crl_url = $1 AND issuer_key = $2 AND ($3::uuid IS NULL OR id > $3) ORDER BY id LIMIT $4`,
      [group.crlUrl, group.issuerKey, afterId, limit],
    );
  }

  /**
   * Mark certificates revoked (only those still active), each with an audit
   * row and a pending 'revoked' notice, in one statement. Returns the notices.
   */
  async markRevoked(revocations: readonly Revocation[], now: Date): Promise<QueuedNotification[]> {
    if (revocations.length === 0) return [];
    const rows = await this.dataSource.query<Array<{ id: string; certificate_id: string; status: NotificationStatus }>>(
      `WITH r AS (SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[]) AS r(id, revoked_at, reason, source)),
            u AS (UPDATE certificates c SET status = 'revoked', revoked_at = r.revoked_at, revocation_reason = r.reason, updated_at = $5
                    FROM r WHERE c.id = r.id AND c.status = 'active'
                  RETURNING c.id, c.account_id, c.serial_hex, r.revoked_at, r.reason, r.source),
            a AS (INSERT INTO audit_events (at, account_id, certificate_id, action, outcome, reason, details)
                  SELECT $5, account_id, id, 'certificate.revoked', 'success', reason,
                         jsonb_build_object('revokedAt', revoked_at, 'serial', serial_hex, 'source', source, 'by', 'notifier') FROM u)
       INSERT INTO notifications (certificate_id, kind) SELECT id, 'revoked' FROM u
       ON CONFLICT DO NOTHING
       RETURNING id, certificate_id, status`,
      [revocations.map((r) => r.certificateId), revocations.map((r) => r.revokedAt), revocations.map((r) => r.reason), revocations.map((r) => r.source), now],
    );
    return rows.map((r) => ({ notificationId: r.id, certificateId: r.certificate_id, kind: 'revoked', thresholdDays: null, status: r.status }));
  }
}
