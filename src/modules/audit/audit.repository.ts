/** SQL for the audit-log search: reads `audit_log` (never writes but the "searched" row), `staff_users`. */
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';

export interface AuditQuery {
  actorIds?: readonly string[];
  record?: { type: string; id: string };
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Exact action, or a prefix ending in '.' (`case.`). */
  action?: string;
  authorityIds: readonly string[];
  limit: number;
  offset: number;
}

/**
 * Staff whose email is `term` (any case) or whose name contains it, in any council of the shared front
 * door: a city auditor may look for a county agent who read a city record (the rows shown are still only
 * those `searchAudit` lets the searcher see).
 */
export function staffMatching(db: Db, term: string) {
  const t = term.trim().toLowerCase();
  return db
    .selectFrom('staff_users')
    .select(['id', 'display_name', 'email'])
    .where((eb) =>
      eb.or([
        eb(sql<string>`lower(email)`, '=', t),
        eb(sql<string>`lower(display_name)`, 'like', `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`),
      ]),
    )
    .orderBy('display_name')
    .limit(20)
    .execute();
}

/**
 * Newest first. A person search reads `audit_log_actor_idx (actor_id, at desc)`, a record search
 * `audit_log_record_idx (record_type, record_id, at desc)`; the other filters narrow those rows.
 */
export function searchAudit(db: Db, q: AuditQuery) {
  let query = db
    .selectFrom('audit_log as a')
    .leftJoin('staff_users as u', (join) =>
      join.on((eb) =>
        eb.and([eb('a.actor_type', '=', 'staff'), eb(sql`u.id::text`, '=', eb.ref('a.actor_id'))]),
      ),
    )
    .select([
      'a.id',
      'a.at',
      'a.actor_type',
      'a.actor_id',
      'a.action',
      'a.record_type',
      'a.record_id',
      'a.outcome',
      'a.reason',
      'a.details',
      'u.display_name as staff_name',
    ])
    // Rows of the searcher's councils, rows about records their councils own (whoever read them), and
    // rows with no council.
    .where((eb) =>
      eb.or([
        eb('a.authority_id', 'in', [...q.authorityIds]),
        eb('a.record_authority_id', 'in', [...q.authorityIds]),
        eb('a.authority_id', 'is', null),
      ]),
    );
  if (q.actorIds) query = query.where('a.actor_id', 'in', q.actorIds.length ? [...q.actorIds] : ['']);
  if (q.record)
    query = query.where('a.record_type', '=', q.record.type).where('a.record_id', '=', q.record.id);
  if (q.from) query = query.where('a.at', '>=', q.from);
  if (q.to) query = query.where('a.at', '<', q.to);
  if (q.action) {
    query = q.action.endsWith('.')
      ? query.where('a.action', 'like', `${q.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
      : query.where('a.action', '=', q.action);
  }
  return query.orderBy('a.at', 'desc').orderBy('a.id', 'desc').limit(q.limit).offset(q.offset).execute();
}

export type AuditRow = Awaited<ReturnType<typeof searchAudit>>[number];
