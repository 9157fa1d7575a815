/**
 * The webchat conversation core's use-cases (no SQL, no request or reply): start and resume a chat, post
 * messages (idempotent on the sender's client id), the assistant's turn and the handover, the queue with
 * position and estimated wait, agents' availability and heartbeat, round-robin offers, accept exactly
 * once, transfer, end, wrap-up, the heartbeat sweep, and the transcript on the customer's timeline.
 * Every change is committed before its frames are published on the hub.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import {
  withTransaction,
  type ChatSender,
  type ChatStatus,
  type Db,
  type Row,
  type Tx,
} from '../../platform/db/index.ts';
import { ConflictError, DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import type { ChatAssistant, ChatCapacity, HandoverReason } from './webchat.contracts.ts';
import type { ChatHub } from './webchat.hub.ts';
import { type MessageFrame } from './webchat.hub.ts';
import { estimateWaitMinutes } from './webchat.queue.ts';
import * as repo from './webchat.repository.ts';

/** An agent whose heartbeat is older than this is dropped and their chats re-queued. */
export const HEARTBEAT_LAPSE_MS = 30_000;
/** An offer not accepted within this goes to the next agent. */
export const OFFER_TIMEOUT_MS = 30_000;
export const MAX_MESSAGE_LENGTH = 2_000;

export interface ChatCoreDeps {
  db: Db;
  clock: Clock;
  hub: ChatHub;
  assistant?: ChatAssistant | null;
  /** Called after a chat is offered to an agent (the app pushes it to their pages). */
  onOffer?: (staffId: string, chat: { id: string; residentName: string }) => void;
}

export interface QueueInfo {
  position: number;
  waitMinutes: number | null;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toFrame(row: Row<'chat_messages'>): MessageFrame {
  return {
    type: 'message',
    chatId: row.chat_id,
    seq: row.seq,
    sender: row.sender,
    body: row.body,
    at: new Date(row.created_at).toISOString(),
    clientId: row.client_id,
    article: (row.article as MessageFrame['article']) ?? null,
  };
}

/** How much room a council's agents have right now (for the opening hours' "Chat with us"). */
export async function chatCapacity(db: Db, authorityId: string, now: Date): Promise<ChatCapacity> {
  const agents = await repo.liveAgents(db, authorityId, new Date(now.getTime() - HEARTBEAT_LAPSE_MS));
  return {
    agentsAvailable: agents.length,
    freeSlots: agents.reduce((sum, a) => sum + Math.max(0, a.maxChats - a.held - a.pending), 0),
    queued: await repo.countInQueue(db, authorityId),
  };
}

export class ChatCore {
  readonly hub: ChatHub;
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly assistant: ChatAssistant | null;
  private readonly onOffer: ChatCoreDeps['onOffer'];

  constructor(deps: ChatCoreDeps) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.hub = deps.hub;
    this.assistant = deps.assistant ?? null;
    this.onOffer = deps.onOffer;
  }

  listAuthorities() {
    return repo.listAuthorities(this.db);
  }

  /**
   * Starts a chat: with the assistant when there is one, else straight into the queue. Returns the resume
   * token, the resident's only credential for the chat (its hash is stored).
   */
  async start(input: {
    authorityId: string;
    residentName: string;
    language?: string;
    customerId?: string | null;
    serviceSlug?: string | null;
  }): Promise<{ chatId: string; token: string }> {
    const now = this.clock.now();
    const token = randomBytes(32).toString('base64url');
    const withAssistant = this.assistant !== null;
    const chatId = await repo.insertChat(this.db, {
      authority_id: input.authorityId,
      status: withAssistant ? 'assistant' : 'queued',
      resident_name: input.residentName,
      language: input.language ?? 'en',
      customer_id: input.customerId ?? null,
      resume_token_sha256: hashToken(token),
      suggested_service_slug: input.serviceSlug ?? null,
      queued_at: withAssistant ? null : now,
      queue_since: withAssistant ? null : now,
      created_at: now,
    });
    if (!withAssistant) await this.dispatch(input.authorityId);
    return { chatId, token };
  }

