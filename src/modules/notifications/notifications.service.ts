/**
 * Queueing messages: the one way any module sends an email, text message or letter.
 *
 * `queueMessage` runs inside the caller's transaction: it resolves the channel and recipient, renders the
 * text (so the stored message is exactly what is sent), writes the `messages` row and the outbox job that
 * delivers it. Nothing is sent in the request; if the caller's transaction rolls back, no message exists.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/index.ts';
import { randomUUID } from 'node:crypto';
import type { NewRow, WriteBatch } from '../../platform/db/index.ts';
import { enqueue, enqueueInBatch, type EnqueueJob } from '../../platform/jobs/index.ts';
import {
  REQUIRED_PERSONALISATION,
  isTemplateName,
  renderMessage,
  type MessageChannel,
  type TemplateName,
} from './notifications.templates.ts';
import { channelOfContactAnswer, postalLines, resolveRecipient } from './notifications.channels.ts';
import { canReceiveTexts, normaliseEmail, normalisePhone } from '../../platform/contact/index.ts';
import {
  contactAnswerOfCase,
  findAuthority,
  findCustomerContacts,
  insertMessage,
  insertMessageInBatch,
  messageIdByDedupeKey,
} from './notifications.repository.ts';

export const SEND_TOPIC = 'notifications.send';
/** Delivery attempts before a message is given up as failed (about an hour with the worker's backoff). */
export const MAX_DELIVERY_ATTEMPTS = 8;
/**
 * Messages a resident is waiting for on screen — one-time codes, which expire in minutes — are queued
 * `urgent`: the worker delivers them before everything else and keeps a slot for them, so they are not
 * stuck behind a backlog of acknowledgements or a provider that hangs (docs/notifications.md).
 */
export const URGENT_TEMPLATES: ReadonlySet<TemplateName> = new Set<TemplateName>([
  'resident.sign_in_code',
  'resident.track_code',
]);

/** The authority facts a message's personalisation needs (its name, phone and website). */
export interface AuthorityContact {
  id: string;
  name: string;
  phone: string | null;
  website: string | null;
}

/**
 * Queue the message as part of the caller's {@link WriteBatch} instead of writing it now: the message row
 * and its delivery job cost no round trip of their own and are written only if the batch's write `gate`
 * returned a row (e.g. the new case was inserted).
 */
export interface QueueInBatch {
  batch: WriteBatch;
  gate: string;
  /** The authority's contact facts when the caller already has them (saves a read). */
  authority?: AuthorityContact;
}

export interface QueueMessageInput {
  authorityId: string;
  customerId?: string | null;
  caseId?: string | null;
  /**
   * null → the channel the resident chose on the form for this request (the case's `contactBy` answer),
   * else the customer's preferred channel, falling back to what contact exists. In a batch the case is not
   * written yet, so the caller passes the form's choice here (`channelOfContactAnswer`).
   */
  channel?: 'email' | 'sms' | 'letter' | null;
  /** For guests (no customer record), or to send to an address being confirmed. Wins over the customer's. */
  to?: { email?: string | null; phone?: string | null };
  template: TemplateName;
  personalisation: Record<string, string>;
  /** Queueing twice with the same key queues one message (e.g. `case-ack:<caseId>`). */
  dedupeKey: string;
}

/** Other spellings callers use for the same personalisation (snake_case is turned into camelCase). */
const ALIASES: Record<string, string> = { whatHappensNext: 'nextSteps', nextStep: 'nextSteps' };

/**
 * Personalisation keys in the templates' spelling: `service_name` → `serviceName`,
 * `what_happens_next` → `nextSteps`. A key already in the templates' spelling wins.
 */
export function normalisePersonalisation(input: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const canonical = (key: string) => {
    const camel = key.replace(/_([a-z0-9])/g, (_whole, c: string) => c.toUpperCase());
    return ALIASES[camel] ?? camel;
  };
  for (const [key, value] of Object.entries(input)) {
    if (typeof value !== 'string') continue;
    const name = canonical(key);
    if (name === key || !(name in input)) out[name] = value;
  }
  return out;
}

function fullName(customer: {
  title: string | null;
  given_name: string | null;
  family_name: string | null;
  organisation_name: string | null;
}): string | null {
  if (customer.organisation_name) return customer.organisation_name;
  const name = [customer.given_name, customer.family_name].filter(Boolean).join(' ').trim();
  return name || null;
}

