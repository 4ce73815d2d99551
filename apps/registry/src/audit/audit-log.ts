import { Inject, Injectable } from '@nestjs/common';
import { currentRequestId, DomainError, LOGGER, type Logger } from '@jointcert/common';
import type { ClientInfo } from '@jointcert/contracts';
import { AuditRepository, type AuditOutcome, type Tx } from '@jointcert/registry-db';

export type AuditAction = 'register' | 'login' | 'refresh' | 'logout' | 'replace' | 'delete' | 'account.update' | 'certificate.lock' | 'certificate.unlock' | 'certificate.password-changed' | 'totp.enrol' | 'totp.confirm' | 'totp.disable' | 'totp.verify' | 'sessions.end-all' | 'transfer.create' | 'transfer.claim' | 'transfer.cancel';

export interface AuditEntry {
  action: AuditAction;
  client: ClientInfo;
  accountId?: string | null;
  certificateId?: string | null;
  /** Certificate fingerprint and other facts; never identity numbers, tokens or signatures. */
  details?: Record<string, unknown>;
}

/** What the failure event of an audited action records besides its action, client and reason. */
export type FailureEntry = Omit<AuditEntry, 'action' | 'client'>;

/**
 * What a failing action had learned before it failed — the certificate that
 * signed (a proof that got as far as its signer), the account and row a login
 * found — carried with its error to the failure event. The error itself is
 * unchanged (these facts are never part of the answer).
 */
export interface FailureFacts {
  fingerprint?: string;
  accountId?: string;
  certificateId?: string;
}

const factsOfErrors = new WeakMap<object, FailureFacts>();

/** Attach facts to `err` and return it (`throw withFacts(accountUnknown(), { accountId })`); facts it already carries win. */
export function withFacts<E>(err: E, facts: FailureFacts): E {
  if (typeof err === 'object' && err !== null) factsOfErrors.set(err, { ...facts, ...factsOfErrors.get(err) });
  return err;
}

/** Run fn knowing `facts`: its failure carries them (see withFacts). */
export async function knowing<T>(facts: FailureFacts, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw withFacts(err, facts);
  }
}

/** The facts an error carries (none for one that was not given any). */
export function factsOf(err: unknown): FailureFacts {
  return (typeof err === 'object' && err !== null && factsOfErrors.get(err)) || {};
}

/** The problem code of an error, or INTERNAL for anything unexpected. */
export function reasonOf(err: unknown): string {
  return err instanceof DomainError ? err.code : 'INTERNAL';
}

/**
 * The audit trail: who (account), what (action), outcome, why (reason code),
 * when, from where (ip, user agent), with the request id. Successes are written
 * inside the transaction that makes the change, so a change and its audit row
 * commit together; failures are written after the failed work rolled back.
 */
@Injectable()
export class AuditLog {
  constructor(
    private readonly repository: AuditRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The frame of an audited action: run fn; when it fails, record the failure
   * (after its transaction rolled back) — `failure` describes the event from
   * the facts the error carries — and rethrow. A success is fn's to record,
   * inside the transaction that makes the change.
   */
  async audited<T>(action: AuditAction, client: ClientInfo, fn: () => Promise<T>, failure: (facts: FailureFacts) => FailureEntry = () => ({})): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      await this.failure({ action, client, ...failure(factsOf(err)) }, err);
      throw err;
    }
  }

  async success(entry: AuditEntry, tx?: Tx): Promise<void> {
    await this.write(entry, 'success', null, tx);
  }

  /**
   * Record a failed attempt. Never throws when written on its own: the caller
   * is already failing with `err`, which must reach the client; a lost audit
   * row is logged loudly. Inside a transaction (`tx`) a failed write
   * does throw, so the transaction cannot commit without its audit row.
   */
  async failure(entry: AuditEntry, err: unknown, tx?: Tx): Promise<void> {
    const detailReason = err instanceof DomainError && typeof err.extra.reason === 'string' ? err.extra.reason : undefined;
    const entryWithReason = detailReason ? { ...entry, details: { ...entry.details, detailReason } } : entry;
    try {
      await this.write(entryWithReason, 'failure', reasonOf(err), tx);
    } catch (auditErr) {
      if (tx) throw auditErr;
      this.logger.error({ err: auditErr, action: entry.action, reason: reasonOf(err) }, 'audit event could not be written');
    }
  }

  private async write(entry: AuditEntry, outcome: AuditOutcome, reason: string | null, tx?: Tx): Promise<void> {
    await this.repository.append(
      {
        action: entry.action,
        outcome,
        reason,
        accountId: entry.accountId ?? null,
        certificateId: entry.certificateId ?? null,
        requestId: currentRequestId() ?? null,
        ip: entry.client.ip,
        userAgent: entry.client.userAgent ?? null,
        details: entry.details ?? {},
      },
      tx,
    );
  }
}
