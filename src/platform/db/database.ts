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

export type DatabaseTarget = (
  | { engine: 'postgres'; url: string; poolSize?: number }
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

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.engine === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
    });
    pool.on('error', () => undefined); // idle-client errors surface on next use; never crash the process
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: target.log });
    try {
      await sql`select 1`.execute(db);
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

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}
