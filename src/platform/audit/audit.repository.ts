/** SQL for the audit log writer: one insert into `audit_log` (append-only; the table refuses updates). */
import type { Db, NewRow, Tx, WriteBatch } from '../db/index.ts';

export async function insertAuditRow(db: Db | Tx, row: NewRow<'audit_log'>): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

/** The same insert as one write of `batch`, only if its write `gate` returned a row. */
export function insertAuditRowInBatch(
  batch: WriteBatch,
  row: NewRow<'audit_log'>,
  gate: string,
  done: () => void,
): void {
  batch.insert('audit_log', row, { gate, done });
}
