/**
 * Taking in call events (docs/telephony.md "Events"): each event is recorded once (a retry changes
 * nothing) and folded into the call's row, whatever order events arrive in: times keep the earliest
 * (offered, queued, ringing, answered) or latest (ended) value seen, so an `answer` before its `newCall`, or
 * a `hangup` with no `newCall` at all, still leaves a sensible call. The call is an interaction on the
 * caller's timeline from its first event. The caller is matched to customers by number (E.164); an answer
 * pops the caller's record on the answering agent's screen, after the transaction has committed.
 */
import { withTransaction, type Db, type Tx } from '../../platform/db/index.ts';
import { normalisePhone } from '../../platform/contact/index.ts';
import { notifyStaff, type StaffMessage } from '../../platform/realtime/index.ts';
import type { RowUpdate } from '../../platform/db/schema.ts';
import * as repo from './telephony.repository.ts';
import { dedupeKeyOf, isWithheld, type CallEvent } from './telephony.events.ts';
import { displayPhone } from '../../platform/contact/index.ts';

export interface IngestOptions {
  platform: string;
  /** Code of the authority that takes calls from queues and numbers we do not know (else the county). */
  fallbackAuthorityCode?: string | null;
  /**
   * Called in the transaction when an outbound call ends: the callbacks module links it to an open
   * callback for that number and returns the callback's id.
   */
  onOutboundCallEnded?: (
    trx: Tx,
    call: {
      authorityId: string;
      callRowId: string;
      phone: string;
      staffId: string | null;
      at: Date;
      answered: boolean;
      cause?: string;
    },
  ) => Promise<string | null>;
}

export interface IngestResult {
  callRowId: string;
  duplicate: boolean;
  /** The platform should refuse this call (a blocked number's newCall). */
  reject: boolean;
}

export class UnknownAuthorityError extends Error {}

function earliest(current: Date | null, at: Date): Date {
  return current && current.getTime() <= at.getTime() ? current : at;
}

function latest(current: Date | null, at: Date): Date {
  return current && current.getTime() >= at.getTime() ? current : at;
}

function numberOf(value: string | null | undefined): string | null {
  if (value === undefined || isWithheld(value)) return null;
  return normalisePhone(value);
}

/** The screen pop for a caller: their record when one customer has the number, else the call's page. */
export function popFor(
  call: { id: string; caller_number: string | null; customer_id: string | null; match_count: number },
  customerName: string | null,
): StaffMessage {
  const number = call.caller_number ? displayPhone(call.caller_number) : 'a withheld number';
  if (call.customer_id && call.match_count === 1)
    return {
      kind: 'call',
      title: `Call from ${customerName ?? number}`,
      href: `/staff/customers/${call.customer_id}?call=${call.id}`,
      callId: call.id,
    };
  if (call.match_count > 1)
    return {
      kind: 'call',
      title: `Call from ${number}: ${call.match_count > 5 ? 'more than 5' : call.match_count} customers have this number`,
      href: `/staff/calls/${call.id}`,
      callId: call.id,
    };
  return {
    kind: 'call',
    title: call.caller_number ? `New caller: ${number}` : 'Call from a withheld number',
    href: `/staff/calls/${call.id}`,
    callId: call.id,
  };
}

