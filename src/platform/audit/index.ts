/**
 * The audit log: an append-only record of who viewed or changed which personal data, when and why.
 * The table refuses UPDATE and DELETE (trigger in the core migration). Write audit rows in the same
 * transaction as the change they describe.
 */
import type { Db, Tx } from '../db/index.ts';

export interface AuditEntry {
  actorType: 'staff' | 'customer' | 'system' | 'api' | 'anonymous';
  actorId?: string | null;
  authorityId?: string | null;
  action: string;
  recordType?: string | null;
  recordId?: string | null;
  outcome?: 'ok' | 'denied' | 'failed';
  reason?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown>;
  at?: Date;
}

export async function audit(db: Db | Tx, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_type: entry.actorType,
      actor_id: entry.actorId ?? null,
      authority_id: entry.authorityId ?? null,
      action: entry.action,
      record_type: entry.recordType ?? null,
      record_id: entry.recordId ?? null,
      outcome: entry.outcome ?? 'ok',
      reason: entry.reason ?? null,
      request_id: entry.requestId ?? null,
      details: JSON.stringify(entry.details ?? {}),
      ...(entry.at ? { at: entry.at } : {}),
    })
    .execute();
}
