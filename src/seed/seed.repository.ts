/**
 * SQL of the demo seed and the history generator, apart from the bulk inserts (bulk.repository.ts):
 * finding the demo area again, the area's catalogue rows in one go, and counting what is already there.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, NewRow } from '../platform/db/index.ts';

type Q = Kysely<DB> | Transaction<DB>;

/** Authorities with these codes (id and code). */
export function authoritiesByCode(db: Q, codes: readonly string[]) {
  return db.selectFrom('authorities').select(['id', 'code']).where('code', 'in', codes).execute();
}

/** Active services of the authorities with their team's code, slug order. */
export function activeServicesOf(db: Q, authorityIds: readonly string[]) {
  return db
    .selectFrom('services as s')
    .innerJoin('teams as t', 't.id', 's.team_id')
    .select(['s.id', 's.slug', 's.authority_id', 's.team_id', 's.definition', 't.code as team_code'])
    .where('s.authority_id', 'in', authorityIds)
    .where('s.active', '=', true)
    .orderBy('s.slug')
    .execute();
}

/** Active staff in the authorities' teams, with the team and their roles, email order. */
export function activeTeamMembersOf(db: Q, authorityIds: readonly string[]) {
  return db
    .selectFrom('staff_team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .innerJoin('staff_users as u', 'u.id', 'm.staff_user_id')
    .select(['m.staff_user_id', 'm.team_id', 't.code as team_code', 't.authority_id', 'u.roles'])
    .where('t.authority_id', 'in', authorityIds)
    .where('u.active', '=', true)
    .orderBy('u.email')
    .execute();
}

/** Customers of the authorities with one of these (normalised) email addresses, oldest first. */
export function customersByEmail(db: Q, emails: readonly string[], authorityIds: readonly string[]) {
  return db
    .selectFrom('contact_points')
    .select(['customer_id', 'normalised'])
    .where('kind', '=', 'email')
    .where('normalised', 'in', emails)
    .where('authority_id', 'in', authorityIds)
    .orderBy('created_at')
    .execute();
}

/** Customers and cases the authorities hold already. */
export async function countCustomersAndCases(
  db: Q,
  authorityIds: readonly string[],
): Promise<{ customers: number; cases: number }> {
  const existing = await sql<{ customers: number; cases: number }>`
    select (select count(*) from customers where authority_id in (${sql.join(authorityIds)}))::int as customers,
           (select count(*) from cases where authority_id in (${sql.join(authorityIds)}))::int as cases`.execute(
    db,
  );
  return existing.rows[0] ?? { customers: 0, cases: 0 };
}

/** The area's councils, teams, services, staff, team members and reply templates. */
export interface AreaRows {
  /** The first is the one whose code decides whether the area is there already. */
  authorities: NewRow<'authorities'>[];
  teams: NewRow<'teams'>[];
  services: NewRow<'services'>[];
  staff: NewRow<'staff_users'>[];
  members: NewRow<'staff_team_members'>[];
  replyTemplates: NewRow<'reply_templates'>[];
}

/**
 * Inserts the area's catalogue rows in the caller's transaction, unless the first authority's code is
 * taken: then nothing is written and the result is false. A concurrent seed of the same area waits on
 * the unique code, then finds it taken.
 */
export async function insertArea(trx: Transaction<DB>, rows: AreaRows): Promise<boolean> {
  const [first, ...others] = rows.authorities;
  const inserted = await trx
    .insertInto('authorities')
    .values(first)
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return false;
  await trx.insertInto('authorities').values(others).execute();
  await trx.insertInto('teams').values(rows.teams).execute();
  await trx.insertInto('services').values(rows.services).execute();
  await trx.insertInto('staff_users').values(rows.staff).execute();
  await trx.insertInto('staff_team_members').values(rows.members).execute();
  await trx.insertInto('reply_templates').values(rows.replyTemplates).execute();
  return true;
}

/** A demo council's contact details and offices, as the contact page shows them. */
export interface AuthorityContactRows {
  authorityId: string;
  email: string;
  postalAddress: string;
  phoneHours: string;
  bslVideoRelayUrl: string;
  offices: NewRow<'offices'>[];
}

/**
 * Fills in contact details the council has not got yet and adds its offices unless one of that name is
 * there: safe to run on every start, so an older demo database gains them and edits are never overwritten.
 */
export async function fillAuthorityContactDetails(
  db: Q,
  rows: readonly AuthorityContactRows[],
): Promise<void> {
  for (const row of rows) {
    await db
      .updateTable('authorities')
      .set({
        email: row.email,
        postal_address: row.postalAddress,
        phone_hours: row.phoneHours,
        bsl_video_relay_url: row.bslVideoRelayUrl,
      })
      .where('id', '=', row.authorityId)
      .where('email', 'is', null)
      .execute();
    if (row.offices.length)
      await db
        .insertInto('offices')
        .values(row.offices)
        .onConflict((oc) => oc.columns(['authority_id', 'name']).doNothing())
        .execute();
  }
}

/**
 * Closed cases of the authorities with their service's kind and team: what the records the modules keep
 * beside a case (requests for information, complaints, feedback) are made from. Received order.
 */
export function closedCasesOf(db: Q, authorityIds: readonly string[]) {
  return db
    .selectFrom('cases as c')
    .innerJoin('services as s', 's.id', 'c.service_id')
    .select([
      'c.id',
      'c.authority_id',
      'c.customer_id',
      'c.service_id',
      'c.team_id',
      'c.assignee_id',
      'c.origin_channel',
      'c.received_at',
      'c.due_at',
      'c.closed_at',
      's.kind',
      's.name as service_name',
    ])
    .where('c.authority_id', 'in', authorityIds)
    .where('c.closed_at', 'is not', null)
    .orderBy('c.received_at')
    .orderBy('c.id')
    .execute();
}

/** The module records of the seeded history, in one go (see records.ts). */
export async function insertHistoryRecords(
  trx: Transaction<DB>,
  rows: {
    informationRequests: NewRow<'information_requests'>[];
    complaints: NewRow<'complaints'>[];
    complaintStages: NewRow<'complaint_stages'>[];
    feedback: NewRow<'feedback'>[];
    improvements: NewRow<'improvements'>[];
  },
): Promise<void> {
  const chunks = <T>(list: T[]): T[][] =>
    Array.from({ length: Math.ceil(list.length / 500) }, (_, i) => list.slice(i * 500, i * 500 + 500));
  for (const chunk of chunks(rows.informationRequests))
    await trx.insertInto('information_requests').values(chunk).execute();
  for (const chunk of chunks(rows.complaints)) await trx.insertInto('complaints').values(chunk).execute();
  for (const chunk of chunks(rows.complaintStages))
    await trx.insertInto('complaint_stages').values(chunk).execute();
  for (const chunk of chunks(rows.feedback)) await trx.insertInto('feedback').values(chunk).execute();
  for (const chunk of chunks(rows.improvements)) await trx.insertInto('improvements').values(chunk).execute();
}

/** A team's id by its code, and an active service's id by its slug, of one authority (null when absent). */
export async function teamAndServiceIds(
  db: Q,
  authorityId: string,
  teamCode: string,
  serviceSlug: string | null,
): Promise<{ teamId: string | null; serviceId: string | null }> {
  const team = await db
    .selectFrom('teams')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('code', '=', teamCode)
    .executeTakeFirst();
  const service = serviceSlug
    ? await db
        .selectFrom('services')
        .select('id')
        .where('authority_id', '=', authorityId)
        .where('slug', '=', serviceSlug)
        .where('active', '=', true)
        .executeTakeFirst()
    : undefined;
  return { teamId: team?.id ?? null, serviceId: service?.id ?? null };
}

/** Gives a demo account its phone extension unless it has one (older demo databases). */
export async function setDemoExtension(
  db: Q,
  email: string,
  authorityId: string,
  extension: string,
): Promise<void> {
  await db
    .updateTable('staff_users')
    .set({ phone_extension: extension })
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .where('authority_id', '=', authorityId)
    .where('phone_extension', 'is', null)
    .execute();
}
