/**
 * The agents' side of webchat (thin): `GET /staff/chat/ws`, the staff socket (offers, the chats they hold,
 * availability, heartbeat, accept, messages, transfer, end, wrap-up), and the plain pages `GET /staff/chat`
 * (queue and own chats, availability, accept) and `GET /staff/chat/:id` (the conversation, reply, end).
 *
 * The socket is guarded like every /staff route (the staff session cookie; without one the upgrade is
 * answered with the sign-in redirect and no socket opens) and, since a browser sends cookies with a
 * cross-site WebSocket too, it refuses an upgrade whose Origin is not this site.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { randomUUID } from 'node:crypto';
import { audit } from '../../platform/audit/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { AppError, ConflictError, NotFoundError } from '../../platform/http/errors.ts';
import { staffRoute } from '../../platform/http/route-options.ts';
import { idFromParams, parseForm, type FormErrors } from '../../platform/http/validation.ts';
import { formatDate } from '../../platform/views/index.ts';
import { messageItems } from './webchat.presenters.ts';
import {
  availabilitySchema,
  messageSchema,
  staffFrame,
  transferSchema,
  wrapUpSchema,
  type StaffFrame,
} from './webchat.schemas.ts';
import { radioItems, selectItems } from '../../platform/views/govuk-items.ts';
import { staffPicker } from '../identity/index.ts';
import { teamPicker } from '../authorities/index.ts';
import type { ServerFrame } from './webchat.hub.ts';
import type { ChatCore } from './webchat.service.ts';
import { frameText, openChatFeed, type ChatFeed } from './webchat.transport.ts';

const PERMISSION = 'customers:write';

export interface WebchatStaffDeps {
  db: Db;
  core: ChatCore;
}

interface Agent {
  id: string;
  authorityId: string;
}

function agentOf(request: FastifyRequest): Agent {
  const staff = request.staff;
  if (!staff) throw new NotFoundError();
  return { id: staff.id, authorityId: staff.authorityId };
}

/** A WebSocket upgrade from another site's page: refused (cross-site WebSocket hijacking). */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