/**
 * Queue a message in the caller's transaction (pass the transaction, not the outer `db`).
 *
 * Throws a TypeError for programming mistakes (unknown template, missing required personalisation such
 * as `reference`, empty dedupe key) so they fail loudly in tests. When there is no way to reach the
 * person, the message is stored as `failed` (staff see it in the outbox) and nothing is enqueued.
 */
export async function queueMessage(
  trx: Kysely<DB> | Transaction<DB>,
  input: QueueMessageInput,
  inBatch?: QueueInBatch,
): Promise<void> {
  if (!isTemplateName(input.template))
    throw new TypeError(`queueMessage: unknown template ${String(input.template)}`);
  if (typeof input.dedupeKey !== 'string' || input.dedupeKey.trim() === '')
    throw new TypeError('queueMessage: dedupeKey must be a non-empty string');
  const template: TemplateName = input.template;
  const given = normalisePersonalisation(input.personalisation ?? {});
  const missing = REQUIRED_PERSONALISATION[template].filter((key) => !given[key]?.trim());
  if (missing.length)
    throw new TypeError(`queueMessage: ${template} needs personalisation ${missing.join(', ')}`);

  // In a batch the insert's `on conflict (dedupe_key) do nothing` does this check, and the delivery job
  // is written only if the message row was.
  if (!inBatch && (await messageIdByDedupeKey(trx, input.dedupeKey))) return;

  const authority =
    inBatch?.authority?.id === input.authorityId
      ? inBatch.authority
      : await findAuthority(trx, input.authorityId);
  if (!authority) throw new TypeError('queueMessage: unknown authorityId');
  const customer = input.customerId ? await findCustomerContacts(trx, input.customerId) : null;

  const name = customer ? fullName(customer.customer) : null;
  const guestEmail = normaliseEmail(input.to?.email);
  const guestPhone = normalisePhone(input.to?.phone);
  const phone = guestPhone ?? customer?.phones.find((p) => canReceiveTexts(p)) ?? null;
  // The answer on the form wins for that request over the resident's usual preference.
  const chosen =
    input.channel ??
    (input.caseId && !inBatch ? channelOfContactAnswer(await contactAnswerOfCase(trx, input.caseId)) : null);
  const resolved = resolveRecipient(chosen, customer?.customer.preferred_channel, {
    email: guestEmail ?? customer?.email ?? null,
    phone,
    postal: customer ? postalLines(name, customer.address) : null,
  });

  const personalisation: Record<string, string> = {
    authorityName: authority.name,
    ...(authority.phone ? { authorityPhone: authority.phone } : {}),
    ...(authority.website ? { authorityWebsite: authority.website } : {}),
    ...(name ? { name } : {}),
    ...given,
  };
  const channel: MessageChannel = resolved?.channel ?? chosen ?? 'email';
  const rendered = renderMessage(
    template,
    channel,
    customer?.customer.preferred_language ?? 'en',
    personalisation,
  );

  const row: NewRow<'messages'> = {
    authority_id: authority.id,
    customer_id: customer?.customer.id ?? null,
    case_id: input.caseId ?? null,
    channel,
    recipient: resolved?.recipient ?? '',
    template,
    language: rendered.language,
    subject: rendered.subject,
    body: rendered.body,
    status: resolved ? 'queued' : 'failed',
    provider: null,
    provider_id: null,
    error: resolved ? null : 'No email address, mobile number or postal address to send this to',
    dedupe_key: input.dedupeKey,
  };
  const job = (messageId: string): EnqueueJob => ({
    topic: SEND_TOPIC,
    payload: { messageId },
    authorityId: authority.id,
    dedupeKey: `${SEND_TOPIC}:${input.dedupeKey}`,
    maxAttempts: MAX_DELIVERY_ATTEMPTS,
    priority: URGENT_TEMPLATES.has(template) ? 'urgent' : 'normal',
  });
  if (inBatch) {
    const messageId = randomUUID();
    const written = insertMessageInBatch(inBatch.batch, { id: messageId, ...row }, inBatch.gate);
    if (resolved) enqueueInBatch(inBatch.batch, job(messageId), written);
    return;
  }
  const messageId = await insertMessage(trx, row);
  if (!messageId || !resolved) return;
  await enqueue(trx, job(messageId));
}
