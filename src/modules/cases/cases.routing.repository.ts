/** SQL for routing new cases: teams of an authority, the customer's language and needs, team members. */
import { sql, type Expression, type RawBuilder } from 'kysely';
import { PREPARED, type Db, type Tx } from '../../platform/db/index.ts';
import type { RoutingCandidate } from './cases.routing.ts';
import type { NewCaseFacts } from './cases.types.ts';

type Q = Db | Tx;

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

/** Where {@link newCaseFactsColumns} finds the service and the customer: values, or columns of a query. */
export interface NewCaseFactsRefs {
  authorityId: Expression<string>;
  serviceId: Expression<string>;
  serviceTeamId: Expression<string>;
  /** Team codes the service's routing rules name (`text[]`). */
  ruleTeamCodes: Expression<string[]>;
  customerId: Expression<string | null>;
  at: Date;
}

/**
 * The facts for routing a new case as four columns (scalar subqueries), for one statement of their own
 * ({@link newCaseFacts}) or for a caller's read that already has the service and customer in hand (the
 * form submission reads them with the draft): the authority's teams, the members of the teams the case
 * could go to with their skills, availability and open assigned cases, the customer's language and needs,
 * and their last inbound contact about the service. Read the row back with {@link readNewCaseFacts}.
 */
export function newCaseFactsColumns(refs: NewCaseFactsRefs) {
  return {
    teams: sql<unknown>`(select coalesce(json_agg(json_build_object('id', t.id, 'code', t.code, 'name', t.name) order by t.code), '[]'::json)
         from teams t where t.authority_id = ${refs.authorityId})`,
    candidates: sql<unknown>`(select coalesce(json_agg(json_build_object(
                'id', u.id, 'name', u.display_name, 'languages', u.languages, 'specialisms', u.specialisms,
                'available', u.available, 'active', u.active, 'team_id', m.team_id,
                'open_cases', (select count(*) from cases c where c.assignee_id = u.id and c.closed_at is null))), '[]'::json)
         from staff_team_members m
         join staff_users u on u.id = m.staff_user_id
        where u.active
          and (m.team_id = ${refs.serviceTeamId}
               or m.team_id in (select t.id from teams t
                                 where t.authority_id = ${refs.authorityId}
                                   and t.code = any(${refs.ruleTeamCodes}))))`,
    customer: sql<unknown>`(select json_build_object('preferred_language', c.preferred_language, 'communication_needs', c.communication_needs)
             from customers c where c.id = ${refs.customerId})`,
    lastInbound: sql<unknown>`(select i.occurred_at from interactions i
            where i.customer_id = ${refs.customerId} and i.service_id = ${refs.serviceId}
              and i.direction = 'inbound' and i.occurred_at <= ${refs.at}
            order by i.occurred_at desc limit 1)`,
  };
}

/** The team codes a stored service definition's routing rules name, read in SQL from its JSON. */
export function ruleTeamCodesOf(definition: Expression<unknown>): RawBuilder<string[]> {
  return sql<
    string[]
  >`array(select r->>'team' from jsonb_array_elements(coalesce(${definition}->'routing'->'rules', '[]'::jsonb)) r)`;
}

/** The facts from the four columns of {@link newCaseFactsColumns}, as they came back. */
export function readNewCaseFacts(row: {
  teams: unknown;
  candidates: unknown;
  customer: unknown;
  lastInbound: unknown;
}): NewCaseFacts {
  const byId = new Map<string, RoutingCandidate & { teamIds: string[] }>();
  for (const r of row.candidates as CandidateJson[]) {
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
  const customer = row.customer as { preferred_language: string; communication_needs: unknown } | null;
  const needs = customer?.communication_needs;
  return {
    teams: row.teams as NewCaseFacts['teams'],
    candidates: [...byId.values()],
    customer: customer
      ? {
          preferred_language: customer.preferred_language,
          communication_needs: Array.isArray(needs) ? (needs as unknown[]) : [],
        }
      : null,
    lastInboundAbout: row.lastInbound === null ? null : new Date(row.lastInbound as string | Date),
  };
}

/** The facts for routing a new case, in ONE statement (see {@link newCaseFactsColumns}). */
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
  const columns = newCaseFactsColumns({
    authorityId: sql<string>`${input.authorityId}::uuid`,
    serviceId: sql<string>`${input.serviceId}::uuid`,
    serviceTeamId: sql<string>`${input.serviceTeamId}::uuid`,
    ruleTeamCodes: sql<string[]>`${[...input.ruleTeamCodes]}::text[]`,
    customerId: sql<string | null>`${input.customerId}::uuid`,
    at: input.at,
  });
  const { rows } = await sql<{
    teams: unknown;
    candidates: unknown;
    customer: unknown;
    lastInbound: unknown;
  }>`
    select ${columns.teams} as teams, ${columns.candidates} as candidates, ${columns.customer} as customer,
           ${columns.lastInbound} as "lastInbound" ${PREPARED}`.execute(db);
  return readNewCaseFacts(rows[0]);
}
