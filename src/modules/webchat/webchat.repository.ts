/**
 * All SQL of the webchat conversation core: chats, their messages, the agents who take them and the offers
 * made to them, plus the transcript written to `interactions` when a chat with a known customer ends.
 * Every function takes `db` or a transaction; the use-cases in webchat.service.ts own the transactions.
 */
import { sql } from 'kysely';
import type { ChatSender, ChatStatus, Db, NewRow, Row, RowUpdate, Tx } from '../../platform/db/index.ts';

type Q = Db | Tx;

/** The statuses of a chat that is waiting for a person (offered or not). */
export const IN_QUEUE: readonly ChatStatus[] = ['queued', 'waiting'];

export function listAuthorities(db: Q) {
  return db.selectFrom('authorities').select(['id', 'name']).orderBy('name').execute();
}

export async function insertChat(db: Q, row: NewRow<'chats'>): Promise<string> {
  const { id } = await db.insertInto('chats').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export function findChat(db: Q, id: string): Promise<Row<'chats'> | undefined> {
  return db.selectFrom('chats').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findChatByTokenHash(db: Q, hash: string): Promise<Row<'chats'> | undefined> {
  return db.selectFrom('chats').selectAll().where('resume_token_sha256', '=', hash).executeTakeFirst();
}

/** The chat, locked until the transaction ends: messages are numbered and status changes made under it. */
export function lockChat(trx: Tx, id: string): Promise<Row<'chats'> | undefined> {
  return trx.selectFrom('chats').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateChat(db: Q, id: string, patch: RowUpdate<'chats'>): Promise<void> {
  await db.updateTable('chats').set(patch).where('id', '=', id).execute();
}

export function findMessageByClientId(db: Q, chatId: string, clientId: string) {
  return db
    .selectFrom('chat_messages')
    .selectAll()
    .where('chat_id', '=', chatId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
}

/** Appends a message as number `last_seq + 1` of a chat the caller has locked. */
export async function appendMessage(
  trx: Tx,
  chat: { id: string; last_seq: number },
  message: {
    sender: ChatSender;
    agentId: string | null;
    body: string;
    clientId: string | null;
    article: unknown;
    at: Date;
  },
): Promise<Row<'chat_messages'>> {
  const seq = chat.last_seq + 1;
  const row = await trx
    .insertInto('chat_messages')
    .values({
      chat_id: chat.id,
      seq,
      sender: message.sender,
      agent_id: message.agentId,
      body: message.body,
      client_id: message.clientId,
      article: message.article === null ? null : JSON.stringify(message.article),
      created_at: message.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx.updateTable('chats').set({ last_seq: seq }).where('id', '=', chat.id).execute();
  chat.last_seq = seq;
  return row;
}

export function messagesAfter(db: Q, chatId: string, after: number, limit = 500) {
  return db
    .selectFrom('chat_messages')
    .selectAll()
    .where('chat_id', '=', chatId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/**
 * Gives the chat to `staffId` when it is still waiting for a person: one conditional update, so of two
 * agents accepting at once exactly one changes the row (the other's update matches nothing once the first
 * has committed: PostgreSQL re-checks the condition on the updated row).
 */
export async function takeChat(db: Q, chatId: string, staffId: string, now: Date): Promise<boolean> {
  const taken = await db
    .updateTable('chats')
    .set({
      status: 'active',
      agent_id: staffId,
      answered_at: sql`coalesce(answered_at, ${now})`,
      queue_front: false,
    })
    .where('id', '=', chatId)
    .where('status', 'in', IN_QUEUE)
    .returning('id')
    .executeTakeFirst();
  return taken !== undefined;
}

/** Queue positions (1 = next) of every chat waiting for a person at a council. */
export async function queuePositions(db: Q, authorityId: string) {
  const rows = await db
    .selectFrom('chats')
    .select([
      'id',
      sql<string>`row_number() over (order by queue_front desc, queue_since, ticket)`.as('position'),
    ])
    .where('authority_id', '=', authorityId)
    .where('status', 'in', IN_QUEUE)
    .execute();
  return rows.map((r) => ({ id: r.id, position: Number(r.position) }));
}

/** The queued chats in queue order, for dispatch (the caller locks them one at a time). */
export function queuedChats(db: Q, authorityId: string) {
  return db
    .selectFrom('chats')
    .select(['id', 'language', 'suggested_service_slug', 'team_id'])
    .where('authority_id', '=', authorityId)
    .where('status', '=', 'queued')
    .orderBy('queue_front', 'desc')
    .orderBy('queue_since')
    .orderBy('ticket')
    .execute();
}

/** Mean minutes from answer to end of the council's last 50 answered chats in the 7 days before `now`. */
export async function averageHandleMinutes(db: Q, authorityId: string, now: Date): Promise<number | null> {
  const since = new Date(now.getTime() - 7 * 24 * 3600_000);
  const row = await db
    .selectFrom((q) =>
      q
        .selectFrom('chats')
        .select(sql<number>`extract(epoch from ended_at - answered_at)`.as('seconds'))
        .where('authority_id', '=', authorityId)
        .where('answered_at', 'is not', null)
        .where('ended_at', '>=', since)
        .orderBy('ended_at', 'desc')
        .limit(50)
        .as('recent'),
    )
    .select(sql<string | null>`avg(seconds)`.as('avg'))
    .executeTakeFirstOrThrow();
  return row.avg === null ? null : Number(row.avg) / 60;
}

const heldCount = sql<number>`(select count(*) from chats c where c.agent_id = a.staff_id and c.status = 'active')`;
const pendingCount = sql<number>`(select count(*) from chat_offers o where o.staff_id = a.staff_id and o.outcome = 'pending')`;

/** Available agents with a live heartbeat, with how many chats they hold and have been offered. */
export async function liveAgents(db: Q, authorityId: string, liveSince: Date) {
  const rows = await db
    .selectFrom('chat_agents as a')
    .select(['a.staff_id', 'a.max_chats', heldCount.as('held'), pendingCount.as('pending')])
    .where('a.authority_id', '=', authorityId)
    .where('a.available', '=', true)
    .where('a.last_heartbeat_at', '>=', liveSince)
    .execute();
  return rows.map((r) => ({
    staffId: r.staff_id,
    maxChats: r.max_chats,
    held: Number(r.held),
    pending: Number(r.pending),
  }));
}

export async function countInQueue(db: Q, authorityId: string): Promise<number> {
  const row = await db
    .selectFrom('chats')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('authority_id', '=', authorityId)
    .where('status', 'in', IN_QUEUE)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The next agent to offer a chat to, round-robin: available, live, with a free place (chats held plus
 * offers pending below their limit), the chat's language (English: anyone) and service (agents with no
 * services listed take any), in the chat's team when it was transferred to one, and not one who declined
 * it; the one offered a chat longest ago first. Locked (skipping agents another dispatch holds).
 */
export async function nextAgentFor(
  trx: Tx,
  chat: {
    id: string;
    authority_id: string;
    language: string;
    suggested_service_slug: string | null;
    team_id: string | null;
  },
  liveSince: Date,
): Promise<string | null> {
  let query = trx
    .selectFrom('chat_agents as a')
    .select('a.staff_id')
    .where('a.authority_id', '=', chat.authority_id)
    .where('a.available', '=', true)
    .where('a.last_heartbeat_at', '>=', liveSince)
    .where(sql<boolean>`a.max_chats > ${heldCount} + ${pendingCount}`)
    .where(
      sql<boolean>`not exists (select 1 from chat_offers d where d.chat_id = ${chat.id} and d.staff_id = a.staff_id and d.outcome = 'declined')`,
    );
  if (chat.language !== 'en') query = query.where(sql<boolean>`${chat.language} = any(a.languages)`);
  if (chat.suggested_service_slug)
    query = query.where(
      sql<boolean>`(cardinality(a.services) = 0 or ${chat.suggested_service_slug} = any(a.services))`,
    );
  if (chat.team_id)
    query = query.where(
      sql<boolean>`exists (select 1 from staff_team_members m where m.staff_user_id = a.staff_id and m.team_id = ${chat.team_id})`,
    );
  const row = await query
    .orderBy(sql`a.last_offered_at nulls first`)
    .orderBy('a.staff_id')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return row?.staff_id ?? null;
}

export async function insertOffer(trx: Q, chatId: string, staffId: string, now: Date): Promise<void> {
  await trx
    .insertInto('chat_offers')
    .values({ chat_id: chatId, staff_id: staffId, offered_at: now })
    .execute();
  await trx
    .updateTable('chat_agents')
    .set({ last_offered_at: now })
    .where('staff_id', '=', staffId)
    .execute();
}

/** Closes a chat's pending offers: the one to `acceptedBy` as accepted, the rest with `outcome`. */
export async function closeOffers(
  db: Q,
  chatId: string,
  now: Date,
  outcome: 'declined' | 'expired',
  acceptedBy: string | null = null,
  onlyStaffId: string | null = null,
): Promise<void> {
  let query = db
    .updateTable('chat_offers')
    .set({
      outcome: acceptedBy
        ? sql`case when staff_id = ${acceptedBy} then 'accepted' else ${outcome} end`
        : outcome,
      decided_at: now,
    })
    .where('chat_id', '=', chatId)
    .where('outcome', '=', 'pending');
  if (onlyStaffId) query = query.where('staff_id', '=', onlyStaffId);
  await query.execute();
}

/** Offers not answered since `before`: their chats go back to the queue (same place) to be offered again. */
export function staleOffers(db: Q, before: Date) {
  return db
    .selectFrom('chat_offers')
    .innerJoin('chats', 'chats.id', 'chat_offers.chat_id')
    .select(['chat_offers.chat_id', 'chat_offers.staff_id', 'chats.authority_id'])
    .where('chat_offers.outcome', '=', 'pending')
    .where('chat_offers.offered_at', '<', before)
    .execute();
}

export function findAgent(db: Q, staffId: string) {
  return db.selectFrom('chat_agents').selectAll().where('staff_id', '=', staffId).executeTakeFirst();
}

export async function upsertAgent(
  db: Q,
  row: { staffId: string; authorityId: string; available: boolean; maxChats?: number; now: Date },
): Promise<void> {
  await db
    .insertInto('chat_agents')
    .values({
      staff_id: row.staffId,
      authority_id: row.authorityId,
      available: row.available,
      max_chats: row.maxChats ?? 3,
      last_heartbeat_at: row.now,
      updated_at: row.now,
    })
    .onConflict((oc) =>
      oc.column('staff_id').doUpdateSet({
        available: row.available,
        ...(row.maxChats === undefined ? {} : { max_chats: row.maxChats }),
        last_heartbeat_at: row.now,
        updated_at: row.now,
      }),
    )
    .execute();
}

export async function setAgentSkills(
  db: Q,
  staffId: string,
  skills: { languages: string[]; services: string[] },
): Promise<void> {
  await db
    .updateTable('chat_agents')
    .set({ languages: skills.languages, services: skills.services })
    .where('staff_id', '=', staffId)
    .execute();
}

export async function touchAgent(db: Q, staffId: string, now: Date): Promise<void> {
  await db
    .updateTable('chat_agents')
    .set({ last_heartbeat_at: now })
    .where('staff_id', '=', staffId)
    .execute();
}

/** Available agents whose heartbeat lapsed before `before`, marked unavailable; their ids and councils. */
export function dropLapsedAgents(db: Q, before: Date, now: Date) {
  return db
    .updateTable('chat_agents')
    .set({ available: false, updated_at: now })
    .where('available', '=', true)
    .where((eb) => eb.or([eb('last_heartbeat_at', '<', before), eb('last_heartbeat_at', 'is', null)]))
    .returning(['staff_id', 'authority_id'])
    .execute();
}

/** Puts the chats an agent holds back at the front of the queue; their ids. */
export async function requeueHeldChats(db: Q, staffId: string, now: Date): Promise<string[]> {
  const rows = await db
    .updateTable('chats')
    .set({ status: 'queued', agent_id: null, queue_front: true, queue_since: now })
    .where('agent_id', '=', staffId)
    .where('status', '=', 'active')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Pending offers to an agent, expired; the chats they were for go back to `queued`. */
export async function expireOffersTo(db: Q, staffId: string, now: Date): Promise<string[]> {
  const rows = await db
    .updateTable('chat_offers')
    .set({ outcome: 'expired', decided_at: now })
    .where('staff_id', '=', staffId)
    .where('outcome', '=', 'pending')
    .returning('chat_id')
    .execute();
  const ids = rows.map((r) => r.chat_id);
  if (ids.length > 0)
    await db
      .updateTable('chats')
      .set({ status: 'queued' })
      .where('id', 'in', ids)
      .where('status', '=', 'waiting')
      .execute();
  return ids;
}

/** An offered chat whose offer lapsed goes back to `queued` (same place in the queue). */
export async function requeueOffered(db: Q, chatId: string): Promise<void> {
  await db
    .updateTable('chats')
    .set({ status: 'queued' })
    .where('id', '=', chatId)
    .where('status', '=', 'waiting')
    .execute();
}

/** The staff list: chats waiting for a person (queue order) and the chats this agent holds. */
export function staffChatList(db: Q, authorityIds: readonly string[], staffId: string) {
  return db
    .selectFrom('chats')
    .select([
      'id',
      'status',
      'resident_name',
      'agent_id',
      'suggested_service_slug',
      'handover_reason',
      'queued_at',
      'answered_at',
      'queue_front',
      'queue_since',
    ])
    .where('authority_id', 'in', authorityIds)
    .where((eb) =>
      eb.or([
        eb('status', 'in', IN_QUEUE),
        eb.and([eb('status', '=', 'active'), eb('agent_id', '=', staffId)]),
      ]),
    )
    .orderBy('queue_front', 'desc')
    .orderBy('queue_since')
    .orderBy('ticket')
    .limit(200)
    .execute();
}

export function findServiceBySlug(db: Q, authorityId: string, slug: string) {
  return db
    .selectFrom('services')
    .select(['id', 'name'])
    .where('authority_id', '=', authorityId)
    .where('slug', '=', slug)
    .executeTakeFirst();
}

export function findServiceOf(db: Q, authorityId: string, serviceId: string) {
  return db
    .selectFrom('services')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('id', '=', serviceId)
    .executeTakeFirst();
}

export function servicesOf(db: Q, authorityId: string) {
  return db
    .selectFrom('services')
    .select(['id', 'name'])
    .where('authority_id', '=', authorityId)
    .where('active', '=', true)
    .orderBy('name')
    .execute();
}

/** A customer of the council who has not been merged into another record. */
export function findCustomerOf(db: Q, authorityId: string, customerId: string) {
  return db
    .selectFrom('customers')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('id', '=', customerId)
    .where('merged_into', 'is', null)
    .executeTakeFirst();
}

export function findTeamOf(db: Q, authorityId: string, teamId: string) {
  return db
    .selectFrom('teams')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('id', '=', teamId)
    .executeTakeFirst();
}

export function findStaffOf(db: Q, authorityId: string, staffId: string) {
  return db
    .selectFrom('staff_users')
    .select(['id', 'display_name'])
    .where('authority_id', '=', authorityId)
    .where('id', '=', staffId)
    .where('active', '=', true)
    .executeTakeFirst();
}

export async function insertInteraction(db: Q, row: NewRow<'interactions'>): Promise<string> {
  const { id } = await db.insertInto('interactions').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateInteraction(db: Q, id: string, patch: RowUpdate<'interactions'>): Promise<void> {
  await db.updateTable('interactions').set(patch).where('id', '=', id).execute();
}
