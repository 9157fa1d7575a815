/**
 * All SQL of the residents module: one-time codes (`resident_codes`, owned here), and the resident's own
 * customer record, contact points and cases (read, and written only through "Your details").
 */
import { sql } from 'kysely';
import type { AddressValue, Db, NewRow, Tx } from '../../platform/db/index.ts';

type Conn = Db | Tx;

// ── one-time codes ────────────────────────────────────────────────────────────────────────────────────

export async function countRecentCodes(
  db: Conn,
  filter: { emailNormalised: string; requesterHash: string; since: Date },
): Promise<{ byEmail: number; byRequester: number }> {
  const row = await db
    .selectFrom('resident_codes')
    .select((eb) => [
      eb.fn.count<number>('id').filterWhere('email_normalised', '=', filter.emailNormalised).as('by_email'),
      eb.fn.count<number>('id').filterWhere('requester_hash', '=', filter.requesterHash).as('by_requester'),
    ])
    .where('created_at', '>', filter.since)
    .where((eb) =>
      eb.or([
        eb('email_normalised', '=', filter.emailNormalised),
        eb('requester_hash', '=', filter.requesterHash),
      ]),
    )
    .executeTakeFirstOrThrow();
  return { byEmail: Number(row.by_email), byRequester: Number(row.by_requester) };
}

