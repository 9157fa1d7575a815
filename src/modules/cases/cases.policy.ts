/**
 * Record-level access to cases for staff, in one place: the case page, every action on it and the case's
 * files (`/attachments/:id`) all call `requireStaffMaySeeCase`, so a file is never more visible than its
 * case. The rule itself is the customers module's `canSeeCase` (the one the single view uses): staff of
 * the shared front door see every council's normal cases; a case of a restricted service (e.g. adult
 * social care) only its owning team. Anything else is a 404, never a 403, and a `case.view_denied` audit
 * row with `outcome = 'denied'`. See docs/access-control.md.
 */
import { audit } from '../../platform/audit/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import type { StaffPrincipal } from '../identity/index.ts';
import { canSeeCase } from '../customers/index.ts';

/** What the rule needs of a case. */
export interface CaseVisibility {
  id: string;
  sensitivity: 'normal' | 'restricted';
  teamId: string;
}

/** May this member of staff see the case? (no audit; for lists and links) */
export function staffMaySeeCase(staff: StaffPrincipal, c: Omit<CaseVisibility, 'id'>): boolean {
  return canSeeCase({ staffId: staff.id, authorityIds: [], teamIds: staff.teams.map((t) => t.id) }, c);
}

/**
 * Passes if the member of staff may see the case; otherwise writes a `case.view_denied` audit row
 * (`details.attempted` names what they tried, plus any `details` given) and throws a 404.
 */
export async function requireStaffMaySeeCase(
  db: Db,
  staff: StaffPrincipal,
  c: CaseVisibility,
  attempt: { action: string; requestId: string; details?: Record<string, string> },
): Promise<void> {
  if (staffMaySeeCase(staff, c)) return;
  await audit(db, {
    actorType: 'staff',
    actorId: staff.id,
    authorityId: staff.authorityId,
    action: 'case.view_denied',
    recordType: 'case',
    recordId: c.id,
    outcome: 'denied',
    requestId: attempt.requestId,
    details: { attempted: attempt.action, ...attempt.details },
  });
  throw new NotFoundError();
}
