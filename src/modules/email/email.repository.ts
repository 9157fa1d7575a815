/**
 * SQL of the email channel: mailboxes, IMAP cursors, received emails and their original MIME, automatic
 * acknowledgements (owned here), and the reads threading needs from cases, messages, customers and
 * contact points (the thread keys, the parties to a case, a sender's customer record).
 */
import { sql } from 'kysely';
import {
  PREPARED,
  type Db,
  type EmailState,
  type NewRow,
  type RowUpdate,
  type Tx,
  type WriteBatch,
} from '../../platform/db/index.ts';

type Q = Db | Tx;

const MAILBOX_COLUMNS = [
  'id',
  'authority_id',
  'team_id',
  'address',
  'name',
  'default_service_id',
  'reopen_days',
  'auto_acknowledge',
  'imap_host',
  'imap_port',
  'imap_secure',
  'imap_user',
  'imap_password_env',
  'imap_folder',
  'imap_move_to',
  'active',
] as const;

export const mailboxById = (db: Q, id: string) =>
  db.selectFrom('mailboxes').select(MAILBOX_COLUMNS).where('id', '=', id).executeTakeFirst();

export const mailboxByAddress = (db: Q, address: string) =>
  db.selectFrom('mailboxes').select(MAILBOX_COLUMNS).where('address', '=', address).executeTakeFirst();

export const activeMailboxes = (db: Q) =>
  db.selectFrom('mailboxes').select(MAILBOX_COLUMNS).where('active', '=', true).orderBy('address').execute();

export type MailboxRow = NonNullable<Awaited<ReturnType<typeof mailboxById>>>;