  /** The chat a resume token belongs to (null for an unknown token). */
  async byToken(token: string): Promise<Row<'chats'> | null> {
    if (!token || token.length > 100) return null;
    return (await repo.findChatByTokenHash(this.db, hashToken(token))) ?? null;
  }

  async chat(id: string): Promise<Row<'chats'> | null> {
    return (await repo.findChat(this.db, id)) ?? null;
  }

  async messagesAfter(chatId: string, after: number): Promise<MessageFrame[]> {
    return (await repo.messagesAfter(this.db, chatId, Math.max(0, after))).map(toFrame);
  }

  /**
   * Adds a message to the chat, numbered under the chat's row lock. A resend with the same `clientId`
   * returns the message first stored, with its number, and adds nothing.
   */
  async post(
    chatId: string,
    input: { sender: ChatSender; agentId?: string | null; clientId?: string | null; body: string },
  ): Promise<{ message: MessageFrame; duplicate: boolean }> {
    const body = input.body.trim();
    if (body === '') throw new DomainRuleError('Enter a message');
    if (body.length > MAX_MESSAGE_LENGTH)
      throw new DomainRuleError('Your message must be 2,000 characters or fewer');
    const clientId = input.clientId ?? null;
    const result = await withTransaction(this.db, async (trx) => {
      const chat = await repo.lockChat(trx, chatId);
      if (!chat) throw new NotFoundError();
      if (clientId) {
        const existing = await repo.findMessageByClientId(trx, chatId, clientId);
        if (existing) return { row: existing, duplicate: true, chat };
      }
      if (chat.status === 'ended' || chat.status === 'abandoned')
        throw new ConflictError('This chat has ended');
      if (input.sender === 'agent' && (chat.status !== 'active' || chat.agent_id !== input.agentId))
        throw new ConflictError('You are not holding this chat');
      const row = await repo.appendMessage(trx, chat, {
        sender: input.sender,
        agentId: input.agentId ?? null,
        body,
        clientId,
        article: null,
        at: this.clock.now(),
      });
      return { row, duplicate: false, chat };
    });
    const message = toFrame(result.row);
    if (!result.duplicate) {
      this.hub.toChat(chatId, message);
      if (input.sender === 'resident' && result.chat.status === 'assistant')
        await this.assistantTurn(result.chat, body);
    }
    return { message, duplicate: result.duplicate };
  }

  /** The resident asks for a person ("Talk to a person"): the chat joins the queue, conversation kept. */
  async askForPerson(chatId: string): Promise<void> {
    const chat = await this.chat(chatId);
    if (!chat) throw new NotFoundError();
    if (chat.status !== 'assistant') return;
    await this.handover(
      chat,
      'asked_for_person',
      'I will pass you to a person. Please wait.',
      chat.suggested_service_slug,
    );
  }

  /** The resident says an assistant answer did not help (counted for the assistant's next turn). */
  async notHelped(chatId: string): Promise<void> {
    const chat = await this.chat(chatId);
    if (!chat || chat.status !== 'assistant') return;
    await repo.updateChat(this.db, chatId, { unhelpful_answers: chat.unhelpful_answers + 1 });
  }

  private async assistantTurn(chat: Row<'chats'>, question: string): Promise<void> {
    const assistant = this.assistant;
    if (!assistant) return;
    if (assistant.asksForPerson(question)) {
      await this.handover(
        chat,
        'asked_for_person',
        'I will pass you to a person. Please wait.',
        chat.suggested_service_slug,
      );
      return;
    }
    let turn: Awaited<ReturnType<ChatAssistant['reply']>>;
    try {
      turn = await assistant.reply({
        authorityIds: [chat.authority_id],
        question,
        unhelpfulSoFar: chat.unhelpful_answers,
        now: this.clock.now(),
      });
    } catch {
      // The assistant failing must not leave the resident talking to no one: a person takes over.
      turn = {
        kind: 'handover',
        reason: 'no_good_match',
        text: 'Sorry, I cannot answer that now. I will pass you to a person. Please wait.',
        suggestedServiceSlug: null,
      };
    }
    if (turn.kind === 'handover') {
      await this.handover(
        chat,
        turn.reason,
        turn.text,
        turn.suggestedServiceSlug ?? chat.suggested_service_slug,
      );
      return;
    }
    const row = await withTransaction(this.db, async (trx) => {
      const locked = await repo.lockChat(trx, chat.id);
      if (!locked || locked.status !== 'assistant') return null;
      if (turn.suggestedServiceSlug && !locked.suggested_service_slug)
        await repo.updateChat(trx, chat.id, { suggested_service_slug: turn.suggestedServiceSlug });
      return repo.appendMessage(trx, locked, {
        sender: 'assistant',
        agentId: null,
        body: turn.text,
        clientId: null,
        article: turn.article,
        at: this.clock.now(),
      });
    });
    if (row) this.hub.toChat(chat.id, toFrame(row));
  }

