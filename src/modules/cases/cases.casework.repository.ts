/**
 * SQL for the casework modules' use of cases (complaints, information requests, compliments): the case
 * summary they read, the state they write when their own record leads the case, staff-only notes of their
 * own kinds.
 */
import type { Db, RowUpdate, Tx } from '../../platform/db/index.ts';

type Q = Db | Tx;

const summaryQuery = (db: Q) =>
  db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select([
      'c.id',
      'c.authority_id',
      'c.reference',
      'c.status',
      'c.customer_id',
      'c.team_id',
      'c.closed_at',
      'c.guest_name',
      'c.guest_email',
      'c.guest_phone',
      'c.answers',
      'c.received_at',
      'c.origin_channel',
      's.id as service_id',
      's.name as service_name',
      's.kind as service_kind',
    ]);

export function findCaseSummary(db: Q, caseId: string) {
  return summaryQuery(db).where('c.id', '=', caseId).executeTakeFirst();
}

export function findCaseSummaryByReference(db: Q, reference: string) {
  return summaryQuery(db).where('c.reference', '=', reference).executeTakeFirst();
}

export type CaseSummaryRow = NonNullable<Awaited<ReturnType<typeof findCaseSummary>>>;

export async function updateCaseState(trx: Tx, caseId: string, values: RowUpdate<'cases'>): Promise<void> {
  const dueAt = values.due_at;
  await trx
    .updateTable('cases')
    .set((eb) => ({
      ...values,
      // A later deadline (a complaint's stage 2, an extension) is a new clock: its "due soon" and "overdue"
      // warnings must be able to fire again. A deadline that stays or moves earlier keeps them.
      ...(dueAt instanceof Date
        ? {
            sla_warned_at: eb
              .case()
              .when(eb.or([eb('due_at', 'is', null), eb('due_at', '<', dueAt)]))
              .then(null)
              .else(eb.ref('sla_warned_at'))
              .end(),
            sla_breached_at: eb
              .case()
              .when(eb.or([eb('due_at', 'is', null), eb('due_at', '<', dueAt)]))
              .then(null)
              .else(eb.ref('sla_breached_at'))
              .end(),
          }
        : {}),
    }))
    .where('id', '=', caseId)
    .execute();
}

export async function insertCaseEvent(
  trx: Tx,
  values: {
    authorityId: string;
    caseId: string;
    kind: string;
    visibleToCustomer: boolean;
    body: string | null;
    data: Record<string, unknown>;
    staffId: string | null;
    customerId: string | null;
    at: Date;
  },
): Promise<void> {
  await trx
    .insertInto('case_events')
    .values({
      authority_id: values.authorityId,
      case_id: values.caseId,
      kind: values.kind,
      visible_to_customer: values.visibleToCustomer,
      body: values.body,
      data: JSON.stringify(values.data),
      actor_staff_id: values.staffId,
      actor_customer_id: values.customerId,
      created_at: values.at,
    })
    .execute();
}
