/**
 * Staff pickers for other modules' pages (who handles a complaint or a request, who owns a learning action),
 * and the check that a chosen member of staff may take the work.
 */
import type { Db, Tx } from '../../platform/db/index.ts';
import { can, type Permission } from './identity.policy.ts';
import { activeStaffOf, findStaffById, leadsComplaintsTeam } from './identity.repository.ts';

export interface StaffChoice {
  id: string;
  name: string;
}

/**
 * Active staff of the councils, by name; only those whose roles (or the team they lead) grant `permission`
 * when given.
 */
export async function staffPicker(
  db: Db | Tx,
  authorityIds: readonly string[],
  filter: { permission?: Permission } = {},
): Promise<StaffChoice[]> {
  const staff = await activeStaffOf(db, authorityIds);
  return staff
    .filter(
      (s) =>
        !filter.permission ||
        can(s.roles, filter.permission, { complaintsTeam: Boolean(s.leads_complaints) }),
    )
    .map((s) => ({ id: s.id, name: s.display_name }));
}

/**
 * The member of staff `id` when they are active (and, when `permission` is given, their roles or the team
 * they lead grant it): the rule for assigning work to someone. Null otherwise.
 */
export async function activeStaffMember(
  db: Db | Tx,
  id: string,
  filter: { permission?: Permission } = {},
): Promise<StaffChoice | null> {
  const row = await findStaffById(db, id);
  if (!row?.active) return null;
  const leads = filter.permission ? { complaintsTeam: await leadsComplaintsTeam(db, row.id) } : {};
  if (filter.permission && !can(row.roles, filter.permission, leads)) return null;
  return { id: row.id, name: row.display_name };
}
