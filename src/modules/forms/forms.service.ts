/**
 * Forms engine use-cases: start a draft (prefilled from the customer profile when we know who it is),
 * find a draft for the browser or member of staff that owns it, save a page's answers, and submit the
 * draft as a case exactly once. Drafts live in the database (`form_drafts`), never in the session.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Channel, type Db, type Tx } from '../../platform/db/index.ts';
import { DomainRuleError } from '../../platform/http/errors.ts';
import { normalisePostcode, postcodeKey } from '../../platform/contact/index.ts';
import {
  bindingHash,
  ownsDraft,
  createCase,
  cachedCaseServiceFromRow,
  readNewCaseFacts,
  loadCaseService,
  type CaseOptions,
  type CaseService,
  type CreatedCase,
  type DraftAccess,
} from '../cases/index.ts';
import {
  attachmentIdsOf,
  expandForm,
  contactFromAnswers,
  firstIncompletePage,
  locationFromAnswers,
  pruneHidden,
  type AddressAnswer,
  type Answers,
  type GazetteerAddress,
} from './forms.engine.ts';
import * as repo from './forms.repository.ts';

/** Unsubmitted drafts are deleted this long after they were last saved. */
export const DRAFT_LIFETIME_MS = 7 * 24 * 3_600_000;

export type { DraftAccess } from '../cases/index.ts';

export interface Draft {
  id: string;
  authorityId: string;
  serviceId: string;
  formVersion: number;
  answers: Answers;
  token: string;
  customerId: string | null;
  staffUserId: string | null;
  channel: Channel;
  submittedCaseId: string | null;
}

function toDraft(row: repo.DraftRow): Draft {
  return {
    id: row.id,
    authorityId: row.authority_id,
    serviceId: row.service_id,
    formVersion: row.form_version,
    answers: row.answers,
    token: row.token,
    customerId: row.customer_id,
    staffUserId: row.staff_user_id,
    channel: row.channel as Channel,
    submittedCaseId: row.submitted_case_id,
  };
}

const ASSISTED_CHANNELS = ['phone', 'face_to_face', 'email', 'letter', 'webchat'] as const;
export type AssistedChannel = (typeof ASSISTED_CHANNELS)[number];
export function isAssistedChannel(value: unknown): value is AssistedChannel {
  return typeof value === 'string' && (ASSISTED_CHANNELS as readonly string[]).includes(value);
}

/** Answers from the customer's profile for questions that declare `prefill`. */
export async function prefillAnswers(
  db: Db | Tx,
  service: CaseService,
  customerId: string,
): Promise<Answers> {
  const customer = await repo.customerForPrefill(db, customerId);
  if (!customer) return {};
  const points = await repo.contactPointsForPrefill(db, customerId);
  const email = points.find((p) => p.kind === 'email')?.value;
  const phone = points.find((p) => p.kind === 'phone')?.value;
  const addressPoint = points.find((p) => p.kind === 'address' && p.address);
  const address: AddressAnswer | undefined =
    addressPoint?.address && normalisePostcode(addressPoint.address.postcode)
      ? {
          ...(addressPoint.uprn ? { uprn: addressPoint.uprn } : {}),
          line1: addressPoint.address.line1,
          ...(addressPoint.address.line2 ? { line2: addressPoint.address.line2 } : {}),
          town: addressPoint.address.town,
          postcode: normalisePostcode(addressPoint.address.postcode) ?? addressPoint.address.postcode,
        }
      : undefined;
  const values: Record<string, unknown> = {
    given_name: customer.given_name ?? undefined,
    family_name: customer.family_name ?? undefined,
    full_name: [customer.given_name, customer.family_name].filter(Boolean).join(' ') || undefined,
    date_of_birth: customer.date_of_birth ?? undefined,
    email,
    phone,
    address,
    postcode: address?.postcode,
  };
  const answers: Answers = {};
  for (const q of service.definition.form.pages.flatMap((p) => p.questions)) {
    if (!q.prefill) continue;
    const value = values[q.prefill];
    if (value === undefined) continue;
    if (q.type === 'address' && typeof value !== 'object') continue;
    if (q.type !== 'address' && typeof value !== 'string') continue;
    answers[q.id] = value;
  }
  return pruneHidden(service.definition, answers);
}

/** The service with its form as the engine asks it (see `expandForm`). */
export function withExpandedForm(service: CaseService): CaseService {
  return { ...service, definition: expandForm(service.definition) };
}

