import type { DataSource } from 'typeorm';
import { hasRow, type Tx } from '../database';

/** Per-certificate facts the account-security views need besides the row itself. */
export interface CertificateUsage {
  /** When the certificate last opened a session by login or sign-up (token refreshes do not count); null if never. */
  lastUsedAt: Date | null;
}

/**
 * Lost-certificate locks and last use. A lock is `certificates.locked_at`:
 * the login statement (LOGIN_SQL) only opens sessions for rows where it is
 * NULL, and setting it is an UPDATE (a row lock), so a concurrent login
 * either committed before (and its session is revoked by the locker, who
 * runs after it) or re-checks the updated row and opens nothing.
 *
 * Last use is not written at login (no extra write on the hot path): it is
 * read from the sessions table, where every login inserts a row — the first
 * session of each family is a login (refreshes add rows to the same family).
 */
export class CertificateSecurityRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Lock one of the account's (not deleted) certificates. Keeps the first lock
   * time when already locked. Null when there is no such certificate.
   */
  async lock(id: string, accountId: string, at: Date, tx: Tx): Promise<{ lockedAt: Date; wasLocked: boolean; fingerprintSha256: string } | null> {
    const row = await this.forUpdate(id, accountId, tx);
    if (!row) return null;
    if (row.locked_at !== null) return { lockedAt: row.locked_at, wasLocked: true, fingerprintSha256: row.fingerprint_sha256 };
    await tx.query(`UPDATE certificates SET locked_at = $2 WHERE id = $1`, [id, at]);
    return { lockedAt: at, wasLocked: false, fingerprintSha256: row.fingerprint_sha256 };
  }

  /** The lock confirmation email: a pending 'lock' notice, numbered per certificate (call after `lock`, in its transaction: the row lock serialises the numbering). */
  async recordLockNotice(id: string, tx: Tx): Promise<void> {
    await tx.query(
      `INSERT INTO notifications (certificate_id, kind, threshold_days)
       SELECT $1, 'lock', coalesce(max(threshold_days), 0) + 1 FROM notifications WHERE certificate_id = $1 AND kind = 'lock'`,
      [id],
    );
  }

  /** Clear the lock of one of the account's certificates; returns the lock time it had (null: was not locked), or undefined for no such certificate. */
  async unlock(id: string, accountId: string, tx: Tx): Promise<{ previous: Date | null; fingerprintSha256: string } | undefined> {
    const row = await this.forUpdate(id, accountId, tx);
    if (!row) return undefined;
    if (row.locked_at !== null) await tx.query(`UPDATE certificates SET locked_at = NULL WHERE id = $1`, [id]);
    return { previous: row.locked_at, fingerprintSha256: row.fingerprint_sha256 };
  }

  /**
   * Record a reported certificate-password change on one of the account's (not
   * deleted) certificates; a report older than the one kept changes nothing.
   * False when there is no such certificate.
   */
  async recordPasswordChange(id: string, accountId: string, at: Date, tx: Tx): Promise<boolean> {
    const rows = await tx.query<Array<{ id: string }>>(
      `UPDATE certificates SET password_changed_at = greatest(password_changed_at, $3) WHERE id = $1 AND account_id = $2 AND status <> 'deleted' RETURNING id`,
      [id, accountId, at],
    );
    return hasRow(rows);
  }

  private async forUpdate(id: string, accountId: string, tx: Tx): Promise<{ locked_at: Date | null; fingerprint_sha256: string } | undefined> {
    const rows = await tx.query<Array<{ locked_at: Date | null; fingerprint_sha256: string }>>(
      `SELECT locked_at, fingerprint_sha256 FROM certificates WHERE id = $1 AND account_id = $2 AND status <> 'deleted' FOR UPDATE`,
      [id, accountId],
    );
    return rows[0];
  }

  /** Is the active registration of this fingerprint locked? (Only asked after a refused login.) */
  async isLockedFingerprint(fingerprintSha256: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM certificates WHERE fingerprint_sha256 = $1 AND status = 'active' AND locked_at IS NOT NULL`,
      [fingerprintSha256],
    );
    return rows.length > 0;
  }

  /** The certificate that opened a session, with its state: for "a session opened by another certificate". */
  async sessionCertificate(sessionId: string): Promise<{ certificateId: string; status: string; lockedAt: Date | null } | null> {
    const rows = await this.dataSource.query<Array<{ certificate_id: string; status: string; locked_at: Date | null }>>(
      `SELECT s.certificate_id, c.status, c.locked_at FROM sessions s JOIN certificates c ON c.id = s.certificate_id WHERE s.id = $1`,
      [sessionId],
    );
    const row = rows[0];
    return row ? { certificateId: row.certificate_id, status: row.status, lockedAt: row.locked_at } : null;
  }

  /**
   * What a deletion link checks: the certificate's last use as the notifier
   * counts it (the latest login, or the registration when never used — the
   * value the unused notice and its link were made for), the account's locale
   * and how many active certificates it has. Null when the certificate is not
   * the account's. Pass the deleting transaction (after its row
   * lock) to read what that transaction will delete.
   */
  async linkState(
    id: string,
    accountId: string,
    tx?: Tx,
  ): Promise<{ status: string; lastUsedAt: Date; subjectDn: string; serialHex: string; notAfter: Date; locale: string; activeCertificates: number } | null> {
    const rows = await (tx ?? this.dataSource).query<Array<{ status: string; last_used_at: Date; subject_dn: string; serial_hex: string; not_after: Date; locale: string; active: number }>>(
      `SELECT c.status, coalesce((SELECT max(f.first_at) FROM (SELECT min(s.created_at) AS first_at FROM sessions s WHERE s.certificate_id = c.id GROUP BY s.family_id) f), c.created_at) AS last_used_at,
              c.subject_dn, c.serial_hex, c.not_after, a.locale, (SELECT count(*) FROM certificates o WHERE o.account_id = a.id AND o.status = 'active')::int AS active
         FROM certificates c JOIN accounts a ON a.id = c.account_id WHERE c.id = $1 AND c.account_id = $2`,
      [id, accountId],
    );
    const r = rows[0];
    return r ? { status: r.status, lastUsedAt: r.last_used_at, subjectDn: r.subject_dn, serialHex: r.serial_hex, notAfter: r.not_after, locale: r.locale, activeCertificates: r.active } : null;
  }

  /** Last use of each of the account's certificates (by id). */
  async usage(accountId: string): Promise<Map<string, CertificateUsage>> {
    const rows = await this.dataSource.query<Array<{ id: string; last_used_at: Date | null }>>(
      `SELECT c.id, (SELECT max(f.first_at) FROM (SELECT min(s.created_at) AS first_at FROM sessions s WHERE s.certificate_id = c.id GROUP BY s.family_id) f) AS last_used_at
       FROM certificates c WHERE c.account_id = $1`,
      [accountId],
    );
    return new Map(rows.map((r) => [r.id, { lastUsedAt: r.last_used_at }]));
  }
}