export async function insertMailbox(db: Q, row: NewRow<'mailboxes'>): Promise<string> {
  const inserted = await db
    .insertInto('mailboxes')
    .values(row)
    .onConflict((oc) => oc.column('address').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  const existing = await mailboxByAddress(db, row.address);
  if (!existing) throw new Error('mailbox vanished');
  return existing.id;
}

export async function loadCursor(db: Q, mailboxId: string) {
  const row = await db
    .selectFrom('mailbox_cursors')
    .select(['uid_validity', 'last_uid'])
    .where('mailbox_id', '=', mailboxId)
    .executeTakeFirst();
  return row ? { uidValidity: row.uid_validity, lastUid: Number(row.last_uid) } : null;
}

export async function saveCursor(
  db: Q,
  mailboxId: string,
  cursor: { uidValidity: string; lastUid: number },
  at: Date,
): Promise<void> {
  await db
    .insertInto('mailbox_cursors')
    .values({
      mailbox_id: mailboxId,
      uid_validity: cursor.uidValidity,
      last_uid: cursor.lastUid,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc.column('mailbox_id').doUpdateSet({
        uid_validity: cursor.uidValidity,
        last_uid: cursor.lastUid,
        updated_at: at,
      }),
    )
    .execute();
}

/**
 * The email's row, written once (mailbox + Message-ID + fingerprint), in the caller's batch: later writes
 * gated on it happen only when it was new. Returns the write's name.
 */
export function insertEmailInBatch(batch: WriteBatch, row: NewRow<'emails'> & { id: string }): string {
  return batch.insert('emails', row, {
    onConflictDoNothing: ['mailbox_id', 'message_id', 'fingerprint'],
    returning: ['id'],
  });
}

/** The original MIME of a new email (evidence for FOI and SAR), gated on its row. */
export function insertSourceInBatch(batch: WriteBatch, row: NewRow<'email_sources'>, gate: string): void {
  batch.insert('email_sources', row, { gate });
}

export const findStoredEmail = (db: Q, mailboxId: string, messageId: string, fingerprint: string) =>
  db
    .selectFrom('emails')
    .select(['id', 'state', 'reason', 'case_id'])
    .where('mailbox_id', '=', mailboxId)
    .where('message_id', '=', messageId)
    .where('fingerprint', '=', fingerprint)
    .executeTakeFirst();

/** The same message (Message-ID and fingerprint) already handled in another of our mailboxes. */
export const handledCopyElsewhere = (db: Q, emailId: string, messageId: string, fingerprint: string) =>
  db
    .selectFrom('emails')
    .select(['id', 'case_id'])
    .where('message_id', '=', messageId)
    .where('fingerprint', '=', fingerprint)
    .where('id', '!=', emailId)
    .where('state', 'in', ['threaded', 'new_case', 'triage', 'no_action'])
    .limit(1)
    .modifyEnd(PREPARED)
    .executeTakeFirst();

export async function updateEmail(db: Q, id: string, values: RowUpdate<'emails'>): Promise<void> {
  await db.updateTable('emails').set(values).where('id', '=', id).modifyEnd(PREPARED).execute();
}

export const lockEmail = (trx: Tx, id: string) =>
  trx.selectFrom('emails').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export const findEmail = (db: Q, id: string) =>
  db
    .selectFrom('emails')
    .innerJoin('mailboxes', 'mailboxes.id', 'emails.mailbox_id')
    .selectAll('emails')
    .select([
      'mailboxes.address as mailbox_address',
      'mailboxes.name as mailbox_name',
      'mailboxes.default_service_id as mailbox_default_service_id',
      'mailboxes.auto_acknowledge as mailbox_auto_acknowledge',
    ])
    .where('emails.id', '=', id)
    .executeTakeFirst();

export type EmailRow = NonNullable<Awaited<ReturnType<typeof findEmail>>>;

export const sourceOf = (db: Q, emailId: string) =>
  db.selectFrom('email_sources').select(['raw', 'sha256']).where('email_id', '=', emailId).executeTakeFirst();

// ---------------------------------------------------------------------------------------------------
// Threading reads

const CASE_COLUMNS = [
  'cases.id',
  'cases.reference',
  'cases.authority_id',
  'cases.service_id',
  'cases.customer_id',
  'cases.representative_id',
  'cases.guest_name',
  'cases.guest_email',
  'cases.closed_at',
  'cases.status',
  'cases.team_id',
  'cases.assignee_id',
  'cases.answers',
] as const;

export const caseByReference = (db: Q, reference: string) =>
  db
    .selectFrom('cases')
    .select(CASE_COLUMNS)
    .where('reference', '=', reference)
    .modifyEnd(PREPARED)
    .executeTakeFirst();

export const caseById = (db: Q, id: string) =>
  db.selectFrom('cases').select(CASE_COLUMNS).where('id', '=', id).executeTakeFirst();

export type ThreadCase = NonNullable<Awaited<ReturnType<typeof caseById>>>;

/** The case an earlier email with this Message-ID belongs to (received by us), or null. */
export async function caseOfReceivedMessageId(db: Q, messageId: string): Promise<string | null> {
  const row = await db
    .selectFrom('emails')
    .select('case_id')
    .where('message_id', '=', messageId)
    .where('case_id', 'is not', null)
    .orderBy('received_at', 'desc')
    .limit(1)
    .modifyEnd(PREPARED)
    .executeTakeFirst();
  return row?.case_id ?? null;
}

/** A message we sent (its id is the local part of our Message-ID), with its case and recipient. */
export const sentMessage = (db: Q, id: string) =>
  db
    .selectFrom('messages')
    .select(['id', 'case_id', 'customer_id', 'recipient', 'channel', 'authority_id'])
    .where('id', '=', id)
    .executeTakeFirst();

/** The case of a message we sent (its id is the local part of our Message-ID), in one statement. */
export const caseOfSentMessage = (db: Q, messageId: string) =>
  db
    .selectFrom('messages')
    .innerJoin('cases', 'cases.id', 'messages.case_id')
    .select(CASE_COLUMNS)
    .where('messages.id', '=', messageId)
    .modifyEnd(PREPARED)
    .executeTakeFirst();

/** True when `address` may add to the case: its customer, representative, guest, or already on its thread. */
export async function isPartyToCase(db: Q, thread: ThreadCase, address: string): Promise<boolean> {
  if (thread.guest_email === address) return true;
  const people = [thread.customer_id, thread.representative_id].filter((id): id is string => id !== null);
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .exists(
          people.length === 0
            ? eb
                .selectFrom('contact_points')
                .select('id')
                .where(sql<boolean>`false`)
            : eb
                .selectFrom('contact_points')
                .select('id')
                .where('customer_id', 'in', people)
                .where('kind', '=', 'email')
                .where('normalised', '=', address),
        )
        .as('customer'),
      eb
        .exists(
          eb
            .selectFrom('customer_relationships')
            .innerJoin(
              'contact_points',
              'contact_points.customer_id',
              'customer_relationships.related_customer_id',
            )
            .select('contact_points.id')
            .where(
              'customer_relationships.customer_id',
              '=',
              thread.customer_id ?? '00000000-0000-0000-0000-000000000000',
            )
            .where('customer_relationships.kind', '=', 'representative')
            .where('contact_points.kind', '=', 'email')
            .where('contact_points.normalised', '=', address),
        )
        .as('representative'),
      eb
        .exists(
          eb
            .selectFrom('emails')
            .select('id')
            .where('case_id', '=', thread.id)
            .where('from_address', '=', address)
            .where('state', 'in', ['threaded', 'new_case']),
        )
        .as('sender'),
      eb
        .exists(
          eb
            .selectFrom('messages')
            .select('id')
            .where('case_id', '=', thread.id)
            .where('channel', '=', 'email')
            .where('recipient', '=', address),
        )
        .as('recipient'),
    ])
    .modifyEnd(PREPARED)
    .executeTakeFirstOrThrow();
  return Boolean(row.customer || row.representative || row.sender || row.recipient);
}

