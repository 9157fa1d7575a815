/**
 * The resident's side of webchat (thin; see docs/webchat.md "Conversation core"):
 * - `GET /contact/chat` start form or the conversation, `POST /contact/chat` start, `POST
 *   /contact/chat/message|person|end`: the plain pages that work without JavaScript (refreshed by the
 *   resident). Starting sets the `fd_chat` cookie (the resume token); nothing identifying is set before.
 * - `GET /contact/chat/ws`: the WebSocket (token in the query string or a first `resume` frame).
 * - `GET /contact/chat/events?after=N` (server-sent events) and `POST /contact/chat/send` (JSON): the same
 *   frames for when a proxy refuses the WebSocket upgrade.
 * The socket, the event stream and the JSON POST are `machine` routes: the resume token is the credential,
 * so they load no session and need no CSRF token (a cross-site page cannot know the token).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { randomUUID } from 'node:crypto';
import type { Row } from '../../platform/db/index.ts';
import { AppError } from '../../platform/http/errors.ts';
import { parseForm, toFormErrors, type FormErrors } from '../../platform/http/validation.ts';
import { messageItems } from './webchat.presenters.ts';
import { messageSchema, residentFrame, startSchema, type ResidentFrame } from './webchat.schemas.ts';
import type { ServerFrame } from './webchat.hub.ts';
import type { ChatCore } from './webchat.service.ts';
import type { ChatAvailability } from './webchat.contracts.ts';
import { frameText, openChatFeed, type ChatFeed } from './webchat.transport.ts';

export const CHAT_COOKIE = 'fd_chat';
const MACHINE = { permission: 'public', machine: true, csrfExempt: true, auditEvent: false } as const;
const SSE_HEARTBEAT_MS = 25_000;
const UNATTACHED_MS = 30_000;

export interface WebchatPortalDeps {
  /** Whether a new chat can start now (hours and capacity); absent: always. Unavailable → the message form. */
  availability?: () => Promise<ChatAvailability>;
  core: ChatCore;
  secureCookies: boolean;
}

function afterOf(value: unknown): number {
  const n = typeof value === 'string' ? Number.parseInt(value, 10) : NaN;
  return Number.isFinite(n) && n >= 0 && n < 2_147_483_647 ? n : 0;
}

function queryOf(request: FastifyRequest): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>;
}

/** Carries out one resident frame on a chat (socket or fallback POST); the reply frame, if any. */
async function handleResidentFrame(
  core: ChatCore,
  chat: Row<'chats'>,
  frame: ResidentFrame,
): Promise<ServerFrame | null> {
  switch (frame.type) {
    case 'message': {
      const { message } = await core.post(chat.id, {
        sender: 'resident',
        clientId: frame.clientId,
        body: frame.body,
      });
      return message;
    }
    case 'typing':
      core.typing(chat.id, 'resident');
      return null;
    case 'person':
      await core.askForPerson(chat.id);
      return null;
    case 'not-helped':
      await core.notHelped(chat.id);
      return null;
    case 'end':
      await core.end(chat.id, { kind: 'resident' });
      return null;
    case 'resume':
      return null;
  }
}

function errorFrame(error: unknown): ServerFrame {
  return { type: 'error', message: error instanceof AppError ? error.message : 'Sorry, there is a problem' };
}

