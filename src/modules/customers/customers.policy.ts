/**
 * Record-level access to customers, in one place (route permissions come from identity.policy.ts).
 *
 * - Each council is its own data controller, so a customer record is visible to staff of the authority
 *   that holds it, to staff in a team of that authority, and to staff of any authority that has a case for
 *   the customer (the shared front door works under the councils' data-sharing agreement).
 * - Once a customer is visible, all their cases are shown across services and authorities, except cases of
 *   restricted-sensitivity services (e.g. adult social care): those only to members of the case's team.
 * - Interactions about a restricted service or case follow the same rule; the agent who logged a contact
 *   always sees it.
 * The SQL forms of these rules live in customers.repository.ts and take a `CustomerScope`.
 */
import type { StaffPrincipal } from '../identity/index.ts';

export interface CustomerScope {
  staffId: string;
  /** Authorities whose customers the staff member may see. */
  authorityIds: string[];
  /** Teams the staff member belongs to (restricted cases of these teams are visible). */
  teamIds: string[];
}

export function scopeOf(staff: StaffPrincipal): CustomerScope {
  const authorityIds = new Set([staff.authorityId, ...staff.teams.map((t) => t.authorityId)]);
  return { staffId: staff.id, authorityIds: [...authorityIds], teamIds: staff.teams.map((t) => t.id) };
}

export function canSeeCustomer(
  scope: CustomerScope,
  customer: { authorityId: string; hasCaseInScope: boolean },
): boolean {
  return scope.authorityIds.includes(customer.authorityId) || customer.hasCaseInScope;
}

export function canSeeCase(
  scope: CustomerScope,
  c: { sensitivity: 'normal' | 'restricted'; teamId: string },
): boolean {
  return c.sensitivity === 'normal' || scope.teamIds.includes(c.teamId);
}
