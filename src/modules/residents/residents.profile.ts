/**
 * "Tell us once": the resident's profile (name, contact details, preferences, communication needs), read
 * to prefill forms and changed in one place. A change reaches every open case of the resident in the
 * same transaction, and each of those cases records it on its timeline (`customer_details_changed`,
 * staff-only, naming which fields changed but never their values).
 */
import type { AddressValue, Db, Tx } from '../../platform/db/index.ts';
import { audit } from '../../platform/audit/index.ts';
import {
  contactPointsOf,
  deleteContactPoint,
  demoteContactPoints,
  findCustomer,
  insertContactPoint,
  openCasesForUpdate,
  recordDetailsChangedOnCases,
  survivingCustomerId,
  updateContactPoint,
  updateCustomer,
} from './residents.repository.ts';
import { normaliseEmail, normalisePostcode, postcodeKey } from '../../platform/contact/index.ts';

export interface ProfileAddress {
  line1: string;
  line2: string | null;
  town: string;
  postcode: string;
}

/** What forms can prefill from ("tell us once"). Null where the resident has not told us. */
export interface PrefillProfile {
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  /** E.164, e.g. +447700900123. */
  phone: string | null;
  address: ProfileAddress | null;
}

export interface ResidentProfile extends PrefillProfile {
  customerId: string;
  authorityId: string;
  emailVerified: boolean;
  preferredChannel: 'email' | 'sms' | 'letter' | 'phone';
  preferredLanguage: string;
  communicationNeeds: string[];
}

/** A change to the profile; only the fields present are changed (null clears phone or address). */
export interface ProfileChanges {
  givenName?: string;
  familyName?: string;
  email?: string;
  phone?: string | null;
  address?: { line1: string; line2?: string | null; town: string; postcode: string } | null;
  preferredChannel?: 'email' | 'sms' | 'letter' | 'phone';
  preferredLanguage?: string;
  communicationNeeds?: string[];
}

/** Names of what changed, as recorded on case timelines and in the audit log. */
export type ChangedField =
  'name' | 'email' | 'phone' | 'address' | 'preferred_channel' | 'preferred_language' | 'communication_needs';

export interface SaveOptions {
  /** When the change happened (the caller's Clock). */
  at: Date;
  /** Who made it: the resident (default) or a member of staff on their behalf. */
  actor?: { kind: 'customer' } | { kind: 'staff'; staffId: string };
  /** The new email address has been confirmed with a code: it becomes the sign-in address. */
  emailVerified?: boolean;
  requestId?: string | null;
}

export interface SaveResult {
  changedFields: ChangedField[];
  /** Open cases that recorded the change. */
  caseIds: string[];
}

type Conn = Db | Tx;

/** Lower case, letters/digits/apostrophes/hyphens kept, single spaces: what `customers.search_name` holds. */
function searchName(given: string | null, family: string | null): string {
  return `${given ?? ''} ${family ?? ''}`
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}'-]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/** The searchable form of an address (matches the customers module's normalisation). */
/** The one email normaliser; text that is not an address (the schema has refused it) as typed, lower case. */
const emailOf = (value: string): string => normaliseEmail(value) ?? value.trim().toLowerCase();

function addressKey(address: {
  line1: string;
  line2?: string | null;
  town: string;
  postcode: string;
}): string {
  const words = [address.line1, address.line2, address.town]
    .filter((p): p is string => Boolean(p?.trim()))
    .map((p) => searchName(p, null).toUpperCase());
  const postcode = postcodeKey(address.postcode) ?? address.postcode.replace(/\s/g, '').toUpperCase();
  return [...words, postcode].filter(Boolean).join(' ');
}

function addressText(address: AddressValue): string {
  return [address.line1, address.line2, address.town, address.postcode].filter(Boolean).join(', ');
}

function cleanAddress(address: NonNullable<ProfileChanges['address']>): AddressValue {
  return {
    line1: address.line1.trim(),
    ...(address.line2?.trim() ? { line2: address.line2.trim() } : {}),
    town: address.town.trim(),
    postcode: normalisePostcode(address.postcode) ?? address.postcode.trim().toUpperCase(),
  };
}

