/** SQL for routing new cases: teams of an authority, the customer's language and needs, team members. */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';
import type { RoutingCandidate } from './cases.routing.ts';

type Q = Db | Tx;

export function teamsOfAuthority(db: Q, authorityId: string) {
  return db
    .selectFrom('teams')
    .select(['id', 'code', 'name'])
    .where('authority_id', '=', authorityId)
    .orderBy('code')
    .execute();
}

export async function customerLanguageAndNeeds(
  db: Q,
  customerId: string,
): Promise<{ preferred_language: string; communication_needs: unknown[] } | null> {
  const row = await db
    .selectFrom('customers')
    .select(['preferred_language', 'communication_needs'])
    .where('id', '=', customerId)
    .executeTakeFirst();
  if (!row) return null;
  const needs: unknown = row.communication_needs;
  return {
    preferred_language: row.preferred_language,
    communication_needs: Array.isArray(needs) ? needs : [],
  };
}

/** Active members of the teams, with their skills, availability and open assigned cases. */
export async function candidatesOfTeams(db: Q, teamIds: readonly string[]): Promise<RoutingCandidate[]> {
  if (teamIds.length === 0) return [];
  const rows = await db
    .selectFrom('staff_team_members as m')
    .innerJoin('staff_users as u', 'u.id', 'm.staff_user_id')
    .select([
      'u.id',
      'u.display_name',
      'u.languages',
      'u.specialisms',
      'u.available',
      'u.active',
      'm.team_id',
      sql<number>`(select count(*) from cases c where c.assignee_id = u.id and c.closed_at is null)`.as(
        'open_cases',
      ),
    ])
    .where('m.team_id', 'in', [...teamIds])
    .where('u.active', '=', true)
    .execute();
  const byId = new Map<string, RoutingCandidate & { teamIds: string[] }>();
  for (const r of rows) {
    const existing = byId.get(r.id);
    if (existing) {
      existing.teamIds.push(r.team_id);
      continue;
    }
    byId.set(r.id, {
      id: r.id,
      name: r.display_name,
      teamIds: [r.team_id],
      languages: r.languages ?? [],
      specialisms: r.specialisms ?? [],
      available: r.available,
      active: r.active,
      openCases: Number(r.open_cases),
    });
  }
  return [...byId.values()];
}