export async function registerWebchatStaffRoutes(
  app: FastifyInstance,
  deps: WebchatStaffDeps,
): Promise<void> {
  const { core, db } = deps;
  /** The socket is not a page, so the shared hook cannot audit it: opening it and each chat read are. */
  const auditSocket = (request: FastifyRequest, agent: Agent, action: string, chatId: string | null) =>
    audit(db, {
      actorType: 'staff',
      actorId: agent.id,
      authorityId: agent.authorityId,
      action,
      recordType: chatId ? 'chat' : null,
      recordId: chatId,
      requestId: request.id,
      details: { route: 'GET /staff/chat/ws' },
    });

  app.get(
    '/staff/chat/ws',
    {
      websocket: true,
      ...staffRoute(PERMISSION, 'webchat.socket'),
      preHandler: async (request, reply) => {
        if (!sameOrigin(request)) return reply.code(403).send();
      },
    },
    (socket: WebSocket, request) => {
      const agent = agentOf(request);
      const feeds = new Map<string, ChatFeed>();
      const send = (frame: ServerFrame) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
      };
      const unsubscribeStaff = core.hub.onStaff(agent.id, send);
      // The council's queue changed (a chat joined, was taken or ended): the agent's list can refresh.
      const unsubscribeQueue = core.hub.onAuthority(agent.authorityId, send);
      const unsubscribe = () => {
        unsubscribeStaff();
        unsubscribeQueue();
      };
      const watch = async (chatId: string, after: number) => {
        const chat = await core.chat(chatId);
        if (!chat || chat.authority_id !== agent.authorityId) throw new NotFoundError();
        await auditSocket(request, agent, 'webchat.view', chatId);
        feeds.get(chatId)?.close();
        feeds.set(chatId, await openChatFeed(core, chat, after, send, { skipTypingFrom: 'agent' }));
      };
      const handle = async (frame: StaffFrame) => {
        await core.heartbeat(agent.id);
        switch (frame.type) {
          case 'heartbeat':
            return;
          case 'available':
            await core.setAvailability(agent, {
              available: frame.on,
              maxChats: frame.maxChats,
              languages: frame.languages,
              services: frame.services,
            });
            send({ type: 'availability', available: frame.on });
            return;
          case 'accept':
            if (await core.accept(frame.chatId, agent)) await watch(frame.chatId, 0);
            return;
          case 'decline':
            await core.decline(frame.chatId, agent);
            return;
          case 'watch':
            await watch(frame.chatId, frame.after ?? 0);
            return;
          case 'message': {
            const { message } = await core.post(frame.chatId, {
              sender: 'agent',
              agentId: agent.id,
              clientId: frame.clientId,
              body: frame.body,
            });
            send(message);
            return;
          }
          case 'typing': {
            const chat = await core.chat(frame.chatId);
            if (chat?.agent_id === agent.id && chat.status === 'active') core.typing(frame.chatId, 'agent');
            return;
          }
          case 'end':
            await core.end(frame.chatId, { kind: 'agent', staffId: agent.id });
            return;
          case 'identify':
            await core.identify(frame.chatId, agent, frame.customerId);
            return;
          case 'transfer':
            await core.transfer(frame.chatId, agent, {
              staffId: frame.toStaffId ?? null,
              teamId: frame.toTeamId ?? null,
              note: frame.note,
            });
            feeds.get(frame.chatId)?.close();
            feeds.delete(frame.chatId);
            return;
          case 'wrap-up':
            await core.wrapUp(frame.chatId, agent, frame);
            return;
        }
      };
      let queue: Promise<void> = Promise.resolve();
      socket.on('message', (data) => {
        const raw = frameText(data);
        queue = queue.then(async () => {
          let parsed;
          try {
            parsed = staffFrame.safeParse(JSON.parse(raw));
          } catch {
            parsed = null;
          }
          if (!parsed?.success) {
            send({ type: 'error', message: 'Not a frame' });
            return;
          }
          try {
            await handle(parsed.data);
          } catch (error) {
            send({
              type: 'error',
              message: error instanceof AppError ? error.message : 'Sorry, there is a problem',
            });
          }
        });
      });
      queue = queue.then(() =>
        auditSocket(request, agent, 'webchat.socket', null).catch((error: unknown) =>
          request.log.error({ err: error }, 'audit of the chat socket failed'),
        ),
      );
      socket.on('close', () => {
        unsubscribe();
        for (const feed of feeds.values()) feed.close();
      });
    },
  );

  const renderList = async (request: FastifyRequest, reply: FastifyReply) => {
    const agent = agentOf(request);
    const me = await core.agent(agent.id);
    const rows = await core.staffList([agent.authorityId], agent.id);
    return reply.view('webchat/staff/list.njk', {
      pageTitle: 'Webchat',
      available: me?.available ?? false,
      maxChats: me?.max_chats ?? 3,
      mine: rows
        .filter((r) => r.status === 'active')
        .map((r) => ({
          id: r.id,
          name: r.resident_name,
          since: r.answered_at ? formatDate(r.answered_at, 'time') : '',
        })),
      waiting: rows
        .filter((r) => r.status !== 'active')
        .map((r, i) => ({
          id: r.id,
          position: i + 1,
          name: r.resident_name,
          since: r.queued_at ? formatDate(r.queued_at, 'time') : '',
          service: r.suggested_service_slug,
          reason: r.handover_reason,
          requeued: r.queue_front,
        })),
      done: (request.query as { done?: string }).done ?? null,
    });
  };

  app.get('/staff/chat', staffRoute(PERMISSION, 'webchat.list'), async (request, reply) => {
    await core.heartbeat(agentOf(request).id);
    return renderList(request, reply);
  });

  app.post('/staff/chat/availability', staffRoute(PERMISSION, false), async (request, reply) => {
    const parsed = parseForm(availabilitySchema, request.body);
    if (!parsed.ok) return reply.redirect('/staff/chat', 303);
    await core.setAvailability(agentOf(request), {
      available: parsed.value.available === 'on',
      maxChats: parsed.value.maxChats,
    });
    return reply.redirect('/staff/chat', 303);
  });

  app.post('/staff/chat/:id/accept', staffRoute(PERMISSION, 'webchat.accept'), async (request, reply) => {
    const id = idFromParams(request.params);
    const won = await core.accept(id, agentOf(request));
    if (!won) return reply.redirect('/staff/chat?done=taken', 303);
    return reply.redirect(`/staff/chat/${id}`, 303);
  });

  const renderChat = async (request: FastifyRequest, reply: FastifyReply, errors?: FormErrors) => {
    const agent = agentOf(request);
    const chat = await core.chat(idFromParams(request.params));
    if (!chat || chat.authority_id !== agent.authorityId) throw new NotFoundError();
    const messages = await core.messagesAfter(chat.id, 0);
    const values = (errors ? request.body : {}) as Record<string, unknown>;
    const canWrapUp = chat.agent_id === agent.id && chat.status === 'ended';
    if (errors) reply.status(400);
    return reply.view('webchat/staff/chat.njk', {
      pageTitle: errors ? `Error: Chat with ${chat.resident_name}` : `Chat with ${chat.resident_name}`,
      chat: {
        id: chat.id,
        name: chat.resident_name,
        status: chat.status,
        service: chat.suggested_service_slug,
        reason: chat.handover_reason,
        note: chat.transfer_note,
        customerHref: chat.customer_id ? `/staff/customers/${chat.customer_id}` : null,
      },
      mine: chat.status === 'active' && chat.agent_id === agent.id,
      messages: messageItems(messages, {
        resident: chat.resident_name,
        assistant: 'Assistant',
        agent: 'Adviser',
        system: 'System',
      }),
      clientId: randomUUID(),
      transfer:
        chat.status === 'active' && chat.agent_id === agent.id
          ? {
              staff: selectItems(
                (await staffPicker(db, [agent.authorityId], { permission: PERMISSION })).filter(
                  (s) => s.id !== agent.id,
                ),
                values.toStaff,
                'Nobody',
              ),
              teams: selectItems(await teamPicker(db, [agent.authorityId]), values.toTeam, 'No team'),
              note: values.note ?? '',
            }
          : null,
      wrapUp: canWrapUp
        ? {
            done: chat.wrapped_up_at !== null,
            outcome: values.outcome ?? chat.outcome ?? '',
            services: selectItems(
              await core.servicesOf(agent.authorityId),
              values.service ?? chat.service_id,
              'Not about one service',
            ),
            resolved: radioItems(
              { yes: 'Yes', no: 'No' },
              values.resolved ??
                (chat.resolved_at_first_contact === null
                  ? undefined
                  : chat.resolved_at_first_contact
                    ? 'yes'
                    : 'no'),
            ),
          }
        : null,
      ...(errors ?? {}),
    });
  };

  app.get('/staff/chat/:id', staffRoute(PERMISSION, 'webchat.view'), async (request, reply) =>
    renderChat(request, reply),
  );

  app.post('/staff/chat/:id/message', staffRoute(PERMISSION, 'webchat.reply'), async (request, reply) => {
    const id = idFromParams(request.params);
    const parsed = parseForm(messageSchema, request.body);
    if (!parsed.ok) return renderChat(request, reply, parsed.errors);
    const agent = agentOf(request);
    const chat = await core.chat(id);
    if (!chat || chat.authority_id !== agent.authorityId) throw new NotFoundError();
    if (chat.agent_id !== agent.id) throw new ConflictError('You are not holding this chat');
    await core.post(id, {
      sender: 'agent',
      agentId: agent.id,
      clientId: parsed.value.clientId ?? null,
      body: parsed.value.body,
    });
    return reply.redirect(`/staff/chat/${id}`, 303);
  });

  app.post('/staff/chat/:id/wrap-up', staffRoute(PERMISSION, 'webchat.wrap_up'), async (request, reply) => {
    const id = idFromParams(request.params);
    const parsed = parseForm(wrapUpSchema, request.body);
    if (!parsed.ok) return renderChat(request, reply, parsed.errors);
    await core.wrapUp(id, agentOf(request), {
      outcome: parsed.value.outcome,
      serviceId: parsed.value.service,
      resolvedAtFirstContact: parsed.value.resolved === 'yes',
    });
    return reply.redirect(`/staff/chat/${id}`, 303);
  });

  app.post('/staff/chat/:id/transfer', staffRoute(PERMISSION, 'webchat.transfer'), async (request, reply) => {
    const id = idFromParams(request.params);
    const parsed = parseForm(transferSchema, request.body);
    if (!parsed.ok) return renderChat(request, reply, parsed.errors);
    await core.transfer(id, agentOf(request), {
      staffId: parsed.value.toStaff,
      teamId: parsed.value.toTeam,
      note: parsed.value.note,
    });
    return reply.redirect('/staff/chat?done=transferred', 303);
  });

  app.post('/staff/chat/:id/end', staffRoute(PERMISSION, 'webchat.end'), async (request, reply) => {
    const id = idFromParams(request.params);
    const agent = agentOf(request);
    const chat = await core.chat(id);
    if (!chat || chat.authority_id !== agent.authorityId) throw new NotFoundError();
    await core.end(id, { kind: 'agent', staffId: agent.id });
    return reply.redirect(`/staff/chat/${id}`, 303);
  });
}
