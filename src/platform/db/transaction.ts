import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.ts';

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;

/**
 * Run `work` in a transaction. Use-cases own transactions; repositories take `Db | Tx`.
 * On PGlite the single-connection pool serialises transactions; never use the outer `db` inside `work`
 * (on PGlite it would wait for the connection the transaction holds).
 */
export function withTransaction<T>(db: Db, work: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
