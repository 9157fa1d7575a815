/** All SQL for the `messages` table, plus the reads of customers, authorities and cases it needs. */
import { sql } from 'kysely';
import { type Db, type NewRow, type Row, type Tx, type WriteBatch } from '../../platform/db/index.ts';

type Conn = Db | Tx;

export type MessageRow = Row<'messages'>;
export type MessageStatus = MessageRow['status'];

export function findAuthority(db: Conn, authorityId: string) {
  return db
    .selectFrom('authorities')
    .select(['id', 'name', 'phone', 'website'])
    .where('id', '=', authorityId)
    .executeTakeFirst();
}

/** The customer (following merges to the surviving record) with their primary contact points. */
export async function findCustomerContacts(db: Conn, customerId: string) {
  let id = customerId;
  for (let hop = 0; hop < 5; hop += 1) {
    const row = await db
      .selectFrom('customers')
      .select([
        'id',
        'title',
        'given_name',
        'family_name',
        'organisation_name',
        'preferred_channel',
        'preferred_language',
        'merged_into',
      ])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    if (row.merged_into && row.merged_into !== row.id) {
      id = row.merged_into;
      continue;
    }
    const points = await db
      .selectFrom('contact_points')
      .select(['kind', 'value', 'normalised', 'address', 'is_primary', 'verified_at', 'created_at'])
      .where('customer_id', '=', row.id)
      .orderBy('is_primary', 'desc')
      .orderBy('created_at', 'desc')
      .execute();
    const first = (kind: 'email' | 'phone' | 'address') => points.find((p) => p.kind === kind) ?? null;
    const phones = points.filter((p) => p.kind === 'phone');
    return {
      customer: row,
      email: first('email')?.normalised ?? null,
      /** Every phone number, primary first (the caller picks one that can take texts). */
      phones: phones.map((p) => p.normalised),
      address: first('address')?.address ?? null,
    };
  }
  return null;
}

/** The answer to the form's "How should we contact you?" (`contactBy`) on the case, if it has one. */
export async function contactAnswerOfCase(db: Conn, caseId: string): Promise<string | null> {
  const row = await db
    .selectFrom('cases')
    .select(sql<string | null>`answers ->> 'contactBy'`.as('contact_by'))
    .where('id', '=', caseId)
    .executeTakeFirst();
  return row?.contact_by ?? null;
}

export async function messageIdByDedupeKey(db: Conn, dedupeKey: string): Promise<string | null> {
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Inserts a message; returns its id, or null when the dedupe key is already taken. */
export async function insertMessage(db: Conn, values: NewRow<'messages'>): Promise<string | null> {
  const row = await db
    .insertInto('messages')
    .values(values)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * {@link insertMessage} as one write of a batch, only if the batch's write `gate` returned a row. Returns
 * the name of the write, which returns the message id when the row was inserted (not on a dedupe clash).
 */
export function insertMessageInBatch(
  batch: WriteBatch,
  values: NewRow<'messages'> & { id: string },
  gate: string,
): string {
  return batch.insert('messages', values, {
    gate,
    onConflictDoNothing: ['dedupe_key'],
    returning: ['id'],
  });
}

export function findMessage(db: Conn, id: string) {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The email thread of a case, for the headers of the next email about it (docs/email.md "Outbound
 * headers"): its reference, the Message-IDs on the thread oldest first (what we received, and what we
 * sent by SMTP: nodemailer's Message-ID is kept as the provider id) and the last one we received.
 */
export async function emailThreadOf(db: Conn, caseId: string, exceptMessageId: string) {
  const [kase, received, sent] = await Promise.all([
    db.selectFrom('cases').select('reference').where('id', '=', caseId).executeTakeFirst(),
    db
      .selectFrom('emails')
      .select(['message_id', 'received_at as at'])
      .where('case_id', '=', caseId)
      .where('state', 'in', ['threaded', 'new_case'])
      .orderBy('received_at')
      .execute(),
    db
      .selectFrom('messages')
      .select(['provider_id', 'sent_at as at'])
      .where('case_id', '=', caseId)
      .where('channel', '=', 'email')
      .where('provider', '=', 'smtp')
      .where('status', '=', 'delivered')
      .where('provider_id', 'is not', null)
      .where('id', '!=', exceptMessageId)
      .orderBy('sent_at')
      .execute(),
  ]);
  if (!kase) return null;
  const strip = (id: string) => id.replace(/^<|>$/g, '');
  const ids = [
    ...received.map((r) => ({ id: r.message_id, at: r.at.getTime() })),
    ...sent.map((s) => ({ id: strip(s.provider_id ?? ''), at: s.at?.getTime() ?? 0 })),
  ]
    .filter((x) => x.id !== '')
    .sort((a, b) => a.at - b.at)
    .map((x) => x.id);
  return {
    reference: kase.reference,
    inReplyTo: received.length > 0 ? received[received.length - 1].message_id : null,
    references: [...new Set(ids)],
  };
}

/**
 * Claims a message for a delivery attempt; null when it was already delivered or recorded (or is gone).
 * A `failed` message can be claimed again: that only happens when an operator retries its dead job.
 */
export function markSending(db: Conn, id: string) {
  return db
    .updateTable('messages')
    .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'sending', 'failed'])
    .returningAll()
    .executeTakeFirst();
}

/** After a failed attempt that will be retried. `outcomeKnown`: the provider refused, so nothing was sent. */
export async function markRetry(db: Conn, id: string, error: string, outcomeKnown: boolean): Promise<void> {
  await db
    .updateTable('messages')
    .set({ status: outcomeKnown ? 'queued' : 'sending', error })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'sending'])
    .execute();
}

