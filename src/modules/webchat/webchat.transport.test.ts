import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatHub, type MessageFrame, type ServerFrame } from './webchat.hub.ts';
import type { ChatCore } from './webchat.service.ts';
import { openChatFeed } from './webchat.transport.ts';

const chat = { id: 'c1', authority_id: 'a1' };
const message = (seq: number): MessageFrame => ({
  type: 'message',
  chatId: 'c1',
  seq,
  sender: 'resident',
  body: `m${seq}`,
  at: '2026-12-08T10:00:00.000Z',
  clientId: null,
  article: null,
});

/** A core whose database read lets the test publish live frames while the backlog is being read. */
function fakeCore(hub: ChatHub, backlog: number[], duringRead: () => void): ChatCore {
  const fake = {
    hub,
    chat: async () => ({ status: 'active' }),
    messagesAfter: async (_id: string, after: number) => {
      duringRead();
      return backlog.filter((n) => n > after).map(message);
    },
    queueInfo: async () => null,
  };
  return fake as unknown as ChatCore;
}

test('missed messages first, then live ones: none lost, none twice, out-of-order live ones kept', async () => {
  const hub = new ChatHub();
  const sent: ServerFrame[] = [];
  const core = fakeCore(hub, [1, 2, 3], () => {
    hub.toChat('c1', message(3)); // committed before the read: also in the backlog
    hub.toChat('c1', message(4)); // committed after the read
  });
  const feed = await openChatFeed(core, chat, 0, (f) => sent.push(f));
  hub.toChat('c1', message(6)); // published before 5 (two messages committed at once)
  hub.toChat('c1', message(5));
  hub.toChat('c1', message(6)); // a repeat
  feed.close();
  hub.toChat('c1', message(7)); // after closing: not sent
  assert.deepEqual(
    sent.flatMap((f) => (f.type === 'message' ? [f.seq] : [])),
    [1, 2, 3, 4, 6, 5],
  );
  assert.equal(sent[0]?.type, 'status');
});

test('a reconnect after sequence N gets only what came after N', async () => {
  const hub = new ChatHub();
  const sent: ServerFrame[] = [];
  await openChatFeed(
    fakeCore(hub, [1, 2, 3, 4], () => undefined),
    chat,
    2,
    (f) => sent.push(f),
  );
  assert.deepEqual(
    sent.flatMap((f) => (f.type === 'message' ? [f.seq] : [])),
    [3, 4],
  );
});

test('typing from the subscriber’s own side is not echoed back', async () => {
  const hub = new ChatHub();
  const sent: ServerFrame[] = [];
  await openChatFeed(
    fakeCore(hub, [], () => undefined),
    chat,
    0,
    (f) => sent.push(f),
    {
      skipTypingFrom: 'resident',
    },
  );
  hub.toChat('c1', { type: 'typing', chatId: 'c1', who: 'resident' });
  hub.toChat('c1', { type: 'typing', chatId: 'c1', who: 'agent' });
  assert.deepEqual(
    sent.filter((f) => f.type === 'typing').map((f) => f.type === 'typing' && f.who),
    ['agent'],
  );
});
