/**
 * Texts from residents (issue 17, item 4): each text GOV.UK Notify received for the council's number,
 * brought by Notify's callback or by the reconciliation poll of its received-texts list, is taken in once
 * (per Notify id) and
 * - `STOP` (and the other opt-out words) opts the number out of texts; `START` opts it back in;
 * - otherwise it is threaded onto a case: the case its reference names (when the number is the case's: we
 *   texted it about the case, or it is the resident's), else the open case we most recently texted that
 *   number about. Threading adds the resident's message to the case (visible on the timeline, an interaction
 *   of channel `sms`), which resumes the case's clock where it was waiting for the resident;
 * - else it waits in triage (`/staff/texts`), with the case its reference named as a suggestion, and an
 *   interaction on the customer's timeline when the number is one customer's.
 */
import type { Clock } from '../../platform/clock.ts';
import { normalisePhone, normaliseReference, referencesInBody } from '../../platform/contact/index.ts';
import { withTransaction, type Db, type Tx } from '../../platform/db/index.ts';
import { fallbackAuthorityId } from '../authorities/index.ts';
import { addMessage, reopenCase } from '../cases/index.ts';
import { recordOptOut, removeOptOut, type TextInbox } from '../notifications/index.ts';
import * as repo from './texts.repository.ts';

/** Whole-message words that opt a number out of texts (as UK mobile networks and Notify treat them). */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPT OUT', 'OPTOUT']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES START']);

/** What a text's words ask for: `opt_out`, `opt_in` or nothing (an ordinary message). */
export function optWord(body: string): 'opt_out' | 'opt_in' | null {
  const word = body
    .trim()
    .toUpperCase()
    .replace(/[.!\s]+$/u, '')
    .replace(/\s+/gu, ' ');
  if (OPT_OUT.has(word)) return 'opt_out';
  if (OPT_IN.has(word)) return 'opt_in';
  return null;
}

export interface TextsDeps {
  db: Db;
  clock: Clock;
  /** The council that takes texts tied to no case (its code); null: the county. */
  authorityCode: string | null;
}

export interface ReceivedTextInput {
  notifyId: string;
  /** The sender's number as Notify gives it (`447700900123`, `+447700900123`, `07700 900123`). */
  from: string;
  body: string;
  receivedAt: Date;
}

export type ReceiveOutcome =
  | { outcome: 'duplicate' }
  | { outcome: 'threaded'; caseId: string }
  | { outcome: 'triage'; reason: string; suggestedCaseId: string | null }
  | { outcome: 'opt_out' | 'opt_in' }
  | { outcome: 'no-authority' };

/** E.164 for a UK or international number Notify gives without its `+`. */
function phoneOf(from: string): string {
  const trimmed = from.trim();
  const direct = normalisePhone(trimmed);
  if (direct) return direct;
  const withPlus = /^\d{10,15}$/.test(trimmed) ? normalisePhone(`+${trimmed}`) : null;
  return withPlus ?? trimmed.replace(/[^\d+]/g, '').slice(0, 20);
}

interface Target {
  caseId: string | null;
  authorityId: string | null;
  customerId: string | null;
  suggestedCaseId: string | null;
  reason: string;
}

async function findTarget(trx: Tx, phone: string, body: string): Promise<Target> {
  let suggested: { id: string; authority_id: string; customer_id: string | null } | null = null;
  for (const reference of referencesInBody(body)) {
    const named = await repo.caseByReference(trx, reference);
    if (!named) continue;
    const ours = await repo.numberBelongsToCase(trx, {
      caseId: named.id,
      customerId: named.customer_id,
      guestPhone: named.guest_phone,
      phone,
    });
    if (ours && !named.closed_at)
      return {
        caseId: named.id,
        authorityId: named.authority_id,
        customerId: named.customer_id,
        suggestedCaseId: null,
        reason: 'reference',
      };
    suggested ??= named;
  }
  const texted = await repo.latestOpenCaseTexted(trx, phone);
  if (texted)
    return {
      caseId: texted.id,
      authorityId: texted.authority_id,
      customerId: texted.customer_id,
      suggestedCaseId: null,
      reason: 'texted-about',
    };
  const customer = await repo.onlyCustomerWithPhone(trx, phone);
  return {
    caseId: null,
    authorityId: suggested?.authority_id ?? customer?.authority_id ?? null,
    customerId: customer?.id ?? null,
    suggestedCaseId: suggested?.id ?? null,
    reason: suggested ? 'reference-not-matched' : customer ? 'known-number' : 'unknown-number',
  };
}

