/**
 * Which councils a member of staff works for, and who counts as a manager: the record-level rules other
 * modules apply on top of the route permissions (a record outside the scope is a 404).
 */
import type { StaffPrincipal } from './identity.service.ts';

/** The councils whose records this member of staff may see and act on: their own and their teams'. */
export function authorityScope(staff: StaffPrincipal): string[] {
  return [...new Set([staff.authorityId, ...staff.teams.map((t) => t.authorityId)])];
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
