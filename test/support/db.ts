/**
 * Test databases. Integration tests run on an in-memory PGlite by default and on PostgreSQL when
 * TEST_DATABASE_URL is set (CI runs both). Migrations run once per test process; tests never truncate:
 * each test makes its own authority and records with the builders, so files can run in parallel.
 *
 * Browser tests seed the whole demo council and sign in as its named staff, so on PostgreSQL each
 * browser-test server gets a database of its own (`isolated: true`), created from TEST_DATABASE_URL
 * and dropped on close; otherwise one file's lock-outs and records would leak into the next.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, migrateToLatest, type Database } from '../../src/platform/db/index.ts';

export const testEngine: 'postgres' | 'pglite' = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

async function adminQuery(url: string, sql: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function openTestDatabase(
  options: { poolSize?: number; isolated?: boolean } = {},
): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const database = await openDatabase({ engine: 'pglite', dataDir: 'memory' });
    await migrateToLatest(database.db);
    return database;
  }
  if (!options.isolated) {
    const database = await openDatabase({ engine: 'postgres', url, poolSize: options.poolSize ?? 5 });
    await migrateToLatest(database.db);
    return database;
  }
  const name = `${new URL(url).pathname.slice(1)}_e2e_${randomBytes(4).toString('hex')}`.toLowerCase();
  await adminQuery(url, `create database "${name}"`);
  const own = new URL(url);
  own.pathname = `/${name}`;
  const database = await openDatabase({
    engine: 'postgres',
    url: own.toString(),
    poolSize: options.poolSize ?? 5,
  });
  await migrateToLatest(database.db);
  return {
    ...database,
    async close() {
      await database.close();
      await adminQuery(url, `drop database if exists "${name}" with (force)`);
    },
  };
}