  private async handover(
    chat: Row<'chats'>,
    reason: HandoverReason,
    text: string,
    serviceSlug: string | null,
  ): Promise<void> {
    const now = this.clock.now();
    const row = await withTransaction(this.db, async (trx) => {
      const locked = await repo.lockChat(trx, chat.id);
      if (!locked || locked.status !== 'assistant') return null;
      await repo.updateChat(trx, chat.id, {
        status: 'queued',
        handover_reason: reason,
        suggested_service_slug: serviceSlug,
        queued_at: now,
        queue_since: now,
      });
      return repo.appendMessage(trx, locked, {
        sender: 'assistant',
        agentId: null,
        body: text,
        clientId: null,
        article: null,
        at: now,
      });
    });
    if (!row) return;
    this.hub.toChat(chat.id, toFrame(row));
    this.hub.toChat(chat.id, { type: 'status', chatId: chat.id, status: 'queued' });
    await this.dispatch(chat.authority_id);
  }

  typing(chatId: string, who: 'resident' | 'agent'): void {
    this.hub.toChat(chatId, { type: 'typing', chatId, who });
  }

  /** Position and estimated wait of a chat waiting for a person (null when it is not waiting). */
  async queueInfo(chat: { id: string; authority_id: string }): Promise<QueueInfo | null> {
    const all = await this.queueInfos(chat.authority_id);
    return all.get(chat.id) ?? null;
  }

  private async queueInfos(authorityId: string): Promise<Map<string, QueueInfo>> {
    const now = this.clock.now();
    const positions = await repo.queuePositions(this.db, authorityId);
    const result = new Map<string, QueueInfo>();
    if (positions.length === 0) return result;
    const agents = await repo.liveAgents(this.db, authorityId, new Date(now.getTime() - HEARTBEAT_LAPSE_MS));
    const handleMinutes = await repo.averageHandleMinutes(this.db, authorityId, now);
    const totalSlots = agents.reduce((sum, a) => sum + a.maxChats, 0);
    const freeSlots = agents.reduce((sum, a) => sum + Math.max(0, a.maxChats - a.held), 0);
    for (const p of positions)
      result.set(p.id, {
        position: p.position,
        waitMinutes: estimateWaitMinutes({ position: p.position, freeSlots, totalSlots, handleMinutes }),
      });
    return result;
  }

  /** Sends every waiting resident of the council their position and wait, and tells the staff lists. */
  async publishQueue(authorityId: string): Promise<void> {
    const infos = await this.queueInfos(authorityId);
    for (const [chatId, info] of infos) this.hub.toChat(chatId, { type: 'queue', chatId, ...info });
    this.hub.toAuthority(authorityId, { type: 'queue-changed', authorityId });
  }

  /**
   * Offers each queued chat, in queue order, to the next suitable agent round-robin (see
   * `repo.nextAgentFor`). Each offer is its own transaction holding the chat's row lock.
   */
  async dispatch(authorityId: string): Promise<void> {
    const now = this.clock.now();
    const liveSince = new Date(now.getTime() - HEARTBEAT_LAPSE_MS);
    const offers: { staffId: string; chatId: string; residentName: string }[] = [];
    for (const candidate of await repo.queuedChats(this.db, authorityId)) {
      const offer = await withTransaction(this.db, async (trx) => {
        const chat = await repo.lockChat(trx, candidate.id);
        if (!chat || chat.status !== 'queued') return null;
        const staffId = await repo.nextAgentFor(trx, chat, liveSince);
        if (!staffId) return null;
        await repo.insertOffer(trx, chat.id, staffId, now);
        await repo.updateChat(trx, chat.id, { status: 'waiting', offered_at: chat.offered_at ?? now });
        return { staffId, chatId: chat.id, residentName: chat.resident_name };
      });
      if (offer) offers.push(offer);
    }
    for (const offer of offers) {
      this.hub.toStaff(offer.staffId, {
        type: 'offer',
        chatId: offer.chatId,
        residentName: offer.residentName,
      });
      this.onOffer?.(offer.staffId, { id: offer.chatId, residentName: offer.residentName });
    }
    await this.publishQueue(authorityId);
  }