export async function ingestCallEvent(
  db: Db,
  event: CallEvent,
  options: IngestOptions,
): Promise<IngestResult> {
  const from = numberOf(event.from);
  const to = numberOf(event.to);
  const result = await withTransaction(db, async (trx) => {
    // Our side of the call: the number dialled (inbound) or the line called from (outbound).
    const line = event.event === 'newCall' ? (event.direction === 'outbound' ? from : to) : null;
    const queue = event.queue
      ? await repo.findQueue(trx, { code: event.queue })
      : line
        ? await repo.findQueue(trx, { number: line })
        : null;
    const call = await repo.lockCall(trx, {
      platform: options.platform,
      callId: event.callId,
      at: event.at,
      authorityOf: async () => {
        const id =
          queue?.authority_id ?? (await repo.fallbackAuthorityId(trx, options.fallbackAuthorityCode ?? null));
        if (!id) throw new UnknownAuthorityError('no authority takes these calls');
        return id;
      },
    });
    const fresh = await repo.insertCallEvent(trx, {
      call_row_id: call.id,
      event: event.event,
      dedupe_key: dedupeKeyOf(event),
      occurred_at: event.at,
      payload: JSON.stringify(event),
    });
    if (!fresh) return { call, duplicate: true, pop: null as string | null };

    const patch: RowUpdate<'calls'> = { updated_at: new Date() };
    const next = { ...call };
    const set = <K extends keyof typeof next>(key: K, value: (typeof next)[K]) => {
      next[key] = value;
      (patch as Record<string, unknown>)[key] = value;
    };
    set('offered_at', earliest(call.offered_at, event.at));
    if (event.direction && (event.event === 'newCall' || call.direction !== event.direction))
      set('direction', event.direction);
    if (event.from !== undefined && (event.event === 'newCall' || call.from_number === null))
      set('from_number', from);
    if (event.to !== undefined && (event.event === 'newCall' || call.to_number === null))
      set('to_number', to);
    const callerNumber = next.direction === 'outbound' ? next.to_number : next.from_number;
    if (callerNumber !== call.caller_number) set('caller_number', callerNumber);
    // The number dialled names the council only; the platform saying so puts a caller in a queue (a newCall
    // or menu choice naming it), and so does an agent's phone ringing for them. A call that never reached
    // a queue (ended in the menu, blocked) is counted apart, not in the queue of the number dialled.
    if (queue && event.queue && queue.id !== call.queue_id) {
      set('queue_id', queue.id);
      set('queue_code', queue.code);
      // A call first heard of without its queue (an answer before its newCall) belongs to the queue's council.
      if (queue.authority_id !== call.authority_id) set('authority_id', queue.authority_id);
    } else if (queue && event.event === 'newCall' && queue.authority_id !== call.authority_id) {
      set('authority_id', queue.authority_id);
    }
    const inbound = next.direction === 'inbound';
    if (
      inbound &&
      ((queue && event.queue) || ((event.event === 'ringing' || event.event === 'answer') && !call.queued_at))
    )
      set('queued_at', earliest(call.queued_at, event.at));

    let agentToPop: string | null = null;
    switch (event.event) {
      case 'newCall':
        if (inbound && from && (await repo.isBlocked(trx, next.authority_id, from))) set('blocked', true);
        break;
      case 'ivr':
        set('ivr_path', [...call.ivr_path, ...(event.path ?? [])]);
        if ((event.path ?? []).length === 0) set('ivr_no_option', true);
        break;
      case 'ringing':
        set('ringing_at', earliest(call.ringing_at, event.at));
        break;
      case 'answer': {
        set('answered_at', earliest(call.answered_at, event.at));
        const agent = await repo.findAgent(trx, next.authority_id, {
          extension: event.extension,
          user: event.user,
        });
        if (event.extension) set('agent_extension', event.extension);
        if (agent) {
          set('agent_id', agent.id);
          agentToPop = agent.id;
          // A call on no known queue or line (an outbound call from an agent's own phone) is their council's.
          if (!next.queue_id && !queue && agent.authority_id !== next.authority_id)
            set('authority_id', agent.authority_id);
        }
        break;
      }
      case 'transfer':
        set('transfers', call.transfers + 1);
        if (event.transferTo) set('transferred_to', event.transferTo);
        break;
      case 'hold':
        if (!call.hold_started_at) set('hold_started_at', event.at);
        break;
      case 'unhold':
      case 'hangup':
        if (call.hold_started_at) {
          set(
            'hold_seconds',
            call.hold_seconds +
              Math.max(0, Math.round((event.at.getTime() - call.hold_started_at.getTime()) / 1000)),
          );
          set('hold_started_at', null);
        }
        if (event.event === 'hangup') {
          set('ended_at', latest(call.ended_at, event.at));
          set('hangup_cause', event.cause ?? 'normalClearing');
        }
        break;
    }

    if (
      next.caller_number &&
      (next.caller_number !== call.caller_number || (call.match_count === 0 && !call.customer_id))
    ) {
      const matches = await repo.customersWithPhone(trx, next.caller_number);
      set('match_count', matches.length);
      set('customer_id', matches.length === 1 ? matches[0] : null);
    }

    if (!next.blocked) {
      const times = {
        direction: next.direction,
        queued_at: next.queued_at,
        answered_at: next.answered_at,
        ended_at: next.ended_at,
        occurred_at: next.offered_at,
        agent_id: next.agent_id,
      };
      if (!call.interaction_id) {
        set(
          'interaction_id',
          await repo.insertInteraction(trx, {
            authority_id: next.authority_id,
            customer_id: next.customer_id,
            service_id: queue?.service_id ?? null,
            channel: 'phone',
            ...times,
          }),
        );
      } else {
        await repo.updateInteraction(trx, call.interaction_id, {
          ...times,
          ...(next.customer_id && next.customer_id !== call.customer_id
            ? { customer_id: next.customer_id }
            : {}),
        });
      }
    }

    if (
      event.event === 'hangup' &&
      next.direction === 'outbound' &&
      next.caller_number &&
      options.onOutboundCallEnded &&
      !next.callback_id
    ) {
      const callbackId = await options.onOutboundCallEnded(trx, {
        authorityId: next.authority_id,
        callRowId: next.id,
        phone: next.caller_number,
        staffId: next.agent_id,
        at: event.at,
        answered: next.answered_at !== null,
        cause: next.hangup_cause ?? undefined,
      });
      if (callbackId) set('callback_id', callbackId);
    }

    await repo.updateCall(trx, call.id, patch);
    return { call: next, duplicate: false, pop: inbound && !next.blocked ? agentToPop : null };
  });

  if (result.pop) {
    const [brief] = result.call.customer_id ? await repo.customerBriefs(db, [result.call.customer_id]) : [];
    await notifyStaff(db, result.pop, popFor(result.call, brief?.name ?? null));
  }
  return {
    callRowId: result.call.id,
    duplicate: result.duplicate,
    reject: result.call.blocked && (event.event === 'newCall' || result.duplicate),
  };
}