/** Records the final outcome once; returns the row when this call finished it (null if already finished). */
export function markFinished(
  db: Conn,
  id: string,
  outcome: {
    status: 'delivered' | 'failed' | 'recorded';
    provider: 'notify' | 'smtp' | 'local' | null;
    providerId: string | null;
    error: string | null;
    at: Date;
  },
) {
  return db
    .updateTable('messages')
    .set({
      status: outcome.status,
      provider: outcome.provider,
      provider_id: outcome.providerId,
      error: outcome.error,
      sent_at: outcome.status === 'failed' ? null : outcome.at,
    })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'sending'])
    .returningAll()
    .executeTakeFirst();
}

export async function appendCaseEvent(
  db: Conn,
  event: {
    caseId: string;
    kind: string;
    visibleToCustomer: boolean;
    body: string;
    data: Record<string, unknown>;
    at: Date;
  },
): Promise<void> {
  const found = await db
    .selectFrom('cases')
    .select(['id', 'authority_id'])
    .where('id', '=', event.caseId)
    .executeTakeFirst();
  if (!found) return;
  await db
    .insertInto('case_events')
    .values({
      authority_id: found.authority_id,
      case_id: found.id,
      kind: event.kind,
      visible_to_customer: event.visibleToCustomer,
      body: event.body,
      data: JSON.stringify(event.data),
      created_at: event.at,
    })
    .execute();
}

export interface MessageScope {
  authorityIds: string[];
  teamIds: string[];
}

/**
 * Messages staff may see: those of their authorities, except messages about cases of restricted
 * services, which only the case's team sees.
 */
function scoped(db: Conn, scope: MessageScope) {
  return db
    .selectFrom('messages as m')
    .leftJoin('cases as c', 'c.id', 'm.case_id')
    .leftJoin('services as s', 's.id', 'c.service_id')
    .where(
      'm.authority_id',
      'in',
      scope.authorityIds.length ? scope.authorityIds : ['00000000-0000-0000-0000-000000000000'],
    )
    .where((eb) =>
      eb.or([
        eb('m.case_id', 'is', null),
        eb('s.sensitivity', '=', 'normal'),
        ...(scope.teamIds.length ? [eb('c.team_id', 'in', scope.teamIds)] : []),
      ]),
    );
}