  /** Availability on or off, with the number of chats at once (1–10); counts as a heartbeat. */
  async setAvailability(
    staff: { id: string; authorityId: string },
    input: { available: boolean; maxChats?: number; languages?: string[]; services?: string[] },
  ): Promise<void> {
    const now = this.clock.now();
    if (input.maxChats !== undefined && (input.maxChats < 1 || input.maxChats > 10))
      throw new DomainRuleError('Chats at once must be between 1 and 10');
    await withTransaction(this.db, async (trx) => {
      await repo.upsertAgent(trx, {
        staffId: staff.id,
        authorityId: staff.authorityId,
        available: input.available,
        maxChats: input.maxChats,
        now,
      });
      if (input.languages || input.services)
        await repo.setAgentSkills(trx, staff.id, {
          languages: input.languages ?? [],
          services: input.services ?? [],
        });
      if (!input.available) await repo.expireOffersTo(trx, staff.id, now);
    });
    await this.dispatch(staff.authorityId);
  }

  async heartbeat(staffId: string): Promise<void> {
    await repo.touchAgent(this.db, staffId, this.clock.now());
  }

  async agent(staffId: string) {
    return (await repo.findAgent(this.db, staffId)) ?? null;
  }

  /**
   * The agent takes the chat. Exactly one of several agents accepting at once wins (a conditional update,
   * see `repo.takeChat`); the others get false.
   */
  async accept(chatId: string, staff: { id: string; authorityId: string }): Promise<boolean> {
    const now = this.clock.now();
    const chat = await this.chat(chatId);
    if (!chat || chat.authority_id !== staff.authorityId) throw new NotFoundError();
    const won = await withTransaction(this.db, async (trx) => {
      const taken = await repo.takeChat(trx, chatId, staff.id, now);
      if (!taken) return false;
      await repo.closeOffers(trx, chatId, now, 'expired', staff.id);
      return true;
    });
    this.hub.toStaff(staff.id, { type: 'accepted', chatId, ok: won });
    if (!won) return false;
    this.hub.toChat(chatId, { type: 'status', chatId, status: 'active' });
    await this.publishQueue(chat.authority_id);
    return true;
  }

  /** The agent declines an offer: it goes to the next agent (never back to this one). */
  async decline(chatId: string, staff: { id: string; authorityId: string }): Promise<void> {
    const now = this.clock.now();
    const chat = await this.chat(chatId);
    if (!chat || chat.authority_id !== staff.authorityId) throw new NotFoundError();
    await withTransaction(this.db, async (trx) => {
      const locked = await repo.lockChat(trx, chatId);
      if (!locked || locked.status !== 'waiting') return;
      await repo.closeOffers(trx, chatId, now, 'declined', null, staff.id);
      await repo.updateChat(trx, chatId, { status: 'queued' });
    });
    await this.dispatch(chat.authority_id);
  }

