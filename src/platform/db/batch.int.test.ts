/**
 * WriteBatch against a real database (PGlite by default, PostgreSQL when TEST_DATABASE_URL is set): the
 * writes go as one statement, gated writes happen only when their gate's write did, parameters of
 * builder writes are renumbered, and the prepared mark does not change the result.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { openTestDatabase } from '../../../test/support/db.ts';
import { WriteBatch, type Database } from './index.ts';

let database: Database;
before(async () => {
  database = await openTestDatabase();
});
after(async () => {
  await database.close();
});

function authorityAndTeams(code: string, id: string) {
  const batch = new WriteBatch();
  const gate = batch.insert(
    'authorities',
    { id, code, name: `Batch ${code}`, kind: 'county', website: undefined },
    { onConflictDoNothing: ['code'], returning: ['id'] },
  );
  batch.insert('teams', { authority_id: id, code: 'one', name: 'One' }, { gate });
  batch.insert('teams', { authority_id: id, code: 'two', name: 'Two' }, { gate });
  batch.update('teams', { email: 'two@example.com' }, { authority_id: id, code: 'two' }, { gate });
  return { batch, gate };
}

void test('the writes of a batch happen together, in one statement', async () => {
  const code = `batch-${randomUUID()}`;
  const id = randomUUID();
  const { batch } = authorityAndTeams(code, id);
  const rows = await batch.execute<{ id: string }>(database.db);
  assert.deepEqual(rows, [{ id }]);
  const teams = await database.db
    .selectFrom('teams')
    .select(['code', 'email'])
    .where('authority_id', '=', id)
    .orderBy('code')
    .execute();
  // The update saw the snapshot before the inserts: the new team is not updated in the same statement.
  assert.deepEqual(teams, [
    { code: 'one', email: null },
    { code: 'two', email: null },
  ]);
});

void test('gated writes do nothing when the gate wrote nothing, and done callbacks do not run', async () => {
  const code = `batch-${randomUUID()}`;
  const first = randomUUID();
  await authorityAndTeams(code, first).batch.execute(database.db);
  const second = randomUUID();
  let done = 0;
  const { batch, gate } = authorityAndTeams(code, second); // same code: the authority insert does nothing
  batch.insert(
    'audit_log',
    { actor_type: 'system', action: 'batch.test', record_id: second, details: '{}' },
    { gate, done: () => (done += 1) },
  );
  assert.deepEqual(await batch.execute(database.db), []);
  assert.equal(done, 0);
  const teams = await database.db
    .selectFrom('teams')
    .select('id')
    .where('authority_id', '=', second)
    .execute();
  assert.deepEqual(teams, []);
  const audited = await database.db
    .selectFrom('audit_log')
    .select('id')
    .where('record_id', '=', second)
    .execute();
  assert.deepEqual(audited, []);
});

void test('builder writes are renumbered after the inserts before them', async () => {
  const code = `batch-${randomUUID()}`;
  const id = randomUUID();
  await authorityAndTeams(code, id).batch.execute(database.db);
  const batch = new WriteBatch();
  const gate = batch.insert(
    'teams',
    { authority_id: id, code: 'three', name: 'Three' },
    { returning: ['code'] },
  );
  let done = 0;
  batch.add(
    database.db
      .updateTable('teams')
      .set({ name: 'One, renamed' })
      .where('authority_id', '=', id)
      .where('code', '=', 'one')
      .where(sql<boolean>`exists (select from ${sql.id(gate)})`),
    () => (done += 1),
  );
  assert.deepEqual(await batch.execute(database.db), [{ code: 'three' }]);
  assert.equal(done, 1);
  const names = await database.db
    .selectFrom('teams')
    .select(['code', 'name'])
    .where('authority_id', '=', id)
    .orderBy('code')
    .execute();
  assert.deepEqual(names, [
    { code: 'one', name: 'One, renamed' },
    { code: 'three', name: 'Three' },
    { code: 'two', name: 'Two' },
  ]);
});
