/**
 * The audit log: an append-only record of who viewed or changed which personal data, when and why.
 * The table refuses UPDATE and DELETE (trigger in the core migration). Write audit rows in the same
 * transaction as the change they describe.
 *
 * Each web request runs in an audit scope (`runInAuditScope`, entered by the staff guard for every route):
 * every row written while handling the request is remembered there, so the one request-level hook that
 * writes a route's declared `auditEvent` (identity.staff.routes.ts) adds a row only when the handler's own
 * use-case has not already recorded that event (or, for a refusal, a denial). A database trigger fills
 * `record_authority_id` from the record (case, customer, complaint, information request) so the auditors
 * of the council that owns a record can see who read it, whichever council the reader works for.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Tx } from '../db/index.ts';
import { insertAuditRow } from './audit.repository.ts';

export type AuditOutcome = 'ok' | 'denied' | 'failed';

export interface AuditEntry {
  actorType: 'staff' | 'customer' | 'system' | 'api' | 'anonymous';
  actorId?: string | null;
  authorityId?: string | null;
  action: string;
  recordType?: string | null;
  recordId?: string | null;
  outcome?: AuditOutcome;
  reason?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown>;
  at?: Date;
}

/** What has been audited while handling the current request. */
export interface AuditScope {
  /** The web request's id: rows written without one get it. */
  requestId: string;
  written: AuditedInScope[];
}

/** One row written in a request's scope: what, with what outcome, by whom. */
export interface AuditedInScope {
  action: string;
  outcome: AuditOutcome;
  actorId: string | null;
}

const scopes = new AsyncLocalStorage<AuditScope>();

/** Runs `next` (the rest of request `requestId`) in a fresh audit scope. */
export function runInAuditScope(requestId: string, next: () => void): void {
  scopes.run({ requestId, written: [] }, next);
}

/** The rows written so far in this request's scope (empty outside a request). */
export function auditedInScope(): readonly AuditedInScope[] {
  return scopes.getStore()?.written ?? [];
}

export async function audit(db: Db | Tx, entry: AuditEntry): Promise<void> {
  const outcome = entry.outcome ?? 'ok';
  const scope = scopes.getStore();
  await insertAuditRow(db, {
    actor_type: entry.actorType,
    actor_id: entry.actorId ?? null,
    authority_id: entry.authorityId ?? null,
    action: entry.action,
    record_type: entry.recordType ?? null,
    record_id: entry.recordId ?? null,
    outcome,
    reason: entry.reason ?? null,
    request_id: entry.requestId ?? scope?.requestId ?? null,
    details: JSON.stringify(entry.details ?? {}),
    ...(entry.at ? { at: entry.at } : {}),
  });
  scope?.written.push({ action: entry.action, outcome, actorId: entry.actorId ?? null });
}
