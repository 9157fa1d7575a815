/**
 * All SQL of the complaints module: complaints, complaint_stages, complaint_remedies, learning_actions
 * (owned here), with the joins its pages need (cases for the reference, customers for the name, staff for
 * the handler). Cases, staff, teams and services themselves are read through their modules.
 */
import { sql } from 'kysely';
import * as records from '../../platform/db/case-records.ts';
import type { Db, NewRow, ReportPeriod, RowUpdate, Tx } from '../../platform/db/index.ts';

type Q = Db | Tx;

// ---- complaint cases without a record (the safety-net sweep)

/** Complaint cases opened through the forms engine that have no complaint record yet (oldest first). */
export function unadoptedComplaintCases(db: Q, limit: number) {
  return records.casesWithoutRecord(db, { table: 'complaints', kinds: ['complaint'], openOnly: true, limit });
}

// ---- complaints

export const insertComplaint = (trx: Tx, row: NewRow<'complaints'>) =>
  records.insertOncePerCase(trx, 'complaints', row);

export const findComplaintIdByCase = (db: Q, caseId: string) =>
  records.recordIdOfCase(db, 'complaints', caseId);

/** The complaint row, locked for the rest of the transaction (actions on one complaint serialise). */
export const lockComplaint = (trx: Tx, id: string) => records.lockWithCase(trx, 'complaints', id);

export type LockedComplaint = NonNullable<Awaited<ReturnType<typeof lockComplaint>>>;

export async function updateComplaint(db: Q, id: string, values: RowUpdate<'complaints'>): Promise<void> {
  await db.updateTable('complaints').set(values).where('id', '=', id).execute();
}

export function findComplaintRow(db: Q, id: string) {
  return db
    .selectFrom('complaints as x')
    .innerJoin('cases as c', 'c.id', 'x.case_id')
    .leftJoin('customers as cu', 'cu.id', 'x.customer_id')
    .leftJoin('services as s', 's.id', 'x.about_service_id')
    .selectAll('x')
    .select([...records.personOfCaseColumns, 's.name as about_service_name'])
    .where('x.id', '=', id)
    .executeTakeFirst();
}

// ---- stages

export async function insertStage(trx: Tx, row: NewRow<'complaint_stages'>): Promise<void> {
  await trx.insertInto('complaint_stages').values(row).execute();
}

export async function updateStage(
  db: Q,
  complaintId: string,
  stage: number,
  values: RowUpdate<'complaint_stages'>,
): Promise<void> {
  await db
    .updateTable('complaint_stages')
    .set(values)
    .where('complaint_id', '=', complaintId)
    .where('stage', '=', stage)
    .execute();
}

export function stagesOf(db: Q, complaintId: string) {
  return db
    .selectFrom('complaint_stages as g')
    .leftJoin('staff_users as u', 'u.id', 'g.handler_id')
    .selectAll('g')
    .select('u.display_name as handler_name')
    .where('g.complaint_id', '=', complaintId)
    .orderBy('g.stage')
    .execute();
}

export type StageRow = Awaited<ReturnType<typeof stagesOf>>[number];

// ---- remedies and learning