/** Takes in one received text (idempotent per Notify id). */
export async function receiveText(deps: TextsDeps, input: ReceivedTextInput): Promise<ReceiveOutcome> {
  const phone = phoneOf(input.from);
  const body = input.body.slice(0, 2_000);
  return withTransaction(deps.db, async (trx) => {
    if (await repo.inboundTextByNotifyId(trx, input.notifyId)) return { outcome: 'duplicate' };
    const word = optWord(body);
    const target: Target = word
      ? {
          caseId: null,
          authorityId: null,
          customerId: null,
          suggestedCaseId: null,
          reason: word === 'opt_out' ? 'opted-out' : 'opted-in',
        }
      : await findTarget(trx, phone, body);
    const authorityId = target.authorityId ?? (await fallbackAuthorityId(trx, deps.authorityCode));
    if (!authorityId) return { outcome: 'no-authority' };
    const outcome = word ?? (target.caseId ? 'threaded' : 'triage');
    const id = await repo.insertInboundText(trx, {
      notify_id: input.notifyId,
      authority_id: authorityId,
      from_number: phone,
      body,
      received_at: input.receivedAt,
      outcome,
      reason: target.reason,
      case_id: target.caseId,
      suggested_case_id: target.suggestedCaseId,
      customer_id: target.customerId,
    });
    if (!id) return { outcome: 'duplicate' };
    if (word === 'opt_out') {
      await recordOptOut(trx, phone, input.receivedAt, id);
      return { outcome: 'opt_out' };
    }
    if (word === 'opt_in') {
      await removeOptOut(trx, phone);
      return { outcome: 'opt_in' };
    }
    if (target.caseId) {
      await addMessage(trx, target.caseId, {
        from: 'resident',
        body: body.trim() || '(empty text)',
        at: input.receivedAt,
        actor: { kind: 'customer', customerId: target.customerId },
        channel: 'sms',
      });
      return { outcome: 'threaded', caseId: target.caseId };
    }
    if (target.customerId)
      await repo.insertInteraction(trx, {
        authority_id: authorityId,
        customer_id: target.customerId,
        case_id: null,
        service_id: null,
        channel: 'sms',
        direction: 'inbound',
        occurred_at: input.receivedAt,
        agent_id: null,
        summary: 'Text from the resident (waiting in triage: not matched to a case)',
        body,
      });
    return { outcome: 'triage', reason: target.reason, suggestedCaseId: target.suggestedCaseId };
  });
}

/** Notify keeps received texts for 7 days; the poll reads back no further. */
export const RECEIVED_WINDOW_MS = 7 * 24 * 60 * 60_000;
const MAX_PAGES = 40;

/**
 * The `texts.poll_received` job: reads Notify's received-texts list, newest first, page by page
 * (`older_than` the last id of the page before), and takes in every text not already taken in (a callback
 * that never came). Stops at the end of the list, at texts older than 7 days, or after a page whose texts
 * were all known already. Returns how many were new.
 */
export async function pollReceivedTexts(deps: TextsDeps & { inbox: TextInbox }): Promise<number> {
  const oldest = deps.clock.now().getTime() - RECEIVED_WINDOW_MS;
  let olderThan: string | null = null;
  let taken = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { texts, more } = await deps.inbox.page(olderThan);
    const inWindow = texts.filter((t) => t.receivedAt.getTime() >= oldest);
    const known = await repo.knownNotifyIds(
      deps.db,
      inWindow.map((t) => t.id),
    );
    // Oldest first, so a thread reads in the order the resident wrote.
    for (const text of [...inWindow].reverse()) {
      if (known.has(text.id)) continue;
      const result = await receiveText(deps, {
        notifyId: text.id,
        from: text.from,
        body: text.body,
        receivedAt: text.receivedAt,
      });
      if (result.outcome !== 'duplicate') taken += 1;
    }
    const last = texts.at(-1);
    if (!more || !last || inWindow.length < texts.length || known.size === inWindow.length) break;
    olderThan = last.id;
  }
  return taken;
}

/** A problem with what staff typed on the triage page, for the field it names. */
export class TriageFieldError extends Error {
  override name = 'TriageFieldError';
  constructor(
    readonly field: 'reference',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Staff add a text waiting in triage to a case (by its reference): the text becomes the resident's message
 * on it, as if it had been threaded when it came (its time is when it came; a closed case is reopened).
 */
export async function addTextToCase(
  db: Db,
  input: {
    textId: string;
    reference: string;
    staffId: string;
    authorityIds: readonly string[];
    at: Date;
    seesCase: (c: { sensitivity: 'normal' | 'restricted'; teamId: string }) => boolean;
  },
): Promise<{ caseId: string; reference: string } | null> {
  if (input.reference.trim() === '') throw new TriageFieldError('reference', 'Enter the case reference');
  const reference = normaliseReference(input.reference);
  if (!reference) throw new TriageFieldError('reference', 'Enter a case reference like KX7P-3RMD');
  return withTransaction(db, async (trx) => {
    const text = await repo.lockTriageText(trx, input.textId, input.authorityIds);
    if (!text || text.outcome !== 'triage' || text.handled_at) return null;
    const target = await repo.caseByReference(trx, reference);
    if (
      !target ||
      !input.authorityIds.includes(target.authority_id) ||
      !input.seesCase({ sensitivity: target.sensitivity, teamId: target.team_id })
    )
      throw new TriageFieldError('reference', `There is no case with the reference ${reference}`);
    const actor = { kind: 'customer' as const, customerId: target.customer_id };
    if (target.closed_at)
      await reopenCase(trx, target.id, { at: input.at, reason: 'A text from the resident was added', actor });
    await addMessage(trx, target.id, {
      from: 'resident',
      body: text.body.trim() || '(empty text)',
      at: text.received_at,
      actor,
      channel: 'sms',
    });
    await repo.markHandled(trx, text.id, { at: input.at, staffId: input.staffId, caseId: target.id });
    return { caseId: target.id, reference: target.reference };
  });
}

/** Staff mark a text waiting in triage as needing no action (it stays on record). */
export async function markTextNoAction(
  db: Db,
  input: { textId: string; staffId: string; authorityIds: readonly string[]; at: Date },
): Promise<boolean> {
  return withTransaction(db, async (trx) => {
    const text = await repo.lockTriageText(trx, input.textId, input.authorityIds);
    if (!text || text.outcome !== 'triage' || text.handled_at) return false;
    await repo.markHandled(trx, text.id, { at: input.at, staffId: input.staffId, caseId: null });
    return true;
  });
}
