/**
 * Cases whose deadline is set in law or a code of practice, not by the service's SLA: a complaint (the
 * Complaint Handling Code), an FOI or EIR request and a subject access request. Another module keeps the
 * record of each (complaints, information-requests) and, from then on, the case's `due_at` (through
 * `setLedCaseState`). The record is made by the `case.created` job, after the resident has seen the
 * confirmation page and been sent the acknowledgement, so the case's first due date must already be the
 * record's first deadline: the same statutory function over the same date of receipt (the London date of
 * `received_at`, whatever the hour: no 17:00 cut-off), not the SLA's working days.
 *
 * The record modules compute the same dates from the same functions in `platform/clocks`; a test that
 * compares the resident's dates with the staff ones for each kind keeps them together
 * (test/deadlines.int.test.ts).
 */
import { endOfLondonDay, toIsoDate, type IsoDate } from '../../platform/calendar/index.ts';
import {
  complaintStage1Deadlines,
  eirDeadline,
  foiDeadline,
  sarDeadline,
} from '../../platform/clocks/index.ts';

type FirstDeadline = (receivedOn: IsoDate, answers: Record<string, unknown>) => IsoDate;

/** The first deadline of each kind of service whose record keeps a statutory clock. */
const FIRST_DEADLINE: Record<string, FirstDeadline> = {
  // The FOI form asks which regime applies (EIR for environmental information); both run 20 working days
  // with the bank holidays of every part of the UK.
  foi: (on, answers) => (answers.regime === 'eir' ? eirDeadline(on) : foiDeadline(on)),
  sar: (on) => sarDeadline(on),
  // A complaint from the form is a corporate complaint at stage 1, not yet acknowledged.
  complaint: (on) => complaintStage1Deadlines(on).respondBy,
};

/** Whether cases of this kind of service follow the statutory clock their record keeps (not the SLA). */
export function keepsStatutoryClock(kind: string): boolean {
  return Object.hasOwn(FIRST_DEADLINE, kind);
}

/**
 * The due instant (end of the London day) of a new case of this kind received at `receivedAt`, or null
 * when the kind has no statutory clock (use the service's SLA).
 */
export function statutoryDueAt(
  kind: string,
  receivedAt: Date,
  answers: Record<string, unknown>,
): Date | null {
  const first = Object.hasOwn(FIRST_DEADLINE, kind) ? FIRST_DEADLINE[kind] : undefined;
  return first ? endOfLondonDay(first(toIsoDate(receivedAt), answers)) : null;
}