/** The resident's profile (following merges to the surviving record), or null. */
export async function loadProfile(
  db: Conn,
  customerId: string,
  forUpdate = false,
): Promise<ResidentProfile | null> {
  const id = await survivingCustomerId(db, customerId);
  if (!id) return null;
  const customer = await findCustomer(db, id, { forUpdate });
  if (!customer) return null;
  const points = await contactPointsOf(db, id);
  const email = points.find((p) => p.kind === 'email') ?? null;
  const phone = points.find((p) => p.kind === 'phone') ?? null;
  const address = points.find((p) => p.kind === 'address')?.address ?? null;
  return {
    customerId: customer.id,
    authorityId: customer.authority_id,
    givenName: customer.given_name,
    familyName: customer.family_name,
    email: email?.normalised ?? null,
    emailVerified: Boolean(email?.verified_at),
    phone: phone?.normalised ?? null,
    address: address
      ? { line1: address.line1, line2: address.line2 ?? null, town: address.town, postcode: address.postcode }
      : null,
    preferredChannel: customer.preferred_channel,
    preferredLanguage: customer.preferred_language,
    communicationNeeds: Array.isArray(customer.communication_needs) ? customer.communication_needs : [],
  };
}

/**
 * What a form can prefill for a signed-in resident: `{ givenName, familyName, email, phone, address }`.
 * Null when the customer does not exist.
 */
export async function profileForPrefill(db: Conn, customerId: string): Promise<PrefillProfile | null> {
  const profile = await loadProfile(db, customerId);
  if (!profile) return null;
  const { givenName, familyName, email, phone, address } = profile;
  return { givenName, familyName, email, phone, address };
}

const sameAddress = (a: ProfileAddress | null, b: ProfileChanges['address']): boolean => {
  if (!a || !b) return !a && !b;
  return addressKey(a) === addressKey(b);
};

function diff(profile: ResidentProfile, changes: ProfileChanges): ChangedField[] {
  const changed = new Set<ChangedField>();
  if (changes.givenName !== undefined && changes.givenName.trim() !== (profile.givenName ?? ''))
    changed.add('name');
  if (changes.familyName !== undefined && changes.familyName.trim() !== (profile.familyName ?? ''))
    changed.add('name');
  if (changes.email !== undefined && emailOf(changes.email) !== profile.email) changed.add('email');
  if (changes.phone !== undefined && (changes.phone ?? null) !== profile.phone) changed.add('phone');
  if (changes.address !== undefined && !sameAddress(profile.address, changes.address)) changed.add('address');
  if (changes.preferredChannel !== undefined && changes.preferredChannel !== profile.preferredChannel)
    changed.add('preferred_channel');
  if (changes.preferredLanguage !== undefined && changes.preferredLanguage !== profile.preferredLanguage)
    changed.add('preferred_language');
  if (
    changes.communicationNeeds !== undefined &&
    [...new Set(changes.communicationNeeds)].sort().join('|') !==
      [...profile.communicationNeeds].sort().join('|')
  )
    changed.add('communication_needs');
  const order: ChangedField[] = [
    'name',
    'email',
    'phone',
    'address',
    'preferred_channel',
    'preferred_language',
    'communication_needs',
  ];
  return order.filter((f) => changed.has(f));
}

/**
 * For a form to offer "Save these details to your account?": the answers that differ from the profile
 * (empty when nothing would change). Compare before offering; call `saveToProfile` if the resident agrees.
 */
export async function offerToSaveToProfile(
  db: Conn,
  customerId: string,
  candidate: ProfileChanges,
): Promise<ProfileChanges> {
  const profile = await loadProfile(db, customerId);
  if (!profile) return {};
  const fields = new Set(diff(profile, candidate));
  const offer: ProfileChanges = {};
  if (fields.has('name')) {
    if (candidate.givenName !== undefined) offer.givenName = candidate.givenName.trim();
    if (candidate.familyName !== undefined) offer.familyName = candidate.familyName.trim();
  }
  if (fields.has('email')) offer.email = candidate.email ? emailOf(candidate.email) : candidate.email;
  if (fields.has('phone')) offer.phone = candidate.phone ?? null;
  if (fields.has('address')) offer.address = candidate.address ? cleanAddress(candidate.address) : null;
  if (fields.has('preferred_channel')) offer.preferredChannel = candidate.preferredChannel;
  if (fields.has('preferred_language')) offer.preferredLanguage = candidate.preferredLanguage;
  if (fields.has('communication_needs')) offer.communicationNeeds = candidate.communicationNeeds;
  return offer;
}

/**
 * Apply `changes` to the resident's profile in the caller's transaction, and record the change on every
 * open case of theirs (as customer or representative) in that same transaction. Pass the transaction,
 * not the outer `db`. If anything fails, the caller's transaction rolls back and nothing has changed.
 *
 * An email address that has not been confirmed with a code (`emailVerified`) becomes the address we
 * write to, but not a sign-in address; the address the resident signs in with keeps working.
 */
