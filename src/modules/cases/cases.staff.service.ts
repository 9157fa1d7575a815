/**
 * The staff case page's use-cases: open a case the member of staff may see (anything else is audited as
 * `case.view_denied` and is a 404), gather what the page shows, and the page's own changes (status with an
 * optional note, an internal note, a message to the resident), each with its audit row, in the caller's
 * transaction. Assigning, transferring, linking and details are in cases.handling.ts. No request/reply and
 * no SQL here (cases.staff.repository.ts).
 */
import { audit } from '../../platform/audit/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import type { StaffPrincipal } from '../identity/index.ts';
import * as handlingRepo from './cases.handling.repository.ts';
import { requireStaffMaySeeCase } from './cases.policy.ts';
import {
  addMessage,
  addNote,
  allowedNextStatuses,
  changeStatus,
  getCaseTimeline,
  loadCaseService,
} from './cases.service.ts';
import { caseSlaSnapshot } from './cases.sla.ts';
import * as repo from './cases.staff.repository.ts';
import type { CaseOptions } from './cases.types.ts';

export type { StaffCaseRow } from './cases.staff.repository.ts';

/** What a member of staff is trying to do with the case (named in the denial's audit row). */
export interface StaffCaseAttempt {
  action: string;
  requestId: string;
}

/**
 * The case, if this member of staff may see it (cases.policy.ts: the same rule as the customer's single
 * view). Otherwise a `case.view_denied` audit row and a 404; an unknown case is a 404 too.
 */
export async function openStaffCase(
  db: Db,
  staff: StaffPrincipal,
  caseId: string,
  attempt: StaffCaseAttempt,
): Promise<repo.StaffCaseRow> {
  const row = await repo.staffCaseRow(db, caseId);
  if (!row) throw new NotFoundError();
  await requireStaffMaySeeCase(
    db,
    staff,
    { id: row.id, sensitivity: row.sensitivity, teamId: row.team_id },
    attempt,
  );
  return row;
}

/** Opens the case for reading and writes the `case.view` audit row. */
export async function viewStaffCase(
  db: Db,
  staff: StaffPrincipal,
  caseId: string,
  requestId: string,
): Promise<repo.StaffCaseRow> {
  const row = await openStaffCase(db, staff, caseId, { action: 'view', requestId });
  await audit(db, {
    actorType: 'staff',
    actorId: staff.id,
    authorityId: row.authority_id,
    action: 'case.view',
    recordType: 'case',
    recordId: row.id,
    requestId,
  });
  return row;
}

/** Everything the staff case page shows besides the case row itself. */
export async function loadStaffCasePage(db: Db, row: repo.StaffCaseRow, now: Date) {
  const service = await loadCaseService(db, { id: row.service_id }, { includeInactive: true });
  if (!service) throw new NotFoundError();
  const [timeline, feedback, sla, members, teams, links, templates] = await Promise.all([
    getCaseTimeline(db, row.id, { customerVisibleOnly: false }),
    repo.feedbackOfCase(db, row.id),
    caseSlaSnapshot(db, row.id, now),
    handlingRepo.teamMembers(db, row.team_id),
    handlingRepo.teamsOfAuthority(db, row.authority_id),
    handlingRepo.linkedCases(db, row.id),
    handlingRepo.replyTemplatesFor(db, row.authority_id, row.service_id),
  ]);
  return { row, service, timeline, feedback, sla, members, teams, links, templates };
}

export type StaffCasePage = Awaited<ReturnType<typeof loadStaffCasePage>>;

/** When and why a change is made, and what the resident's messages need. */
export interface StaffChangeOptions {
  at: Date;
  requestId: string;
  publicUrl?: string;
  caseOptions?: CaseOptions;
}

/**
 * Moves the case to `to` (one of the workflow's next statuses, else a DomainRuleError) and adds `note`
 * as an internal note when given. `changeStatus` writes the `case.status_changed` audit row (once: the
 * page used to write a second, identical one).
 */
export async function changeStatusAsStaff(
  trx: Tx,
  row: repo.StaffCaseRow,
  input: { to: string; note: string },
  staffId: string,
  options: StaffChangeOptions,
): Promise<void> {
  const service = await loadCaseService(trx, { id: row.service_id }, { includeInactive: true });
  const allowed = service && !row.closed_at ? allowedNextStatuses(service, row.status) : [];
  if (!allowed.some((s) => s.code === input.to)) throw new DomainRuleError('Select what happens next');
  await changeStatus(
    trx,
    row.id,
    input.to,
    { kind: 'staff', staffId },
    { publicUrl: options.publicUrl, ...options.caseOptions, at: options.at },
  );
  if (input.note) await addNote(trx, row.id, { staffId, body: input.note, at: options.at });
}

/** An internal note (staff only), audited as `case.note_added`. */
export async function addNoteAsStaff(
  trx: Tx,
  row: repo.StaffCaseRow,
  body: string,
  staffId: string,
  options: StaffChangeOptions,
): Promise<void> {
  await addNote(trx, row.id, { staffId, body, at: options.at });
  await audit(trx, {
    actorType: 'staff',
    actorId: staffId,
    authorityId: row.authority_id,
    action: 'case.note_added',
    recordType: 'case',
    recordId: row.id,
    requestId: options.requestId,
  });
}

/** A message the resident sees on their request page and gets by email or text; audited as `case.message_sent`. */
export async function messageResident(
  trx: Tx,
  row: repo.StaffCaseRow,
  body: string,
  staffId: string,
  options: StaffChangeOptions,
): Promise<void> {
  const { eventId } = await addMessage(
    trx,
    row.id,
    { from: 'staff', actor: { kind: 'staff', staffId }, body, at: options.at },
    { publicUrl: options.publicUrl, ...options.caseOptions },
  );
  await audit(trx, {
    actorType: 'staff',
    actorId: staffId,
    authorityId: row.authority_id,
    action: 'case.message_sent',
    recordType: 'case',
    recordId: row.id,
    requestId: options.requestId,
    details: { eventId },
  });
}