export async function insertRemedy(db: Q, row: NewRow<'complaint_remedies'>): Promise<string> {
  const { id } = await db
    .insertInto('complaint_remedies')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export function remediesOf(db: Q, complaintId: string) {
  return db
    .selectFrom('complaint_remedies')
    .selectAll()
    .where('complaint_id', '=', complaintId)
    .orderBy('created_at')
    .execute();
}

export async function completeRemedy(
  db: Q,
  complaintId: string,
  remedyId: string,
  on: string,
): Promise<boolean> {
  const result = await db
    .updateTable('complaint_remedies')
    .set({ completed_on: on })
    .where('id', '=', remedyId)
    .where('complaint_id', '=', complaintId)
    .where('completed_on', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function insertLearningAction(db: Q, row: NewRow<'learning_actions'>): Promise<string> {
  const { id } = await db
    .insertInto('learning_actions')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

const learningColumns = [
  'l.id',
  'l.authority_id',
  'l.complaint_id',
  'l.team_id',
  'l.description',
  'l.owner_id',
  'l.due_on',
  'l.completed_on',
  'l.completion_note',
  'o.display_name as owner_name',
  't.name as team_name',
  'c.reference as complaint_reference',
] as const;

function learningQuery(db: Q) {
  return db
    .selectFrom('learning_actions as l')
    .innerJoin('staff_users as o', 'o.id', 'l.owner_id')
    .leftJoin('teams as t', 't.id', 'l.team_id')
    .leftJoin('complaints as x', 'x.id', 'l.complaint_id')
    .leftJoin('cases as c', 'c.id', 'x.case_id')
    .select(learningColumns);
}

export function learningActionsOfComplaint(db: Q, complaintId: string) {
  return learningQuery(db).where('l.complaint_id', '=', complaintId).orderBy('l.created_at').execute();
}

export function learningActionsOfAuthorities(db: Q, authorityIds: string[], open: boolean) {
  let query = learningQuery(db).where('l.authority_id', 'in', authorityIds);
  query = open ? query.where('l.completed_on', 'is', null) : query.where('l.completed_on', 'is not', null);
  return query.orderBy('l.due_on').limit(500).execute();
}

export type LearningRow = Awaited<ReturnType<typeof learningActionsOfComplaint>>[number];

export function findLearningAction(db: Q, id: string) {
  return db.selectFrom('learning_actions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function completeLearningAction(
  db: Q,
  id: string,
  values: { on: string; by: string; note: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable('learning_actions')
    .set({ completed_on: values.on, completed_by: values.by, completion_note: values.note })
    .where('id', '=', id)
    .where('completed_on', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// ---- queues and lists

export function queue(db: Q, filter: { authorityIds: string[]; open: boolean; handlerId?: string | null }) {
  if (filter.authorityIds.length === 0) return Promise.resolve([]);
  let query = db
    .selectFrom('complaints as x')
    .innerJoin('cases as c', 'c.id', 'x.case_id')
    .innerJoin('complaint_stages as g', (join) =>
      join.onRef('g.complaint_id', '=', 'x.id').onRef('g.stage', '=', 'x.stage'),
    )
    .leftJoin('customers as cu', 'cu.id', 'x.customer_id')
    .leftJoin('staff_users as u', 'u.id', 'g.handler_id')
    .select([
      'x.id',
      'x.case_id',
      'x.stage',
      'x.workflow_type',
      'x.status',
      'x.received_on',
      'x.summary',
      ...records.personOfCaseColumns,
      'g.acknowledged_on',
      'g.acknowledge_by',
      'g.respond_by',
      'g.extension_days',
      'u.display_name as handler_name',
    ])
    .where('x.authority_id', 'in', filter.authorityIds);
  query = filter.open ? query.where('x.status', '=', 'open') : query.where('x.status', '!=', 'open');
  if (filter.handlerId) query = query.where('g.handler_id', '=', filter.handlerId);
  return query
    .orderBy(sql`case when g.acknowledged_on is null then g.acknowledge_by else g.respond_by end`)
    .orderBy('x.received_on')
    .limit(500)
    .execute();
}

export type QueueRow = Awaited<ReturnType<typeof queue>>[number];

// ---- reports

/** Responded stages in [from, to] (response dates), with the service complained about. */
export function respondedStages(db: Q, period: ReportPeriod) {
  const query = db
    .selectFrom('complaint_stages as g')
    .innerJoin('complaints as x', 'x.id', 'g.complaint_id')
    .leftJoin('services as s', 's.id', 'x.about_service_id')
    .select([
      'g.stage',
      'g.responded_on',
      'g.respond_by',
      'x.workflow_type',
      'x.root_cause',
      'x.authority_id',
      's.name as service_name',
    ]);
  return records
    .inReportPeriod(query, { date: 'g.responded_on', authority: 'x.authority_id' }, period)
    .execute();
}

/**
 * Complaint stages still open on a date (started by then, not answered, refused or closed by then), for
 * the "not yet answered" columns of the timeliness report.
 */
export function openStagesOn(db: Q, filter: { asOf: string; authorityIds?: string[] }) {
  const query = db
    .selectFrom('complaint_stages as g')
    .innerJoin('complaints as x', 'x.id', 'g.complaint_id')
    .leftJoin('services as s', 's.id', 'x.about_service_id')
    .select(['g.stage', 'g.respond_by', 'x.workflow_type', 'x.authority_id', 's.name as service_name'])
    .where('g.started_on', '<=', filter.asOf)
    .where((eb) => eb.or([eb('g.responded_on', 'is', null), eb('g.responded_on', '>', filter.asOf)]))
    .where((eb) => eb.or([eb('x.refused_on', 'is', null), eb('x.refused_on', '>', filter.asOf)]))
    .where((eb) => eb.or([eb('x.closed_on', 'is', null), eb('x.closed_on', '>', filter.asOf)]));
  return records.ofAuthorities(query, 'x.authority_id', filter.authorityIds).execute();
}
