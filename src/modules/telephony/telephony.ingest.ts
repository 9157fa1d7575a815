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
import { fallbackAuthorityId } from '../authorities/index.ts';
import * as repo from './telephony.repository.ts';
import { dedupeKeyOf, isWithheld, type CallEvent } from './telephony.events.ts';
import { displayPhone } from '../../platform/contact/index.ts';

export interface IngestOptions {
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

/** An event and the platform that sent it. */
export interface IngestItem {
  event: CallEvent;
  platform: string;
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

/**
 * The agent a platform names by extension (within the call's authority first, then the one active agent
 * anywhere with it) or by phone login or email (anywhere).
 */
function pickAgent(
  agents: repo.AgentRow[],
  authorityId: string,
  by: { extension?: string; user?: string },
): repo.AgentRow | null {
  if (by.extension) {
    const withExtension = agents.filter((a) => a.phone_extension === by.extension);
    const own = withExtension.find((a) => a.authority_id === authorityId);
    if (own) return own;
    if (withExtension.length === 1) return withExtension[0];
  }
  const user = (by.user ?? by.extension)?.toLowerCase();
  if (user)
    return (
      agents.find((a) => a.phone_login?.toLowerCase() === user || a.email.toLowerCase() === user) ?? null
    );
  return null;
}

interface Prepared extends IngestItem {
  key: string;
  from: string | null;
  to: string | null;
  queue: repo.QueueRow | null;
}

/** What the call's interaction is to say once the batch's events are folded in. */
interface InteractionDraft {
  serviceId: string | null;
  customerId: string | null;
  customerChanged: boolean;
  times: repo.CallInteractionTimes;
}

const unique = <T>(values: (T | null | undefined)[]): T[] => [
  ...new Set(values.filter((v): v is T => v !== null && v !== undefined)),
];

/**
 * Takes in a batch of events in one transaction with a fixed number of statements, whatever the batch's
 * size (docs/telephony.md "Taking in events in batches"): the queues, calls, numbers and agents the events
 * name are read set-based, the events are folded into their calls in arrival order in memory exactly as
 * one at a time would, and the calls and interactions are written back set-based. An event whose call is
 * new and belongs to no authority gets its error in its place; any other failure fails the batch (the
 * caller then tries the events one by one). Screen pops go out after the commit.
 */
export async function ingestCallEvents(
  db: Db,
  items: IngestItem[],
  options: IngestOptions,
): Promise<(IngestResult | Error)[]> {
  const results: (IngestResult | Error | undefined)[] = items.map(() => undefined);
  const pops: { agentId: string; call: repo.CallRow }[] = [];

  await withTransaction(db, async (trx) => {
    const lineOf = (event: CallEvent, from: string | null, to: string | null) =>
      event.event === 'newCall' ? (event.direction === 'outbound' ? from : to) : null;
    const numbered = items.map((item) => {
      const from = numberOf(item.event.from);
      const to = numberOf(item.event.to);
      return {
        ...item,
        key: `${item.platform} ${item.event.callId}`,
        from,
        to,
        line: lineOf(item.event, from, to),
      };
    });
    // Our side of the call: the queue named, else the number dialled (inbound) or called from (outbound).
    const queues = await repo.queuesNamed(trx, {
      codes: unique(numbered.map((p) => p.event.queue)),
      numbers: unique(numbered.map((p) => p.line)),
    });
    const byCode = new Map(queues.map((q) => [q.code, q]));
    const byNumber = new Map<string, repo.QueueRow>();
    for (const q of queues) if (q.number && !byNumber.has(q.number)) byNumber.set(q.number, q);
    const prepared: Prepared[] = numbered.map(({ line, ...p }) => ({
      ...p,
      queue: p.event.queue ? (byCode.get(p.event.queue) ?? null) : line ? (byNumber.get(line) ?? null) : null,
    }));

    // The calls: locked if known, else made in the council of their first event's queue (or the fallback).
    const calls = new Map<string, repo.CallRow>();
    const keys = new Map(prepared.map((p) => [p.key, { platform: p.platform, callId: p.event.callId }]));
    for (const row of await repo.lockCalls(trx, [...keys.values()]))
      calls.set(`${row.platform} ${row.call_id}`, row);
    const fresh = new Map<
      string,
      { authority_id: string; platform: string; call_id: string; offered_at: Date }
    >();
    let fallback: string | null | undefined;
    for (const [i, p] of prepared.entries()) {
      if (calls.has(p.key) || fresh.has(p.key)) continue;
      let authorityId = p.queue?.authority_id ?? null;
      if (!authorityId) {
        if (fallback === undefined)
          fallback = await fallbackAuthorityId(trx, options.fallbackAuthorityCode ?? null);
        authorityId = fallback;
      }
      if (!authorityId) results[i] = new UnknownAuthorityError('no authority takes these calls');
      else
        fresh.set(p.key, {
          authority_id: authorityId,
          platform: p.platform,
          call_id: p.event.callId,
          offered_at: p.event.at,
        });
    }
    for (const row of await repo.insertCalls(trx, [...fresh.values()]))
      calls.set(`${row.platform} ${row.call_id}`, row);
    // Made by another transaction meanwhile: wait for its lock.
    const raced = [...fresh.keys()].filter((key) => !calls.has(key)).map((key) => keys.get(key)!);
    for (const row of await repo.lockCalls(trx, raced)) calls.set(`${row.platform} ${row.call_id}`, row);

    // The events: each recorded once (a retry is a duplicate and changes nothing).
    const live = prepared.flatMap((p, i) => (results[i] ? [] : [{ p, i }]));
    const recorded = await repo.insertCallEvents(
      trx,
      live.map(({ p }) => ({
        call_row_id: calls.get(p.key)!.id,
        event: p.event.event,
        dedupe_key: dedupeKeyOf(p.event),
        occurred_at: p.event.at,
        payload: JSON.stringify(p.event),
      })),
    );
    const firstSeen = new Set<string>();
    const isFresh = live.map(({ p }) => {
      const id = `${calls.get(p.key)!.id} ${dedupeKeyOf(p.event)}`;
      if (!recorded.has(id) || firstSeen.has(id)) return false;
      firstSeen.add(id);
      return true;
    });

    // What folding the new events may need to know, read once for the batch.
    const folding = live.filter((_, n) => isFresh[n]).map(({ p }) => p);
    // Numbers to match to customers: a caller's number when an event gives one, and the number of a caller
    // not matched yet (they may have become a customer since). One the folding needs beyond these is read
    // on its own.
    const numbers = unique([
      ...folding.map((p) => {
        const call = calls.get(p.key)!;
        return (p.event.direction ?? call.direction) === 'outbound' ? p.to : p.from;
      }),
      ...unique(folding.map((p) => p.key)).map((key) => {
        const call = calls.get(key)!;
        return call.match_count === 0 && !call.customer_id ? call.caller_number : null;
      }),
    ]);
    const newCalls = folding.filter((p) => p.event.event === 'newCall');
    const answers = folding.filter((p) => p.event.event === 'answer');
    const blocked = await repo.blockedAmong(trx, unique(newCalls.map((p) => p.from)));
    const agents = await repo.agentsNamed(trx, {
      extensions: unique(answers.map((p) => p.event.extension)),
      users: unique(answers.map((p) => p.event.user ?? p.event.extension)),
    });
    const customers = await repo.customersWithPhones(trx, numbers);
    const matchesFor = async (number: string) => {
      if (!customers.has(number))
        customers.set(number, (await repo.customersWithPhones(trx, [number])).get(number) ?? []);
      return customers.get(number)!;
    };

    const before = new Map([...calls].map(([key, row]) => [key, { ...row }]));
    const touched = new Set<string>();
    const drafts = new Map<string, InteractionDraft>();
    for (const [n, { p, i }] of live.entries()) {
      const call = calls.get(p.key)!;
      if (!isFresh[n]) {
        results[i] = { callRowId: call.id, duplicate: true, reject: call.blocked };
        continue;
      }
      const { event, queue, from, to } = p;
      const next: repo.CallRow = { ...call };
      next.offered_at = earliest(call.offered_at, event.at);
      if (event.direction && (event.event === 'newCall' || call.direction !== event.direction))
        next.direction = event.direction;
      if (event.from !== undefined && (event.event === 'newCall' || call.from_number === null))
        next.from_number = from;
      if (event.to !== undefined && (event.event === 'newCall' || call.to_number === null))
        next.to_number = to;
      next.caller_number = next.direction === 'outbound' ? next.to_number : next.from_number;
      // The number dialled names the council only; the platform saying so puts a caller in a queue (a
      // newCall or menu choice naming it), and so does an agent's phone ringing for them. A call that never
      // reached a queue (ended in the menu, blocked) is counted apart, not in the queue of the number dialled.
      if (queue && event.queue && queue.id !== call.queue_id) {
        next.queue_id = queue.id;
        next.queue_code = queue.code;
        // A call first heard of without its queue (an answer before its newCall) is the queue's council's.
        next.authority_id = queue.authority_id;
      } else if (queue && event.event === 'newCall') {
        next.authority_id = queue.authority_id;
      }
      const inbound = next.direction === 'inbound';
      if (
        inbound &&
        ((queue && event.queue) ||
          ((event.event === 'ringing' || event.event === 'answer') && !call.queued_at))
      )
        next.queued_at = earliest(call.queued_at, event.at);

      let agentToPop: string | null = null;
      switch (event.event) {
        case 'newCall':
          if (inbound && from && blocked.has(`${next.authority_id} ${from}`)) next.blocked = true;
          break;
        case 'ivr':
          next.ivr_path = [...call.ivr_path, ...(event.path ?? [])];
          if ((event.path ?? []).length === 0) next.ivr_no_option = true;
          break;
        case 'ringing':
          next.ringing_at = earliest(call.ringing_at, event.at);
          break;
        case 'answer': {
          next.answered_at = earliest(call.answered_at, event.at);
          const agent = pickAgent(agents, next.authority_id, {
            extension: event.extension,
            user: event.user,
          });
          if (event.extension) next.agent_extension = event.extension;
          if (agent) {
            next.agent_id = agent.id;
            agentToPop = agent.id;
            // A call on no known queue or line (an outbound call from an agent's own phone) is their council's.
            if (!next.queue_id && !queue) next.authority_id = agent.authority_id;
          }
          break;
        }
        case 'transfer':
          next.transfers = call.transfers + 1;
          if (event.transferTo) next.transferred_to = event.transferTo;
          break;
        case 'hold':
          if (!call.hold_started_at) next.hold_started_at = event.at;
          break;
        case 'unhold':
        case 'hangup':
          if (call.hold_started_at) {
            next.hold_seconds =
              call.hold_seconds +
              Math.max(0, Math.round((event.at.getTime() - call.hold_started_at.getTime()) / 1000));
            next.hold_started_at = null;
          }
          if (event.event === 'hangup') {
            next.ended_at = latest(call.ended_at, event.at);
            next.hangup_cause = event.cause ?? 'normalClearing';
          }
          break;
      }

      if (
        next.caller_number &&
        (next.caller_number !== call.caller_number || (call.match_count === 0 && !call.customer_id))
      ) {
        const matches = await matchesFor(next.caller_number);
        next.match_count = matches.length;
        next.customer_id = matches.length === 1 ? matches[0] : null;
      }

      if (!next.blocked) {
        const draft: InteractionDraft = drafts.get(p.key) ?? {
          serviceId: queue?.service_id ?? null,
          customerId: next.customer_id,
          customerChanged: false,
          times: {
            direction: next.direction,
            queued_at: null,
            answered_at: null,
            ended_at: null,
            occurred_at: next.offered_at,
            agent_id: null,
          },
        };
        draft.times = {
          direction: next.direction,
          queued_at: next.queued_at,
          answered_at: next.answered_at,
          ended_at: next.ended_at,
          occurred_at: next.offered_at,
          agent_id: next.agent_id,
        };
        if (next.customer_id && next.customer_id !== call.customer_id) {
          draft.customerId = next.customer_id;
          draft.customerChanged = true;
        }
        drafts.set(p.key, draft);
      }

      if (
        event.event === 'hangup' &&
        next.direction === 'outbound' &&
        next.caller_number &&
        options.onOutboundCallEnded &&
        !next.callback_id
      ) {
        next.callback_id = await options.onOutboundCallEnded(trx, {
          authorityId: next.authority_id,
          callRowId: next.id,
          phone: next.caller_number,
          staffId: next.agent_id,
          at: event.at,
          answered: next.answered_at !== null,
          cause: next.hangup_cause ?? undefined,
        });
      }

      calls.set(p.key, next);
      touched.add(p.key);
      results[i] = {
        callRowId: next.id,
        duplicate: false,
        reject: next.blocked && event.event === 'newCall',
      };
      if (inbound && !next.blocked && agentToPop) pops.push({ agentId: agentToPop, call: next });
    }

    // The calls' interactions on the callers' timelines: made on a call's first event, then kept current.
    const toMake = [...drafts].filter(([key]) => !calls.get(key)!.interaction_id);
    const made = await repo.insertInteractions(
      trx,
      toMake.map(([key, draft]) => ({
        authority_id: calls.get(key)!.authority_id,
        customer_id: draft.customerId,
        service_id: draft.serviceId,
        channel: 'phone' as const,
        ...draft.times,
      })),
    );
    toMake.forEach(([key], n) => {
      calls.get(key)!.interaction_id = made[n];
    });
    // An interaction already says what the call said before this batch: it is written only if that changed.
    const same = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);
    const changed = (call: repo.CallRow, draft: InteractionDraft) =>
      draft.customerChanged ||
      draft.times.direction !== call.direction ||
      draft.times.agent_id !== call.agent_id ||
      !same(draft.times.queued_at, call.queued_at) ||
      !same(draft.times.answered_at, call.answered_at) ||
      !same(draft.times.ended_at, call.ended_at) ||
      !same(draft.times.occurred_at, call.offered_at);
    await repo.updateCallInteractions(
      trx,
      [...drafts]
        .filter(([key, draft]) => {
          const was = before.get(key);
          return was?.interaction_id && !was.blocked && changed(was, draft);
        })
        .map(([key, draft]) => ({
          id: calls.get(key)!.interaction_id!,
          ...draft.times,
          customer_id: draft.customerChanged ? draft.customerId : null,
        })),
    );
    const now = new Date();
    await repo.updateCalls(
      trx,
      [...touched].map((key) => ({ ...calls.get(key)!, updated_at: now })),
    );
  });

  if (pops.length) {
    const briefs = await repo.customerBriefs(db, unique(pops.map((p) => p.call.customer_id)));
    const names = new Map(briefs.map((b) => [b.id, b.name]));
    for (const pop of pops)
      await notifyStaff(db, pop.agentId, popFor(pop.call, names.get(pop.call.customer_id ?? '') ?? null));
  }
  return results.map((r) => r ?? new Error('event not taken in'));
}