/** Subjects already on a case's email thread: what we sent and what we received (one statement). */
export async function threadSubjects(db: Q, caseId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('messages')
    .select('subject')
    .where('case_id', '=', caseId)
    .where('channel', '=', 'email')
    .unionAll(db.selectFrom('emails').select('subject').where('case_id', '=', caseId))
    .modifyEnd(PREPARED)
    .execute();
  return rows.map((r) => r.subject);
}

/** The one customer (not merged) with this verified email address, or null (none, or several). */
export async function customerByVerifiedEmail(db: Q, address: string): Promise<string | null> {
  const rows = await db
    .selectFrom('contact_points')
    .innerJoin('customers', 'customers.id', 'contact_points.customer_id')
    .select('customers.id')
    .distinct()
    .where('contact_points.kind', '=', 'email')
    .where('contact_points.normalised', '=', address)
    .where('contact_points.verified_at', 'is not', null)
    .where('customers.merged_into', 'is', null)
    .limit(2)
    .modifyEnd(PREPARED)
    .execute();
  return rows.length === 1 ? rows[0].id : null;
}

/** Any customer (not merged) with this email address, verified or not: a suggestion for triage only. */
export async function customerByAnyEmail(db: Q, address: string): Promise<string | null> {
  const row = await db
    .selectFrom('contact_points')
    .innerJoin('customers', 'customers.id', 'contact_points.customer_id')
    .select('customers.id')
    .where('contact_points.kind', '=', 'email')
    .where('contact_points.normalised', '=', address)
    .where('customers.merged_into', 'is', null)
    .orderBy('contact_points.verified_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function lastAcknowledgement(db: Q, address: string): Promise<Date | null> {
  const row = await db
    .selectFrom('email_acknowledgements')
    .select('last_at')
    .where('address', '=', address)
    .modifyEnd(PREPARED)
    .executeTakeFirst();
  return row?.last_at ?? null;
}

export async function recordAcknowledgement(db: Q, address: string, at: Date): Promise<void> {
  await db
    .insertInto('email_acknowledgements')
    .values({ address, last_at: at })
    .onConflict((oc) => oc.column('address').doUpdateSet({ last_at: at }))
    .execute();
}

export async function insertCaseEvent(db: Q, row: NewRow<'case_events'>): Promise<void> {
  await db.insertInto('case_events').values(row).execute();
}

export async function insertInteraction(db: Q, row: NewRow<'interactions'>): Promise<string> {
  const inserted = await db.insertInto('interactions').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

/** The staff member to tell about a case (its assignee), with an email address, or null. */
export const caseOwner = (db: Q, staffId: string) =>
  db
    .selectFrom('staff_users')
    .select(['id', 'email', 'display_name'])
    .where('id', '=', staffId)
    .executeTakeFirst();

export async function insertCustomerWithEmail(
  trx: Tx,
  values: { authorityId: string; givenName: string; familyName: string; email: string; at: Date },
): Promise<string> {
  const customer = await trx
    .insertInto('customers')
    .values({
      authority_id: values.authorityId,
      kind: 'person',
      given_name: values.givenName,
      family_name: values.familyName,
      search_name: `${values.givenName} ${values.familyName}`.toLowerCase(),
      created_at: values.at,
      updated_at: values.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('contact_points')
    .values({
      authority_id: values.authorityId,
      customer_id: customer.id,
      kind: 'email',
      value: values.email,
      normalised: values.email,
      is_primary: true,
      verified_at: null,
    })
    .execute();
  return customer.id;
}

// ---------------------------------------------------------------------------------------------------
// Staff reads

export const TRIAGE_STATES: EmailState[] = ['triage'];

export function triageQueue(db: Q, authorityIds: string[], limit: number) {
  if (authorityIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('emails')
    .innerJoin('mailboxes', 'mailboxes.id', 'emails.mailbox_id')
    .leftJoin('cases as suggested', 'suggested.id', 'emails.suggested_case_id')
    .select([
      'emails.id',
      'emails.from_address',
      'emails.from_name',
      'emails.subject',
      'emails.received_at',
      'emails.reason',
      'mailboxes.name as mailbox_name',
      'mailboxes.address as mailbox_address',
      'suggested.reference as suggested_reference',
    ])
    .where('emails.state', '=', 'triage')
    .where('emails.authority_id', 'in', authorityIds)
    .orderBy('emails.received_at', 'asc')
    .limit(limit)
    .execute();
}

/** How many emails of these councils wait in triage. */
export async function triageCount(db: Q, authorityIds: string[]): Promise<number> {
  if (authorityIds.length === 0) return 0;
  const row = await db
    .selectFrom('emails')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('state', '=', 'triage')
    .where('authority_id', 'in', authorityIds)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The case a member of staff names by reference, with what the visibility rule needs (service sensitivity). */
export const caseForStaff = (db: Q, reference: string) =>
  db
    .selectFrom('cases')
    .innerJoin('services', 'services.id', 'cases.service_id')
    .select([
      'cases.id',
      'cases.reference',
      'cases.authority_id',
      'cases.customer_id',
      'cases.team_id',
      'cases.closed_at',
      'services.sensitivity',
    ])
    .where('cases.reference', '=', reference)
    .executeTakeFirst();

/** The active services of these councils, by name: what an email can be made into. */
export const servicesOf = (db: Q, authorityIds: string[]) =>
  authorityIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('services')
        .select(['id', 'name', 'authority_id', 'team_id', 'sensitivity'])
        .where('authority_id', 'in', authorityIds)
        .where('active', '=', true)
        .orderBy('name')
        .execute();

/** A customer's name, for the triage page ("the new case will be for …"). */
export const customerNameRow = (db: Q, id: string) =>
  db
    .selectFrom('customers')
    .select(['id', 'given_name', 'family_name', 'organisation_name'])
    .where('id', '=', id)
    .executeTakeFirst();

/** The case an email was added to or made, for the success banner. */
export const caseReferenceOf = (db: Q, caseId: string) =>
  db.selectFrom('cases').select(['id', 'reference']).where('id', '=', caseId).executeTakeFirst();

/** The email thread of a case: what we received and what we sent by email, oldest first. */
export async function caseThread(db: Q, caseId: string) {
  const [received, sent] = await Promise.all([
    db
      .selectFrom('emails')
      .select([
        'id',
        'from_address',
        'from_name',
        'subject',
        'trimmed_text',
        'body_text',
        'received_at',
        'state',
        'reason',
        'attachments',
        'auth',
      ])
      .where('case_id', '=', caseId)
      .orderBy('received_at')
      .execute(),
    db
      .selectFrom('messages')
      .select(['id', 'recipient', 'subject', 'body', 'status', 'created_at', 'sent_at', 'template'])
      .where('case_id', '=', caseId)
      .where('channel', '=', 'email')
      .orderBy('created_at')
      .execute(),
  ]);
  return { received, sent };
}

/** Metrics: emails received per mailbox, and triage count and oldest item. */
export async function emailCounts(db: Q) {
  const [perMailbox, triage] = await Promise.all([
    db
      .selectFrom('mailboxes')
      .leftJoin('emails', 'emails.mailbox_id', 'mailboxes.id')
      .select(['mailboxes.address', (eb) => eb.fn.count<string>('emails.id').as('received')])
      .groupBy('mailboxes.address')
      .execute(),
    db
      .selectFrom('emails')
      .select([(eb) => eb.fn.countAll<string>().as('count'), (eb) => eb.fn.min('received_at').as('oldest')])
      .where('state', '=', 'triage')
      .executeTakeFirstOrThrow(),
  ]);
  return { perMailbox, triage };
}

/** First response time: from each email that started a case to our first email about that case. */
export async function firstResponseSeconds(db: Q, since: Date) {
  return db
    .selectFrom('emails')
    .innerJoin('messages', 'messages.case_id', 'emails.case_id')
    .select([
      'emails.id',
      sql<number>`extract(epoch from min(messages.sent_at) - emails.received_at)`.as('seconds'),
    ])
    .where('emails.state', '=', 'new_case')
    .where('emails.received_at', '>=', since)
    .where('messages.channel', '=', 'email')
    .where('messages.template', '=', 'case.message')
    .where('messages.sent_at', 'is not', null)
    .groupBy(['emails.id', 'emails.received_at'])
    .execute();
}