export async function saveToProfile(
  trx: Tx,
  customerId: string,
  changes: ProfileChanges,
  options: SaveOptions,
): Promise<SaveResult> {
  const profile = await loadProfile(trx, customerId, true);
  if (!profile) throw new Error('saveToProfile: customer not found');
  const id = profile.customerId;
  const fields = diff(profile, changes);
  const verifyingSameEmail =
    options.emailVerified &&
    changes.email !== undefined &&
    !fields.includes('email') &&
    !profile.emailVerified;
  if (fields.length === 0 && !verifyingSameEmail) return { changedFields: [], caseIds: [] };
  const at = options.at;

  const customerValues: Parameters<typeof updateCustomer>[2] = { updated_at: at };
  if (fields.includes('name')) {
    const given = changes.givenName?.trim() ?? profile.givenName;
    const family = changes.familyName?.trim() ?? profile.familyName;
    customerValues.given_name = given || null;
    customerValues.family_name = family || null;
    customerValues.search_name = searchName(given, family);
  }
  if (fields.includes('preferred_channel')) customerValues.preferred_channel = changes.preferredChannel;
  if (fields.includes('preferred_language')) customerValues.preferred_language = changes.preferredLanguage;
  if (fields.includes('communication_needs'))
    customerValues.communication_needs = [...new Set(changes.communicationNeeds)];
  await updateCustomer(trx, id, customerValues);

  const points = await contactPointsOf(trx, id);
  if ((fields.includes('email') || verifyingSameEmail) && changes.email) {
    const email = emailOf(changes.email);
    const existing = points.find((p) => p.kind === 'email' && p.normalised === email);
    const verifiedAt = options.emailVerified ? at : (existing?.verified_at ?? null);
    const keepId = existing
      ? existing.id
      : await insertContactPoint(trx, {
          authorityId: profile.authorityId,
          customerId: id,
          kind: 'email',
          value: email,
          normalised: email,
          verifiedAt,
          at,
        });
    if (existing) await updateContactPoint(trx, existing.id, { is_primary: true, verified_at: verifiedAt });
    // A confirmed new address replaces the old one for signing in; an unconfirmed one does not.
    await demoteContactPoints(trx, id, 'email', {
      exceptId: keepId,
      unverify: options.emailVerified === true,
    });
  }
  if (fields.includes('phone')) {
    const current = points.find((p) => p.kind === 'phone');
    const phone = changes.phone ?? null;
    if (!phone) {
      if (current) await deleteContactPoint(trx, current.id);
    } else if (current) {
      await updateContactPoint(trx, current.id, {
        value: phone,
        normalised: phone,
        is_primary: true,
        verified_at: null,
      });
    } else {
      await insertContactPoint(trx, {
        authorityId: profile.authorityId,
        customerId: id,
        kind: 'phone',
        value: phone,
        normalised: phone,
        at,
      });
    }
  }
  if (fields.includes('address')) {
    const current = points.find((p) => p.kind === 'address');
    const address = changes.address ? cleanAddress(changes.address) : null;
    if (!address) {
      if (current) await deleteContactPoint(trx, current.id);
    } else if (current) {
      await updateContactPoint(trx, current.id, {
        value: addressText(address),
        normalised: addressKey(address),
        address,
        is_primary: true,
      });
    } else {
      await insertContactPoint(trx, {
        authorityId: profile.authorityId,
        customerId: id,
        kind: 'address',
        value: addressText(address),
        normalised: addressKey(address),
        address,
        at,
      });
    }
  }

  if (fields.length === 0) return { changedFields: [], caseIds: [] }; // only confirmed the same address
  const recorded = fields;
  const cases = await openCasesForUpdate(trx, id);
  const actor = options.actor ?? { kind: 'customer' as const };
  await recordDetailsChangedOnCases(trx, cases, {
    fields: recorded,
    at,
    actorCustomerId: actor.kind === 'customer' ? id : null,
    actorStaffId: actor.kind === 'staff' ? actor.staffId : null,
  });
  await audit(trx, {
    actorType: actor.kind === 'customer' ? 'customer' : 'staff',
    actorId: actor.kind === 'customer' ? id : actor.staffId,
    authorityId: profile.authorityId,
    action: 'customer.details_changed',
    recordType: 'customer',
    recordId: id,
    requestId: options.requestId ?? null,
    details: { fields: recorded, cases: cases.length },
    at,
  });
  return { changedFields: recorded, caseIds: cases.map((c) => c.id) };
}
