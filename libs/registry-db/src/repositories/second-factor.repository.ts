import type { DataSource } from 'typeorm';
import { hasRow } from '../database';

export interface StoredSecondFactor {
  accountId: string;
  secretEnc: Buffer;
  confirmedAt: Date | null;
  lastTimeStep: number | null;
  recoveryCodesLeft: number;
}

interface Row {
  account_id: string;
  secret_enc: Buffer;
  confirmed_at: Date | null;
  last_time_step: string | null;
  left: number;
}

/**
 * TOTP second factors (table second_factors). Every write that consumes a
 * code is one conditional UPDATE, so of two concurrent uses of one code (or
 * one recovery code) exactly one succeeds.
 */
export class SecondFactorRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(accountId: string): Promise<StoredSecondFactor | null> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT account_id, secret_enc, confirmed_at, last_time_step, cardinality(recovery_hashes)::int AS left FROM second_factors WHERE account_id = $1`,
      [accountId],
    );
    const r = rows[0];
    return r ? { accountId: r.account_id, secretEnc: r.secret_enc, confirmedAt: r.confirmed_at, lastTimeStep: r.last_time_step === null ? null : Number(r.last_time_step), recoveryCodesLeft: r.left } : null;
  }

  /** Start (or restart) an enrolment; false when a confirmed factor exists (nothing changed). */
  async startEnrolment(accountId: string, secretEnc: Buffer): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `INSERT INTO second_factors (account_id, secret_enc) VALUES ($1, $2)
       ON CONFLICT (account_id) DO UPDATE SET secret_enc = EXCLUDED.secret_enc, last_time_step = NULL, recovery_hashes = '{}', created_at = now()
       WHERE second_factors.confirmed_at IS NULL
       RETURNING 1`,
      [accountId, secretEnc],
    );
    return hasRow(rows);
  }

  /** Confirm a pending enrolment with an accepted time step and the recovery codes' hashes; false if not pending. */
  async confirm(accountId: string, timeStep: number, recoveryHashes: string[], at: Date): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `UPDATE second_factors SET confirmed_at = $4, last_time_step = $2, recovery_hashes = $3 WHERE account_id = $1 AND confirmed_at IS NULL RETURNING 1`,
      [accountId, timeStep, recoveryHashes, at],
    );
    return hasRow(rows);
  }

  /** Accept a time step once: false when it (or a later one) was already used. */
  async useTimeStep(accountId: string, timeStep: number): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `UPDATE second_factors SET last_time_step = $2 WHERE account_id = $1 AND (last_time_step IS NULL OR last_time_step < $2) RETURNING 1`,
      [accountId, timeStep],
    );
    return hasRow(rows);
  }

  /** Use up a recovery code (by hash): false when it is not (or no longer) one of the account's. */
  async useRecoveryCode(accountId: string, hash: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `UPDATE second_factors SET recovery_hashes = array_remove(recovery_hashes, $2) WHERE account_id = $1 AND $2 = ANY(recovery_hashes) RETURNING 1`,
      [accountId, hash],
    );
    return hasRow(rows);
  }

  async remove(accountId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM second_factors WHERE account_id = $1`, [accountId]);
  }
}
