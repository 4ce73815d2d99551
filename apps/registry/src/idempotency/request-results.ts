import { createCipheriv, createDecipheriv, hash } from 'node:crypto';
import { contextSlot, randomBytesPooled } from '@jointcert/common';
import type { RegistryDatabase, TransactionHook, Tx } from '@jointcert/registry-db';

/**
 * The first result of a state-changing request, kept so that a repeat (the
 * transport redelivering a message whose answer was lost, or a client
 * retrying with the same Idempotency-Key) gets that result instead of acting
 * twice. Table `request_results` (migration 1767410000000):
 *
 *   request_id = SHA-256(action, key, SHA-256 of the request without `client`):
 *                the same key with another request body is another request;
 *   result     = the result as JSON, AES-256-GCM under SHA-256("result", key,
 *                request hash): the table alone never yields usable tokens;
 *   created_at = rows older than the retention are ignored and purged.
 *
 * The row is inserted in the transaction of the effect (see
 * recordPendingResult), or by the effect's single statement (the login, see
 * sealedForStatement), so "done" and "recorded" commit together.
 */
export interface PendingRequest {
  action: string;
  requestId: string;
  secret: Buffer;
  recorded: boolean;
}

/** The pending request of the async context: a slot of the request context (one AsyncLocalStorage per process). */
const context = contextSlot<PendingRequest>('pending request');

interface Sealed {
  iv: string;
  tag: string;
  data: string;
}

/** A row's `result`: the sealed result, plus what the effect's statement bound in clear (sealedForStatement). */
type SealedRow = Sealed & Record<string, unknown>;

export interface StoredResult {
  result: unknown;
  /** Values the effect's statement added to the row in clear (the login: `accountId`); absent for rows written whole. */
  bound?: Record<string, unknown>;
}

/** The parameters of a request_results insert made by the effect's own statement. */
export interface StatementRecord {
  requestId: string;
  action: string;
  /** The sealed partial result (JSON of { iv, tag, data }). */
  result: string;
  /** Mark the pending request recorded (after the statement committed). */
  done(): void;
}

/** Canonical JSON (sorted keys), so equal requests hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function pendingRequest(action: string, key: string, data: unknown): PendingRequest {
  const { client: _client, ...request } = (data ?? {}) as Record<string, unknown>;
  // crypto.hash: the one-shot digest, ~1 µs less than createHash().update().digest() (no Hash object)
  const requestHash = hash('sha256', canonical(request));
  const h = (label: string): Buffer => hash('sha256', `${label}\0${action}\0${key}\0${requestHash}`, 'buffer');
  return { action, requestId: h('id').toString('hex'), secret: h('result'), recorded: false };
}

function seal(secret: Buffer, result: unknown): Sealed {
  const iv = randomBytesPooled(12);
  const cipher = createCipheriv('aes-256-gcm', secret, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(result ?? null), 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function open(secret: Buffer, sealed: Sealed): unknown {
  const decipher = createDecipheriv('aes-256-gcm', secret, Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return JSON.parse(Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8')) as unknown;
}

export class RequestResults {
  constructor(
    private readonly dataSource: RegistryDatabase,
    private readonly retentionS: number,
  ) {}

  /**
   * The stored result of this request, if any (within the retention): the
   * sealed result, and `bound` — what the effect's own statement added to the
   * row in clear (sealedForStatement: the login's account id), if anything.
   */
  async find(request: PendingRequest): Promise<StoredResult | undefined> {
    const rows = await this.dataSource.query<Array<{ result: SealedRow }>>(
      `SELECT result FROM request_results WHERE request_id = $1 AND action = $2 AND created_at > now() - make_interval(secs => $3)`,
      [request.requestId, request.action, this.retentionS],
    );
    const row = rows[0];
    if (!row) return undefined;
    const { iv, tag, data, ...bound } = row.result;
    return { result: open(request.secret, { iv, tag, data }), ...(Object.keys(bound).length > 0 ? { bound } : {}) };
  }

  /**
   * The record of the current pending request (if any, not yet recorded) for
   * an effect that is ONE statement of its own and inserts the row itself
   * (the login: LoginRepository.openSession), so "done" and "recorded"
   * commit together. `partial` is sealed now; the statement adds in clear
   * what only it knows (see `bound` in find), and the replay completes the
   * answer from both. Call `done()` once the statement committed.
   */
  sealedForStatement(partial: unknown): StatementRecord | undefined {
    const pending = RequestResults.current();
    if (pending === undefined || pending.recorded) return undefined;
    return {
      requestId: pending.requestId,
      action: pending.action,
      result: JSON.stringify(seal(pending.secret, partial)),
      done: () => {
        pending.recorded = true;
      },
    };
  }

  /** Delete rows past the retention; returns how many. */
  async purge(): Promise<number> {
    const res = await this.dataSource.query<[unknown[], number]>(`DELETE FROM request_results WHERE created_at < now() - make_interval(secs => $1)`, [this.retentionS]);
    return Array.isArray(res) ? Number(res[1] ?? 0) : 0;
  }

  /** Run `fn` with `request` as the pending request of its async context. */
  static runWith<T>(request: PendingRequest, fn: () => T): T {
    return context.run(request, fn);
  }

  static current(): PendingRequest | undefined {
    return context.get();
  }
}

/**
 * The registry database's transaction hook (RegistryDbModule.forRoot): the
 * first transaction that commits while a request is pending (set by
 * Idempotency in the async context) records fn's result with it,
 * so the use cases keep calling `transaction(fn)` as they do. A retried
 * transaction (RegistryDatabase.transaction) records again in each attempt;
 * only the committed one counts.
 */
export const recordPendingResult: TransactionHook = {
  async beforeCommit(tx: Tx, result: unknown): Promise<void> {
    const pending = RequestResults.current();
    if (pending === undefined || pending.recorded) return;
    await tx.query(`INSERT INTO request_results (request_id, action, result) VALUES ($1, $2, $3)`, [pending.requestId, pending.action, JSON.stringify(seal(pending.secret, result))]);
  },
  afterCommit(): void {
    const pending = RequestResults.current();
    if (pending !== undefined) pending.recorded = true;
  },
};
