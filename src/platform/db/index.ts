export {
  openDatabase,
  ping,
  DatabaseUnavailableError,
  type Database,
  type DatabaseTarget,
  type Engine,
  type PostgresTimeouts,
} from './database.ts';
export { faultSummary, isConnectionFault } from './faults.ts';
export { DirectoryLockedError } from './lock.ts';
export { migrateToLatest, pendingMigrations } from './migrate.ts';
export type * from './schema.ts';
export { withTransaction, type Db, type Tx } from './transaction.ts';
