/**
 * The phone channel's staff pages (docs/telephony.md "Staff"):
 *
 * - the current-call bar on every staff page and the home's "Current call" panel (the no-JavaScript twin of
 *   the screen pop: both show the call on load);
 * - `/staff/calls/:id`: the call (caller, matches to choose from, times) and its wrap-up in a few keystrokes;
 * - `/staff/calls`: the agent's recent calls; `/staff/calls/missed`: inbound calls that ended unanswered;
 * - `/staff/phone`: the agent's extension and phone login, which call events name them by.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { audit } from '../../platform/audit/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { ForbiddenError, NotFoundError } from '../../platform/http/errors.ts';
import { formStrings } from '../../platform/http/validation.ts';
import { displayPhone } from '../../platform/contact/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import type { FailureDemand } from '../../platform/db/schema.ts';
import { authorityScope, staffHomePanels, staffNavItems, type StaffPrincipal } from '../identity/index.ts';
import * as repo from './telephony.repository.ts';

export interface TelephonyStaffDeps {
  db: Db;
  clock: Clock;
  /** Internal knowledge articles (phone scripts) for a call: the knowledge module's, given by app.ts. */
  phoneScripts?: (
    staff: StaffPrincipal,
    call: { queueId: string | null; customerId: string | null },
  ) => Promise<{ title: string; summary: string; href: string }[]>;
}

/** Wrap-up outcomes, in the order offered (the codes the customer timeline already names). */
export const WRAP_UP_OUTCOMES = {
  resolved: 'Resolved at first contact',
  case_created: 'Case raised',
  update_given: 'Update given',
  transferred: 'Transferred',
  callback: 'Callback promised',
  signposted: 'Signposted',
} as const;
type WrapUpOutcome = keyof typeof WRAP_UP_OUTCOMES;

const FAILURE_DEMAND: Record<FailureDemand | 'no', string> = {
  no: 'No, it was not avoidable',
  chasing_progress: 'Chasing progress',
  repeat: 'Repeat contact',
  wrong_information: 'We gave wrong or unclear information',
  other: 'Avoidable for another reason',
};

const HANGUP_LABELS: Record<string, string> = {
  normalClearing: 'Ended normally',
  busy: 'Busy',
  cancel: 'Caller hung up',
  noAnswer: 'Not answered',
  congestion: 'Network problem',
  notFound: 'Number not found',
  forwarded: 'Forwarded',
  voicemail: 'Went to voicemail',
};

const idParams = z.object({ id: z.uuid() });
const CURRENT_CALL_HOURS = 12;

function seconds(from: Date | null, to: Date | null): number | null {
  return from && to ? Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000)) : null;
}

