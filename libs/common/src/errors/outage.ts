/**
 * Is this error a dependency outage (Postgres or Redis unreachable, restarting,
 * shutting down, or a transaction that lost a race) rather than a bug? Such
 * errors become 503 SERVICE_UNAVAILABLE (retry later); everything else stays
 * a 500 INTERNAL with an errorId.
 */

/** Postgres SQLSTATEs that mean "not now" (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
function isTransientSqlState(code: string): boolean {
  return (
    code.startsWith('08') || // connection exception
    code === '57P01' || // admin_shutdown
    code === '57P02' || // crash_shutdown
    code === '57P03' || // cannot_connect_now (starting up, recovery)
    code === '53300' || // too_many_connections
    code === '53400' || // configuration_limit_exceeded
    code === '40001' || // serialization_failure (after our bounded retries)
    code === '40P01' || // deadlock_detected
    code === '55P03' // lock_not_available
  );
}

const NODE_NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);

const MESSAGES = [
  // pg
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /terminating connection due to administrator command/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /Client has encountered a connection error and is not queryable/i,
  /Connection closed/i,
  // ioredis
  /^Connection is closed\.?$/,
  /Stream isn't writeable and enableOfflineQueue options is false/,
  /Reached the max retries per request limit/,
  /^Command timed out$/,
  /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/,
];

export function isDependencyOutage(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (NODE_NET_CODES.has(e.code) || (/^[0-9A-Z]{5}$/.test(e.code) && isTransientSqlState(e.code)))) return true;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e.message as string))) return true;
  // TypeORM's QueryFailedError wraps the driver's error; AggregateError (happy eyeballs) lists several.
  if (e.driverError !== undefined && isDependencyOutage(e.driverError, depth + 1)) return true;
  if (e.cause !== undefined && isDependencyOutage(e.cause, depth + 1)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDependencyOutage(x, depth + 1))) return true;
  return false;
}

/** Postgres serialization failure or deadlock: worth retrying the whole transaction. */
export function isRetryableTransactionError(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.code ?? e?.driverError?.code;
  return code === '40001' || code === '40P01';
}
