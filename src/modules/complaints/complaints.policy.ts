/**
 * Record-level access to complaints (route permissions come from identity.policy.ts: `complaints:manage`).
 * Each council handles its own complaints: staff see the complaints of their own council and of the
 * councils of the teams they belong to (identity's `authorityScope`). A complaint outside that scope is a 404.
 */
import { authorityScope, type StaffPrincipal } from '../identity/index.ts';

export function canSeeComplaint(staff: StaffPrincipal, complaint: { authorityId: string }): boolean {
  return authorityScope(staff).includes(complaint.authorityId);
}
