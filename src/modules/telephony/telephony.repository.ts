/**
 * All of the phone channel's SQL (calls, their events, queues, blocked numbers, agents' phone identities,
 * the call's interaction) except the figures' (telephony.figures.repository.ts).
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';
import type { NewRow, Row, RowUpdate } from '../../platform/db/schema.ts';

type Q = Db | Tx;

export type CallRow = Row<'calls'>;

export interface QueueRow {
  id: string;
  authority_id: string;
  team_id: string;
  service_id: string | null;
  code: string;
}

export async function findQueue(db: Q, by: { code?: string; number?: string }): Promise<QueueRow | null> {
  if (by.code) {
    const row = await db
      .selectFrom('phone_queues')
      .select(['id', 'authority_id', 'team_id', 'service_id', 'code'])
      .where('code', '=', by.code)
      .executeTakeFirst();
    if (row) return row;
  }
  if (by.number) {
    const row = await db
      .selectFrom('phone_queues')
      .select(['id', 'authority_id', 'team_id', 'service_id', 'code'])
      .where('number', '=', by.number)
      .orderBy('created_at')
      .executeTakeFirst();
    if (row) return row;
  }
  return null;
}

/** The authority whose calls arrive with no queue or number we know: the named one, else the county. */
export async function fallbackAuthorityId(db: Q, code: string | null): Promise<string | null> {
  const row = await db
    .selectFrom('authorities')
    .select('id')
    .$if(code !== null, (q) => q.where('code', '=', code!))
    .orderBy(sql`case kind when 'county' then 0 when 'unitary' then 1 else 2 end`)
    .orderBy('created_at')
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * The call's row, locked for this transaction; created on the call's first event, in the council
 * `authorityOf` names (asked only then: most events are for a call already known).
 */
export async function lockCall(
  trx: Tx,
  row: { platform: string; callId: string; at: Date; authorityOf: () => Promise<string> },
): Promise<CallRow> {
  const existing = () =>
    trx
      .selectFrom('calls')
      .selectAll()
      .where('platform', '=', row.platform)
      .where('call_id', '=', row.callId)
      .forUpdate()
      .executeTakeFirst();
  const known = await existing();
  if (known) return known;
  const inserted = await trx
    .insertInto('calls')
    .values({
      authority_id: await row.authorityOf(),
      platform: row.platform,
      call_id: row.callId,
      offered_at: row.at,
    })
    .onConflict((oc) => oc.columns(['platform', 'call_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  // Another request created it meanwhile: wait for its lock.
  return inserted ?? (await existing())!;
}

/** Records the event; false when it was recorded before (a retry). */
export async function insertCallEvent(trx: Tx, row: NewRow<'call_events'>): Promise<boolean> {
  const inserted = await trx
    .insertInto('call_events')
    .values(row)
    .onConflict((oc) => oc.columns(['call_row_id', 'dedupe_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function updateCall(trx: Tx, id: string, patch: RowUpdate<'calls'>): Promise<void> {
  await trx.updateTable('calls').set(patch).where('id', '=', id).execute();
}

export async function isBlocked(db: Q, authorityId: string, number: string): Promise<boolean> {
  const row = await db
    .selectFrom('blocked_numbers')
    .select('number')
    .where('authority_id', '=', authorityId)
    .where('number', '=', number)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The agent a platform names by extension (within the authority first, then the one active agent anywhere
 * with it) or by phone login or email (anywhere).
 */
export async function findAgent(
  db: Q,
  authorityId: string,
  by: { extension?: string; user?: string },
): Promise<{ id: string; authority_id: string } | null> {
  if (by.extension) {
    const rows = await db
      .selectFrom('staff_users')
      .select(['id', 'authority_id'])
      .where('phone_extension', '=', by.extension)
      .where('active', '=', true)
      .orderBy(sql`authority_id = ${authorityId}`, 'desc')
      .limit(2)
      .execute();
    const [first, second] = rows;
    if (first && (first.authority_id === authorityId || !second)) return first;
  }
  const user = by.user ?? by.extension;
  if (user) {
    const row = await db
      .selectFrom('staff_users')
      .select(['id', 'authority_id'])
      .where((eb) =>
        eb.or([
          eb(sql`lower(phone_login)`, '=', user.toLowerCase()),
          eb(sql`lower(email)`, '=', user.toLowerCase()),
        ]),
      )
      .where('active', '=', true)
      .executeTakeFirst();
    if (row) return row;
  }
  return null;
}

/** Customers (not merged away) with this phone number, at most `limit`. */
export async function customersWithPhone(db: Q, number: string, limit = 6): Promise<string[]> {
  const rows = await db
    .selectFrom('contact_points as cp')
    .innerJoin('customers as c', 'c.id', 'cp.customer_id')
    .select('c.id')
    .distinct()
    .where('cp.kind', '=', 'phone')
    .where('cp.normalised', '=', number)
    .where('c.merged_into', 'is', null)
    .orderBy('c.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function insertInteraction(trx: Tx, row: NewRow<'interactions'>): Promise<string> {
  const { id } = await trx.insertInto('interactions').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateInteraction(
  trx: Tx,
  id: string,
  patch: RowUpdate<'interactions'>,
): Promise<void> {
  await trx.updateTable('interactions').set(patch).where('id', '=', id).execute();
}

export interface CallView extends CallRow {
  agent_name: string | null;
  queue_name: string | null;
  outcome: string | null;
  service_id: string | null;
  reason: string | null;
  summary: string | null;
  failure_demand: string | null;
  wrapped_up_at: Date | null;
  interaction_customer_id: string | null;
}

function callView(db: Q) {
  return db
    .selectFrom('calls as c')
    .leftJoin('staff_users as s', 's.id', 'c.agent_id')
    .leftJoin('phone_queues as q', 'q.id', 'c.queue_id')
    .leftJoin('interactions as i', 'i.id', 'c.interaction_id')
    .selectAll('c')
    .select([
      's.display_name as agent_name',
      'q.name as queue_name',
      'i.outcome',
      'i.service_id',
      'i.reason',
      'i.summary',
      'i.failure_demand',
      'i.wrapped_up_at',
      'i.customer_id as interaction_customer_id',
    ]);
}

export async function findCall(db: Q, id: string): Promise<CallView | null> {
  return (await callView(db).where('c.id', '=', id).executeTakeFirst()) ?? null;
}

/**
 * The agent's current call: answered by them, not wrapped up, begun in the last 12 hours; the one still
 * going first, then the latest.
 */
export async function currentCallOf(db: Q, staffId: string, since: Date): Promise<CallView | null> {
  return (
    (await callView(db)
      .where('c.agent_id', '=', staffId)
      .where('c.offered_at', '>=', since)
      .where('i.wrapped_up_at', 'is', null)
      .where('c.blocked', '=', false)
      .orderBy(sql`c.ended_at is null`, 'desc')
      .orderBy('c.offered_at', 'desc')
      .limit(1)
      .executeTakeFirst()) ?? null
  );
}

export interface MissedCallRow {
  id: string;
  caller_number: string | null;
  offered_at: Date;
  ended_at: Date | null;
  queue_name: string | null;
  customer_id: string | null;
  match_count: number;
  hangup_cause: string | null;
  in_menu: boolean;
  called_back: boolean;
}

/** Inbound calls that ended unanswered (in the menu or the queue), newest first. */
export async function missedCalls(
  db: Q,
  filter: { authorityIds: string[]; since: Date; limit: number },
): Promise<MissedCallRow[]> {
  if (filter.authorityIds.length === 0) return [];
  return db
    .selectFrom('calls as c')
    .leftJoin('phone_queues as q', 'q.id', 'c.queue_id')
    .select([
      'c.id',
      'c.caller_number',
      'c.offered_at',
      'c.ended_at',
      'q.name as queue_name',
      'c.customer_id',
      'c.match_count',
      'c.hangup_cause',
      sql<boolean>`c.queued_at is null`.as('in_menu'),
      sql<boolean>`exists (select 1 from calls o where o.direction = 'outbound' and o.caller_number = c.caller_number
        and o.offered_at > c.offered_at)`.as('called_back'),
    ])
    .where('c.authority_id', 'in', filter.authorityIds)
    .where('c.direction', '=', 'inbound')
    .where('c.blocked', '=', false)
    .where('c.answered_at', 'is', null)
    .where('c.ended_at', 'is not', null)
    .where('c.offered_at', '>=', filter.since)
    .orderBy('c.offered_at', 'desc')
    .limit(filter.limit)
    .execute();
}

export interface CustomerBrief {
  id: string;
  name: string;
  postcode: string | null;
  date_of_birth: string | null;
  open_cases: number;
  authority_id: string;
}

export async function customerBriefs(db: Q, ids: string[]): Promise<CustomerBrief[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('customers as c')
    .select([
      'c.id',
      'c.authority_id',
      'c.date_of_birth',
      sql<string>`coalesce(c.organisation_name, trim(concat_ws(' ', c.given_name, c.family_name)))`.as(
        'name',
      ),
      sql<string | null>`(select cp.address->>'postcode' from contact_points cp
        where cp.customer_id = c.id and cp.kind = 'address' order by cp.is_primary desc limit 1)`.as(
        'postcode',
      ),
      sql<number>`(select count(*)::int from cases k where k.customer_id = c.id and k.closed_at is null)`.as(
        'open_cases',
      ),
    ])
    .where('c.id', 'in', ids)
    .orderBy('name')
    .execute();
}

export async function setStaffPhoneIdentity(
  db: Q,
  staffId: string,
  identity: { extension: string | null; login: string | null },
): Promise<void> {
  await db
    .updateTable('staff_users')
    .set({ phone_extension: identity.extension, phone_login: identity.login })
    .where('id', '=', staffId)
    .execute();
}

export async function staffPhoneIdentity(
  db: Q,
  staffId: string,
): Promise<{ phone_extension: string | null; phone_login: string | null; authority_id: string } | null> {
  return (
    (await db
      .selectFrom('staff_users')
      .select(['phone_extension', 'phone_login', 'authority_id'])
      .where('id', '=', staffId)
      .executeTakeFirst()) ?? null
  );
}

export async function phoneIdentityTaken(
  db: Q,
  staffId: string,
  authorityId: string,
  identity: { extension: string | null; login: string | null },
): Promise<{ extension: boolean; login: boolean }> {
  const [ext, login] = await Promise.all([
    identity.extension
      ? db
          .selectFrom('staff_users')
          .select('id')
          .where('authority_id', '=', authorityId)
          .where('phone_extension', '=', identity.extension)
          .where('id', '!=', staffId)
          .executeTakeFirst()
      : undefined,
    identity.login
      ? db
          .selectFrom('staff_users')
          .select('id')
          .where(sql`lower(phone_login)`, '=', identity.login.toLowerCase())
          .where('id', '!=', staffId)
          .executeTakeFirst()
      : undefined,
  ]);
  return { extension: ext !== undefined, login: login !== undefined };
}

export async function upsertQueue(db: Q, row: NewRow<'phone_queues'>): Promise<string> {
  const { id } = await db
    .insertInto('phone_queues')
    .values(row)
    .onConflict((oc) =>
      oc.column('code').doUpdateSet({
        authority_id: row.authority_id,
        team_id: row.team_id,
        name: row.name,
        number: row.number,
        service_id: row.service_id,
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function servicesForWrapUp(
  db: Q,
  authorityIds: string[],
): Promise<{ id: string; name: string; authority_name: string }[]> {
  if (authorityIds.length === 0) return [];
  return db
    .selectFrom('services as s')
    .innerJoin('authorities as a', 'a.id', 's.authority_id')
    .select(['s.id', 's.name', 'a.name as authority_name'])
    .where('s.active', '=', true)
    .where('s.authority_id', 'in', authorityIds)
    .orderBy('s.name')
    .execute();
}

/** An earlier contact by the customer about the service within `days` before `at` (a repeat). */
export async function contactedAboutWithin(
  db: Q,
  row: { customerId: string; serviceId: string; at: Date; days: number; exceptInteractionId: string },
): Promise<boolean> {
  const found = await db
    .selectFrom('interactions')
    .select('id')
    .where('customer_id', '=', row.customerId)
    .where('service_id', '=', row.serviceId)
    .where('id', '!=', row.exceptInteractionId)
    .where('occurred_at', '<', row.at)
    .where('occurred_at', '>=', new Date(row.at.getTime() - row.days * 24 * 3600_000))
    .limit(1)
    .executeTakeFirst();
  return found !== undefined;
}

/** Sets the caller chosen from a shared number's list on the call and its interaction. */
export async function setCallCustomer(
  trx: Tx,
  call: { id: string; interaction_id: string | null },
  customerId: string,
) {
  await trx
    .updateTable('calls')
    .set({ customer_id: customerId, updated_at: new Date() })
    .where('id', '=', call.id)
    .execute();
  if (call.interaction_id)
    await trx
      .updateTable('interactions')
      .set({ customer_id: customerId })
      .where('id', '=', call.interaction_id)
      .execute();
}

/** The agent's calls since `since`, newest first. */
export async function callsOfAgent(db: Q, staffId: string, since: Date, limit = 50): Promise<CallView[]> {
  return callView(db)
    .where('c.agent_id', '=', staffId)
    .where('c.offered_at', '>=', since)
    .orderBy('c.offered_at', 'desc')
    .limit(limit)
    .execute();
}