export function listMessages(
  db: Conn,
  scope: MessageScope,
  options: { status?: MessageStatus; limit: number; before?: Date },
) {
  let query = scoped(db, scope)
    .select([
      'm.id',
      'm.created_at',
      'm.sent_at',
      'm.channel',
      'm.template',
      'm.status',
      'm.provider',
      'm.attempts',
      'c.reference as case_reference',
    ])
    .orderBy('m.created_at', 'desc')
    .orderBy('m.id', 'desc')
    .limit(options.limit);
  if (options.status) query = query.where('m.status', '=', options.status);
  if (options.before) query = query.where('m.created_at', '<', options.before);
  return query.execute();
}

export function findScopedMessage(db: Conn, scope: MessageScope, id: string) {
  return scoped(db, scope)
    .selectAll('m')
    .select(['c.reference as case_reference'])
    .where('m.id', '=', id)
    .executeTakeFirst();
}

/**
 * Records what the provider says about a message it took, only when it moves the message forward (a
 * higher rank): a duplicate receipt or one that arrives after a later one changes nothing. Returns the
 * message when it was changed.
 */
export function recordProviderStatus(
  db: Conn,
  input: { provider: 'notify'; providerId: string; status: string; rank: number; at: Date },
) {
  return db
    .updateTable('messages')
    .set({ provider_status: input.status, provider_status_rank: input.rank, provider_status_at: input.at })
    .where('provider', '=', input.provider)
    .where('provider_id', '=', input.providerId)
    .where('provider_status_rank', '<', input.rank)
    .returning(['id', 'authority_id', 'case_id', 'customer_id', 'channel', 'recipient'])
    .executeTakeFirst();
}

/** Messages Notify took whose final status we have not heard, sent in the window (oldest first). */
export function messagesAwaitingStatus(
  db: Conn,
  input: { sentAfter: Date; sentBefore: Date; limit: number },
) {
  return db
    .selectFrom('messages')
    .select(['id', 'provider_id'])
    .where('provider', '=', 'notify')
    .where('status', '=', 'delivered')
    .where('provider_status_rank', '<', 4)
    .where('provider_id', 'is not', null)
    .where('sent_at', '>', input.sentAfter)
    .where('sent_at', '<', input.sentBefore)
    .orderBy('sent_at')
    .limit(input.limit)
    .execute();
}

/** Marks a contact point (email address or E.164 phone number) that cannot be delivered to. */
export async function markContactUndeliverable(
  db: Conn,
  kind: 'email' | 'phone',
  normalised: string,
  at: Date,
): Promise<number> {
  const result = await db
    .updateTable('contact_points')
    .set({ undeliverable_at: at })
    .where('kind', '=', kind)
    .where('normalised', '=', normalised)
    .where('undeliverable_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A case's reference and its assignee's name and email (whoever must hear that a message failed). */
export function caseAndOwner(db: Conn, caseId: string) {
  return db
    .selectFrom('cases as c')
    .leftJoin('staff_users as s', 's.id', 'c.assignee_id')
    .select([
      'c.id',
      'c.authority_id',
      'c.reference',
      's.email as owner_email',
      's.display_name as owner_name',
    ])
    .where('c.id', '=', caseId)
    .executeTakeFirst();
}

/** A number that texted STOP: no text is sent to it until it texts START. */
export async function recordOptOut(
  db: Conn,
  phone: string,
  at: Date,
  inboundTextId: string | null,
): Promise<void> {
  await db
    .insertInto('text_opt_outs')
    .values({ phone, opted_out_at: at, inbound_text_id: inboundTextId })
    .onConflict((oc) => oc.column('phone').doNothing())
    .execute();
}

export async function removeOptOut(db: Conn, phone: string): Promise<void> {
  await db.deleteFrom('text_opt_outs').where('phone', '=', phone).execute();
}

export async function isOptedOut(db: Conn, phone: string): Promise<boolean> {
  const row = await db
    .selectFrom('text_opt_outs')
    .select('phone')
    .where('phone', '=', phone)
    .executeTakeFirst();
  return row !== undefined;
}

/** Is this the provider's id of one of our messages? */
export async function isProviderMessage(db: Conn, provider: 'notify', providerId: string): Promise<boolean> {
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('provider', '=', provider)
    .where('provider_id', '=', providerId)
    .executeTakeFirst();
  return row !== undefined;
}
