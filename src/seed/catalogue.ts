/**
 * Reading the demo area back from the database (authorities, services with their definitions, staff), for
 * the generator and for lookups. The stored definition is re-validated, so the generator never works from
 * a definition the platform itself would reject.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/index.ts';
import { parseServiceDefinition } from '../modules/services/index.ts';
import * as repo from './seed.repository.ts';
import type { DemoNamespace } from './area.ts';
import type { SeedService } from './history.ts';
import type { AreaRole } from './people.ts';

export interface StoredArea {
  authorityIds: Record<AreaRole, string>;
  services: SeedService[];
}

export async function findAuthorityIds(
  db: Kysely<DB>,
  ns: DemoNamespace,
): Promise<Record<AreaRole, string> | null> {
  const rows = await repo.authoritiesByCode(db, [ns.code('county'), ns.code('city')]);
  const county = rows.find((r) => r.code === ns.code('county'));
  const city = rows.find((r) => r.code === ns.code('city'));
  return county && city ? { county: county.id, city: city.id } : null;
}

export async function loadStoredArea(db: Kysely<DB>, ns: DemoNamespace): Promise<StoredArea | null> {
  const authorityIds = await findAuthorityIds(db, ns);
  if (!authorityIds) return null;
  const ids = [authorityIds.county, authorityIds.city];
  const roleOf = (authorityId: string): AreaRole => (authorityId === authorityIds.city ? 'city' : 'county');
  const services = await repo.activeServicesOf(db, ids);
  const members = await repo.activeTeamMembersOf(db, ids);
  const agentsOf = (authorityId: string) =>
    members
      .filter(
        (m) =>
          m.authority_id === authorityId && m.team_code === 'contact-centre' && m.roles.includes('agent'),
      )
      .map((m) => m.staff_user_id);
  return {
    authorityIds,
    services: services.map((s) => ({
      id: s.id,
      authorityId: s.authority_id,
      role: roleOf(s.authority_id),
      teamId: s.team_id,
      teamCode: s.team_code,
      definition: parseServiceDefinition(s.definition, `service ${s.slug}`),
      officerIds: members.filter((m) => m.team_id === s.team_id).map((m) => m.staff_user_id),
      agentIds: agentsOf(s.authority_id),
    })),
  };
}
