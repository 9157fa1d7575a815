/**
 * Several writes sent to the database as ONE statement, each as a data-modifying CTE:
 *
 *   with w0 as (insert into cases … on conflict do nothing returning id),
 *        w1 as (insert into case_events (…) select $1, $2, … from w0),
 *        w2 as (update form_drafts set … where id = $9 and exists (select from w0))
 *   select * from w0
 *
 * A round trip costs more than a small insert (on these machines a loopback write and the wake-up of the
 * database process take longer than executing the statement), so a use-case that writes eight rows sends
 * one statement instead of eight. The writes see the same snapshot and not each other's rows; a write
 * that must happen only if an earlier one did (everything about a new case, only if the case row was
 * inserted) selects its values from that write's CTE ({@link valuesFrom}) or checks `exists` on it.
 * Foreign keys between the rows are fine: PostgreSQL checks them at the end of the statement.
 *
 * The SQL of each write stays in its module's repository; this file only strings them together.
 */
import { sql, type OperationNodeSource, type RawBuilder } from 'kysely';
import type { Db, Tx } from './transaction.ts';
import { PREPARED } from './prepared.ts';

interface Write {
  name: string;
  query: OperationNodeSource;
  done?: () => void;
}

export class WriteBatch {
  private readonly writes: Write[] = [];

  /**
   * Adds a write (a Kysely insert/update/delete builder). Returns the name of its CTE, which later writes
   * can select from. `done` runs after the statement has executed, if the first write returned a row
   * (e.g. to note an audit row, gated on the first write, in the request's audit scope).
   */
  add(query: OperationNodeSource, done?: () => void): string {
    const name = `w${this.writes.length}`;
    this.writes.push({ name, query, done });
    return name;
  }

  get size(): number {
    return this.writes.length;
  }

  /**
   * Sends the writes as one statement and returns the rows the first write returned (give it a
   * `returning` clause: they are how the caller learns whether it happened).
   */
  async execute<R = Record<string, unknown>>(db: Db | Tx): Promise<R[]> {
    if (this.writes.length === 0) return [];
    const ctes = sql.join(
      this.writes.map((w) => sql`${sql.id(w.name)} as (${w.query})`),
      sql`, `,
    );
    // Prepared (platform/db/prepared.ts): a use-case's batch has one of a few fixed shapes.
    const result = await sql<R>`with ${ctes} select * from ${sql.id(this.writes[0].name)}${PREPARED}`.execute(
      db,
    );
    if (result.rows.length > 0) for (const w of this.writes) w.done?.();
    return result.rows;
  }
}

/**
 * `select $1, $2, … from <gate>`: the values of one row, produced only when the write named `gate`
 * returned a row. Use with `insertInto(table).columns(Object.keys(row)).expression(valuesFrom(gate, row))`;
 * PostgreSQL types each parameter from the column it is inserted into. Keys whose value is undefined are
 * left out, so pass the same object to `columns` through {@link definedColumns}.
 */
export function valuesFrom(gate: string, row: Record<string, unknown>): RawBuilder<unknown> {
  const values = definedColumns(row).map((column) => sql`${row[column]}`);
  return sql`select ${sql.join(values)} from ${sql.id(gate)}`;
}

/** The keys of `row` whose value is not undefined, in order (the column list for {@link valuesFrom}). */
export function definedColumns<T extends object>(row: T): (keyof T & string)[] {
  return (Object.keys(row) as (keyof T & string)[]).filter((key) => row[key] !== undefined);
}
