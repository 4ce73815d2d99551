import type { DataSource } from 'typeorm';
import type { Tx } from '../database';

/** A live session as its account sees it (the head of a refresh family). */
export interface ActiveSession {
  /** The current session row (what the live access token names). */
  id: string;
  familyId: string;
  certificateId: string;
  /** When the family began: the login (or sign-up). */
  createdAt: Date;
  /** When the current row was made by a refresh; null if never refreshed. */
  lastRefreshAt: Date | null;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

interface Row {
  id: string;
  family_id: string;
  certificate_id: string;
  started_at: Date;
  created_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
}

/** An account's sessions, all at once: the list and "end them all". */
export class AccountSessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Live (not revoked, not rotated, not expired at `now`) sessions of the account, newest first. */
  async active(accountId: string, now: Date): Promise<ActiveSession[]> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT s.id, s.family_id, s.certificate_id, s.created_at, s.expires_at, host(s.ip) AS ip, s.user_agent,
              (SELECT min(f.created_at) FROM sessions f WHERE f.family_id = s.family_id) AS started_at
       FROM sessions s
       WHERE s.account_id = $1 AND s.revoked_at IS NULL AND s.rotated_at IS NULL AND s.expires_at > $2
       ORDER BY s.created_at DESC, s.id`,
      [accountId, now],
    );
    return rows.map((r) => ({
      id: r.id,
      familyId: r.family_id,
      certificateId: r.certificate_id,
      createdAt: r.started_at,
      lastRefreshAt: r.created_at.getTime() === r.started_at.getTime() ? null : r.created_at,
      expiresAt: r.expires_at,
      ip: r.ip,
      userAgent: r.user_agent,
    }));
  }

  /** Revoke every session of the account not yet revoked; returns their ids. */
  async revokeAll(accountId: string, at: Date, tx: Tx): Promise<string[]> {
    const result = await tx.query<[Array<{ id: string }>, number]>(
      `UPDATE sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL RETURNING id`,
      [accountId, at],
    );
    return result[0].map((r) => r.id);
  }
}