export async function registerWebchatPortalRoutes(
  app: FastifyInstance,
  deps: WebchatPortalDeps,
): Promise<void> {
  const { core } = deps;
  const openStreams = new Set<{ end(): void }>();
  // Before the server waits for its connections to finish: an event stream never finishes by itself.
  app.addHook('preClose', async () => {
    for (const stream of openStreams) stream.end();
    openStreams.clear();
  });
  const cookieOptions = {
    path: '/contact/chat',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: deps.secureCookies,
    maxAge: 24 * 3600,
  };

  const chatOfCookie = async (request: FastifyRequest) => {
    const token = request.cookies[CHAT_COOKIE];
    return token ? core.byToken(token) : null;
  };

  // --- The WebSocket ------------------------------------------------------------------------------------
  app.get('/contact/chat/ws', { websocket: true, config: MACHINE }, (socket: WebSocket, request) => {
    let chat: Row<'chats'> | null = null;
    let feed: ChatFeed | null = null;
    const pending: string[] = [];
    const send = (frame: ServerFrame) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
    };
    const attach = async (token: string, after: number) => {
      chat = await core.byToken(token);
      if (!chat) {
        send({ type: 'error', message: 'This chat has ended or the link is wrong' });
        socket.close(4404, 'unknown chat');
        return;
      }
      feed?.close();
      feed = await openChatFeed(core, chat, after, send, { skipTypingFrom: 'resident' });
    };
    // Frames are handled one at a time, in the order they came.
    let queue: Promise<void> = Promise.resolve();
    const handle = async (raw: string) => {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        send({ type: 'error', message: 'Not a frame' });
        return;
      }
      const parsed = residentFrame.safeParse(json);
      if (!parsed.success) {
        send({ type: 'error', message: 'Not a frame' });
        return;
      }
      const frame = parsed.data;
      if (frame.type === 'resume') {
        await attach(frame.token, frame.after ?? 0);
        return;
      }
      if (!chat) {
        send({ type: 'error', message: 'Send a resume frame first' });
        return;
      }
      const reply = await handleResidentFrame(core, chat, frame);
      if (reply) send(reply);
    };
    socket.on('message', (data) => {
      const raw = frameText(data);
      if (raw.length > 8_000) return;
      pending.push(raw);
      queue = queue.then(async () => {
        const next = pending.shift();
        if (next === undefined) return;
        try {
          await handle(next);
        } catch (error) {
          send(errorFrame(error));
        }
      });
    });
    // A socket that names no chat within 30 seconds is closed.
    const unattached = setTimeout(() => {
      if (!chat) socket.close(4401, 'no chat');
    }, UNATTACHED_MS);
    unattached.unref();
    socket.on('close', () => {
      clearTimeout(unattached);
      feed?.close();
    });
    const query = queryOf(request);
    if (typeof query.token === 'string')
      queue = queue.then(() =>
        attach(query.token as string, afterOf(query.after)).catch((error: unknown) =>
          send(errorFrame(error)),
        ),
      );
  });

  // --- The fallback: server-sent events down, JSON POSTs up ---------------------------------------------
  app.get('/contact/chat/events', { config: MACHINE }, async (request, reply) => {
    const query = queryOf(request);
    const token = typeof query.token === 'string' ? query.token : request.cookies[CHAT_COOKIE];
    const chat = token ? await core.byToken(token) : null;
    if (!chat) return reply.code(404).type('application/json').send({ error: 'unknown chat' });
    const lastEventId = request.headers['last-event-id'];
    const after = afterOf(typeof lastEventId === 'string' ? lastEventId : query.after);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    raw.write('retry: 3000\n\n');
    const send = (frame: ServerFrame) => {
      const id = frame.type === 'message' ? `id: ${frame.seq}\n` : '';
      raw.write(`${id}data: ${JSON.stringify(frame)}\n\n`);
    };
    const feed = await openChatFeed(core, chat, after, send, { skipTypingFrom: 'resident' });
    const heartbeat = setInterval(() => raw.write(': still here\n\n'), SSE_HEARTBEAT_MS);
    heartbeat.unref();
    openStreams.add(raw);
    const done = () => {
      clearInterval(heartbeat);
      feed.close();
      openStreams.delete(raw);
    };
    raw.on('close', done);
  });

  app.post(
    '/contact/chat/send',
    { config: { ...MACHINE, rateLimit: { max: 120, timeWindow: '1 minute' } } },
    async (request, reply) => {
      // JSON only: a page on another site cannot send JSON here without a CORS preflight we never answer.
      if (!String(request.headers['content-type'] ?? '').startsWith('application/json'))
        return reply.code(415).send({ error: 'Send JSON' });
      const parsed = residentFrame.safeParse(request.body);
      if (!parsed.success) return reply.code(400).send({ error: 'Not a frame' });
      const token = parsed.data.token ?? request.cookies[CHAT_COOKIE];
      const chat = token ? await core.byToken(token) : null;
      if (!chat) return reply.code(404).send({ error: 'unknown chat' });
      try {
        const frame = await handleResidentFrame(core, chat, parsed.data);
        return reply.send({ ok: true, frame });
      } catch (error) {
        if (error instanceof AppError) return reply.code(error.statusCode).send({ error: error.message });
        throw error;
      }
    },
  );

  // --- The plain pages (no JavaScript) ----------------------------------------------------------------
  const renderStart = async (reply: FastifyReply, values: Record<string, unknown>, errors?: FormErrors) => {
    const councils = await core.listAuthorities();
    if (errors) reply.status(400);
    return reply.view('webchat/portal/start.njk', {
      pageTitle: errors ? 'Error: Chat with us' : 'Chat with us',
      navActive: 'contact',
      values,
      councils:
        councils.length > 1
          ? councils.map((c) => ({ value: c.id, text: c.name, checked: c.id === values.council }))
          : [],
      ...(errors ?? {}),
    });
  };

  const renderChat = async (
    reply: FastifyReply,
    chat: Row<'chats'>,
    errors?: FormErrors,
    values: Record<string, unknown> = {},
  ) => {
    const messages = await core.messagesAfter(chat.id, 0);
    const queue = await core.queueInfo(chat);
    if (errors) reply.status(400);
    reply.header('cache-control', 'no-store');
    return reply.view('webchat/portal/chat.njk', {
      pageTitle: errors ? 'Error: Your chat' : 'Your chat',
      navActive: 'contact',
      status: chat.status,
      ended: chat.status === 'ended' || chat.status === 'abandoned',
      withAssistant: chat.status === 'assistant',
      queue,
      messages: messageItems(messages, {
        resident: 'You',
        assistant: 'Automated assistant',
        agent: 'Adviser',
        system: 'Chat',
      }),
      clientId: randomUUID(),
      values,
      ...(errors ?? {}),
    });
  };

  app.get(
    '/contact/chat',
    { config: { permission: 'public', personalData: true } },
    async (request, reply) => {
      const chat = await chatOfCookie(request);
      if (!chat) {
        const now = await deps.availability?.();
        if (now && !now.available) return reply.redirect(`/contact/message?reason=${now.reason}`, 303);
        return renderStart(reply, {});
      }
      return renderChat(reply, chat);
    },
  );

  app.post(
    '/contact/chat',
    { config: { permission: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      // A start sent again (back button, second tab) while the resident's chat is still open: that chat.
      const open = await chatOfCookie(request);
      if (open && open.status !== 'ended' && open.status !== 'abandoned')
        return reply.redirect('/contact/chat', 303);
      // Closed or full since the start page was shown: the message form says why (nothing is lost).
      const now = await deps.availability?.();
      if (now && !now.available) return reply.redirect(`/contact/message?reason=${now.reason}`, 303);
      const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<
        string,
        unknown
      >;
      const parsed = parseForm(startSchema, body);
      const councils = await core.listAuthorities();
      const council = councils.length === 1 ? councils[0] : councils.find((c) => c.id === body.council);
      const problems = parsed.ok
        ? []
        : parsed.errors.errorList.map((e) => ({ field: e.href.slice(1), message: e.text }));
      if (!council)
        problems.unshift({ field: 'council', message: 'Choose which council you would like to chat with' });
      if (!parsed.ok || !council) return renderStart(reply, body, toFormErrors(problems));
      const customerId = request.session?.kind === 'resident' ? request.session.customerId : null;
      const { token } = await core.start({
        authorityId: council.id,
        residentName: parsed.value.name,
        customerId,
      });
      reply.setCookie(CHAT_COOKIE, token, cookieOptions);
      return reply.redirect('/contact/chat', 303);
    },
  );

  app.post('/contact/chat/message', { config: { permission: 'public' } }, async (request, reply) => {
    const chat = await chatOfCookie(request);
    if (!chat) return reply.redirect('/contact/chat', 303);
    const parsed = parseForm(messageSchema, request.body);
    if (!parsed.ok) return renderChat(reply, chat, parsed.errors, request.body as Record<string, unknown>);
    await core.post(chat.id, {
      sender: 'resident',
      clientId: parsed.value.clientId ?? null,
      body: parsed.value.body,
    });
    return reply.redirect('/contact/chat', 303);
  });

  app.post('/contact/chat/person', { config: { permission: 'public' } }, async (request, reply) => {
    const chat = await chatOfCookie(request);
    if (chat) await core.askForPerson(chat.id);
    return reply.redirect('/contact/chat', 303);
  });

  app.post('/contact/chat/end', { config: { permission: 'public' } }, async (request, reply) => {
    const chat = await chatOfCookie(request);
    if (chat) await core.end(chat.id, { kind: 'resident' });
    return reply.redirect('/contact/chat', 303);
  });

  app.post('/contact/chat/new', { config: { permission: 'public' } }, async (_request, reply) => {
    reply.clearCookie(CHAT_COOKIE, { path: cookieOptions.path });
    return reply.redirect('/contact/chat', 303);
  });
}
