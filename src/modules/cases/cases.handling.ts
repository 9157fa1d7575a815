/**
 * Handling a case on the staff side: who has it and what it is linked to.
 *
 * - **Assign** within the case's team. Anyone who may write cases can take an unassigned case or one of
 *   their own team's cases for themselves; giving it to someone else needs `cases:assign` (team leaders)
 *   and a handover note, which goes on the timeline and in an email to the new assignee.
 * - **Transfer** to another team of the same council, always with a handover note: the case leaves the
 *   assignee (or goes to a chosen member of the new team), a staff-only `transferred` event carries the
 *   note, and the new team's leaders (else the team mailbox) get an email through the outbox.
 * - **Link** related cases (both directions, stored once per pair) and unlink them.
 * - **Priority and tags**, which the queues filter and sort on.
 *
 * Every change writes a staff-only timeline event and an audit row in the same transaction.
 */
import { audit } from '../../platform/audit/index.ts';
import type { Tx } from '../../platform/db/index.ts';
import { DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import { queueMessage } from '../notifications/index.ts';
import * as repo from './cases.repository.ts';
import * as handling from './cases.handling.repository.ts';

/** The longest handover note or tag list we take (a note is a handover, not a case file). */
export const MAX_HANDOVER_NOTE = 2000;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface HandlingActor {
  staffId: string;
  /** The member of staff may give cases to other people (`cases:assign`). */
  canAssignOthers: boolean;
  /** Teams the member of staff belongs to. */
  teamIds: readonly string[];
}

export interface HandlingOptions {
  at: Date;
  requestId?: string;
  /** Absolute base URL for links in staff emails. */
  publicUrl?: string;
}

function caseUrl(options: HandlingOptions, caseId: string): string {
  return `${(options.publicUrl ?? '').replace(/\/$/, '')}/staff/cases/${caseId}`;
}

function cleanNote(note: string | undefined | null): string {
  return typeof note === 'string' ? note.trim() : '';
}

async function lock(trx: Tx, caseId: string): Promise<handling.HandlingRow> {
  const row = await handling.lockHandling(trx, caseId);
  if (!row) throw new NotFoundError('No such case');
  return row;
}

async function tellStaff(
  trx: Tx,
  row: handling.HandlingRow,
  people: { id: string; name: string; email: string }[],
  what: 'assigned' | 'transferred',
  note: string,
  fromName: string,
  eventId: string,
  options: HandlingOptions,
): Promise<void> {
  for (const person of people) {
    await queueMessage(trx, {
      authorityId: row.authority_id,
      customerId: null,
      caseId: row.id,
      channel: 'email',
      to: { email: person.email },
      template: what === 'assigned' ? 'case.assigned' : 'case.transferred',
      personalisation: {
        name: person.name,
        reference: row.reference,
        serviceName: row.service_name,
        from: fromName,
        note,
        caseUrl: caseUrl(options, row.id),
      },
      dedupeKey: `case.${what}:${eventId}:${person.id}`,
    });
  }
}

/** The audit row every handling change writes, in its transaction. */
async function auditCase(
  trx: Tx,
  staffId: string,
  authorityId: string,
  caseId: string,
  action: string,
  details: Record<string, unknown>,
  options: HandlingOptions,
): Promise<void> {
  await audit(trx, {
    actorType: 'staff',
    actorId: staffId,
    authorityId,
    action,
    recordType: 'case',
    recordId: caseId,
    requestId: options.requestId ?? null,
    details,
    at: options.at,
  });
}

async function staffName(trx: Tx, staffId: string): Promise<string> {
  return (await handling.staffDisplayName(trx, staffId)) ?? 'A colleague';
}

/** The case's `routing_reason` after a transfer: who moved it from which team, and their handover note. */
function transferReason(fromTeam: string, by: string, note: string): string {
  return `Transferred from ${fromTeam} by ${by}: ${note}`;
}

/**
 * Gives the case to `assigneeId` (a member of the case's team) or takes it off whoever has it (`null`).
 * Taking it yourself needs no note; giving it to someone else needs `canAssignOthers` and a handover note.
 */
export async function assignCase(
  trx: Tx,
  caseId: string,
  input: { assigneeId: string | null; note?: string | null },
  actor: HandlingActor,
  options: HandlingOptions,
): Promise<{ changed: boolean }> {
  const row = await lock(trx, caseId);
  if (row.closed_at) throw new DomainRuleError('A closed case cannot be reassigned');
  const note = cleanNote(input.note);
  if (note.length > MAX_HANDOVER_NOTE)
    throw new DomainRuleError(
      `Handover note must be ${MAX_HANDOVER_NOTE.toLocaleString('en-GB')} characters or fewer`,
    );
  const toSelf = input.assigneeId === actor.staffId;
  if (!toSelf && !actor.canAssignOthers)
    throw new DomainRuleError('Only a team leader can give a case to someone else');
  if (toSelf && !actor.teamIds.includes(row.team_id) && !actor.canAssignOthers)
    throw new DomainRuleError(`Only members of ${row.team_name} can take this case`);
  let assignee: { id: string; name: string; email: string } | undefined;
  if (input.assigneeId) {
    assignee = await handling.activeMember(trx, row.team_id, input.assigneeId);
    if (!assignee) throw new DomainRuleError(`Choose someone in ${row.team_name}`);
  }
  if (!toSelf && input.assigneeId && note === '')
    throw new DomainRuleError('Enter a handover note for the person taking the case');
  if ((row.assignee_id ?? null) === (input.assigneeId ?? null)) return { changed: false };

  await handling.setHandling(trx, caseId, { assignee_id: input.assigneeId, updated_at: options.at });
  const eventId = await repo.insertEvent(trx, {
    authority_id: row.authority_id,
    case_id: caseId,
    kind: input.assigneeId ? 'assigned' : 'unassigned',
    visible_to_customer: false,
    body: note || null,
    data: JSON.stringify({ from: row.assignee_id, to: input.assigneeId, toName: assignee?.name ?? null }),
    actor_staff_id: actor.staffId,
    created_at: options.at,
  });
  await auditCase(
    trx,
    actor.staffId,
    row.authority_id,
    caseId,
    input.assigneeId ? 'case.assigned' : 'case.unassigned',
    { from: row.assignee_id, to: input.assigneeId },
    options,
  );
  if (assignee && !toSelf)
    await tellStaff(
      trx,
      row,
      [assignee],
      'assigned',
      note,
      await staffName(trx, actor.staffId),
      eventId,
      options,
    );
  return { changed: true };
}

/**
 * Moves the case to another team of the same council with a handover note (required). The case leaves
 * its assignee unless `assigneeId` names a member of the new team. The new team's leaders (else the
 * team mailbox, else nobody) are told by email.
 */
export async function transferCase(
  trx: Tx,
  caseId: string,
  input: { teamId: string; note: string; assigneeId?: string | null },
  actor: HandlingActor,
  options: HandlingOptions,
): Promise<{ teamName: string }> {
  const row = await lock(trx, caseId);
  if (row.closed_at) throw new DomainRuleError('A closed case cannot be transferred');
  const note = cleanNote(input.note);
  if (note === '') throw new DomainRuleError('Enter a handover note for the new team');
  if (note.length > MAX_HANDOVER_NOTE)
    throw new DomainRuleError(
      `Handover note must be ${MAX_HANDOVER_NOTE.toLocaleString('en-GB')} characters or fewer`,
    );
  const team = await handling.findTeam(trx, input.teamId);
  if (!team || team.authority_id !== row.authority_id) throw new DomainRuleError('Choose a team');
  if (team.id === row.team_id) throw new DomainRuleError(`The case is already with ${team.name}`);
  let assignee: { id: string; name: string; email: string } | undefined;
  if (input.assigneeId) {
    if (!actor.canAssignOthers && input.assigneeId !== actor.staffId)
      throw new DomainRuleError('Only a team leader can give a case to someone else');
    assignee = await handling.activeMember(trx, team.id, input.assigneeId);
    if (!assignee) throw new DomainRuleError(`Choose someone in ${team.name}`);
  }
  const from = await staffName(trx, actor.staffId);
  await handling.setHandling(trx, caseId, {
    team_id: team.id,
    assignee_id: assignee?.id ?? null,
    // "Why it is here" is now the transfer, not the routing rule that sent it to the old team.
    routing_reason: transferReason(row.team_name, from, note),
    updated_at: options.at,
  });
  const eventId = await repo.insertEvent(trx, {
    authority_id: row.authority_id,
    case_id: caseId,
    kind: 'transferred',
    visible_to_customer: false,
    body: note,
    data: JSON.stringify({
      fromTeamId: row.team_id,
      fromTeam: row.team_name,
      toTeamId: team.id,
      toTeam: team.name,
      fromAssigneeId: row.assignee_id,
      toAssigneeId: assignee?.id ?? null,
    }),
    actor_staff_id: actor.staffId,
    created_at: options.at,
  });
  await auditCase(
    trx,
    actor.staffId,
    row.authority_id,
    caseId,
    'case.transferred',
    { fromTeamId: row.team_id, toTeamId: team.id, toAssigneeId: assignee?.id ?? null },
    options,
  );
  let people: { id: string; name: string; email: string }[] = assignee
    ? [assignee]
    : await handling.teamLeaders(trx, team.id);
  if (people.length === 0 && team.email)
    people = [{ id: `team:${team.id}`, name: team.name, email: team.email }];
  await tellStaff(trx, { ...row, team_name: team.name }, people, 'transferred', note, from, eventId, options);
  return { teamName: team.name };
}

/**
 * Links two related cases (e.g. the same pothole reported twice, a complaint about a request). The other
 * case is found by reference and must be visible to the member of staff (`canSee`). Linking twice is a
 * no-op. Both timelines get a staff-only `linked` event.
 */
export async function linkCases(
  trx: Tx,
  caseId: string,
  input: { reference: string },
  actor: { staffId: string },
  canSee: (other: { sensitivity: 'normal' | 'restricted'; teamId: string }) => boolean,
  options: HandlingOptions,
): Promise<{ otherId: string; otherReference: string; created: boolean }> {
  const row = await lock(trx, caseId);
  const reference = input.reference.trim().toUpperCase().replace(/\s+/g, '');
  if (reference === '') throw new DomainRuleError('Enter the reference of the related case');
  const other = await handling.caseByReference(trx, reference);
  if (!other || !canSee({ sensitivity: other.sensitivity, teamId: other.team_id }))
    throw new DomainRuleError('No case has that reference');
  if (other.id === row.id) throw new DomainRuleError('A case cannot be linked to itself');
  const created = await handling.insertLink(trx, {
    authorityId: row.authority_id,
    a: row.id,
    b: other.id,
    createdBy: actor.staffId,
    at: options.at,
  });
  if (created) {
    for (const [self, to] of [
      [
        { id: row.id, authorityId: row.authority_id },
        { id: other.id, reference: other.reference },
      ],
      [
        { id: other.id, authorityId: other.authority_id },
        { id: row.id, reference: row.reference },
      ],
    ] as const) {
      await repo.insertEvent(trx, {
        authority_id: self.authorityId,
        case_id: self.id,
        kind: 'linked',
        visible_to_customer: false,
        body: `Linked to ${to.reference}`,
        data: JSON.stringify({ caseId: to.id, reference: to.reference }),
        actor_staff_id: actor.staffId,
        created_at: options.at,
      });
    }
    await auditCase(
      trx,
      actor.staffId,
      row.authority_id,
      row.id,
      'case.linked',
      { linkedCaseId: other.id },
      options,
    );
  }
  return { otherId: other.id, otherReference: other.reference, created };
}

/** Removes the link between two cases (staff-only `unlinked` event on this case, audit). */
/**
 * Links two cases without a member of staff (an email reply to a case closed too long ago opens a new
 * case linked to the old one): the link row only, idempotent, no events.
 */
export async function linkCaseIds(
  trx: Tx,
  row: { authorityId: string; a: string; b: string; at: Date; createdBy?: string | null },
): Promise<boolean> {
  return handling.insertLink(trx, { ...row, createdBy: row.createdBy ?? null });
}

export async function unlinkCases(
  trx: Tx,
  caseId: string,
  otherId: string,
  actor: { staffId: string },
  options: HandlingOptions,
): Promise<boolean> {
  const row = await lock(trx, caseId);
  const removed = await handling.deleteLink(trx, row.id, otherId);
  if (!removed) return false;
  await repo.insertEvent(trx, {
    authority_id: row.authority_id,
    case_id: row.id,
    kind: 'unlinked',
    visible_to_customer: false,
    data: JSON.stringify({ caseId: otherId }),
    actor_staff_id: actor.staffId,
    created_at: options.at,
  });
  await auditCase(
    trx,
    actor.staffId,
    row.authority_id,
    row.id,
    'case.unlinked',
    { linkedCaseId: otherId },
    options,
  );
  return true;
}

/** Tags as staff type them: lower case, hyphens for spaces, no duplicates, at most 10 of 40 characters. */
export function parseTags(input: string): string[] {
  const tags = input
    .split(/[,\n]/)
    .map((t) =>
      t
        .trim()
        .toLowerCase()
        .replace(/\s+/g, '-')
        .replace(/[^a-z0-9-]/g, ''),
    )
    .filter((t) => t !== '');
  const unique = [...new Set(tags)];
  if (unique.some((t) => t.length > 40)) throw new DomainRuleError('Each tag must be 40 characters or fewer');
  if (unique.length > 10) throw new DomainRuleError('A case can have at most 10 tags');
  return unique;
}

/** Sets priority and tags (what queues filter and sort on). */
export async function updateCaseDetails(
  trx: Tx,
  caseId: string,
  input: { priority: string; tags: string },
  actor: { staffId: string },
  options: HandlingOptions,
): Promise<{ changed: boolean }> {
  const row = await lock(trx, caseId);
  if (!(PRIORITIES as readonly string[]).includes(input.priority))
    throw new DomainRuleError('Select a priority');
  const priority = input.priority as Priority;
  const tags = parseTags(input.tags);
  const same = priority === row.priority && tags.join(',') === [...row.tags].join(',');
  if (same) return { changed: false };
  await handling.setHandling(trx, caseId, { priority, tags, updated_at: options.at });
  await repo.insertEvent(trx, {
    authority_id: row.authority_id,
    case_id: caseId,
    kind: 'details_changed',
    visible_to_customer: false,
    body: `Priority ${priority}${tags.length ? `; tags ${tags.join(', ')}` : '; no tags'}`,
    data: JSON.stringify({ from: { priority: row.priority, tags: row.tags }, to: { priority, tags } }),
    actor_staff_id: actor.staffId,
    created_at: options.at,
  });
  await auditCase(
    trx,
    actor.staffId,
    row.authority_id,
    caseId,
    'case.details_changed',
    { priority, tags },
    options,
  );
  return { changed: true };
}

/**
 * A reply template's text with the case's facts filled in: `((name))`, `((reference))`, `((service))`,
 * `((officer))` (the GOV.UK Notify double-bracket style staff already know).
 */
export function fillTemplate(
  body: string,
  facts: { name: string; reference: string; service: string; officer: string },
): string {
  return body
    .replace(/\(\(name\)\)/g, facts.name)
    .replace(/\(\(reference\)\)/g, facts.reference)
    .replace(/\(\(service\)\)/g, facts.service)
    .replace(/\(\(officer\)\)/g, facts.officer);
}
