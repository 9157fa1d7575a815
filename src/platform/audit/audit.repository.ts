/** SQL for the audit log writer: one insert into `audit_log` (append-only; the table refuses updates). */
import type { Db, NewRow, Tx } from '../db/index.ts';

export async function insertAuditRow(db: Db | Tx, row: NewRow<'audit_log'>): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}