/** Serialises code requests for one email address (PostgreSQL advisory lock, released at commit). */
export async function lockEmail(trx: Tx, emailNormalised: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`resident-code:${emailNormalised}`}))`.execute(trx);
}

export async function insertCode(trx: Tx, values: NewRow<'resident_codes'>): Promise<string> {
  const row = await trx.insertInto('resident_codes').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export function findCodeForUpdate(trx: Tx, id: string) {
  return trx.selectFrom('resident_codes').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function findCode(db: Conn, id: string) {
  return db
    .selectFrom('resident_codes')
    .select(['id', 'email_normalised', 'purpose', 'customer_id', 'expires_at', 'used_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function recordWrongAttempt(trx: Tx, id: string): Promise<number> {
  const row = await trx
    .updateTable('resident_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .returning('attempts')
    .executeTakeFirstOrThrow();
  return row.attempts;
}

/** Marks a code used; false when it was already used (single use, even under concurrent requests). */
export async function markCodeUsed(trx: Tx, id: string, at: Date): Promise<boolean> {
  const result = await trx
    .updateTable('resident_codes')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

// ── accounts ──────────────────────────────────────────────────────────────────────────────────────────

/** The surviving record at the end of a merge chain (a merged customer points at the one it went into). */
export async function survivingCustomerId(db: Conn, customerId: string): Promise<string | null> {
  let id = customerId;
  for (let hop = 0; hop < 5; hop += 1) {
    const row = await db
      .selectFrom('customers')
      .select(['id', 'merged_into'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    if (!row.merged_into || row.merged_into === row.id) return row.id;
    id = row.merged_into;
  }
  return null;
}

/** The resident account for an email address: a customer with that address as a verified contact point. */
export async function customerIdByVerifiedEmail(db: Conn, emailNormalised: string): Promise<string | null> {
  const row = await db
    .selectFrom('contact_points as cp')
    .innerJoin('customers as c', 'c.id', 'cp.customer_id')
    .select('c.id')
    .where('cp.kind', '=', 'email')
    .where('cp.normalised', '=', emailNormalised)
    .where('cp.verified_at', 'is not', null)
    .orderBy((eb) => eb.case().when('c.merged_into', 'is', null).then(0).else(1).end())
    .orderBy('c.created_at')
    .orderBy('c.id')
    .limit(1)
    .executeTakeFirst();
  return row ? survivingCustomerId(db, row.id) : null;
}

/** The lead authority (the first county council; else any): where new resident accounts are held. */
export async function leadAuthorityId(db: Conn): Promise<string | null> {
  const row = await db
    .selectFrom('authorities')
    .select('id')
    .orderBy((eb) => eb.case().when('kind', '=', 'county').then(0).else(1).end())
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function customerAuthorityId(db: Conn, customerId: string): Promise<string | null> {
  const row = await db
    .selectFrom('customers')
    .select('authority_id')
    .where('id', '=', customerId)
    .executeTakeFirst();
  return row?.authority_id ?? null;
}

export async function createResidentCustomer(
  trx: Tx,
  input: { authorityId: string; email: string; at: Date },
): Promise<string> {
  const customer = await trx
    .insertInto('customers')
    .values({
      authority_id: input.authorityId,
      kind: 'person',
      preferred_channel: 'email',
      preferred_language: 'en',
      created_at: input.at,
      updated_at: input.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('contact_points')
    .values({
      authority_id: input.authorityId,
      customer_id: customer.id,
      kind: 'email',
      value: input.email,
      normalised: input.email,
      is_primary: true,
      verified_at: input.at,
      created_at: input.at,
    })
    .execute();
  return customer.id;
}

// ── profile ───────────────────────────────────────────────────────────────────────────────────────────

export function findCustomer(db: Conn, customerId: string, options: { forUpdate?: boolean } = {}) {
  const query = db
    .selectFrom('customers')
    .select([
      'id',
      'authority_id',
      'given_name',
      'family_name',
      'preferred_channel',
      'preferred_language',
      'communication_needs',
    ])
    .where('id', '=', customerId);
  return (options.forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

export function contactPointsOf(db: Conn, customerId: string) {
  return db
    .selectFrom('contact_points')
    .select(['id', 'kind', 'value', 'normalised', 'address', 'is_primary', 'verified_at'])
    .where('customer_id', '=', customerId)
    .orderBy('is_primary', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
}

export async function updateCustomer(
  trx: Tx,
  customerId: string,
  values: {
    given_name?: string | null;
    family_name?: string | null;
    search_name?: string;
    preferred_channel?: 'email' | 'sms' | 'letter' | 'phone';
    preferred_language?: string;
    communication_needs?: string[];
    updated_at: Date;
  },
): Promise<void> {
  const { communication_needs, ...rest } = values;
  await trx
    .updateTable('customers')
    .set({
      ...rest,
      ...(communication_needs ? { communication_needs: JSON.stringify(communication_needs) } : {}),
    })
    .where('id', '=', customerId)
    .execute();
}

export async function updateContactPoint(
  trx: Tx,
  id: string,
  values: {
    value?: string;
    normalised?: string;
    address?: AddressValue | null;
    is_primary?: boolean;
    verified_at?: Date | null;
  },
): Promise<void> {
  const { address, ...rest } = values;
  await trx
    .updateTable('contact_points')
    .set({ ...rest, ...(address !== undefined ? { address: address ? JSON.stringify(address) : null } : {}) })
    .where('id', '=', id)
    .execute();
}

export async function insertContactPoint(
  trx: Tx,
  values: {
    authorityId: string;
    customerId: string;
    kind: 'email' | 'phone' | 'address';
    value: string;
    normalised: string;
    address?: AddressValue | null;
    verifiedAt?: Date | null;
    at: Date;
  },
): Promise<string> {
  const row = await trx
    .insertInto('contact_points')
    .values({
      authority_id: values.authorityId,
      customer_id: values.customerId,
      kind: values.kind,
      value: values.value,
      normalised: values.normalised,
      address: values.address ? JSON.stringify(values.address) : null,
      is_primary: true,
      verified_at: values.verifiedAt ?? null,
      created_at: values.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function demoteContactPoints(
  trx: Tx,
  customerId: string,
  kind: 'email' | 'phone' | 'address',
  options: { exceptId?: string; unverify?: boolean } = {},
): Promise<void> {
  let query = trx
    .updateTable('contact_points')
    .set({ is_primary: false, ...(options.unverify ? { verified_at: null } : {}) })
    .where('customer_id', '=', customerId)
    .where('kind', '=', kind);
  if (options.exceptId) query = query.where('id', '!=', options.exceptId);
  await query.execute();
}

export async function deleteContactPoint(trx: Tx, id: string): Promise<void> {
  await trx.deleteFrom('contact_points').where('id', '=', id).execute();
}

/** Open cases of the customer (as the customer or their representative), locked for the change. */
export function openCasesForUpdate(trx: Tx, customerId: string) {
  return trx
    .selectFrom('cases')
    .select(['id', 'authority_id'])
    .where((eb) => eb.or([eb('customer_id', '=', customerId), eb('representative_id', '=', customerId)]))
    .where('closed_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function recordDetailsChangedOnCases(
  trx: Tx,
  cases: { id: string; authority_id: string }[],
  event: {
    fields: string[];
    at: Date;
    actorCustomerId: string | null;
    actorStaffId: string | null;
  },
): Promise<void> {
  if (cases.length === 0) return;
  // One statement per case, in order: a failure part-way (a lock, a constraint) rolls back the whole change.
  for (const c of cases) {
    await trx
      .insertInto('case_events')
      .values({
        authority_id: c.authority_id,
        case_id: c.id,
        kind: 'customer_details_changed',
        visible_to_customer: false,
        body: `Contact details changed: ${event.fields.join(', ').replaceAll('_', ' ')}`,
        data: JSON.stringify({ fields: event.fields }),
        actor_customer_id: event.actorCustomerId,
        actor_staff_id: event.actorStaffId,
        created_at: event.at,
      })
      .execute();
  }
  await trx
    .updateTable('cases')
    .set({ updated_at: event.at })
    .where(
      'id',
      'in',
      cases.map((c) => c.id),
    )
    .execute();
}

/**
 * Guest requests made with this email address (no customer yet), locked for attaching. Matches the
 * address as typed on the form, case- and space-insensitively.
 */
export function guestCasesWithEmailForUpdate(trx: Tx, emailNormalised: string) {
  return trx
    .selectFrom('cases')
    .select(['id', 'authority_id'])
    .where('customer_id', 'is', null)
    .where('guest_email', 'is not', null)
    .where((eb) => eb(eb.fn('lower', [eb.fn('btrim', ['guest_email'])]), '=', emailNormalised))
    .orderBy('created_at')
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Makes guest cases the customer's, with a (staff-only) timeline event on each saying why. */
export async function attachGuestCases(
  trx: Tx,
  cases: { id: string; authority_id: string }[],
  input: { customerId: string; method: 'email_code' | 'one_login'; at: Date },
): Promise<void> {
  if (cases.length === 0) return;
  const ids = cases.map((c) => c.id);
  await trx
    .updateTable('cases')
    .set({ customer_id: input.customerId, updated_at: input.at })
    .where('id', 'in', ids)
    .where('customer_id', 'is', null)
    .execute();
  await trx
    .insertInto('case_events')
    .values(
      cases.map((c) => ({
        authority_id: c.authority_id,
        case_id: c.id,
        kind: 'customer_linked',
        visible_to_customer: false,
        body: 'Added to the resident’s account: they signed in and proved they own the email address given on this request',
        data: JSON.stringify({ reason: 'guest_email_verified', method: input.method }),
        actor_customer_id: input.customerId,
        actor_staff_id: null,
        created_at: input.at,
      })),
    )
    .execute();
}
