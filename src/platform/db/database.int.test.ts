/**
 * Proves the database choices of ADR 0002 on whichever engine the tests run on, and that schema.ts
 * matches the migrated database.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDatabase, testEngine } from '../../../test/support/db.ts';
import { buildAuthority } from '../../../test/builders/index.ts';
import { isConnectionFault, openDatabase, type Database } from './index.ts';
import { withoutStatementTimeout } from './database.ts';
import { DirectoryLockedError } from './lock.ts';

let database: Database;
before(async () => {
  database = await openTestDatabase();
});
after(() => database.close());

const expectedColumns: Record<string, string[]> = {
  authorities: ['id', 'code', 'name', 'kind', 'website', 'phone', 'created_at'],
  cases: [
    'id',
    'authority_id',
    'reference',
    'service_id',
    'customer_id',
    'status',
    'due_at',
    'answers',
    'idempotency_key',
  ],
  outbox: [
    'id',
    'topic',
    'payload',
    'dedupe_key',
    'status',
    'attempts',
    'max_attempts',
    'run_after',
    'locked_until',
    'locked_by',
  ],
  audit_log: ['id', 'at', 'actor_type', 'actor_id', 'action', 'record_type', 'record_id', 'outcome'],
};

void test(`schema.ts tables and columns exist in the migrated database (${testEngine})`, async () => {
  const schemaSource = (await import('node:fs')).readFileSync(
    new URL('./schema.ts', import.meta.url),
    'utf8',
  );
  const tables = [...schemaSource.matchAll(/^ {2}(\w+): (\w+)Table;$/gm)].map((m) => ({
    table: m[1],
    iface: m[2],
  }));
  assert.ok(tables.length >= 15);
  const rows = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns where table_schema = current_schema()`.execute(
    database.db,
  );
  const live = new Map<string, Set<string>>();
  for (const r of rows.rows) live.set(r.table_name, (live.get(r.table_name) ?? new Set()).add(r.column_name));
  for (const { table, iface } of tables) {
    const body =
      new RegExp(`export interface ${iface}Table \\{([\\s\\S]*?)\\n\\}`).exec(schemaSource)?.[1] ?? '';
    const columns = [...body.matchAll(/^ {2}(\w+):/gm)].map((m) => m[1]);
    assert.ok(live.has(table), `table ${table} exists`);
    for (const column of columns) assert.ok(live.get(table)!.has(column), `${table}.${column} exists`);
    assert.deepEqual(
      [...live.get(table)!].sort(),
      [...columns].sort(),
      `${table} has exactly the columns schema.ts names`,
    );
  }
  for (const [table, columns] of Object.entries(expectedColumns))
    for (const c of columns) assert.ok(live.get(table)?.has(c));
});

void test('a rolled-back transaction does not take a concurrent unrelated insert with it', async () => {
  const db = database.db;
  const keep = `keep-${Date.now()}-${Math.random()}`;
  const drop = `drop-${Date.now()}-${Math.random()}`;
  const failing = db.transaction().execute(async (trx) => {
    await trx
      .insertInto('authorities')
      .values({ code: drop, name: 'Rolled back', kind: 'parish', website: null, phone: null })
      .execute();
    await new Promise((r) => setTimeout(r, 20));
    throw new Error('roll back');
  });
  const unrelated = db
    .insertInto('authorities')
    .values({ code: keep, name: 'Kept', kind: 'parish', website: null, phone: null })
    .execute();
  await assert.rejects(failing, /roll back/);
  await unrelated;
  const codes = (
    await db.selectFrom('authorities').select('code').where('code', 'in', [keep, drop]).execute()
  ).map((r) => r.code);
  assert.deepEqual(codes, [keep]);
});

void test('counts come back as numbers and dates as ISO strings on both engines', async () => {
  const authority = await buildAuthority(database.db);
  const row = await database.db
    .selectFrom('authorities')
    .select((eb) => [
      eb.fn.countAll().as('n'),
      sql<string>`date '2026-12-28'`.as('d'),
      sql<number>`count(*)::bigint`.as('big'),
    ])
    .where('id', '=', authority.id)
    .executeTakeFirstOrThrow();
  assert.equal(typeof row.big, 'number');
  assert.equal(Number(row.n), 1);
  assert.equal(row.d, '2026-12-28');
  assert.ok(authority.created_at instanceof Date);
});

void test('the audit log refuses updates and deletes', async () => {
  await database.db
    .insertInto('audit_log')
    .values({ actor_type: 'system', action: 'test.append_only' })
    .execute();
  await assert.rejects(
    database.db
      .updateTable('audit_log')
      .set({ action: 'changed' })
      .where('action', '=', 'test.append_only')
      .execute(),
    /append-only/,
  );
  await assert.rejects(
    database.db.deleteFrom('audit_log').where('action', '=', 'test.append_only').execute(),
    /append-only/,
  );
});

void test('the embedded database folder is locked against a second opener and reopens after close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-lock-'));
  const first = await openDatabase({ engine: 'pglite', dataDir: dir });
  await assert.rejects(openDatabase({ engine: 'pglite', dataDir: dir }), DirectoryLockedError);
  await first.close();
  const again = await openDatabase({ engine: 'pglite', dataDir: dir });
  await again.close();
});

void test(
  'PostgreSQL sessions carry the configured statement and idle-in-transaction timeouts; withoutStatementTimeout lifts them',
  { skip: testEngine === 'postgres' ? false : 'PostgreSQL only: set TEST_DATABASE_URL' },
  async () => {
    const timed = await openDatabase({
      engine: 'postgres',
      url: process.env.TEST_DATABASE_URL!,
      poolSize: 1,
      timeouts: { connectMs: 3000, statementMs: 300, idleInTransactionMs: 4321 },
    });
    try {
      const show = async (setting: string, db = timed.db) =>
        (await sql.raw<Record<string, string>>(`show ${setting}`).execute(db)).rows[0][setting];
      assert.equal(await show('statement_timeout'), '300ms');
      assert.equal(await show('idle_in_transaction_session_timeout'), '4321ms');
      const slow = await sql`select pg_sleep(1)`.execute(timed.db).catch((error: unknown) => error);
      assert.equal((slow as { code?: string }).code, '57014', 'cancelled by statement_timeout');
      assert.equal(isConnectionFault(slow), true, 'a statement timeout is a 503, not a 500');

      // Migrations: no statement timeout, and no client-side bound (300 ms + 5 s) either.
      await withoutStatementTimeout(timed.db, async (connection) => {
        assert.equal(await show('statement_timeout', connection), '0');
        await sql`select pg_sleep(0.5)`.execute(connection);
      });
      assert.equal(await show('statement_timeout'), '300ms', 'the same connection has its timeout back');
    } finally {
      await timed.close();
    }
  },
);
