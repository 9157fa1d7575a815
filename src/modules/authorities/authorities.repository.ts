import type { Db, Tx } from '../../platform/db/index.ts';

export function listAuthorities(db: Db | Tx) {
  return db
    .selectFrom('authorities')
    .select(['id', 'code', 'name', 'kind', 'phone', 'website'])
    .orderBy('name')
    .execute();
}