/** Creates a draft and returns its id (the random, unguessable id in `/apply/:draftId/...`). */
export async function startDraft(
  db: Db,
  input: {
    service: CaseService;
    bindingSecret: string;
    customerId?: string | null;
    staffId?: string | null;
    channel: Channel;
    now: Date;
  },
): Promise<string> {
  const id = randomUUID();
  const answers = input.customerId ? await prefillAnswers(db, input.service, input.customerId) : {};
  await repo.insertDraft(db, {
    id,
    authority_id: input.service.authorityId,
    service_id: input.service.id,
    form_version: input.service.definitionVersion,
    answers: JSON.stringify(answers),
    token: randomBytes(24).toString('base64url'),
    binding_hash: bindingHash(input.bindingSecret),
    customer_id: input.customerId ?? null,
    staff_user_id: input.staffId ?? null,
    channel: input.channel,
    created_at: input.now,
    updated_at: input.now,
    expires_at: new Date(input.now.getTime() + DRAFT_LIFETIME_MS),
  });
  return id;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function mayUse(row: repo.DraftRow, access: DraftAccess): boolean {
  return ownsDraft({ staffUserId: row.staff_user_id, bindingHash: row.binding_hash }, access);
}

/**
 * The draft and its service, if `access` owns it and it has not expired (submitted drafts never expire:
 * their confirmation page stays reachable). Null otherwise: the caller answers 404.
 */
export async function findDraftFor(
  db: Db,
  draftId: string,
  access: DraftAccess,
  now: Date,
): Promise<{ draft: Draft; service: CaseService } | null> {
  if (!uuid.test(draftId)) return null;
  const row = await repo.findDraft(db, draftId);
  if (!row || !mayUse(row, access)) return null;
  if (!row.submitted_case_id && row.expires_at.getTime() < now.getTime()) return null;
  const service = await loadCaseService(
    db,
    { id: row.service_id },
    { includeInactive: row.submitted_case_id !== null },
  );
  if (!service) return null;
  return { draft: toDraft(row), service: withExpandedForm(service) };
}

/**
 * For a resident draft this browser may not use (opened elsewhere, or expired): the slug of its service,
 * so the visitor can start again. Null for unknown ids, staff drafts and inactive services.
 */
export async function restartSlugFor(db: Db, draftId: string): Promise<string | null> {
  if (!uuid.test(draftId)) return null;
  const row = await repo.findDraft(db, draftId);
  if (!row || row.staff_user_id !== null) return null;
  const service = await loadCaseService(db, { id: row.service_id });
  return service?.slug ?? null;
}

/** Saves answers (already validated), dropping any that a changed answer has made irrelevant. */
export async function saveAnswers(
  db: Db | Tx,
  draft: Draft,
  service: CaseService,
  answers: Answers,
  now: Date,
): Promise<Answers> {
  const pruned = pruneHidden(service.definition, answers);
  await repo.updateDraftAnswers(db, draft.id, pruned, now, new Date(now.getTime() + DRAFT_LIFETIME_MS));
  return pruned;
}

export type SubmitResult =
  | { status: 'submitted'; caseId: string; reference: string; created: boolean }
  | { status: 'incomplete'; pageId: string };

/**
 * Turns the draft into a case, once. The token posted from "Check your answers" must be the draft's; the
 * case's idempotency key is derived from it, so a double click, a refresh that re-posts, or two tabs all
 * end at the same single case.
 *
 * Two round trips and no BEGIN/COMMIT: one read (the draft, its service and the facts for routing the
 * case), then `createCase` on the database itself, which writes the case, its events, interaction, audit
 * row, acknowledgement and outbox row and marks this draft submitted in ONE statement, all or nothing.
 * Two submissions of the same draft race on the case's unique idempotency key: the second insert waits
 * for the first to commit, writes nothing, and returns the first one's case.
 */
export async function submitDraft(
  db: Db,
  input: { draftId: string; access: DraftAccess; token: string; now: Date; caseOptions?: CaseOptions },
): Promise<SubmitResult | null> {
  if (!uuid.test(input.draftId)) return null;
  const row = await repo.findDraftForSubmit(db, input.draftId, input.now);
  if (!row || !mayUse(row, input.access)) return null;
  if (row.token !== input.token) throw new DomainRuleError('The form token does not match this draft');
  if (row.submitted_case_id && row.submitted_reference)
    return {
      status: 'submitted',
      caseId: row.submitted_case_id,
      reference: row.submitted_reference,
      created: false,
    };
  if (!row.service_active) return null;
  // The definition itself is not read: the cases module has this version validated in memory (it was
  // loaded for the question pages), or loads it now.
  const stored =
    cachedCaseServiceFromRow({
      id: row.service_id,
      authority_id: row.service_authority_id,
      team_id: row.service_team_id,
      slug: row.service_slug,
      name: row.service_name,
      sla: row.service_sla,
      definition_version: row.service_definition_version,
      updated_at: row.service_updated_at,
      active: row.service_active,
      authority_name: row.authority_name,
      authority_phone: row.authority_phone,
      authority_website: row.authority_website,
    }) ?? (await loadCaseService(db, { id: row.service_id }, { includeInactive: true }));
  if (!stored) return null;
  const service = withExpandedForm(stored);
  const answers = pruneHidden(service.definition, row.answers);
  const incomplete = firstIncompletePage(service.definition, answers);
  if (incomplete) return { status: 'incomplete', pageId: incomplete.id };
  const contact = contactFromAnswers(service.definition, answers);
  const created: CreatedCase = await createCase(
    db,
    {
      service,
      customerId: row.customer_id,
      contact,
      answers,
      formVersion: service.definitionVersion,
      channel: row.channel as Channel,
      receivedAt: input.now,
      idempotencyKey: `form:${row.token}`,
      createdByStaffId: row.staff_user_id,
      location: locationFromAnswers(service.definition, answers),
      attachmentIds: attachmentIdsOf(service.definition, answers),
      routingFacts: readNewCaseFacts({
        teams: row.facts_teams,
        candidates: row.facts_candidates,
        customer: row.facts_customer,
        lastInbound: row.facts_last_inbound,
      }),
      // In the statement that writes the case: no round trip of its own, and only if the case is new.
      alsoWrite: (batch, { caseId, gate }) =>
        repo.markDraftSubmittedInBatch(batch, row.id, caseId, input.now, gate),
    },
    input.caseOptions,
  );
  // An earlier attempt made the case (same token): point the draft at it.
  if (!created.created) await repo.markDraftSubmitted(db, row.id, created.id, input.now);
  return {
    status: 'submitted',
    caseId: created.id,
    reference: created.reference,
    created: created.created,
  };
}

/** The confirmation page's facts about a submitted draft's case. */
export function submittedCase(db: Db, caseId: string) {
  return repo.caseReferenceOf(db, caseId);
}

// ---------------------------------------------------------------------------------------------------
// Gazetteer

/** Addresses for a postcode (any spacing or case); empty when the postcode is not valid or unknown. */
export async function lookupAddresses(db: Db | Tx, postcode: string): Promise<GazetteerAddress[]> {
  const key = postcodeKey(postcode);
  if (!key) return [];
  return repo.addressesByPostcode(db, key);
}

const DEMO_ADDRESSES = fileURLToPath(new URL('./gazetteer/demo-addresses.json', import.meta.url));

/**
 * Loads the demo gazetteer (about 200 fictional addresses in the demo towns) into `addresses`.
 * Idempotent. Call it from the demo seed and from tests that look addresses up.
 */
export async function seedDemoAddresses(db: Db | Tx, file: string = DEMO_ADDRESSES): Promise<number> {
  const data = JSON.parse(readFileSync(file, 'utf8')) as {
    addresses: { uprn: string; line1: string; line2?: string; town: string; postcode: string }[];
  };
  return repo.insertAddresses(
    db,
    data.addresses.map((a) => ({
      uprn: a.uprn,
      line1: a.line1,
      line2: a.line2 ?? null,
      town: a.town,
      postcode: a.postcode,
      postcode_key: postcodeKey(a.postcode) ?? a.postcode.replace(/\s+/g, '').toUpperCase(),
    })),
  );
}

/**
 * Deletes expired, unsubmitted drafts and the files uploaded to them that never became part of a case.
 * For the worker's maintenance schedule. Returns the number of drafts deleted.
 */
export async function purgeExpiredDrafts(db: Db, uploadDir: string, now: Date): Promise<number> {
  const orphans = await repo.uploadsOfExpiredDrafts(db, now);
  await repo.deleteAttachments(
    db,
    orphans.map((o) => o.id),
  );
  for (const o of orphans) await unlink(join(uploadDir, o.storage_key)).catch(() => undefined);
  return repo.deleteExpiredDrafts(db, now);
}
