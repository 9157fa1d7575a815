/**
 * Database access for both engines through one Kysely `PostgresDialect`.
 *
 * - PostgreSQL: a normal `pg.Pool` over DATABASE_URL.
 * - PGlite (default): one embedded PostgreSQL persisted in DATA_DIR. PGlite is a single session shared by
 *   every caller, so the pool has exactly one connection: a transaction holds that connection and every
 *   other query waits for it. That is the one serialising path every transaction goes through (ADR 0002).
 *   A second process opening the same directory would corrupt it, so we hold a lock file first.
 */
import { Kysely, PostgresDialect, sql, type LogConfig } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { mkdirSync } from 'node:fs';
import type { DB } from './schema.ts';
import { acquireDirectoryLock, type DirectoryLock } from './lock.ts';
import { DatabaseUnavailableError } from './faults.ts';

export { DatabaseUnavailableError } from './faults.ts';

// Return BIGINT (int8) and NUMERIC as JS numbers/strings consistently on both engines.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1082, (v) => v); // date → 'YYYY-MM-DD'

export type Engine = 'postgres' | 'pglite';

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  /** PGlite only: the whole cluster as a tarball (`loadDataDir` takes it back). */
  dump?: () => Promise<Blob>;
  close(): Promise<void>;
}

/** Bounds on waiting for PostgreSQL, so a partition cannot hang a request (see docs/database.md). 0 = none. */
export interface PostgresTimeouts {
  /** Opening a connection, and waiting for a free one in the pool. Default 5000. */
  connectMs?: number;
  /** `statement_timeout`: the server cancels a statement that runs longer. Default 30000. */
  statementMs?: number;
  /** `idle_in_transaction_session_timeout`: the server ends a session idle inside a transaction. Default 60000. */
  idleInTransactionMs?: number;
}

export type DatabaseTarget = (
  | {
      engine: 'postgres';
      url: string;
      poolSize?: number;
      timeouts?: PostgresTimeouts;
      /**
       * Told about every error a pooled connection raises outside a query (the backend was terminated, the
       * socket reset). The connection is already discarded; the next query opens a new one.
       */
      onConnectionError?: (error: Error) => void;
    }
  | {
      engine: 'pglite';
      /** a folder, or 'memory' for an in-memory database */
      dataDir: string;
      /** Start from this `dumpDataDir()` tarball instead of an empty cluster (tests: a migrated snapshot). */
      loadDataDir?: Blob;
    }
) & {
  /** Kysely's query logger; benchmarks use it to add up the time spent in SQL. */
  log?: LogConfig;
};

/** How much longer than `statement_timeout` we wait for an answer before deciding the network is gone. */
const READ_MARGIN_MS = 5_000;
const SET_NO_STATEMENT_TIMEOUT = 'set statement_timeout = 0';
const RESET_STATEMENT_TIMEOUT = 'reset statement_timeout';

/**
 * `statement_timeout` is enforced by the server, so it cannot help when the network between us and the
 * server is gone (a partition, a dead host): the query would wait for TCP to give up, minutes later. So each
 * query on `client` also gets a client-side bound; when it passes, the query fails with
 * DatabaseUnavailableError and the socket is destroyed, so the client is discarded instead of reused.
 * Inside `withoutStatementTimeout` (migrations) there is no bound, as there is no statement timeout.
 */
function boundQueries(client: pg.PoolClient, readTimeoutMs: number): void {
  if (readTimeoutMs <= 0) return;
  let unbounded = false;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]): unknown => {
    if (args[0] === SET_NO_STATEMENT_TIMEOUT) unbounded = true;
    else if (args[0] === RESET_STATEMENT_TIMEOUT) unbounded = false;
    const result = query(...args);
    if (unbounded || !(result instanceof Promise)) return result;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new DatabaseUnavailableError(`No answer from PostgreSQL within ${readTimeoutMs} ms`));
        (
          client as unknown as { connection?: { stream?: { destroy(): void } } }
        ).connection?.stream?.destroy();
      }, readTimeoutMs);
    });
    return Promise.race([result, timedOut]).finally(() => clearTimeout(timer));
  };
}

/**
 * Run `work` on one connection with `statement_timeout` switched off (and no client-side bound): for
 * migrations, which may rewrite big tables. The connection gets its configured timeout back afterwards.
 */
export async function withoutStatementTimeout<D, T>(
  db: Kysely<D>,
  work: (connection: Kysely<D>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql.raw(SET_NO_STATEMENT_TIMEOUT).execute(connection);
    try {
      return await work(connection);
    } finally {
      await sql
        .raw(RESET_STATEMENT_TIMEOUT)
        .execute(connection)
        .catch(() => undefined);
    }
  });
}

/** One round trip to the database (`select 1`): throws when it cannot be reached. For readiness checks. */
export async function ping(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.engine === 'postgres') {
    const timeouts = target.timeouts ?? {};
    const statementMs = timeouts.statementMs ?? 30_000;
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      connectionTimeoutMillis: timeouts.connectMs ?? 5_000,
      statement_timeout: statementMs,
      idle_in_transaction_session_timeout: timeouts.idleInTransactionMs ?? 60_000,
      keepAlive: true,
    });
    const onConnectionError = target.onConnectionError ?? (() => undefined);
    // pg-pool listens for errors only on idle clients; a client that is checked out (mid-request, between
    // the statements of a transaction) and loses its backend emits 'error' with no listener, which kills
    // the process. So every client gets a listener for its whole life. The client is then unusable: its
    // current query fails, and the pool discards it when it is released.
    pool.on('connect', (client) => {
      boundQueries(client, statementMs > 0 ? statementMs + READ_MARGIN_MS : 0);
      let reported = false; // a terminated backend raises its FATAL error, then "Connection terminated"
      client.on('error', (error) => {
        if (reported) return;
        reported = true;
        onConnectionError(error);
      });
    });
    pool.on('error', () => undefined); // already reported by the client listener above
    const db = new Kysely<DB>({
      dialect: new PostgresDialect({
        pool: {
          // Failing to get a connection at all means the database is unavailable (503), whatever the cause.
          connect: async () => {
            try {
              return await pool.connect();
            } catch (error) {
              throw new DatabaseUnavailableError(
                `Cannot connect to PostgreSQL: ${(error as Error).message}`,
                {
                  cause: error,
                },
              );
            }
          },
          end: () => pool.end(),
        },
      }),
      log: target.log,
    });
    try {
      await ping(db);
    } catch (error) {
      await db.destroy();
      throw new DatabaseUnavailableError(
        `Cannot connect to PostgreSQL at DATABASE_URL: ${(error as Error).message}`,
      );
    }
    return { db, engine: 'postgres', close: () => db.destroy() };
  }

  let lock: DirectoryLock | null = null;
  let dataDir: string | undefined;
  if (target.dataDir !== 'memory') {
    mkdirSync(target.dataDir, { recursive: true });
    lock = acquireDirectoryLock(target.dataDir);
    dataDir = target.dataDir;
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      dataDir,
      extensions: { pg_trgm, unaccent },
      ...(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {}),
    });
  } catch (error) {
    lock?.release();
    throw new DatabaseUnavailableError(
      `Cannot open the embedded database in ${target.dataDir}: ${(error as Error).message}`,
    );
  }
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: target.log });
  return {
    db,
    engine: 'pglite',
    dump: async () => pglite.dumpDataDir('none'),
    async close() {
      await db.destroy();
      await pglite.close();
      lock?.release();
    },
  };
}
