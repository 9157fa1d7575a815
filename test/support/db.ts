/**
 * Test databases. Integration tests run on an in-memory PGlite by default and on PostgreSQL when
 * TEST_DATABASE_URL is set (CI runs both). Migrations run once per test process; tests never truncate:
 * each test makes its own authority and records with the builders, so files can run in parallel.
 */
import { openDatabase, migrateToLatest, type Database } from '../../src/platform/db/index.ts';

export const testEngine: 'postgres' | 'pglite' = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

export async function openTestDatabase(options: { poolSize?: number } = {}): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL;
  const database = url
    ? await openDatabase({ engine: 'postgres', url, poolSize: options.poolSize ?? 5 })
    : await openDatabase({ engine: 'pglite', dataDir: 'memory' });
  await migrateToLatest(database.db);
  return database;
}
