/**
 * SQL for handling a case on the staff side: who has it (team, assignee), related cases and reply templates.
 * Tables: `cases` (team_id, assignee_id, priority, tags), `case_links`, `reply_templates`; reads `teams`,
 * `staff_users`, `staff_team_members`, `services`.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';

type Q = Db | Tx;

/** The case's handling facts, locked for the rest of the transaction. */
export function lockHandling(trx: Tx, caseId: string) {
  return trx
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .innerJoin('teams as t', 't.id', 'c.team_id')
    .select([
      'c.id',
      'c.authority_id',
      'c.reference',
      'c.team_id',
      'c.assignee_id',
      'c.priority',
      'c.tags',
      'c.closed_at',
      's.name as service_name',
      's.sensitivity',
      't.name as team_name',
    ])
    .where('c.id', '=', caseId)
    .forUpdate('c')
    .executeTakeFirst();
}

export type HandlingRow = NonNullable<Awaited<ReturnType<typeof lockHandling>>>;

/** An active member of a team (with their name and email), or undefined. */
export function activeMember(db: Q, teamId: string, staffId: string) {
  return db
    .selectFrom('staff_users as u')
    .innerJoin('staff_team_members as m', 'm.staff_user_id', 'u.id')
    .select(['u.id', 'u.display_name as name', 'u.email'])
    .where('m.team_id', '=', teamId)
    .where('u.id', '=', staffId)
    .where('u.active', '=', true)
    .executeTakeFirst();
}

/** A member of staff's display name (for emails about a handover), or undefined. */
export async function staffDisplayName(db: Q, staffId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('staff_users')
    .select('display_name')
    .where('id', '=', staffId)
    .executeTakeFirst();
  return row?.display_name;
}

/** Active members of a team, for the "assign to" choice (name order). */
export function teamMembers(db: Q, teamId: string) {
  return db
    .selectFrom('staff_users as u')
    .innerJoin('staff_team_members as m', 'm.staff_user_id', 'u.id')
    .select(['u.id', 'u.display_name as name', 'u.available', 'm.is_leader'])
    .where('m.team_id', '=', teamId)
    .where('u.active', '=', true)
    .orderBy('u.display_name')
    .execute();
}

/** A team with its authority (transfers stay within the case's authority). */
export function findTeam(db: Q, teamId: string) {
  return db
    .selectFrom('teams as t')
    .innerJoin('authorities as a', 'a.id', 't.authority_id')
    .select(['t.id', 't.name', 't.email', 't.authority_id', 'a.name as authority_name'])
    .where('t.id', '=', teamId)
    .executeTakeFirst();
}

export function teamsOfAuthority(db: Q, authorityId: string) {
  return db
    .selectFrom('teams')
    .select(['id', 'name'])
    .where('authority_id', '=', authorityId)
    .orderBy('name')
    .execute();
}

/** The leaders of a team (who hear about transfers in). */
export function teamLeaders(db: Q, teamId: string) {
  return db
    .selectFrom('staff_users as u')
    .innerJoin('staff_team_members as m', 'm.staff_user_id', 'u.id')
    .select(['u.id', 'u.display_name as name', 'u.email'])
    .where('m.team_id', '=', teamId)
    .where('m.is_leader', '=', true)
    .where('u.active', '=', true)
    .execute();
}

export async function setHandling(
  db: Q,
  caseId: string,
  values: {
    team_id?: string;
    assignee_id?: string | null;
    priority?: 'low' | 'normal' | 'high' | 'urgent';
    tags?: string[];
    routing_reason?: string;
    updated_at: Date;
  },
): Promise<void> {
  await db.updateTable('cases').set(values).where('id', '=', caseId).execute();
}

/** A case by reference, with what the visibility rule needs. */
export function caseByReference(db: Q, reference: string) {
  return db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select(['c.id', 'c.reference', 'c.authority_id', 'c.team_id', 's.sensitivity'])
    .where('c.reference', '=', reference)
    .executeTakeFirst();
}

/** Stores the pair once, smaller id first; false when it was already there. */
export async function insertLink(
  db: Q,
  row: { authorityId: string; a: string; b: string; createdBy: string | null; at: Date },
): Promise<boolean> {
  const [first, second] = row.a < row.b ? [row.a, row.b] : [row.b, row.a];
  const inserted = await db
    .insertInto('case_links')
    .values({
      authority_id: row.authorityId,
      case_id: first,
      linked_case_id: second,
      created_by: row.createdBy,
      created_at: row.at,
    })
    .onConflict((oc) => oc.columns(['case_id', 'linked_case_id']).doNothing())
    .returning('case_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function deleteLink(db: Q, a: string, b: string): Promise<boolean> {
  const [first, second] = a < b ? [a, b] : [b, a];
  const result = await db
    .deleteFrom('case_links')
    .where('case_id', '=', first)
    .where('linked_case_id', '=', second)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Cases linked to this one (either direction), with what the page and the visibility rule need. */
export function linkedCases(db: Q, caseId: string) {
  return db
    .selectFrom('case_links as l')
    .innerJoin('cases as c', (j) =>
      j.on(
        sql<boolean>`c.id = case when l.case_id = ${caseId}::uuid then l.linked_case_id else l.case_id end`,
      ),
    )
    .innerJoin('services as s', 's.id', 'c.service_id')
    .innerJoin('authorities as a', 'a.id', 'c.authority_id')
    .select([
      'c.id',
      'c.reference',
      'c.status',
      'c.team_id',
      'c.closed_at',
      's.name as service_name',
      's.sensitivity',
      'a.name as authority_name',
      'l.created_at',
    ])
    .where((eb) => eb.or([eb('l.case_id', '=', caseId), eb('l.linked_case_id', '=', caseId)]))
    .orderBy('l.created_at')
    .execute();
}

/** Reply templates for a case: the authority's general ones and the service's own, title order. */
export function replyTemplatesFor(db: Q, authorityId: string, serviceId: string) {
  return db
    .selectFrom('reply_templates')
    .select(['id', 'title', 'body', 'service_id'])
    .where('authority_id', '=', authorityId)
    .where((eb) => eb.or([eb('service_id', 'is', null), eb('service_id', '=', serviceId)]))
    .orderBy('title')
    .execute();
}

export async function insertReplyTemplate(
  db: Q,
  row: { authorityId: string; serviceId?: string | null; title: string; body: string },
): Promise<string> {
  const inserted = await db
    .insertInto('reply_templates')
    .values({
      authority_id: row.authorityId,
      service_id: row.serviceId ?? null,
      title: row.title,
      body: row.body,
    })
    .onConflict((oc) => oc.columns(['authority_id', 'title']).doUpdateSet({ body: row.body }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}
