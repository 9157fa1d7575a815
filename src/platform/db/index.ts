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
export { WriteBatch, type BatchInsertOptions } from './batch.ts';
export { PREPARED, PREPARED_MARK, reusableQuery } from './prepared.ts';
export {
  casesWithoutRecord,
  inReportPeriod,
  insertOncePerCase,
  lockWithCase,
  ofAuthorities,
  personOfCaseColumns,
  recordIdOfCase,
  type LockedCaseColumns,
  type ReportPeriod,
} from './case-records.ts';
