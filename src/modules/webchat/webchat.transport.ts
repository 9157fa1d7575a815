/**
 * Delivering a chat's frames to one subscriber (a socket or an event stream) without loss or repeats: the
 * live frames are held while the missed messages (after the subscriber's last sequence) are read from the
 * database and sent in sequence order; then the held and later live frames follow, each message number at
 * most once. Pure plumbing: the caller says how to send.
 */
import type { ChatCore } from './webchat.service.ts';
import type { ServerFrame } from './webchat.hub.ts';

export interface ChatFeed {
  close(): void;
}

/** Subscribes `send` to a chat from sequence `after`, with its status and queue position first. */
export async function openChatFeed(
  core: ChatCore,
  chat: { id: string; authority_id: string },
  after: number,
  send: (frame: ServerFrame) => void,
  options: { skipTypingFrom?: 'resident' | 'agent' } = {},
): Promise<ChatFeed> {
  // Messages up to `covered` were sent from the database (or seen before); a live one above it is always
  // sent, even out of order (two messages committed at once may be published in either order: the
  // subscriber orders by `seq`), and each number at most once.
  let covered = after;
  const sentLive = new Set<number>();
  let ready = false;
  const held: ServerFrame[] = [];
  const deliver = (frame: ServerFrame) => {
    if (frame.type === 'message') {
      if (frame.seq <= covered || sentLive.has(frame.seq)) return;
      if (ready) sentLive.add(frame.seq);
      else covered = frame.seq;
    }
    if (frame.type === 'typing' && frame.who === options.skipTypingFrom) return;
    send(frame);
  };
  const unsubscribe = core.hub.onChat(chat.id, (frame) => {
    if (ready) deliver(frame);
    else held.push(frame);
  });
  try {
    const current = await core.chat(chat.id);
    if (current) deliver({ type: 'status', chatId: chat.id, status: current.status });
    for (const message of await core.messagesAfter(chat.id, after)) deliver(message);
    const queue = await core.queueInfo(chat);
    if (queue) deliver({ type: 'queue', chatId: chat.id, ...queue });
  } catch (error) {
    unsubscribe();
    throw error;
  }
  ready = true;
  for (const frame of held.splice(0)) deliver(frame);
  return { close: unsubscribe };
}

/** The text of a WebSocket frame (a Buffer, fragments, or an ArrayBuffer). */
export function frameText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
