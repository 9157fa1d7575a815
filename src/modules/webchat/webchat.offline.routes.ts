/**
 * When webchat is closed or full (issue 16): GET/POST /contact/message (why chat is not available, the
 * hours, and a message form that becomes a case) and its confirmation; plus the hook that tells every portal
 * page whether to show "Chat with us". Works without JavaScript; the case is committed before it is
 * acknowledged and a retry of the same form (its hidden submission id) returns the same case.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import { toIsoDate } from '../../platform/calendar/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { idFromParams, type FormErrors } from '../../platform/http/validation.ts';
import type { ChatAvailability, ChatUnavailableReason } from './webchat.contracts.ts';
import { openingText, upcomingExceptions, weeklyHoursText, type ChatHours } from './webchat.hours.ts';
import { parseMessageForm, reasonQuery } from './webchat.offline.schemas.ts';
import * as service from './webchat.offline.service.ts';
import type { OfflineSettings } from './webchat.offline.service.ts';

export interface OfflineRoutesDeps {
  db: Db;
  clock: Clock;
  hours: () => ChatHours;
  /** The availability now (cached for a few seconds by the caller). */
  availability: (now: Date) => Promise<ChatAvailability>;
  settings: OfflineSettings;
}

/** What the contact page and the message form say about chat now. */
export interface ChatStatusView {
  available: boolean;
  reason: ChatUnavailableReason | null;
  /** "Webchat is closed. It opens again on Tuesday 29 December at 9am." */
  headline: string;
  weekly: { day: string; hours: string }[];
  exceptions: { date: string; label: string | null; hours: string }[];
  closedOnBankHolidays: boolean;
}

export function chatStatusView(
  availability: ChatAvailability,
  hours: ChatHours,
  now: Date,
  askedReason: ChatUnavailableReason = 'closed',
): ChatStatusView {
  const reason = availability.available ? askedReason : availability.reason;
  let headline: string;
  if (reason === 'full') {
    headline =
      'All our advisers are busy. Send us a message and we will reply, or try again in a few minutes.';
  } else if (!availability.available && availability.nextOpening) {
    const when = openingText(availability.nextOpening, now);
    headline = `Webchat is closed. It opens again ${/^(today|tomorrow)/.test(when) ? '' : 'on '}${when}.`;
  } else {
    headline = 'Webchat is closed.';
  }
  return {
    available: availability.available,
    reason: availability.available ? null : reason,
    headline,
    weekly: weeklyHoursText(hours),
    exceptions: upcomingExceptions(hours, toIsoDate(now), 31),
    closedOnBankHolidays: hours.closedOnBankHolidays,
  };
}

/** Portal pages (public GETs) that show the "Chat with us" entry; not the chat pages themselves. */
function showsEntry(request: FastifyRequest): boolean {
  if (request.method !== 'GET') return false;
  const config = request.routeOptions.config;
  if (config.permission !== 'public' || config.machine) return false;
  const path = request.url.split('?')[0] ?? '';
  return !path.startsWith('/contact/chat') && !path.startsWith('/api/') && !path.startsWith('/assets/');
}

export async function registerOfflineRoutes(app: FastifyInstance, deps: OfflineRoutesDeps): Promise<void> {
  const { db, clock, settings } = deps;

  // Every portal page: "Chat with us" only when a chat can start now; the contact page also gets the status.
  // The availability is cached by the caller, so this is one capacity read every few seconds at most.
  app.addHook('preHandler', async (request) => {
    if (!showsEntry(request)) return;
    const now = clock.now();
    try {
      const availability = await deps.availability(now);
      request.viewContext.chatEntry = availability.available;
      request.viewContext.chatStatus = chatStatusView(availability, deps.hours(), now);
    } catch (error) {
      // A page never fails because the chat capacity could not be read: no entry then.
      request.log.warn({ err: error }, 'webchat availability unavailable');
    }
  });

  const render = async (
    reply: FastifyReply,
    values: Record<string, unknown>,
    askedReason: ChatUnavailableReason,
    problems?: { errors: FormErrors; status: number },
  ) => {
    const now = clock.now();
    const status = chatStatusView(await deps.availability(now), deps.hours(), now, askedReason);
    if (problems) reply.status(problems.status);
    reply.header('cache-control', 'no-store');
    return reply.view('webchat/portal/offline.njk', {
      pageTitle: status.available
        ? 'Send us a message'
        : status.reason === 'full'
          ? 'All our advisers are busy'
          : 'Webchat is closed',
      navActive: 'contact',
      status,
      values: { ...values, reason: status.reason ?? askedReason },
      ...(problems?.errors ?? {}),
    });
  };

  app.get('/contact/message', { config: { permission: 'public' } }, async (request, reply) => {
    const query = reasonQuery.safeParse(request.query ?? {});
    return render(reply, { submissionId: randomUUID() }, query.success ? query.data.reason : 'closed');
  });

  app.post(
    '/contact/message',
    { config: { permission: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<
        string,
        unknown
      >;
      const parsed = parseMessageForm(body);
      const asked = body.reason === 'full' ? 'full' : 'closed';
      if (!parsed.ok) return render(reply, body, asked, { errors: parsed.errors, status: 400 });
      const { caseId } = await service.sendOfflineMessage(
        db,
        { ...parsed.value, now: clock.now() },
        settings,
      );
      return reply.redirect(`/contact/message/${caseId}`, 303);
    },
  );

  // Shows only the reference (no personal data), so the address is safe to keep.
  app.get('/contact/message/:id', { config: { permission: 'public' } }, async (request, reply) => {
    const reference = await service.messageReference(db, idFromParams(request.params));
    if (!reference) throw new NotFoundError();
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    return reply.view('webchat/portal/offline-sent.njk', {
      pageTitle: 'Message sent',
      navActive: 'contact',
      reference,
    });
  });
}
