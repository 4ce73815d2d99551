import { type ProblemCode, problemType } from './problem-types';

/** Fields a problem document owns; `extra` may not overwrite them. */
const RESERVED = new Set(['type', 'title', 'status', 'detail', 'code', 'instance', 'requestId', 'errorId']);

/**
 * The error services and libs throw for an expected failure: a stable code from
 * the problem table, a human detail for the client, and optional extra fields
 * (JSON values, e.g. `revokedAt`) that become members of the problem document.
 * It crosses the Redis transport intact (see rpc.ts).
 */
export class DomainError extends Error {
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    extra: Record<string, unknown> = {},
  ) {
    super(`${code}: ${detail}`);
    this.name = 'DomainError';
    const clean: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(extra)) if (!RESERVED.has(k) && v !== undefined) clean[k] = v;
    this.extra = clean;
  }

  get status(): number {
    return problemType(this.code).status;
  }
}
