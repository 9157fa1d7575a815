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
  number: string | null;
}

/** The queues events name, by their code or their number (one statement for a batch of events). */
export async function queuesNamed(db: Q, by: { codes: string[]; numbers: string[] }): Promise<QueueRow[]> {
  if (by.codes.length === 0 && by.numbers.length === 0) return [];
  return db
    .selectFrom('phone_queues')
    .select(['id', 'authority_id', 'team_id', 'service_id', 'code', 'number', 'created_at'])
    .where((eb) =>
      eb.or([
        ...(by.codes.length ? [eb('code', 'in', by.codes)] : []),
        ...(by.numbers.length ? [eb('number', 'in', by.numbers)] : []),
      ]),
    )
    .orderBy('created_at')
    .execute();
}

export interface CallKey {
  platform: string;
  callId: string;
}

/** The calls with these keys that exist, locked for this transaction (in id order, so batches never deadlock). */
export async function lockCalls(trx: Tx, keys: CallKey[]): Promise<CallRow[]> {
  if (keys.length === 0) return [];
  return trx
    .selectFrom('calls')
    .selectAll()
    .where(
      sql<boolean>`(platform, call_id) in (select * from unnest(${keys.map((k) => k.platform)}::text[], ${keys.map((k) => k.callId)}::text[]))`,
    )
    .orderBy('id')
    .forUpdate()
    .execute();
}

/**
 * Creates the calls first heard of now, in key order; a call another transaction created meanwhile is not
 * returned (lock it with `lockCalls`, which waits for that transaction).
 */
export async function insertCalls(
  trx: Tx,
  rows: { authority_id: string; platform: string; call_id: string; offered_at: Date }[],
): Promise<CallRow[]> {
  if (rows.length === 0) return [];
  const sorted = [...rows].sort(
    (a, b) => a.platform.localeCompare(b.platform) || a.call_id.localeCompare(b.call_id),
  );
  return trx
    .insertInto('calls')
    .values(sorted)
    .onConflict((oc) => oc.columns(['platform', 'call_id']).doNothing())
    .returningAll()
    .execute();
}

/**
 * Records the events; returns the `call_row_id dedupe_key` of those recorded now (an event recorded before,
 * a retry, is not; of two alike in one batch, the first is).
 */
