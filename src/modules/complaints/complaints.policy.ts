/**
 * Record-level access to complaints (route permissions come from identity.policy.ts: `complaints:manage`).
 * Each council handles its own complaints: staff see the complaints of their own council and of the
 * councils of the teams they belong to. A complaint outside that scope is a 404.
 */
import type { StaffPrincipal } from '../identity/index.ts';

/** The councils whose complaints (and learning actions) this member of staff may see and act on. */
export function authorityScope(staff: StaffPrincipal): string[] {
  return [...new Set([staff.authorityId, ...staff.teams.map((t) => t.authorityId)])];
}

export function canSeeComplaint(staff: StaffPrincipal, complaint: { authorityId: string }): boolean {
  return authorityScope(staff).includes(complaint.authorityId);
}

/**
 * Managers who may publish "You said, we did" and see team performance: `reports:read` plus the team
 * leader or administrator role.
 */
export function isManager(staff: StaffPrincipal): boolean {
  return (
    staff.permissions.has('reports:read') &&
    (staff.roles.includes('team_leader') || staff.roles.includes('admin'))
  );
}