  /**
   * Passes a chat the agent holds to another agent (offered to them directly) or to a team (queued at the
   * front for that team's agents), with a note the next agent sees.
   */
  async transfer(
    chatId: string,
    staff: { id: string; authorityId: string },
    to: { staffId?: string | null; teamId?: string | null; note: string },
  ): Promise<void> {
    const now = this.clock.now();
    const note = to.note.trim();
    if (!to.staffId === !to.teamId) throw new DomainRuleError('Choose one person or one team');
    const target = to.staffId
      ? await repo.findStaffOf(this.db, staff.authorityId, to.staffId)
      : await repo.findTeamOf(this.db, staff.authorityId, to.teamId ?? '');
    if (!target) throw new DomainRuleError('Choose someone at your council');
    const row = await withTransaction(this.db, async (trx) => {
      const chat = await repo.lockChat(trx, chatId);
      if (!chat || chat.authority_id !== staff.authorityId) throw new NotFoundError();
      if (chat.status !== 'active' || chat.agent_id !== staff.id)
        throw new ConflictError('You are not holding this chat');
      await repo.updateChat(trx, chatId, {
        status: to.staffId ? 'waiting' : 'queued',
        agent_id: null,
        team_id: to.teamId ?? chat.team_id,
        transfer_note: note === '' ? null : note,
        queue_front: true,
        queue_since: now,
      });
      if (to.staffId) await repo.insertOffer(trx, chatId, to.staffId, now);
      return repo.appendMessage(trx, chat, {
        sender: 'system',
        agentId: staff.id,
        body: 'You are being passed to a colleague who can help. Please wait.',
        clientId: null,
        article: null,
        at: now,
      });
    });
    const chat = await this.chat(chatId);
    this.hub.toChat(chatId, toFrame(row));
    this.hub.toChat(chatId, { type: 'status', chatId, status: chat?.status ?? 'queued' });
    if (to.staffId && chat) {
      this.hub.toStaff(to.staffId, { type: 'offer', chatId, residentName: chat.resident_name });
      this.onOffer?.(to.staffId, { id: chatId, residentName: chat.resident_name });
    }
    await this.dispatch(staff.authorityId);
  }

  /**
   * Ends the chat (the resident, or the agent holding it). A resident who leaves before a person answered
   * has abandoned it. When the customer is known the transcript goes on their timeline.
   */
  async end(chatId: string, by: { kind: 'resident' } | { kind: 'agent'; staffId: string }): Promise<void> {
    const now = this.clock.now();
    const ended = await withTransaction(this.db, async (trx) => {
      const chat = await repo.lockChat(trx, chatId);
      if (!chat) throw new NotFoundError();
      if (chat.status === 'ended' || chat.status === 'abandoned') return null;
      if (by.kind === 'agent' && (chat.status !== 'active' || chat.agent_id !== by.staffId))
        throw new ConflictError('You are not holding this chat');
      const status: ChatStatus =
        chat.answered_at === null && chat.status !== 'assistant' ? 'abandoned' : 'ended';
      await repo.closeOffers(trx, chatId, now, 'expired');
      const row = await repo.appendMessage(trx, chat, {
        sender: 'system',
        agentId: null,
        body: by.kind === 'resident' ? 'You ended the chat.' : 'The adviser ended the chat.',
        clientId: null,
        article: null,
        at: now,
      });
      await repo.updateChat(trx, chatId, { status, ended_at: now, ended_by: by.kind });
      const interactionId = await this.writeTranscript(trx, { ...chat, status, ended_at: now });
      if (interactionId) await repo.updateChat(trx, chatId, { interaction_id: interactionId });
      return { row, status, authorityId: chat.authority_id };
    });
    if (!ended) return;
    this.hub.toChat(chatId, toFrame(ended.row));
    this.hub.toChat(chatId, { type: 'status', chatId, status: ended.status });
    await this.dispatch(ended.authorityId);
  }

  private async writeTranscript(trx: Tx, chat: Row<'chats'>): Promise<string | null> {
    if (!chat.customer_id) return null;
    const messages = await repo.messagesAfter(trx, chat.id, 0, 5_000);
    const lines = messages.map(
      (m) => `${new Date(m.created_at).toISOString().slice(11, 16)} ${senderLabel(m.sender)}: ${m.body}`,
    );
    return repo.insertInteraction(trx, {
      authority_id: chat.authority_id,
      customer_id: chat.customer_id,
      channel: 'webchat',
      direction: 'inbound',
      queued_at: chat.queued_at,
      answered_at: chat.answered_at,
      ended_at: chat.ended_at,
      occurred_at: chat.created_at,
      agent_id: chat.agent_id,
      summary: chat.status === 'abandoned' ? 'Webchat (left before an adviser answered)' : 'Webchat',
      body: lines.join('\n'),
    });
  }

