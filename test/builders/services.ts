/**
 * Builders for services made from the shipped definitions (`src/modules/services/definitions/<slug>.json`):
 * installs one as a service of a given council and team, under a unique slug so tests can run in parallel
 * in one database. Used by the casework tests (complaints, FOI/EIR/SAR, feedback) and the browser journeys.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/platform/db/index.ts';
import { buildTeam } from './index.ts';
import { loadServiceDefinitions, type ServiceDefinition } from '../../src/modules/services/index.ts';

let shipped: ServiceDefinition[] | null = null;

export async function installShippedService(
  db: Db,
  input: { authorityId: string; teamId: string; slug: string; name?: string },
): Promise<{ id: string; slug: string; name: string }> {
  shipped ??= loadServiceDefinitions();
  const definition = shipped.find((d) => d.slug === input.slug);
  if (!definition) throw new Error(`no shipped service definition ${input.slug}`);
  const slug = `${input.slug}-${randomUUID().slice(0, 8)}`;
  const name = input.name ?? definition.name;
  const row = await db
    .insertInto('services')
    .values({
      authority_id: input.authorityId,
      team_id: input.teamId,
      slug,
      name,
      category: definition.category,
      summary: definition.summary,
      synonyms: [],
      keywords: '',
      kind: definition.kind,
      definition: JSON.stringify({ ...definition, slug }),
      definition_version: definition.version,
      sla: JSON.stringify(definition.sla),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, slug, name };
}

/** A team of the council with the shipped services it runs, in the order given (e.g. FOI and SAR for IG). */
export async function buildTeamRunning(
  db: Db,
  authorityId: string,
  teamName: string,
  slugs: string[],
): Promise<{ teamId: string; services: { id: string; slug: string; name: string }[] }> {
  const team = await buildTeam(db, authorityId, { name: teamName });
  const services = [];
  for (const slug of slugs)
    services.push(await installShippedService(db, { authorityId, teamId: team.id, slug }));
  return { teamId: team.id, services };
}
