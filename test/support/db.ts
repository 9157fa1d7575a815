/**
 * Test databases. Integration tests run on an in-memory PGlite by default and on PostgreSQL when
 * TEST_DATABASE_URL is set (CI runs both). Migrations run once per test process; tests never truncate:
 * each test makes its own authority and records with the builders, so files can run in parallel.
 *
 * Browser tests seed the whole demo council and sign in as its named staff, so on PostgreSQL each
 * browser-test server gets a database of its own (`isolated: true`), created from TEST_DATABASE_URL
 * and dropped on close; otherwise one file's lock-outs and records would leak into the next.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
    const database = await openDatabase({
      engine: 'pglite',
      dataDir: 'memory',
      loadDataDir: await migratedSnapshot(),
    });
    await migrateToLatest(database.db); // a no-op on the snapshot; kept so a stale one can never be used
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

// ---------------------------------------------------------------------------------------------------------
// A migrated PGlite snapshot. Creating an empty PGlite cluster (initdb in WebAssembly) takes 5–10 s on these
// machines; starting from a tarball of an already-migrated cluster takes about 1 s. The snapshot is built
// once per set of migrations (keyed by their contents and the PGlite version), shared by every test
// process through a file in the OS temp folder, written to a temporary name and renamed so a reader never
// sees half a file. Two processes that both miss build it twice, harmlessly.

const migrationsDir = fileURLToPath(new URL('../../src/platform/db/migrations/', import.meta.url));
let snapshot: Promise<Blob> | null = null;

function snapshotKey(): string {
  const hash = createHash('sha256');
  const pglite = JSON.parse(
    readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  hash.update(pglite.version);
  for (const name of readdirSync(migrationsDir).sort()) {
    hash.update(name);
    hash.update(readFileSync(join(migrationsDir, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

function migratedSnapshot(): Promise<Blob> {
  snapshot ??= (async () => {
    const dir = join(tmpdir(), 'frontdoor-test-snapshots');
    const file = join(dir, `pglite-${snapshotKey()}.tar`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const fresh = await openDatabase({ engine: 'pglite', dataDir: 'memory' });
    try {
      await migrateToLatest(fresh.db);
      const tarball = await fresh.dump!();
      mkdirSync(dir, { recursive: true });
      const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
      writeFileSync(partial, Buffer.from(await tarball.arrayBuffer()));
      renameSync(partial, file);
      return tarball;
    } finally {
      await fresh.close();
    }
  })();
  return snapshot;
}
