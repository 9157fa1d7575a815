/** SQL for routing new cases: teams of an authority, the customer's language and needs, team members. */
import { sql } from 'kysely';
import { PREPARED, type Db, type Tx } from '../../platform/db/index.ts';
import type { RoutingCandidate } from './cases.routing.ts';

type Q = Db | Tx;

/** Everything {@link decideRoute} and the repeat-contact rule need to know about a new case. */
export interface NewCaseFacts {
  /** Teams of the service's authority, by code. */
  teams: { id: string; code: string; name: string }[];
  /** Active members of the service's team and of the teams its routing rules name. */
  candidates: RoutingCandidate[];
  customer: { preferred_language: string; communication_needs: unknown[] } | null;
  /** When the customer last contacted us about this service (inbound, at or before `at`). */
  lastInboundAbout: Date | null;
}

interface CandidateJson {
  id: string;
  name: string;
  languages: string[] | null;
  specialisms: string[] | null;
  available: boolean;
  active: boolean;
  team_id: string;
  open_cases: number;
}

/**
 * The facts for routing a new case, in ONE statement (it runs on every form submission): the authority's
 * teams, the members of the teams the case could go to with their skills, availability and open assigned
 * cases, the customer's language and needs, and their last inbound contact about the service.
 */
export async function newCaseFacts(
  db: Q,
  input: {
    authorityId: string;
    serviceId: string;
    serviceTeamId: string;
    /** Team codes the service's routing rules name. */
    ruleTeamCodes: readonly string[];
    customerId: string | null;
    at: Date;
  },
): Promise<NewCaseFacts> {
  const customer = input.customerId
    ? sql`(select json_build_object('preferred_language', c.preferred_language, 'communication_needs', c.communication_needs)
             from customers c where c.id = ${input.customerId})`
    : sql`null::json`;
  const lastInbound = input.customerId
    ? sql`(select i.occurred_at from interactions i
            where i.customer_id = ${input.customerId} and i.service_id = ${input.serviceId}
              and i.direction = 'inbound' and i.occurred_at <= ${input.at}
            order by i.occurred_at desc limit 1)`
    : sql`null::timestamptz`;
  const { rows } = await sql<{
    teams: NewCaseFacts['teams'];
    candidates: CandidateJson[];
    customer: { preferred_language: string; communication_needs: unknown } | null;
    last_inbound: Date | null;
  }>`
    select
      (select coalesce(json_agg(json_build_object('id', t.id, 'code', t.code, 'name', t.name) order by t.code), '[]'::json)
         from teams t where t.authority_id = ${input.authorityId}) as teams,
      (select coalesce(json_agg(json_build_object(
                'id', u.id, 'name', u.display_name, 'languages', u.languages, 'specialisms', u.specialisms,
                'available', u.available, 'active', u.active, 'team_id', m.team_id,
                'open_cases', (select count(*) from cases c where c.assignee_id = u.id and c.closed_at is null))), '[]'::json)
         from staff_team_members m
         join staff_users u on u.id = m.staff_user_id
        where u.active
          and (m.team_id = ${input.serviceTeamId}
               or m.team_id in (select t.id from teams t
                                 where t.authority_id = ${input.authorityId}
                                   and t.code = any(${[...input.ruleTeamCodes]}::text[])))) as candidates,
      ${customer} as customer,
      ${lastInbound} as last_inbound ${PREPARED}`.execute(db);
  const row = rows[0];
  const byId = new Map<string, RoutingCandidate & { teamIds: string[] }>();
  for (const r of row.candidates) {
    const existing = byId.get(r.id);
    if (existing) {
      existing.teamIds.push(r.team_id);
      continue;
    }
    byId.set(r.id, {
      id: r.id,
      name: r.name,
      teamIds: [r.team_id],
      languages: r.languages ?? [],
      specialisms: r.specialisms ?? [],
      available: r.available,
      active: r.active,
      openCases: Number(r.open_cases),
    });
  }
  const needs = row.customer?.communication_needs;
  return {
    teams: row.teams,
    candidates: [...byId.values()],
    customer: row.customer
      ? {
          preferred_language: row.customer.preferred_language,
          communication_needs: Array.isArray(needs) ? (needs as unknown[]) : [],
        }
      : null,
    lastInboundAbout: row.last_inbound === null ? null : new Date(row.last_inbound),
  };
}
