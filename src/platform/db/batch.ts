/**
 * Several writes sent to the database as ONE statement, each as a data-modifying CTE:
 *
 *   with w0 as (insert into cases … on conflict do nothing returning id),
 *        w1 as (insert into case_events (…) select $9, $10, … from w0),
 *        w2 as (update form_drafts set … where id = $30 and exists (select from w0))
 *   select * from w0
 *
 * A round trip costs more than a small insert (on these machines a loopback write and the wake-up of the
 * database process take longer than executing the statement), so a use-case that writes eight rows sends
 * one statement instead of eight. The writes see the same snapshot and not each other's rows; a write
 * that must happen only if an earlier one did (everything about a new case, only if the case row was
 * inserted) is gated on that write: an insert's values are selected from its CTE, an update checks
 * `exists` on it. Foreign keys between the rows are fine: PostgreSQL checks them at the end of the
 * statement.
 *
 * Inserts and updates by key ({@link WriteBatch.insert}, {@link WriteBatch.update}) are written as SQL text here, without building and compiling a
 * Kysely query for each (the form submission's hot path writes eight rows; that work cost more than the
 * database's); other writes are Kysely builders ({@link WriteBatch.add}). The statement is prepared
 * (platform/db/prepared.ts): a use-case's batch has one of a few fixed shapes. The SQL of each write is
 * still the calling repository's: this file only strings the writes together.
 */
import { CompiledQuery, type Compilable } from 'kysely';
import type { DB, NewRow } from './schema.ts';
import type { Db, Tx } from './transaction.ts';
import { PREPARED_MARK } from './prepared.ts';

interface Write {
  name: string;
  /** The write's SQL with its parameters numbered from `$<offset + 1>`. */
  sql: (offset: number) => string;
  parameters: readonly unknown[];
  done?: () => void;
}

/** `$<offset + 1>, $<offset + 2>, …` for `count` parameters. */
const placeholders = (offset: number, count: number) =>
  Array.from({ length: count }, (_, i) => `$${offset + i + 1}`).join(', ');

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

export interface BatchInsertOptions {
  /** Write the row only if the write of this name returned a row. */
  gate?: string;
  /** `on conflict do nothing` on any unique column (`true`) or on these columns. */
  onConflictDoNothing?: true | readonly string[];
  /** Columns to return (the first write's rows are what {@link WriteBatch.execute} returns). */
  returning?: readonly string[];
  /** Runs after the statement, if the first write returned a row. */
  done?: () => void;
}

export class WriteBatch {
  private readonly writes: Write[] = [];

  /**
   * Adds an insert of one row (columns whose value is undefined are left out). Returns the name of its
   * write, which later writes can be gated on.
   */
  insert<T extends keyof DB>(table: T, row: NewRow<T>, options: BatchInsertOptions = {}): string {
    const values = row as Record<string, unknown>;
    const columns = Object.keys(values).filter((column) => values[column] !== undefined);
    const head = `insert into ${quote(table)} (${columns.map(quote).join(', ')}) `;
    let tail = '';
    if (options.onConflictDoNothing === true) tail += ' on conflict do nothing';
    else if (options.onConflictDoNothing)
      tail += ` on conflict (${options.onConflictDoNothing.map(quote).join(', ')}) do nothing`;
    if (options.returning?.length) tail += ` returning ${options.returning.map(quote).join(', ')}`;
    const gate = options.gate ? quote(options.gate) : null;
    return this.push(
      (offset) =>
        gate
          ? `${head}select ${placeholders(offset, columns.length)} from ${gate}${tail}`
          : `${head}values (${placeholders(offset, columns.length)})${tail}`,
      columns.map((column) => values[column]),
      options.done,
    );
  }

  /**
   * Adds an update of the rows whose columns equal `where` (all of them), setting `set`; gated like an
   * insert (`and exists (select from <gate>)`).
   */
  update<T extends keyof DB>(
    table: T,
    set: Partial<NewRow<T>>,
    where: Partial<NewRow<T>>,
    options: { gate?: string } = {},
  ): string {
    const values = set as Record<string, unknown>;
    const keys = where as Record<string, unknown>;
    const columns = Object.keys(values).filter((column) => values[column] !== undefined);
    const conditions = Object.keys(keys);
    const parameters = [...columns.map((c) => values[c]), ...conditions.map((c) => keys[c])];
    const gate = options.gate ? ` and exists (select from ${quote(options.gate)})` : '';
    return this.push(
      (offset) =>
        `update ${quote(table)} set ${columns.map((c, i) => `${quote(c)} = $${offset + i + 1}`).join(', ')}` +
        ` where ${conditions.map((c, i) => `${quote(c)} = $${offset + columns.length + i + 1}`).join(' and ')}${gate}`,
      parameters,
    );
  }

  /**
   * Adds any other write as a Kysely builder (an update gated with `exists (select from <gate>)`, …).
   * Its parameters are renumbered to follow the batch's: the builder must not put `$` followed by a
   * digit in SQL text of its own.
   */
  add(query: Compilable, done?: () => void): string {
    const compiled = query.compile();
    return this.push(
      (offset) => compiled.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`),
      compiled.parameters,
      done,
    );
  }

  get size(): number {
    return this.writes.length;
  }

  private push(sql: (offset: number) => string, parameters: readonly unknown[], done?: () => void): string {
    const name = `w${this.writes.length}`;
    this.writes.push({ name, sql, parameters, done });
    return name;
  }

  /**
   * Sends the writes as one statement and returns the rows the first write returned (give it
   * `returning`: they are how the caller learns whether it happened, and gate the rest).
   */
  async execute<R = Record<string, unknown>>(db: Db | Tx): Promise<R[]> {
    if (this.writes.length === 0) return [];
    const parameters: unknown[] = [];
    const ctes = this.writes.map((w) => {
      const sql = w.sql(parameters.length);
      parameters.push(...w.parameters);
      return `${quote(w.name)} as (${sql})`;
    });
    const text = `with ${ctes.join(', ')} select * from ${quote(this.writes[0].name)} ${PREPARED_MARK}`;
    const result = await db.executeQuery<R>(CompiledQuery.raw(text, parameters));
    if (result.rows.length > 0) for (const w of this.writes) w.done?.();
    return result.rows;
  }
}
