/**
 * SQL for the staff case page: the case with the names the page shows (service, council, team, assignee,
 * customer), and the feedback left after it. Reads `cases`, `services`, `authorities`, `teams`,
 * `staff_users`, `customers` and `feedback` (read here rather than through the feedback module, which
 * imports this one).
 */
import type { Db, Tx } from '../../platform/db/index.ts';

type Q = Db | Tx;

/** The case page's row: the case and the names shown with it, or undefined. */
export function staffCaseRow(db: Q, caseId: string) {
  return db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .innerJoin('authorities as a', 'a.id', 'c.authority_id')
    .innerJoin('teams as t', 't.id', 'c.team_id')
    .leftJoin('staff_users as u', 'u.id', 'c.assignee_id')
    .leftJoin('customers as p', 'p.id', 'c.customer_id')
    .select([
      'c.id',
      'c.authority_id',
      'c.reference',
      'c.status',
      'c.priority',
      'c.tags',
      'c.assignee_id',
      'c.origin_channel',
      'c.customer_id',
      'c.guest_name',
      'c.guest_email',
      'c.guest_phone',
      'c.received_at',
      'c.due_at',
      'c.closed_at',
      'c.sla_paused_at',
      'c.answers',
      'c.team_id',
      'c.routing_reason',
      'c.service_id',
      's.sensitivity',
      'a.name as authority_name',
      't.name as team_name',
      'u.display_name as assignee_name',
      'p.given_name',
      'p.family_name',
      'p.organisation_name',
      'p.preferred_language',
      'p.communication_needs',
    ])
    .where('c.id', '=', caseId)
    .executeTakeFirst();
}

export type StaffCaseRow = NonNullable<Awaited<ReturnType<typeof staffCaseRow>>>;

/** Satisfaction left after the case was closed, newest first. */
export function feedbackOfCase(db: Q, caseId: string) {
  return db
    .selectFrom('feedback')
    .select(['id', 'satisfaction', 'effort', 'comment', 'created_at'])
    .where('case_id', '=', caseId)
    .orderBy('created_at', 'desc')
    .execute();
}
