/**
 * Prepared statements for the hot path. On these machines PostgreSQL spends most of a short statement's
 * time parsing and planning it (a draft read: 0.33 ms of server CPU unprepared, 0.09 ms prepared), so a
 * statement that runs on every form submission is worth preparing once per connection.
 *
 * Opt-in, per statement: a repository ends the statement with {@link PREPARED} (Kysely
 * `.modifyEnd(PREPARED)`, or the text inside a `sql` template), and the PostgreSQL pool sends it as a named
 * statement (`pg`'s `{ name, text, values }`), parsed once per connection and then only bound and executed.
 * Only fixed-shape statements should be marked (no `in (…)` lists of varying length): each distinct text is
 * a statement kept by every connection, capped at {@link MAX_PREPARED_PER_CONNECTION}. Plans follow
 * PostgreSQL's `plan_cache_mode = auto` (custom plans first, a generic plan when it costs no more).
 * PGlite runs the same text unprepared (the mark is a comment).
 */
import { createHash } from 'node:crypto';
import { sql, type Compilable, type CompiledQuery } from 'kysely';
import type { Db, Tx } from './transaction.ts';
import type pg from 'pg';

export const PREPARED_MARK = '/* prepared */';
/** `.modifyEnd(PREPARED)`: prepare this statement once per connection (PostgreSQL). */
export const PREPARED = sql.raw(` ${PREPARED_MARK}`);
export const MAX_PREPARED_PER_CONNECTION = 200;

const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `fd_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    if (names.size >= 1000) names.clear();
    names.set(text, name);
  }
  return name;
}

/** Sends marked statements on `client` as named (prepared) statements. */
export function prepareMarkedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const prepared = new Set<string>();
  (client as { query: unknown }).query = (...args: unknown[]): unknown => {
    const [text, values] = args;
    if (typeof text !== 'string' || !Array.isArray(values) || !text.endsWith(PREPARED_MARK))
      return query(...args);
    const name = statementName(text);
    if (!prepared.has(name)) {
      if (prepared.size >= MAX_PREPARED_PER_CONNECTION) return query(...args);
      prepared.add(name);
    }
    return query({ name, text, values }, ...args.slice(2));
  };
}

/** Stands in for an argument while a {@link reusableQuery} is compiled. */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * A fixed-shape query built and compiled ONCE: later calls only put their arguments where the first
 * build's placeholders were. Building a Kysely query with many columns and compiling it costs more than
 * the database's work for a prepared lookup, so the statements on the form submission's path use this
 * (with {@link PREPARED}). `build` must use its arguments only as values (parameters), never to choose
 * the shape of the query.
 */
export function reusableQuery<A extends unknown[], O>(
  build: (db: Db | Tx, ...args: A) => Compilable<O>,
): (db: Db | Tx, ...args: A) => Promise<O[]> {
  let template: { compiled: CompiledQuery<O>; slots: (number | null)[] } | null = null;
  return async (db, ...args) => {
    if (!template) {
      const compiled = build(db, ...(args.map((_, i) => new Slot(i)) as A)).compile();
      const slots = compiled.parameters.map((p) => (p instanceof Slot ? p.index : null));
      template = { compiled, slots };
    }
    const { compiled, slots } = template;
    const parameters = slots.map((slot, i) => (slot === null ? compiled.parameters[i] : args[slot]));
    const result = await db.executeQuery<O>({ ...compiled, parameters });
    return result.rows;
  };
}