export async function insertCallEvents(trx: Tx, rows: NewRow<'call_events'>[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await trx
    .insertInto('call_events')
    .values(rows)
    .onConflict((oc) => oc.columns(['call_row_id', 'dedupe_key']).doNothing())
    .returning(['call_row_id', 'dedupe_key'])
    .execute();
  return new Set(inserted.map((r) => `${r.call_row_id} ${r.dedupe_key}`));
}

/** Writes the calls' rows back whole (they are locked by this transaction): one statement for the batch. */
export async function updateCalls(trx: Tx, rows: CallRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    update calls c set
      authority_id = r.authority_id, direction = r.direction, from_number = r.from_number,
      to_number = r.to_number, caller_number = r.caller_number, queue_id = r.queue_id,
      queue_code = r.queue_code, ivr_path = r.ivr_path, ivr_no_option = r.ivr_no_option,
      offered_at = r.offered_at, queued_at = r.queued_at, ringing_at = r.ringing_at,
      answered_at = r.answered_at, ended_at = r.ended_at, hangup_cause = r.hangup_cause,
      agent_id = r.agent_id, agent_extension = r.agent_extension, transfers = r.transfers,
      transferred_to = r.transferred_to, hold_started_at = r.hold_started_at,
      hold_seconds = r.hold_seconds, blocked = r.blocked, customer_id = r.customer_id,
      match_count = r.match_count, interaction_id = r.interaction_id, callback_id = r.callback_id,
      updated_at = r.updated_at
    from jsonb_populate_recordset(null::calls, ${JSON.stringify(rows)}::jsonb) r
    where c.id = r.id
  `.execute(trx);
}

/** The blocked numbers among these, as `authority_id number`. */
export async function blockedAmong(db: Q, numbers: string[]): Promise<Set<string>> {
  if (numbers.length === 0) return new Set();
  const rows = await db
    .selectFrom('blocked_numbers')
    .select(['authority_id', 'number'])
    .where('number', 'in', numbers)
    .execute();
  return new Set(rows.map((r) => `${r.authority_id} ${r.number}`));
}

export interface AgentRow {
  id: string;
  authority_id: string;
  phone_extension: string | null;
  phone_login: string | null;
  email: string;
}

/** Active staff whose extension, phone login or email is one of these (for `pickAgent`). */
export async function agentsNamed(db: Q, by: { extensions: string[]; users: string[] }): Promise<AgentRow[]> {
  if (by.extensions.length === 0 && by.users.length === 0) return [];
  const users = by.users.map((u) => u.toLowerCase());
  return db
    .selectFrom('staff_users')
    .select(['id', 'authority_id', 'phone_extension', 'phone_login', 'email'])
    .where('active', '=', true)
    .where((eb) =>
      eb.or([
        ...(by.extensions.length ? [eb('phone_extension', 'in', by.extensions)] : []),
        ...(users.length
          ? [eb(sql`lower(phone_login)`, 'in', users), eb(sql`lower(email)`, 'in', users)]
          : []),
      ]),
    )
    .orderBy('created_at')
    .execute();
}

/** Customers (not merged away) with each of these phone numbers, at most `limit` a number, by id. */
export async function customersWithPhones(
  db: Q,
  numbers: string[],
  limit = 6,
): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>(numbers.map((n) => [n, []]));
  if (numbers.length === 0) return found;
  const rows = await db
    .selectFrom('contact_points as cp')
    .innerJoin('customers as c', 'c.id', 'cp.customer_id')
    .select(['cp.normalised as number', 'c.id'])
    .distinct()
    .where('cp.kind', '=', 'phone')
    .where('cp.normalised', 'in', numbers)
    .where('c.merged_into', 'is', null)
    .orderBy('cp.normalised')
    .orderBy('c.id')
    .execute();
  for (const row of rows) {
    const list = found.get(row.number ?? '');
    if (list && list.length < limit) list.push(row.id);
  }
  return found;
}

/** Customers (not merged away) with this phone number, at most `limit`. */
export async function customersWithPhone(db: Q, number: string, limit = 6): Promise<string[]> {
  return (await customersWithPhones(db, [number], limit)).get(number) ?? [];
}

export async function updateInteraction(
  trx: Tx,
  id: string,
  patch: RowUpdate<'interactions'>,
): Promise<void> {
  await trx.updateTable('interactions').set(patch).where('id', '=', id).execute();
}

/** Makes the calls' interactions; their ids, in the order given. */
export async function insertInteractions(trx: Tx, rows: NewRow<'interactions'>[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const inserted = await trx.insertInto('interactions').values(rows).returning('id').execute();
  return inserted.map((r) => r.id);
}

/** What a call's interaction says of the call's times and agent. */
export interface CallInteractionTimes {
  direction: 'inbound' | 'outbound';
  queued_at: Date | null;
  answered_at: Date | null;
  ended_at: Date | null;
  occurred_at: Date;
  agent_id: string | null;
}

/** Brings the calls' interactions up to date (times, agent, and the customer once known): one statement. */
export async function updateCallInteractions(
  trx: Tx,
  rows: (CallInteractionTimes & { id: string; customer_id: string | null })[],
): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    update interactions i set
      direction = r.direction, queued_at = r.queued_at, answered_at = r.answered_at,
      ended_at = r.ended_at, occurred_at = r.occurred_at, agent_id = r.agent_id,
      customer_id = coalesce(r.customer_id, i.customer_id)
    from jsonb_populate_recordset(null::interactions, ${JSON.stringify(rows)}::jsonb) r
    where i.id = r.id
  `.execute(trx);
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
