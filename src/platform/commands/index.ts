/**
 * Small helpers the use-cases of several modules repeat (complaints, information requests, feedback): text
 * as people type it (`cleanText`), dates a person gives for something that happened (`assertDate`,
 * `dateGiven`), who acted and the audit row of a change (`CommandActor`, `auditChange`, `auditStaffChange`),
 * a person's or organisation's name as casework pages show it (`personName`), and the safety-net sweeps
 * (`adoptEach`).
 */
import { audit, type AuditEntry } from '../audit/index.ts';
import type { Db, Tx } from '../db/index.ts';
import { isIsoDate, toIsoDate, type IsoDate } from '../calendar/index.ts';
import { DomainRuleError } from '../http/errors.ts';

/** Optional text trimmed; empty (or not a string) → null. */
export function cleanText(value: string | null | undefined): string | null {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  return trimmed === '' ? null : trimmed;
}

/**
 * A date a person gave (received on, responded on, …) must be a real date within the bounds: a
 * `DomainRuleError` in plain English otherwise ("… cannot be in the future").
 */
export function assertDate(
  value: IsoDate,
  label: string,
  bounds: { notBefore?: IsoDate; notAfter?: IsoDate },
): void {
  if (!isIsoDate(value)) throw new DomainRuleError(`${label} must be a real date`);
  if (bounds.notBefore && value < bounds.notBefore)
    throw new DomainRuleError(`${label} cannot be before ${bounds.notBefore}`);
  if (bounds.notAfter && value > bounds.notAfter)
    throw new DomainRuleError(`${label} cannot be in the future`);
}

/** Who made or moved a record: a member of staff, a resident (null: a guest) or an API client. */
export type CommandActor =
  | { kind: 'staff'; staffId: string }
  | { kind: 'customer'; customerId: string | null }
  | { kind: 'api'; tokenId: string };

/** The audit columns for an actor (a resident without an account is `anonymous`; a job is `system`). */
export function auditActor(
  actor: CommandActor | { kind: 'system' },
): Pick<AuditEntry, 'actorType' | 'actorId'> {
  switch (actor.kind) {
    case 'system':
      return { actorType: 'system', actorId: null };
    case 'staff':
      return { actorType: 'staff', actorId: actor.staffId };
    case 'customer':
      return { actorType: actor.customerId ? 'customer' : 'anonymous', actorId: actor.customerId };
    case 'api':
      return { actorType: 'api', actorId: actor.tokenId };
  }
}

/** An organisation's name, else "given family", else null. */
export function personName(parts: {
  given_name: string | null;
  family_name: string | null;
  organisation_name: string | null;
}): string | null {
  if (parts.organisation_name) return parts.organisation_name;
  const name = [parts.given_name, parts.family_name].filter(Boolean).join(' ').trim();
  return name || null;
}

/**
 * The audit row for a change someone made to a record (`record` is the locked row: its id and council), at
 * the time of the change.
 */
export async function auditChange(
  db: Db | Tx,
  recordType: string,
  record: { id: string; authority_id: string },
  by: CommandActor | { kind: 'system' },
  at: Date,
  action: string,
  details?: Record<string, unknown>,
): Promise<void> {
  await audit(db, {
    ...auditActor(by),
    authorityId: record.authority_id,
    action,
    recordType,
    recordId: record.id,
    ...(details ? { details } : {}),
    at,
  });
}

/** {@link auditChange} for a member of staff's change (`by`: who and when). */
export function auditStaffChange(
  db: Db | Tx,
  recordType: string,
  record: { id: string; authority_id: string },
  by: { staffId: string; now: Date },
  action: string,
  details?: Record<string, unknown>,
): Promise<void> {
  return auditChange(db, recordType, record, { kind: 'staff', staffId: by.staffId }, by.now, action, details);
}

/** Who acts and when, for a use-case a member of staff runs. */
export interface StaffCommand {
  staffId: string;
  now: Date;
}

/**
 * Runs `adoptOne` for each record found by a safety-net sweep (each in its own transaction, so one failure
 * does not undo the others) and says how many were adopted.
 */
export async function adoptEach(
  found: readonly { id: string }[],
  adoptOne: (id: string) => Promise<boolean>,
): Promise<number> {
  let adopted = 0;
  for (const { id } of found) if (await adoptOne(id)) adopted += 1;
  return adopted;
}

/**
 * The date a person gave for something that happened (the day the requester was told, the day the answer
 * arrived), or today when they gave none: a real date, not before `notBefore` and not in the future (a
 * `DomainRuleError` in plain English otherwise).
 */
export function dateGiven(
  given: IsoDate | undefined,
  now: Date,
  label: string,
  notBefore?: IsoDate | null,
): IsoDate {
  const today = toIsoDate(now);
  const value = given ?? today;
  assertDate(value, label, { notBefore: notBefore ?? undefined, notAfter: today });
  return value;
}