function duration(s: number | null): string {
  if (s === null) return '–';
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

function callerText(call: { caller_number: string | null }): string {
  return call.caller_number ? displayPhone(call.caller_number) : 'Withheld number';
}

/** Who may see a call: its agent, or staff of its authority (or of a team there) who can read customers. */
function maySee(staff: StaffPrincipal, call: { agent_id: string | null; authority_id: string }): boolean {
  if (call.agent_id === staff.id) return true;
  return staff.permissions.has('customers:read') && authorityScope(staff).includes(call.authority_id);
}

/** The current call as the bar and the home panel show it. */
async function currentCall(db: Db, staff: StaffPrincipal, now: Date) {
  const call = await repo.currentCallOf(
    db,
    staff.id,
    new Date(now.getTime() - CURRENT_CALL_HOURS * 3600_000),
  );
  if (!call) return null;
  const [customer] = call.customer_id ? await repo.customerBriefs(db, [call.customer_id]) : [];
  return {
    id: call.id,
    live: call.ended_at === null,
    direction: call.direction,
    caller: customer?.name ?? callerText(call),
    number: callerText(call),
    href: customer ? `/staff/customers/${customer.id}?call=${call.id}` : `/staff/calls/${call.id}`,
    callHref: `/staff/calls/${call.id}`,
    callbackHref: `/staff/callbacks/new?call=${call.id}${customer ? `&customer=${customer.id}` : ''}`,
    matches: call.match_count,
    since: formatDate(call.answered_at ?? call.offered_at, 'time'),
    queueId: call.queue_id,
    customerId: call.customer_id,
  };
}

export async function registerTelephonyStaffRoutes(
  app: FastifyInstance,
  deps: TelephonyStaffDeps,
): Promise<void> {
  const { db, clock } = deps;
  if (!staffNavItems.some((i) => i.href === '/staff/calls'))
    staffNavItems.push({ href: '/staff/calls', text: 'Calls', permission: 'customers:read' });

  // The bar and the home panel show the same call: looked up once per request (per signed-in principal).
  const currentCalls = new WeakMap<StaffPrincipal, ReturnType<typeof currentCall>>();
  const currentCallOf = (staff: StaffPrincipal) => {
    let found = currentCalls.get(staff);
    if (!found) {
      found = currentCall(db, staff, clock.now());
      currentCalls.set(staff, found);
    }
    return found;
  };

  // The bar on every staff page: which call you are on, a link to the caller and to the wrap-up.
  app.addHook('preHandler', async (request) => {
    const staff = request.staff;
    if (!staff || request.method !== 'GET' || !request.url.startsWith('/staff')) return;
    if (request.url.startsWith('/staff/push')) return;
    const current = await currentCallOf(staff);
    request.viewContext.currentCall = current;
    // The customer's view during a call: the internal scripts for it, beside the customer.
    if (current && deps.phoneScripts && request.url.startsWith('/staff/customers/'))
      request.viewContext.callScripts = await deps.phoneScripts(staff, {
        queueId: current.queueId,
        customerId: current.customerId,
      });
  });

  if (!staffHomePanels.some((p) => p.id === 'current-call'))
    staffHomePanels.push({
      id: 'current-call',
      order: 10,
      load: async (staff) => {
        const call = await currentCallOf(staff);
        return { template: 'telephony/current-call-panel.njk', context: { call } };
      },
    });

  const loadCall = async (request: FastifyRequest) => {
    const parsed = idParams.safeParse(request.params);
    if (!parsed.success) throw new NotFoundError();
    const { id } = parsed.data;
    const call = await repo.findCall(db, id);
    if (!call) throw new NotFoundError();
    if (!maySee(request.staff!, call)) throw new ForbiddenError();
    return call;
  };

  const renderCall = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { errors?: { href: string; text: string }[]; values?: Record<string, string> } = {},
  ) => {
    const call = await loadCall(request);
    const staff = request.staff!;
    const matches =
      call.match_count > 1 && call.caller_number
        ? await repo.customerBriefs(db, await repo.customersWithPhone(db, call.caller_number))
        : [];
    const [customer] = call.customer_id ? await repo.customerBriefs(db, [call.customer_id]) : [];
    const services = await repo.servicesForWrapUp(db, authorityScope(staff));
    const scripts = deps.phoneScripts
      ? await deps.phoneScripts(staff, { queueId: call.queue_id, customerId: call.customer_id })
      : [];
    const values = extra.values ?? {};
    const fieldErrors = Object.fromEntries((extra.errors ?? []).map((e) => [e.href.slice(1), e.text]));
    const wait = seconds(call.queued_at ?? call.offered_at, call.answered_at ?? call.ended_at);
    const talk = seconds(call.answered_at, call.ended_at);
    const query = request.query as { done?: string };
    if (extra.errors) reply.code(400);
    return reply.view('telephony/call.njk', {
      pageTitle: `Call from ${customer?.name ?? callerText(call)}`,
      scripts,
      errors: extra.errors,
      errorList: extra.errors,
      banner: query.done === 'wrapped' ? 'Wrap-up saved' : query.done === 'chosen' ? 'Caller chosen' : null,
      call: {
        id: call.id,
        caller: customer?.name ?? callerText(call),
        number: callerText(call),
        rawNumber: call.caller_number,
        direction: call.direction === 'inbound' ? 'Incoming' : 'Outgoing',
        queue: call.queue_name ?? call.queue_code ?? '–',
        offered: formatDate(call.offered_at, 'datetime'),
        answered: call.answered_at ? formatDate(call.answered_at, 'time') : 'Not answered',
        ended: call.ended_at ? formatDate(call.ended_at, 'time') : 'Still on the line',
        wait: duration(wait),
        talk: duration(talk),
        hold: call.hold_seconds ? duration(call.hold_seconds) : '–',
        transfers: call.transfers
          ? `${call.transfers}${call.transferred_to ? ` (last to ${call.transferred_to})` : ''}`
          : 'None',
        agent: call.agent_name ?? (call.agent_extension ? `Extension ${call.agent_extension}` : '–'),
        menu: call.ivr_no_option
          ? 'No option chosen'
          : call.ivr_path.length
            ? call.ivr_path.join(' › ')
            : '–',
        hangup: call.hangup_cause ? (HANGUP_LABELS[call.hangup_cause] ?? call.hangup_cause) : '–',
        matchCount: call.match_count,
        wrappedUp: call.wrapped_up_at !== null,
        outcome: call.outcome ? (WRAP_UP_OUTCOMES[call.outcome as WrapUpOutcome] ?? call.outcome) : null,
        reason: call.reason,
        summary: call.summary,
        failureDemand: call.failure_demand ? FAILURE_DEMAND[call.failure_demand as FailureDemand] : null,
        wrappedUpAt: call.wrapped_up_at ? formatDate(call.wrapped_up_at, 'time') : null,
      },
      customer: customer
        ? { name: customer.name, href: `/staff/customers/${customer.id}?call=${call.id}` }
        : null,
      matches: matches.map((m) => ({
        id: m.id,
        name: m.name,
        postcode: m.postcode ?? 'Not known',
        born: m.date_of_birth ? formatDate(m.date_of_birth, 'date') : 'Not known',
        openCases: m.open_cases,
      })),
      canWrapUp:
        call.interaction_id !== null && (call.agent_id === staff.id || staff.permissions.has('cases:write')),
      outcomeItems: Object.entries(WRAP_UP_OUTCOMES).map(([value, text], i) => ({
        value,
        text: `${text}`,
        checked: values.outcome === value,
        attributes: { accesskey: String(i + 1) },
      })),
      failureItems: Object.entries(FAILURE_DEMAND).map(([value, text]) => ({
        value,
        text,
        checked: (values.failureDemand ?? 'no') === value,
      })),
      serviceItems: [
        { value: '', text: 'Choose a service (optional)' },
        ...services.map((s) => ({
          value: s.id,
          text: `${s.name} (${s.authority_name})`,
          selected: (values.service ?? call.service_id ?? '') === s.id,
        })),
      ],
      values,
      fieldErrors,
      newCustomerHref: `/staff/customers/new${call.caller_number ? `?phone=${encodeURIComponent(displayPhone(call.caller_number))}` : ''}`,
      findHref: `/staff/customers${call.caller_number ? `?q=${encodeURIComponent(displayPhone(call.caller_number))}` : ''}`,
    });
  };

  app.get(
    '/staff/calls/:id',
    { config: { permission: 'workspace:use', auditEvent: 'call.viewed' } },
    (request, reply) => renderCall(request, reply),
  );

  // A shared number: the agent says which customer is calling.
  app.post(
    '/staff/calls/:id/customer',
    { config: { permission: 'customers:write', auditEvent: 'call.caller_chosen' } },
    async (request, reply) => {
      const call = await loadCall(request);
      const chosen = formStrings(request.body).customer ?? '';
      const candidates = call.caller_number ? await repo.customersWithPhone(db, call.caller_number) : [];
      if (!candidates.includes(chosen)) throw new NotFoundError();
      await withTransaction(db, async (trx) => {
        await repo.setCallCustomer(trx, call, chosen);
        await audit(trx, {
          actorType: 'staff',
          actorId: request.staff!.id,
          authorityId: call.authority_id,
          action: 'call.caller_chosen',
          recordType: 'customer',
          recordId: chosen,
          requestId: request.id,
          details: { callId: call.id },
        });
      });
      return reply.redirect(`/staff/customers/${chosen}?call=${call.id}`, 303);
    },
  );

  app.post(
    '/staff/calls/:id/wrap-up',
    { config: { permission: 'customers:write', auditEvent: 'call.wrapped_up' } },
    async (request, reply) => {
      const call = await loadCall(request);
      const staff = request.staff!;
      if (!call.interaction_id || (call.agent_id !== staff.id && !staff.permissions.has('cases:write')))
        throw new ForbiddenError();
      const body = formStrings(request.body);
      const errors: { href: string; text: string }[] = [];
      const outcome = body.outcome as WrapUpOutcome | undefined;
      if (!outcome || !(outcome in WRAP_UP_OUTCOMES))
        errors.push({ href: '#outcome', text: 'Select what happened on the call' });
      const services = await repo.servicesForWrapUp(db, authorityScope(staff));
      const serviceId = body.service ? (services.find((s) => s.id === body.service)?.id ?? null) : null;
      if (body.service && !serviceId)
        errors.push({ href: '#service', text: 'Select a service from the list' });
      const failure = body.failureDemand ?? 'no';
      if (!(failure in FAILURE_DEMAND))
        errors.push({ href: '#failureDemand', text: 'Select whether the contact was avoidable' });
      const reason = (body.reason ?? '').trim();
      const summary = (body.summary ?? '').trim();
      if (reason.length > 200)
        errors.push({ href: '#reason', text: 'Reason must be 200 characters or fewer' });
      if (summary.length > 2000)
        errors.push({ href: '#summary', text: 'Notes must be 2,000 characters or fewer' });
      if (errors.length) return renderCall(request, reply, { errors, values: body });
      const now = clock.now();
      const customerId = call.customer_id ?? call.interaction_customer_id;
      await withTransaction(db, async (trx) => {
        const isRepeat =
          customerId && serviceId
            ? await repo.contactedAboutWithin(trx, {
                customerId,
                serviceId,
                at: call.offered_at,
                days: 7,
                exceptInteractionId: call.interaction_id!,
              })
            : false;
        await repo.updateInteraction(trx, call.interaction_id!, {
          outcome: outcome!,
          resolved_at_first_contact: outcome === 'resolved',
          service_id: serviceId,
          reason: reason || null,
          summary: summary || null,
          failure_demand: failure === 'no' ? null : (failure as FailureDemand),
          is_repeat: isRepeat,
          wrapped_up_at: now,
        });
        await audit(trx, {
          actorType: 'staff',
          actorId: staff.id,
          authorityId: call.authority_id,
          action: 'call.wrapped_up',
          recordType: customerId ? 'customer' : 'call',
          recordId: customerId ?? call.id,
          requestId: request.id,
          details: { callId: call.id, outcome, serviceId, failureDemand: failure, isRepeat },
          at: now,
        });
      });
      if (outcome === 'callback')
        return reply.redirect(
          `/staff/callbacks/new?call=${call.id}${customerId ? `&customer=${customerId}` : ''}`,
          303,
        );
      return reply.redirect(`/staff/calls/${call.id}?done=wrapped`, 303);
    },
  );

  app.get(
    '/staff/calls',
    { config: { permission: 'workspace:use', auditEvent: 'calls.listed' } },
    async (request, reply) => {
      const staff = request.staff!;
      const since = new Date(clock.now().getTime() - 7 * 24 * 3600_000);
      const calls = await repo.callsOfAgent(db, staff.id, since);
      const names = new Map(
        (
          await repo.customerBriefs(db, [
            ...new Set(calls.flatMap((c) => (c.customer_id ? [c.customer_id] : []))),
          ])
        ).map((b) => [b.id, b.name]),
      );
      return reply.view('telephony/calls.njk', {
        pageTitle: 'Calls',
        rows: calls.map((c) => ({
          href: `/staff/calls/${c.id}`,
          when: formatDate(c.offered_at, 'datetime'),
          direction: c.direction === 'inbound' ? 'In' : 'Out',
          caller: (c.customer_id ? names.get(c.customer_id) : null) ?? callerText(c),
          talk: duration(seconds(c.answered_at, c.ended_at)),
          outcome: c.outcome ? (WRAP_UP_OUTCOMES[c.outcome as WrapUpOutcome] ?? c.outcome) : null,
        })),
      });
    },
  );

  app.get(
    '/staff/calls/missed',
    { config: { permission: 'customers:read', auditEvent: 'calls.missed_listed' } },
    async (request, reply) => {
      const staff = request.staff!;
      const since = new Date(clock.now().getTime() - 7 * 24 * 3600_000);
      const missed = await repo.missedCalls(db, { authorityIds: authorityScope(staff), since, limit: 200 });
      const names = new Map(
        (
          await repo.customerBriefs(db, [
            ...new Set(missed.flatMap((c) => (c.customer_id ? [c.customer_id] : []))),
          ])
        ).map((b) => [b.id, b.name]),
      );
      return reply.view('telephony/missed.njk', {
        pageTitle: 'Missed calls',
        rows: missed.map((c) => ({
          href: `/staff/calls/${c.id}`,
          when: formatDate(c.offered_at, 'datetime'),
          number: callerText(c),
          customer: c.customer_id
            ? { name: names.get(c.customer_id) ?? 'Customer', href: `/staff/customers/${c.customer_id}` }
            : null,
          matches: c.match_count,
          queue: c.queue_name ?? '–',
          where: c.in_menu
            ? 'In the phone menu'
            : c.hangup_cause === 'voicemail'
              ? 'Left voicemail'
              : 'Waiting in the queue',
          calledBack: c.called_back,
        })),
      });
    },
  );

  const renderPhone = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: {
      errors?: { href: string; text: string }[];
      values?: Record<string, string>;
      saved?: boolean;
    } = {},
  ) => {
    const mine = await repo.staffPhoneIdentity(db, request.staff!.id);
    if (extra.errors) reply.code(400);
    return reply.view('telephony/phone.njk', {
      pageTitle: 'Your phone',
      errors: extra.errors,
      errorList: extra.errors,
      fieldErrors: Object.fromEntries((extra.errors ?? []).map((e) => [e.href.slice(1), e.text])),
      values: extra.values ?? { extension: mine?.phone_extension ?? '', login: mine?.phone_login ?? '' },
      saved: extra.saved ?? (request.query as { done?: string }).done === 'saved',
    });
  };

  app.get(
    '/staff/phone',
    { config: { permission: 'cases:write', auditEvent: 'staff.phone_viewed' } },
    (request, reply) => renderPhone(request, reply),
  );

  app.post(
    '/staff/phone',
    { config: { permission: 'cases:write', auditEvent: 'staff.phone_changed' } },
    async (request, reply) => {
      const staff = request.staff!;
      const body = formStrings(request.body);
      const extension = (body.extension ?? '').trim();
      const login = (body.login ?? '').trim();
      const errors: { href: string; text: string }[] = [];
      if (extension && !/^[0-9*#]{2,12}$/.test(extension))
        errors.push({ href: '#extension', text: 'Extension must be 2 to 12 digits, like 2001' });
      if (login && !/^[\w.@+-]{2,100}$/.test(login))
        errors.push({
          href: '#login',
          text: 'Phone login must be letters, digits, dots, dashes or @, with no spaces',
        });
      if (!errors.length) {
        const taken = await repo.phoneIdentityTaken(db, staff.id, staff.authorityId, {
          extension: extension || null,
          login: login || null,
        });
        if (taken.extension)
          errors.push({ href: '#extension', text: 'Someone else at your council has this extension' });
        if (taken.login) errors.push({ href: '#login', text: 'Someone else has this phone login' });
      }
      if (errors.length) return renderPhone(request, reply, { errors, values: { extension, login } });
      await withTransaction(db, async (trx) => {
        await repo.setStaffPhoneIdentity(trx, staff.id, {
          extension: extension || null,
          login: login || null,
        });
        await audit(trx, {
          actorType: 'staff',
          actorId: staff.id,
          authorityId: staff.authorityId,
          action: 'staff.phone_identity_changed',
          recordType: 'staff',
          recordId: staff.id,
          requestId: request.id,
          details: { extension: extension || null, login: login || null },
        });
      });
      return reply.redirect('/staff/phone?done=saved', 303);
    },
  );
}