  /**
   * The agent identifies the resident as one of the council's customers (a chat started without signing
   * in), so the transcript goes on that customer's timeline when the chat ends.
   */
  async identify(
    chatId: string,
    staff: { id: string; authorityId: string },
    customerId: string,
  ): Promise<void> {
    if (!(await repo.findCustomerOf(this.db, staff.authorityId, customerId)))
      throw new DomainRuleError('Choose a customer of your council');
    await withTransaction(this.db, async (trx) => {
      const chat = await repo.lockChat(trx, chatId);
      if (!chat || chat.authority_id !== staff.authorityId) throw new NotFoundError();
      if (chat.status !== 'active' || chat.agent_id !== staff.id)
        throw new ConflictError('You are not holding this chat');
      await repo.updateChat(trx, chatId, { customer_id: customerId });
    });
  }

  /** The agent's wrap-up of a chat they hold or ended: outcome, service, resolved at first contact. */
  async wrapUp(
    chatId: string,
    staff: { id: string; authorityId: string },
    input: { outcome: string; serviceId: string | null; resolvedAtFirstContact: boolean },
  ): Promise<void> {
    const now = this.clock.now();
    if (input.serviceId && !(await repo.findServiceOf(this.db, staff.authorityId, input.serviceId)))
      throw new DomainRuleError('Choose one of your council’s services');
    await withTransaction(this.db, async (trx) => {
      const chat = await repo.lockChat(trx, chatId);
      if (!chat || chat.authority_id !== staff.authorityId) throw new NotFoundError();
      if (chat.agent_id !== staff.id) throw new ConflictError('You are not holding this chat');
      const patch = {
        outcome: input.outcome,
        service_id: input.serviceId,
        resolved_at_first_contact: input.resolvedAtFirstContact,
      };
      await repo.updateChat(trx, chatId, { ...patch, wrapped_up_at: now });
      if (chat.interaction_id)
        await repo.updateInteraction(trx, chat.interaction_id, { ...patch, wrapped_up_at: now });
    });
  }

  /**
   * The heartbeat sweep (every few seconds in the web process): agents whose heartbeat lapsed are made
   * unavailable and their chats go back to the front of the queue; offers not accepted in time go to the
   * next agent. Returns the agents dropped.
   */
  async sweep(): Promise<string[]> {
    const now = this.clock.now();
    const authorities = new Set<string>();
    const requeued: string[] = [];
    const dropped = await withTransaction(this.db, async (trx) => {
      const lapsed = await repo.dropLapsedAgents(trx, new Date(now.getTime() - HEARTBEAT_LAPSE_MS), now);
      for (const agent of lapsed) {
        authorities.add(agent.authority_id);
        requeued.push(...(await repo.requeueHeldChats(trx, agent.staff_id, now)));
        await repo.expireOffersTo(trx, agent.staff_id, now);
      }
      for (const offer of await repo.staleOffers(trx, new Date(now.getTime() - OFFER_TIMEOUT_MS))) {
        authorities.add(offer.authority_id);
        await repo.closeOffers(trx, offer.chat_id, now, 'expired', null, offer.staff_id);
        await repo.requeueOffered(trx, offer.chat_id);
      }
      return lapsed.map((a) => a.staff_id);
    });
    for (const chatId of requeued) this.hub.toChat(chatId, { type: 'status', chatId, status: 'queued' });
    for (const authorityId of authorities) await this.dispatch(authorityId);
    return dropped;
  }

  staffList(authorityIds: readonly string[], staffId: string) {
    return repo.staffChatList(this.db, authorityIds, staffId);
  }

  servicesOf(authorityId: string) {
    return repo.servicesOf(this.db, authorityId);
  }

  findServiceBySlug(authorityId: string, slug: string) {
    return repo.findServiceBySlug(this.db, authorityId, slug);
  }
}

function senderLabel(sender: ChatSender): string {
  switch (sender) {
    case 'resident':
      return 'Resident';
    case 'assistant':
      return 'Assistant';
    case 'agent':
      return 'Adviser';
    case 'system':
      return 'System';
  }
}
