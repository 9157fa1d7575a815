/**
 * Wires the webchat conversation core into the app: one `ChatCore` over the process's `ChatHub`, the
 * resident and staff routes, offers pushed to the agent's other pages (platform/realtime), and the
 * heartbeat sweep on a timer (stopped when the app closes).
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { notifyStaff } from '../../platform/realtime/index.ts';
import type { ChatAssistant, ChatCapacity } from './webchat.contracts.ts';
import { ChatHub } from './webchat.hub.ts';
import { registerWebchatPortalRoutes } from './webchat.routes.ts';
import { ChatCore, chatCapacity } from './webchat.service.ts';
import { registerChatOfflineRoutes } from './offline.ts';
import { registerWebchatStaffRoutes } from './webchat.staff.routes.ts';

export interface WebchatDeps {
  db: Db;
  clock: Clock;
  secureCookies: boolean;
  /** The automated assistant that answers first; absent: chats go straight to the queue. */
  assistant?: ChatAssistant | null;
  /** The process's hub (tests pass their own to drive the core beside the app). */
  hub?: ChatHub;
  /** How often the heartbeat sweep runs; 0 turns the timer off (tests call `sweep()` themselves). */
  sweepEveryMs?: number;
  /** The chat hours file (docs/webchat.md "Opening hours"); absent: the demo's hours. */
  hoursFile?: string | null;
}

export async function registerWebchat(app: FastifyInstance, deps: WebchatDeps): Promise<ChatCore> {
  const core = new ChatCore({
    db: deps.db,
    clock: deps.clock,
    hub: deps.hub ?? new ChatHub(),
    assistant: deps.assistant ?? null,
    onOffer: (staffId, chat) => {
      void notifyStaff(deps.db, staffId, {
        kind: 'chat-offer',
        title: `Chat from ${chat.residentName}`,
        href: '/staff/chat',
        chatId: chat.id,
      });
    },
  });
  // Hours and capacity (the whole front door: every council's agents and queue) decide whether a chat can
  // start; when it cannot, the message form (webchat.offline.*) takes the resident's message instead.
  const capacity = async (): Promise<ChatCapacity> => {
    const now = deps.clock.now();
    const each = await Promise.all(
      (await core.listAuthorities()).map((c) => chatCapacity(deps.db, c.id, now)),
    );
    return each.reduce(
      (sum, c) => ({
        agentsAvailable: sum.agentsAvailable + c.agentsAvailable,
        freeSlots: sum.freeSlots + c.freeSlots,
        queued: sum.queued + c.queued,
      }),
      { agentsAvailable: 0, freeSlots: 0, queued: 0 },
    );
  };
  const availability = await registerChatOfflineRoutes(app, {
    db: deps.db,
    clock: deps.clock,
    hoursFile: deps.hoursFile ?? null,
    capacity,
  });
  await registerWebchatPortalRoutes(app, {
    core,
    secureCookies: deps.secureCookies,
    availability: () => availability(deps.clock.now()),
  });
  await registerWebchatStaffRoutes(app, { db: deps.db, core });
  const every = deps.sweepEveryMs ?? 5_000;
  if (every > 0) {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      core
        .sweep()
        .catch((error: unknown) => app.log.error({ err: error }, 'webchat sweep failed'))
        .finally(() => {
          running = false;
        });
    }, every);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }
  return core;
}
