/**
 * Telling "the database connection is gone" apart from every other failure, so the web layer can answer
 * 503 (try again shortly) instead of 500 (a bug), and logs can say what happened.
 *
 * A connection fault is anything that means the query never reached, or never came back from, a working
 * backend: the server ended our session (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect
 * now, 25P03 idle-in-transaction timeout), a connection exception (SQLSTATE class 08), too many
 * connections (53300), a socket error (ECONNRESET, ECONNREFUSED, ETIMEDOUT, …), node-postgres's own
 * "Connection terminated …" / "not queryable" errors, a pool wait that timed out, a query cancelled by
 * `statement_timeout` (57014), or our own `DatabaseUnavailableError`. Causes are followed, so a wrapped
 * fault is still a fault.
 */

const SQLSTATES = new Set(['57P01', '57P02', '57P03', '25P03', '53300', '57014']);
const SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const MESSAGES = [
  /^Connection terminated/, // "… unexpectedly", "… due to connection timeout"
  /^timeout exceeded when trying to connect/, // pg-pool: no client free within connectionTimeoutMillis
  /is not queryable/, // "Client has encountered a connection error and is not queryable"
  /^Client was closed and is not queryable/,
  /^Connection is not open/,
];

/** The error that says "cannot reach the database"; the web layer answers 503 for it. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/** True when `error` (or anything in its `cause` chain) means the database connection failed or was lost. */
export function isConnectionFault(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current instanceof DatabaseUnavailableError) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (SQLSTATES.has(code) || SOCKET_CODES.has(code)) return true;
      if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    }
    if (MESSAGES.some((pattern) => pattern.test(current instanceof Error ? current.message : '')))
      return true;
    current = current.cause;
  }
  return false;
}

/** What to log about a connection fault: its code and message, never a query or its parameters. */
export function faultSummary(error: unknown): { code: string | null; message: string } {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return {
    code: typeof code === 'string' ? code : null,
    message: error instanceof Error ? error.message : String(error),
  };
}
