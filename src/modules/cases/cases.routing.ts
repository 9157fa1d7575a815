/**
 * Where a new case goes, and why, in plain English for staff.
 *
 * 1. **Team**: the service definition's `routing.rules`, tried in order (a form answer equal to / one of
 *    some values, or a location inside a named box); the first that matches sends the case to that team of
 *    the service's authority. Otherwise the service's own team.
 * 2. **Offer**: among the team's active members who are `available`, prefer one who speaks the customer's
 *    language (their preferred language when it is not English, an interpreter's language, or BSL), then
 *    one with a specialism for the customer's other communication needs (e.g. `easy-read`), then one with
 *    a specialism for the service (`routing.specialisms`, default: specialisms the service slug contains);
 *    ties go to whoever has fewest open cases. Nobody matching → unassigned, on the team queue.
 *
 * {@link decideRoute} is the pure rule; {@link routeCase} gathers the facts in the caller's transaction.
 */
import type { Tx } from '../../platform/db/index.ts';
import { languageName } from '../../platform/i18n/index.ts';
import type { ServiceDefinition } from '../services/index.ts';
import * as routingRepo from './cases.routing.repository.ts';
import type { CaseLocation, CaseService, CreateCaseInput } from './cases.types.ts';

export type RoutingRule = NonNullable<NonNullable<ServiceDefinition['routing']>['rules']>[number];

export interface RoutingCandidate {
  id: string;
  name: string;
  teamIds: readonly string[];
  languages: readonly string[];
  specialisms: readonly string[];
  available: boolean;
  active: boolean;
  /** Open cases assigned to them now (load balancing between equally suited people). */
  openCases: number;
}

export interface RoutingCustomer {
  /** Preferred language code (`en`, `pl`, `cy`…). */
  language: string | null;
  /** Communication needs as stored: `bsl`, `interpreter:pl`, `large_print`, or `{ kind, language }`. */
  needs: readonly unknown[];
}

export interface RoutingFacts {
  service: {
    name: string;
    slug: string;
    teamId: string;
    rules: readonly RoutingRule[];
    specialisms?: readonly string[];
  };
  /** Teams of the service's authority. */
  teams: readonly { id: string; code: string; name: string }[];
  answers: Record<string, unknown>;
  location?: CaseLocation | null;
  customer: RoutingCustomer | null;
  candidates: readonly RoutingCandidate[];
}

export interface RouteDecision {
  teamId: string;
  assigneeId?: string;
  reason: string;
}

const NEED_LABELS: Record<string, string> = {
  'large-print': 'large print',
  'easy-read': 'easy read',
  'text-relay': 'text relay',
  braille: 'Braille',
  audio: 'audio',
  interpreter: 'interpreting',
};

const norm = (value: string): string => value.trim().toLowerCase().replace(/_/g, '-');

/** The customer's languages (other than English) and other needs, from the stored forms of needs. */
export function customerSkills(customer: RoutingCustomer | null): { languages: string[]; needs: string[] } {
  const languages = new Set<string>();
  const needs = new Set<string>();
  if (!customer) return { languages: [], needs: [] };
  if (customer.language && norm(customer.language) !== 'en') languages.add(norm(customer.language));
  for (const need of customer.needs) {
    let kind = '';
    let language = '';
    if (typeof need === 'string') [kind = '', language = ''] = need.split(':');
    else if (need && typeof need === 'object') {
      const o = need as { kind?: unknown; type?: unknown; language?: unknown };
      kind = typeof o.kind === 'string' ? o.kind : typeof o.type === 'string' ? o.type : '';
      language = typeof o.language === 'string' ? o.language : '';
    }
    kind = norm(kind);
    if (kind === 'bsl') languages.add('bsl');
    else if (kind === 'interpreter' && language) languages.add(norm(language));
    else if (kind) needs.add(kind);
  }
  return { languages: [...languages], needs: [...needs] };
}

function answerValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [];
}

function ruleMatches(rule: RoutingRule, facts: RoutingFacts): string | null {
  const { when } = rule;
  if ('area' in when) {
    const lat = facts.location?.lat;
    const lng = facts.location?.lng;
    if (typeof lat !== 'number' || typeof lng !== 'number') return null;
    const a = when.area;
    return lat >= a.south && lat <= a.north && lng >= a.west && lng <= a.east
      ? `the location is in ${a.name}`
      : null;
  }
  const given = answerValues(facts.answers[when.question]);
  const wanted = 'equals' in when ? [when.equals] : when.in;
  const hit = given.find((v) => wanted.includes(v));
  return hit === undefined ? null : `the answer to "${when.question}" is "${hit}"`;
}

