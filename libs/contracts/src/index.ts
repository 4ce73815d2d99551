/**
 * The message contracts shared by the gateway and the services (`Api`): a
 * pattern, its one request schema (the request type is its z.infer) and its
 * result type, declared together so that a gateway call cannot drift from its
 * handler, and every handler validates the same way (libs/common @Handles).
 * The sizes of the wire (formats.ts) are the one place a limit is written;
 * they are also `@jointcert/contracts/formats`, free of zod and node, for the
 * browser client.
 */
export * from './base64';
export * from './contract';
export * from './formats';
export * as fields from './fields';
export * from './api';

/** Per-request metadata that travels with every message to a service. */
export interface RequestMeta {
  /** Correlation id (the gateway's `x-request-id`); appears in every log line. */
  requestId: string;
  /**
   * Identifies a state-changing request across redeliveries and client retries (the gateway's
   * `Idempotency-Key`, else one per call): the registry answers a repeat with the first result.
   */
  idempotencyKey?: string;
  /**
   * The key was made by the caller for this one call (the client sent no
   * `Idempotency-Key`): no earlier run of it can exist unless the transport
   * delivers this same message again, so a first delivery need not look for
   * a stored result before running.
   */
  callKey?: true;
}

/** What actually crosses the transport for a request: metadata plus the typed payload. */
export interface Envelope<Req> {
  meta: RequestMeta;
  data: Req;
}

/**
 * An error reply as it crosses the transport: the service's DomainError
 * (code, detail, extra), or INTERNAL with the id under which it was logged.
 */
export interface WireError {
  kind: 'jointcert.problem';
  code: string;
  detail: string;
  extra?: Record<string, unknown>;
  errorId?: string;
}

export function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.kind === 'jointcert.problem' && typeof v.code === 'string' && typeof v.detail === 'string';
}
export * from './challenge-text';
