/**
 * Delivery receipts (issue 17, item 4): what GOV.UK Notify says happened to a message after it took it.
 * Notify calls our callback with each status change; a reconciliation job asks Notify about any message whose
 * final status never came. Both go through `applyProviderStatus`, so a receipt is idempotent (the same one
 * twice changes nothing) and never moves a message backwards (a late `sending` after `delivered` is ignored).
 *
 * A permanent failure means the address or number does not work: the contact point is marked undeliverable
 * (no more messages are sent to it from that contact point) and the case's owner is told, on the case and
 * by email, to reach the resident another way.
 */
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import type { DeliveryAdapters } from './notifications.adapters.ts';
import * as repo from './notifications.repository.ts';
import { queueMessage } from './notifications.service.ts';

/**
 * The order of Notify's status words (emails, texts and letters). Final statuses share the top rank: the
 * first final status that arrives is kept.
 */
const STATUS_RANK: Readonly<Record<string, number>> = {
  created: 1,
  accepted: 1,
  sending: 2,
  pending: 2,
  'pending-virus-check': 2,
  sent: 3,
  received: 3,
  delivered: 4,
  'permanent-failure': 4,
  'temporary-failure': 4,
  'technical-failure': 4,
  cancelled: 4,
  'validation-failed': 4,
  'virus-scan-failed': 4,
};

/** The rank of a Notify status word, or null for a word we do not know (ignored, never an error). */
export function statusRank(status: string): number | null {
  return STATUS_RANK[status] ?? null;
}

const FAILURE_WORDS: Readonly<Record<string, string>> = {
  'permanent-failure': 'the address or number does not work',
  'temporary-failure': 'the phone was off or the inbox full for too long',
  'technical-failure': 'a technical problem at GOV.UK Notify',
  'validation-failed': 'the letter did not meet the post rules',
  'virus-scan-failed': 'the letter failed a virus check',
  cancelled: 'it was cancelled',
};

const WHAT = { email: 'email', sms: 'text message', letter: 'letter' } as const;
const CONTACT = { email: 'email address', sms: 'phone number', letter: 'address' } as const;

export interface ReceiptDeps {
  db: Db;
  /** The staff site's address, for the link in the owner's email ('' gives a relative link). */
  publicUrl?: string;
}

export type ReceiptOutcome = 'applied' | 'unchanged' | 'unknown-message' | 'unknown-status';

/**
 * Applies one status for the message Notify knows as `providerId`. `unchanged`: a duplicate or a status
 * older than the one we have; `unknown-message`: not ours (or not sent yet).
 */
export async function applyProviderStatus(
  deps: ReceiptDeps,
  input: { providerId: string; status: string; at: Date },
): Promise<ReceiptOutcome> {
  const rank = statusRank(input.status);
  if (rank === null) return 'unknown-status';
  return withTransaction(deps.db, async (trx) => {
    const message = await repo.recordProviderStatus(trx, {
      provider: 'notify',
      providerId: input.providerId,
      status: input.status,
      rank,
      at: input.at,
    });
    if (!message) {
      const known = await repo.isProviderMessage(trx, 'notify', input.providerId);
      return known ? 'unchanged' : 'unknown-message';
    }
    const failure = FAILURE_WORDS[input.status];
    if (!failure) return 'applied';
    const permanent = input.status === 'permanent-failure';
    if (permanent && message.channel !== 'letter')
      await repo.markContactUndeliverable(
        trx,
        message.channel === 'sms' ? 'phone' : 'email',
        message.recipient,
        input.at,
      );
    if (!message.case_id) return 'applied';
    const what = WHAT[message.channel];
    await repo.appendCaseEvent(trx, {
      caseId: message.case_id,
      kind: 'message_undelivered',
      visibleToCustomer: false,
      body: permanent
        ? `The ${what} could not be delivered: ${failure}. It has been marked undeliverable: contact the resident another way.`
        : `The ${what} could not be delivered: ${failure}.`,
      data: { messageId: message.id, status: input.status },
      at: input.at,
    });
    const owned = permanent ? await repo.caseAndOwner(trx, message.case_id) : undefined;
    if (owned?.owner_email)
      await queueMessage(trx, {
        authorityId: owned.authority_id,
        customerId: null,
        caseId: owned.id,
        channel: 'email',
        to: { email: owned.owner_email },
        template: 'case.message_undeliverable',
        personalisation: {
          name: owned.owner_name ?? '',
          what,
          contact: CONTACT[message.channel],
          reference: owned.reference,
          status: input.status,
          caseUrl: `${(deps.publicUrl ?? '').replace(/\/$/, '')}/staff/cases/${owned.id}`,
        },
        dedupeKey: `case.message_undeliverable:${message.id}`,
      });
    return 'applied';
  });
}

export interface ReconcileDeps extends ReceiptDeps {
  clock: Clock;
  adapters: DeliveryAdapters;
}

/** Receipts normally come within minutes; after this long without a final one, Notify is asked. */
export const STATUS_GRACE_MS = 60 * 60_000;
/** Notify keeps a message's status for 7 days. */
export const STATUS_WINDOW_MS = 7 * 24 * 60 * 60_000;

/**
 * The `notifications.reconcile_statuses` job: for messages Notify took between 7 days and an hour ago with
 * no final status yet, asks Notify for the status and applies it (up to `limit` a run; a message Notify
 * cannot answer for is skipped until the next run). Returns how many changed.
 */
export async function reconcileStatuses(deps: ReconcileDeps, limit = 200): Promise<number> {
  const adapter = deps.adapters.sms ?? deps.adapters.email;
  if (!adapter?.statusOf || adapter.provider !== 'notify') return 0;
  const now = deps.clock.now().getTime();
  const due = await repo.messagesAwaitingStatus(deps.db, {
    sentAfter: new Date(now - STATUS_WINDOW_MS),
    sentBefore: new Date(now - STATUS_GRACE_MS),
    limit,
  });
  let changed = 0;
  for (const message of due) {
    if (!message.provider_id) continue;
    let found: { status: string; at: Date | null };
    try {
      found = await adapter.statusOf(message.provider_id);
    } catch {
      // One message Notify cannot tell us about (or a blip) must not stop the others; it is asked again
      // next run, until it leaves the 7-day window.
      continue;
    }
    const outcome = await applyProviderStatus(deps, {
      providerId: message.provider_id,
      status: found.status,
      at: found.at ?? deps.clock.now(),
    });
    if (outcome === 'applied') changed += 1;
  }
  return changed;
}
