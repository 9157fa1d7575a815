/**
 * Builders: each call creates fresh, unique records so tests never depend on each other's data.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/platform/db/index.ts';

export function uniq(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function buildAuthority(
  db: Db,
  overrides: { kind?: 'county' | 'city' | 'district'; name?: string } = {},
) {
  const code = uniq('auth');
  return db
    .insertInto('authorities')
    .values({
      code,
      name: overrides.name ?? `Test ${code}`,
      kind: overrides.kind ?? 'county',
      website: null,
      phone: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function buildTeam(
  db: Db,
  authorityId: string,
  overrides: { name?: string; code?: string } = {},
) {
  const code = overrides.code ?? uniq('team');
  return db
    .insertInto('teams')
    .values({ authority_id: authorityId, code, name: overrides.name ?? `Team ${code}`, email: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

let cachedHash: Promise<string> | null = null;
/** The password every built staff member has (hashed once per process: argon2 is slow on purpose). */
export const TEST_PASSWORD = 'correct horse battery staple';
async function testPasswordHash(): Promise<string> {
  const { hashPassword } = await import('../../src/modules/identity/index.ts');
  cachedHash ??= hashPassword(TEST_PASSWORD);
  return cachedHash;
}

export async function buildStaff(
  db: Db,
  authorityId: string,
  overrides: {
    roles?: string[];
    teamIds?: string[];
    leaderOf?: string[];
    name?: string;
    languages?: string[];
    active?: boolean;
  } = {},
) {
  const email = `${uniq('staff')}@test.example.gov.uk`;
  const staff = await db
    .insertInto('staff_users')
    .values({
      authority_id: authorityId,
      email,
      display_name: overrides.name ?? `Staff ${email.slice(6, 14)}`,
      password_hash: await testPasswordHash(),
      roles: overrides.roles ?? ['agent'],
      languages: overrides.languages ?? [],
      specialisms: [],
      active: overrides.active ?? true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  for (const teamId of overrides.teamIds ?? []) {
    await db
      .insertInto('staff_team_members')
      .values({
        authority_id: authorityId,
        staff_user_id: staff.id,
        team_id: teamId,
        is_leader: overrides.leaderOf?.includes(teamId) ?? false,
      })
      .execute();
  }
  return staff;
}

/** Colleagues with the same role in one team, one per name (e.g. the two officers stage 2 needs). */
export async function buildColleagues(
  db: Db,
  authorityId: string,
  team: { teamId: string; role: string },
  names: string[],
) {
  const staff = [];
  for (const name of names)
    staff.push(await buildStaff(db, authorityId, { roles: [team.role], teamIds: [team.teamId], name }));
  return staff;
}

export async function buildService(
  db: Db,
  authorityId: string,
  teamId: string,
  overrides: {
    name?: string;
    category?: string;
    synonyms?: string[];
    summary?: string;
    sensitivity?: 'normal' | 'restricted';
  } = {},
) {
  const slug = uniq('service');
  const synonyms = overrides.synonyms ?? [];
  return db
    .insertInto('services')
    .values({
      authority_id: authorityId,
      team_id: teamId,
      slug,
      name: overrides.name ?? `Service ${slug}`,
      category: overrides.category ?? 'Test services',
      summary: overrides.summary ?? 'A service used in tests.',
      synonyms,
      keywords: synonyms.join(' '),
      sensitivity: overrides.sensitivity ?? 'normal',
      definition: JSON.stringify({ beforeYouStart: ['your address'] }),
      sla: JSON.stringify({ unit: 'working_days', amount: 10 }),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
