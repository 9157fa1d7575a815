/**
 * The `notifications.send` job: delivers one queued message through the configured adapter.
 *
 * Idempotent per message: a delivered or recorded message is never sent again, however many times the
 * job runs; the provider reference (Notify `reference`, the email's Message-ID) is the message id; and
 * after an attempt whose outcome is unknown, Notify is asked whether it already has the message before
 * sending again. When the message belongs to a case, the outcome is appended to the case timeline in the
 * same transaction that records it (`message_sent`), so each message appears there exactly once.
 */
import type { Clock } from '../../platform/clock.ts';
import { normaliseReference } from '../../platform/contact/index.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { PermanentJobError, errorText, type Job, type JobHandler } from '../../platform/jobs/index.ts';
import { DeliveryError, type DeliveryAdapters, type OutgoingMessage } from './notifications.adapters.ts';
import {
  appendCaseEvent,
  emailThreadOf,
  findMessage,
  isOptedOut,
  markFinished,
  markRetry,
  markSending,
  type MessageRow,
} from './notifications.repository.ts';
import { MAX_DELIVERY_ATTEMPTS } from './notifications.service.ts';
import { reconcileStatuses } from './notifications.receipts.ts';

export interface SendDeps {
  db: Db;
  clock: Clock;
  adapters: DeliveryAdapters;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const CHANNEL_WORDS = { email: 'Email', sms: 'Text message', letter: 'Letter' } as const;

function timelineText(message: MessageRow, status: 'delivered' | 'recorded' | 'failed'): string {
  const what = CHANNEL_WORDS[message.channel];
  if (status === 'failed') return `${what} could not be sent: ${message.subject}`;
  if (status === 'recorded')
    return message.channel === 'letter'
      ? `Letter prepared for posting: ${message.subject}`
      : `${what} recorded but not sent (no delivery service is set up): ${message.subject}`;
  return `${what} sent: ${message.subject}`;
}

async function finish(
  deps: SendDeps,
  message: MessageRow,
  outcome: {
    status: 'delivered' | 'recorded' | 'failed';
    provider: 'notify' | 'smtp' | 'local' | null;
    providerId: string | null;
    error: string | null;
  },
): Promise<void> {
  const at = deps.clock.now();
  await withTransaction(deps.db, async (trx) => {
    const finished = await markFinished(trx, message.id, { ...outcome, at });
    if (!finished?.case_id) return;
    // Residents see what reached them (or a letter on its way); staff also see failures and
    // messages that were only recorded.
    const visible =
      outcome.status === 'delivered' || (outcome.status === 'recorded' && message.channel === 'letter');
    await appendCaseEvent(trx, {
      caseId: finished.case_id,
      kind: outcome.status === 'failed' ? 'message_failed' : 'message_sent',
      visibleToCustomer: visible,
      body: timelineText(message, outcome.status),
      data: {
        messageId: message.id,
        channel: message.channel,
        status: outcome.status,
        template: message.template,
        subject: message.subject,
        provider: outcome.provider,
      },
      at,
    });
  });
}

/** Messages to staff about a case: not part of the resident's email thread. */
const STAFF_TEMPLATES = new Set([
  'case.sla_warning',
  'case.sla_breach',
  'case.assigned',
  'case.transferred',
  'case.email_undeliverable',
  'case.message_undeliverable',
]);

/**
 * An email to the resident about a case carries the case's thread (issue 13): the reference in the
 * subject, the signed reply address, In-Reply-To the last email they sent, References the whole thread.
 * Everything but a member of staff's own message is marked automated (Auto-Submitted: auto-generated).
 */
async function threadingOf(deps: SendDeps, message: MessageRow): Promise<Partial<OutgoingMessage>> {
  if (message.channel !== 'email' || !message.case_id || STAFF_TEMPLATES.has(message.template)) return {};
  const thread = await emailThreadOf(deps.db, message.case_id, message.id);
  if (!thread) return {};
  return {
    // Only a real case reference goes in the subject (imported or test cases may carry others).
    caseReference: normaliseReference(thread.reference) ? thread.reference : null,
    inReplyTo: thread.inReplyTo,
    references: thread.references,
    automated: message.template !== 'case.message',
  };
}

/** Delivers the message named by `job.payload.messageId`. */
export async function deliverMessage(deps: SendDeps, job: Job): Promise<void> {
  const messageId = job.payload.messageId;
  if (typeof messageId !== 'string' || !UUID.test(messageId))
    throw new PermanentJobError('payload.messageId missing or not a uuid');
  const found = await findMessage(deps.db, messageId);
  if (!found) throw new PermanentJobError(`message ${messageId} not found`);
  if (found.status === 'delivered' || found.status === 'recorded') return;

  if (found.channel === 'sms' && (await isOptedOut(deps.db, found.recipient))) {
    // The resident texted STOP (issue 17): never sent, and the case says so.
    await finish(deps, found, {
      status: 'failed',
      provider: null,
      providerId: null,
      error: 'Not sent: this number texted STOP to opt out of texts',
    });
    return;
  }

  const adapter = found.channel === 'letter' ? (deps.adapters.letter ?? null) : deps.adapters[found.channel];
  if (!adapter) {
    // Letters go in the print run; without Notify or SMTP, emails and texts stay in the local outbox.
    await finish(deps, found, { status: 'recorded', provider: 'local', providerId: null, error: null });
    return;
  }

  const outgoing: OutgoingMessage = {
    id: found.id,
    channel: found.channel,
    template: found.template,
    recipient: found.recipient,
    subject: found.subject,
    body: found.body,
    ...(await threadingOf(deps, found)),
  };
  const outcomeUnknown = found.status === 'sending';
  const claimed = await markSending(deps.db, found.id);
  if (!claimed) return; // finished meanwhile by another run

  try {
    if (outcomeUnknown && adapter.findSent) {
      const already = await adapter.findSent(outgoing);
      if (already) {
        await finish(deps, found, {
          status: 'delivered',
          provider: adapter.provider,
          providerId: already.providerId,
          error: null,
        });
        return;
      }
    }
    const sent = await adapter.send(outgoing);
    await finish(deps, found, {
      status: 'delivered',
      provider: adapter.provider,
      providerId: sent.providerId,
      error: null,
    });
  } catch (error) {
    const delivery = error instanceof DeliveryError ? error : null;
    const text = delivery ? delivery.message : `Delivery of message ${found.id} failed: ${errorText(error)}`;
    const lastAttempt = job.attempts >= MAX_DELIVERY_ATTEMPTS;
    if (delivery?.permanent || lastAttempt) {
      await finish(deps, found, {
        status: 'failed',
        provider: adapter.provider,
        providerId: null,
        error: text,
      });
      if (delivery?.permanent) throw new PermanentJobError(text);
      throw new Error(text);
    }
    await markRetry(deps.db, found.id, text, delivery?.outcomeKnown ?? false);
    throw new Error(text);
  }
}

/** The handlers this module owns, by topic (registered in src/worker.ts). */
export function notificationJobHandlers(deps: SendDeps & { publicUrl?: string }): Record<string, JobHandler> {
  return {
    'notifications.send': (job) => deliverMessage(deps, job),
    [RECONCILE_STATUSES_TOPIC]: async () => {
      await reconcileStatuses(deps);
    },
  };
}

/** Scheduled: asks Notify for the statuses its receipts did not bring (notifications.receipts.ts). */
export const RECONCILE_STATUSES_TOPIC = 'notifications.reconcile_statuses';