function serviceSpecialisms(facts: RoutingFacts): string[] {
  if (facts.service.specialisms?.length) return facts.service.specialisms.map(norm);
  return [];
}

function suitsService(candidate: RoutingCandidate, facts: RoutingFacts): string | null {
  const explicit = serviceSpecialisms(facts);
  const slug = `-${facts.service.slug}-`;
  for (const s of candidate.specialisms.map(norm)) {
    if (explicit.length ? explicit.includes(s) : s !== '' && slug.includes(`-${s}-`)) return s;
  }
  return null;
}

/** The pure routing rule (see the module comment). */
export function decideRoute(facts: RoutingFacts): RouteDecision {
  const teamById = new Map(facts.teams.map((t) => [t.id, t]));
  const teamByCode = new Map(facts.teams.map((t) => [t.code, t]));
  const ownTeam = teamById.get(facts.service.teamId);
  let teamId = facts.service.teamId;
  let teamReason = `${ownTeam?.name ?? 'The service team'} handles "${facts.service.name}".`;
  for (const rule of facts.service.rules) {
    const target = teamByCode.get(rule.team);
    if (!target) continue; // a rule naming a team the authority does not have is skipped
    const why = ruleMatches(rule, facts);
    if (why === null) continue;
    teamId = target.id;
    teamReason = rule.reason ?? `${target.name}: ${why}.`;
    break;
  }

  const { languages, needs } = customerSkills(facts.customer);
  const ranked = facts.candidates
    .filter((c) => c.active && c.available && c.teamIds.includes(teamId))
    .map((c) => {
      const spoken = c.languages.map(norm);
      const skills = c.specialisms.map(norm);
      const language = languages.find((l) => spoken.includes(l) || skills.includes(l)) ?? null;
      const need = needs.find((n) => skills.includes(n)) ?? null;
      const service = suitsService(c, facts);
      return { c, language, need, service };
    })
    .filter((r) => r.language || r.need || r.service)
    .sort(
      (a, b) =>
        Number(b.language !== null) - Number(a.language !== null) ||
        Number(b.need !== null) - Number(a.need !== null) ||
        Number(b.service !== null) - Number(a.service !== null) ||
        a.c.openCases - b.c.openCases ||
        a.c.name.localeCompare(b.c.name),
    );
  const best = ranked[0];
  if (!best) {
    const unmatched = languages.length || needs.length;
    return {
      teamId,
      reason: `${teamReason} ${
        unmatched
          ? "Nobody available in the team matches the customer's language or needs, so it waits on the team queue."
          : 'It waits on the team queue.'
      }`,
    };
  }
  const why = best.language
    ? best.language === 'bsl'
      ? 'uses British Sign Language, which the customer needs'
      : `speaks ${languageName(best.language)}, the customer's language`
    : best.need
      ? `can provide ${NEED_LABELS[best.need] ?? best.need.replace(/-/g, ' ')}, which the customer needs`
      : `specialises in ${(best.service ?? '').replace(/-/g, ' ')}`;
  return { teamId, assigneeId: best.c.id, reason: `${teamReason} Offered to ${best.c.name}: ${why}.` };
}

/** The routing part of a service definition (no rules when it has none). */
export function routingRulesOf(definition: ServiceDefinition): {
  rules: RoutingRule[];
  specialisms: string[];
} {
  return { rules: definition.routing?.rules ?? [], specialisms: definition.routing?.specialisms ?? [] };
}

/**
 * Gathers the facts for {@link decideRoute} in the caller's transaction (teams of the authority, the
 * customer's language and needs, the members of the teams the case could go to) and decides.
 */
export async function routeCase(
  trx: Tx,
  service: CaseService,
  input: CreateCaseInput,
): Promise<RouteDecision> {
  const { rules, specialisms } = routingRulesOf(service.definition);
  const teams = await routingRepo.teamsOfAuthority(trx, service.authorityId);
  const codes = new Set(rules.map((r) => r.team));
  const teamIds = [service.teamId, ...teams.filter((t) => codes.has(t.code)).map((t) => t.id)];
  const customer = input.customerId
    ? await routingRepo.customerLanguageAndNeeds(trx, input.customerId)
    : null;
  const candidates = await routingRepo.candidatesOfTeams(trx, teamIds);
  return decideRoute({
    service: { name: service.name, slug: service.slug, teamId: service.teamId, rules, specialisms },
    teams,
    answers: input.answers,
    location: input.location ?? null,
    customer: customer
      ? { language: customer.preferred_language, needs: customer.communication_needs }
      : null,
    candidates,
  });
}
