/**
 * Webchat's conversation core over its real transport: the app listens on a real port and residents and two
 * agents talk to it with real `ws` clients (and, behind a proxy that refuses WebSocket upgrades, with
 * server-sent events and JSON POSTs). Time is a TestClock; the heartbeat sweep is called by the test.
 *
 * Runs on PGlite by default and on PostgreSQL when TEST_DATABASE_URL is set; it builds its own council.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Database } from '../src/platform/db/index.ts';
import {
  ChatCore,
  ChatHub,
  chatCapacity,
  HEARTBEAT_LAPSE_MS,
  type ChatAssistant,
  type ServerFrame,
} from '../src/modules/webchat/index.ts';
import { buildAuthority, buildStaff, buildTeam } from './builders/index.ts';
import { buildCustomer, residentSignedIn, signedIn } from './builders/customers.ts';
import type { Browser } from './support/app.ts';
import { type TestApp } from './support/app.ts';
import { openTestDatabase, testEngine } from './support/db.ts';

// ---------------------------------------------------------------------------------------------------------
// A frame-collecting client over a real socket.
// ---------------------------------------------------------------------------------------------------------
class Client {
  readonly frames: ServerFrame[] = [];
  private waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as ServerFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new Client(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (req, res: IncomingMessage) => {
        // Nobody reads this response: let go of its connection so nothing is left open.
        res.destroy();
        req.destroy();
        reject(new Error(`upgrade refused: ${res.statusCode ?? 0}`));
      });
      ws.once('error', reject);
    });
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** The first frame (already received or still to come) that matches. */
  waitFor<T extends ServerFrame>(match: (f: ServerFrame) => f is T, ms?: number): Promise<T>;
  waitFor(match: (f: ServerFrame) => boolean, ms?: number): Promise<ServerFrame>;
  waitFor(match: (f: ServerFrame) => boolean, ms = 5_000): Promise<ServerFrame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for a frame: ${String(match)}; had ${JSON.stringify(this.frames.slice(-6))}`,
            ),
          ),
        ms,
      );
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  messages(): Extract<ServerFrame, { type: 'message' }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { type: 'message' }> => f.type === 'message');
  }

  clear(): void {
    this.frames.length = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

const isMessage = (seq: number) => (f: ServerFrame) => f.type === 'message' && f.seq === seq;
const isQueue = (position: number) => (f: ServerFrame) => f.type === 'queue' && f.position === position;
const isStatus = (status: string) => (f: ServerFrame) => f.type === 'status' && f.status === status;

/** A tiny fake of the assistant: answers "bin" questions from one article, hands over otherwise. */
const fakeAssistant: ChatAssistant = {
  asksForPerson: (text) => /\b(person|human|agent)\b/i.test(text),
  reply: async (input) =>
    /bin/i.test(input.question) && input.unhelpfulSoFar < 2
      ? {
          kind: 'answer',
          text: 'Report a missed bin within 2 working days. Did this help?',
          article: { slug: 'missed-bin', title: 'Report a missed bin', version: 3, url: '/help/missed-bin' },
          suggestedServiceSlug: 'missed-bin',
        }
      : {
          kind: 'handover',
          reason: input.unhelpfulSoFar >= 2 ? 'not_helped_twice' : 'no_good_match',
          text: 'I will pass you to a person.',
          suggestedServiceSlug: null,
        },
};

describe(`webchat core over WebSockets (${testEngine})`, () => {
  let t: TestApp;
  let app: FastifyInstance;
  let database: Database;
  let base: string;
  let wsBase: string;
  const clock = new TestClock('2026-12-08T10:00:00Z');
  const hub = new ChatHub();
  let core: ChatCore;
  const sockets: Client[] = [];

  before(async () => {
    database = await openTestDatabase();
    const config = loadConfig({
      SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'frontdoor-test-')),
      LOG_LEVEL: 'silent',
    });
    app = await buildApp({
      config,
      database,
      clock,
      logger: false,
      webchat: { hub, sweepEveryMs: 0, assistant: null },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
    wsBase = `ws://127.0.0.1:${port}`;
    t = { app, database, config, close: async () => app.close() };
    core = new ChatCore({ db: database.db, clock, hub });
  });

  after(async () => {
    for (const s of sockets) await s.close();
    await app.close();
    await database.close();
  });

  /** A council with two agents signed in, each with a staff socket. */
  async function councilWithAgents(count = 2) {
    const authority = await buildAuthority(database.db);
    const agents = [];
    for (let i = 0; i < count; i += 1) {
      const staff = await buildStaff(database.db, authority.id, { roles: ['agent'] });
      const browser = await signedIn(app, staff);
      const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const socket = await Client.open(`${wsBase}/staff/chat/ws`, { cookie, origin: base });
      sockets.push(socket);
      agents.push({ staff, socket, cookie, principal: { id: staff.id, authorityId: authority.id } });
    }
    return { authority, agents };
  }

  async function resident(token: string, after = 0): Promise<Client> {
    const socket = await Client.open(
      `${wsBase}/contact/chat/ws?token=${encodeURIComponent(token)}&after=${after}`,
    );
    sockets.push(socket);
    return socket;
  }

  async function available(agent: { socket: Client }, maxChats: number) {
    agent.socket.send({ type: 'available', on: true, maxChats });
    await agent.socket.waitFor((f) => f.type === 'availability' && f.available);
  }

  test('messages arrive in order, a resend with the same client id is one message, and a reconnect gets what it missed', async () => {
    const authority = await buildAuthority(database.db);
    const { token, chatId } = await core.start({ authorityId: authority.id, residentName: 'Sam' });
    const tabA = await resident(token);
    await tabA.waitFor(isStatus('queued'));
    const ids = [1, 2, 3, 4, 5].map(() => randomUUID());
    ids.forEach((clientId, i) => tabA.send({ type: 'message', clientId, body: `message ${i + 1}` }));
    await tabA.waitFor(isMessage(5));
    // The resend of message 3 (say the reply was lost): the same message and number back, nothing added.
    tabA.clear();
    tabA.send({ type: 'message', clientId: ids[2], body: 'message 3' });
    const resent = await tabA.waitFor(isMessage(3));
    assert.equal(resent.type === 'message' && resent.body, 'message 3');
    const stored = await database.db
      .selectFrom('chat_messages')
      .select(['seq', 'body'])
      .where('chat_id', '=', chatId)
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      stored.map((m) => [m.seq, m.body]),
      [1, 2, 3, 4, 5].map((n) => [n, `message ${n}`]),
    );

    // A second tab gets the same conversation, in order, and both see what comes next.
    const tabB = await resident(token);
    await tabB.waitFor(isMessage(5));
    assert.deepEqual(
      tabB.messages().map((m) => m.seq),
      [1, 2, 3, 4, 5],
    );
    tabB.send({ type: 'message', clientId: randomUUID(), body: 'from the second tab' });
    await tabA.waitFor(isMessage(6));

    // Tab A sleeps after seeing 6; two more are sent; it comes back with `resume` after=6.
    await tabA.close();
    tabB.send({ type: 'message', clientId: randomUUID(), body: 'seven' });
    tabB.send({ type: 'message', clientId: randomUUID(), body: 'eight' });
    await tabB.waitFor(isMessage(8));
    const again = await Client.open(`${wsBase}/contact/chat/ws`);
    sockets.push(again);
    again.send({ type: 'resume', token, after: 6 });
    await again.waitFor(isMessage(8));
    assert.deepEqual(
      again.messages().map((m) => [m.seq, m.body]),
      [
        [7, 'seven'],
        [8, 'eight'],
      ],
    );

    // The resident leaves before a person answered: abandoned, and every tab is told.
    again.send({ type: 'end' });
    await tabB.waitFor(isStatus('abandoned'));
    const row = await database.db
      .selectFrom('chats')
      .select(['status', 'ended_by'])
      .where('id', '=', chatId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'abandoned', ended_by: 'resident' });
    again.send({ type: 'message', clientId: randomUUID(), body: 'too late' });
    await again.waitFor((f) => f.type === 'error' && /ended/.test(f.message));
  });

  test('an unknown token is refused and a bad frame gets an error frame, not a crash', async () => {
    const socket = await Client.open(`${wsBase}/contact/chat/ws`);
    sockets.push(socket);
    socket.send({ type: 'resume', token: 'not-a-token' });
    await socket.waitFor((f) => f.type === 'error');
    const other = await Client.open(`${wsBase}/contact/chat/ws`);
    sockets.push(other);
    other.ws.send('{not json');
    await other.waitFor((f) => f.type === 'error');
    other.send({ type: 'message', clientId: 'x', body: 'before resume' });
    await other.waitFor((f) => f.type === 'error' && /resume/.test(f.message));
  });

  test('the staff socket refuses without a staff session and from another site', async () => {
    await assert.rejects(Client.open(`${wsBase}/staff/chat/ws`), /upgrade refused: 302/);
    const { agents } = await councilWithAgents(1);
    await assert.rejects(
      Client.open(`${wsBase}/staff/chat/ws`, { cookie: agents[0].cookie, origin: 'https://evil.example' }),
      /upgrade refused: 403/,
    );
  });

  test('offers go round-robin to agents with room; queue positions and capacity follow as agents take and end chats', async () => {
    const { authority, agents } = await councilWithAgents(2);
    const [a, b] = [agents[0], agents[1]];
    await available(a, 1);
    await available(b, 1);
    assert.deepEqual(await chatCapacity(database.db, authority.id, clock.now()), {
      agentsAvailable: 2,
      freeSlots: 2,
      queued: 0,
    });
    const chats = [];
    for (const name of ['One', 'Two', 'Three']) {
      const started = await core.start({ authorityId: authority.id, residentName: name });
      chats.push({ ...started, socket: await resident(started.token) });
    }
    const [one, two, three] = [chats[0], chats[1], chats[2]];
    await b.socket.waitFor((f) => f.type === 'queue-changed' && f.authorityId === authority.id);
    // One offer each (round-robin, one place each); the third waits behind them.
    const offerA = await a.socket.waitFor((f) => f.type === 'offer');
    const offerB = await b.socket.waitFor((f) => f.type === 'offer');
    assert.deepEqual(
      new Set([offerA.type === 'offer' && offerA.chatId, offerB.type === 'offer' && offerB.chatId]),
      new Set([one.chatId, two.chatId]),
    );
    const third = await three.socket.waitFor(isQueue(3));
    assert.equal(
      third.type === 'queue' && third.waitMinutes,
      3,
      'one chat ahead of the 2 free places: 6-minute chats over 2 places',
    );
    assert.deepEqual(await chatCapacity(database.db, authority.id, clock.now()), {
      agentsAvailable: 2,
      freeSlots: 0,
      queued: 3,
    });

    // As the agents accept, the third resident moves up.
    three.socket.clear();
    a.socket.send({ type: 'accept', chatId: offerA.type === 'offer' ? offerA.chatId : '' });
    await a.socket.waitFor((f) => f.type === 'accepted' && f.ok);
    await three.socket.waitFor(isQueue(2));
    b.socket.send({ type: 'accept', chatId: offerB.type === 'offer' ? offerB.chatId : '' });
    await b.socket.waitFor((f) => f.type === 'accepted' && f.ok);
    await three.socket.waitFor(isQueue(1));
    const mine = offerA.type === 'offer' ? chats.find((c) => c.chatId === offerA.chatId)! : one;
    await mine.socket.waitFor(isStatus('active'));

    // Agent A's message reaches the resident; the resident's reaches the agent (watching after accept).
    a.socket.send({
      type: 'message',
      chatId: mine.chatId,
      clientId: randomUUID(),
      body: 'Hello, how can I help?',
    });
    await mine.socket.waitFor(
      (f) => f.type === 'message' && f.sender === 'agent' && f.body === 'Hello, how can I help?',
    );
    mine.socket.send({ type: 'message', clientId: randomUUID(), body: 'My bin was missed' });
    await a.socket.waitFor(
      (f) => f.type === 'message' && f.chatId === mine.chatId && f.body === 'My bin was missed',
    );
    mine.socket.send({ type: 'typing' });
    await a.socket.waitFor((f) => f.type === 'typing' && f.who === 'resident');

    // A ends after 4 minutes: the third chat is offered to A, who takes it.
    clock.advance(4 * 60_000);
    a.socket.send({ type: 'heartbeat' });
    b.socket.send({ type: 'heartbeat' });
    a.socket.clear();
    a.socket.send({ type: 'end', chatId: mine.chatId });
    await mine.socket.waitFor(isStatus('ended'));
    const next = await a.socket.waitFor((f) => f.type === 'offer');
    assert.equal(next.type === 'offer' && next.chatId, three.chatId);
    a.socket.send({ type: 'accept', chatId: three.chatId });
    await three.socket.waitFor(isStatus('active'));
    assert.equal((await chatCapacity(database.db, authority.id, clock.now())).queued, 0);
    a.socket.send({
      type: 'wrap-up',
      chatId: mine.chatId,
      outcome: 'Advice given',
      serviceId: null,
      resolvedAtFirstContact: true,
    });
    // Frames are handled in order: once this one is answered, the wrap-up has been stored.
    a.socket.clear();
    await available(a, 1);
    const row = await database.db
      .selectFrom('chats')
      .selectAll()
      .where('id', '=', mine.chatId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'ended');
    assert.equal(row.ended_by, 'agent');
    assert.equal(row.outcome, 'Advice given');
    assert.equal(row.resolved_at_first_contact, true);
  });

  test('two agents accepting the same chat at once: exactly one wins', async () => {
    const { authority, agents } = await councilWithAgents(2);
    const [a, b] = [agents[0], agents[1]];
    // Over the sockets, at once.
    const first = await core.start({ authorityId: authority.id, residentName: 'Race' });
    a.socket.send({ type: 'accept', chatId: first.chatId });
    b.socket.send({ type: 'accept', chatId: first.chatId });
    const results = await Promise.all([
      a.socket.waitFor((f) => f.type === 'accepted' && f.chatId === first.chatId),
      b.socket.waitFor((f) => f.type === 'accepted' && f.chatId === first.chatId),
    ]);
    assert.deepEqual(results.map((r) => r.type === 'accepted' && r.ok).sort(), [false, true]);

    // Through the core, many times at once.
    for (let i = 0; i < 5; i += 1) {
      const chat = await core.start({ authorityId: authority.id, residentName: `Race ${i}` });
      const won = await Promise.all([
        core.accept(chat.chatId, a.principal),
        core.accept(chat.chatId, b.principal),
      ]);
      assert.equal(won.filter(Boolean).length, 1);
    }

    // Two transactions interleaved by hand: the second waits for the first's row lock, then matches nothing.
    if (testEngine === 'postgres') {
      const chat = await core.start({ authorityId: authority.id, residentName: 'Interleaved' });
      let releaseFirst!: () => void;
      const firstHolds = new Promise<void>((r) => (releaseFirst = r));
      let firstUpdated!: () => void;
      const updated = new Promise<void>((r) => (firstUpdated = r));
      const trx1 = withTransaction(database.db, async (trx) => {
        const rows = await trx
          .updateTable('chats')
          .set({ status: 'active', agent_id: a.staff.id })
          .where('id', '=', chat.chatId)
          .where('status', 'in', ['queued', 'waiting'])
          .returning('id')
          .execute();
        firstUpdated();
        await firstHolds;
        return rows.length;
      });
      await updated;
      const second = core.accept(chat.chatId, b.principal);
      // Give the second a moment to block on the row, then commit the first.
      await new Promise((r) => setTimeout(r, 50));
      releaseFirst();
      assert.equal(await trx1, 1);
      assert.equal(await second, false);
      const row = await database.db
        .selectFrom('chats')
        .select('agent_id')
        .where('id', '=', chat.chatId)
        .executeTakeFirstOrThrow();
      assert.equal(row.agent_id, a.staff.id);
    }
  });

  test('an agent whose heartbeat lapses is dropped and their chat goes back to the front of the queue', async () => {
    const { authority, agents } = await councilWithAgents(2);
    const [a, b] = [agents[0], agents[1]];
    await available(a, 1);
    const x = await core.start({ authorityId: authority.id, residentName: 'Held' });
    await a.socket.waitFor((f) => f.type === 'offer' && f.chatId === x.chatId);
    a.socket.send({ type: 'accept', chatId: x.chatId });
    await a.socket.waitFor((f) => f.type === 'accepted' && f.chatId === x.chatId);
    clock.advance(1_000);
    const y = await core.start({ authorityId: authority.id, residentName: 'Waiting' });
    const ySocket = await resident(y.token);
    await ySocket.waitFor(isQueue(1));
    const xSocket = await resident(x.token);
    await xSocket.waitFor(isStatus('active'));

    // A goes quiet (no frame, so no heartbeat); B is not taking chats yet.
    clock.advance(HEARTBEAT_LAPSE_MS + 1_000);
    assert.ok((await core.sweep()).includes(a.staff.id));
    await xSocket.waitFor(isStatus('queued'));
    await xSocket.waitFor(isQueue(1));
    await ySocket.waitFor(isQueue(2));
    const row = await database.db
      .selectFrom('chats')
      .select(['status', 'agent_id', 'queue_front'])
      .where('id', '=', x.chatId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'queued', agent_id: null, queue_front: true });
    assert.equal((await core.agent(a.staff.id))?.available, false);

    // B comes in: the re-queued chat is offered first.
    await available(b, 1);
    const offer = await b.socket.waitFor((f) => f.type === 'offer');
    assert.equal(offer.type === 'offer' && offer.chatId, x.chatId);
  });

  test('a declined or unanswered offer goes to the next agent; a transfer reaches a colleague with its note, or a team', async () => {
    const { authority, agents } = await councilWithAgents(2);
    const [a, b] = [agents[0], agents[1]];
    await available(a, 2);
    await available(b, 2);
    const chat = await core.start({ authorityId: authority.id, residentName: 'Offered' });
    const first = await Promise.race([
      a.socket.waitFor((f) => f.type === 'offer' && f.chatId === chat.chatId).then(() => a),
      b.socket.waitFor((f) => f.type === 'offer' && f.chatId === chat.chatId).then(() => b),
    ]);
    const other = first === a ? b : a;
    first.socket.send({ type: 'decline', chatId: chat.chatId });
    await other.socket.waitFor((f) => f.type === 'offer' && f.chatId === chat.chatId);
    // The other agent lets it lapse: after 30 seconds it goes round again, never to the one who declined.
    clock.advance(31_000);
    a.socket.send({ type: 'heartbeat' });
    b.socket.send({ type: 'heartbeat' });
    await available(a, 2);
    await available(b, 2);
    other.socket.clear();
    await core.sweep();
    await other.socket.waitFor((f) => f.type === 'offer' && f.chatId === chat.chatId);
    const offers = await database.db
      .selectFrom('chat_offers')
      .select(['staff_id', 'outcome'])
      .where('chat_id', '=', chat.chatId)
      .orderBy('offered_at')
      .execute();
    assert.deepEqual(
      offers.map((o) => o.outcome),
      ['declined', 'expired', 'pending'],
    );

    // The other agent takes it and passes it to the first with a note.
    other.socket.send({ type: 'accept', chatId: chat.chatId });
    await other.socket.waitFor((f) => f.type === 'accepted' && f.chatId === chat.chatId && f.ok);
    const residentSocket = await resident(chat.token);
    await residentSocket.waitFor(isStatus('active'));
    first.socket.clear();
    other.socket.send({
      type: 'transfer',
      chatId: chat.chatId,
      toStaffId: first.staff.id,
      note: 'Wants to pay for a bulky item',
    });
    await first.socket.waitFor((f) => f.type === 'offer' && f.chatId === chat.chatId);
    await residentSocket.waitFor(
      (f) => f.type === 'message' && f.sender === 'system' && /colleague/.test(f.body),
    );
    first.socket.send({ type: 'accept', chatId: chat.chatId });
    await first.socket.waitFor((f) => f.type === 'accepted' && f.chatId === chat.chatId && f.ok);
    let row = await database.db
      .selectFrom('chats')
      .selectAll()
      .where('id', '=', chat.chatId)
      .executeTakeFirstOrThrow();
    assert.equal(row.agent_id, first.staff.id);
    assert.equal(row.transfer_note, 'Wants to pay for a bulky item');
    // Someone not holding it cannot transfer or end it.
    await assert.rejects(core.end(chat.chatId, { kind: 'agent', staffId: other.staff.id }), /not holding/);

    // To a team: queued at the front for that team's agents only.
    const team = await buildTeam(database.db, authority.id);
    await core.transfer(chat.chatId, first.principal, { teamId: team.id, note: '' });
    row = await database.db
      .selectFrom('chats')
      .selectAll()
      .where('id', '=', chat.chatId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'queued', 'nobody in the team is available');
    assert.equal(row.team_id, team.id);
    await database.db
      .insertInto('staff_team_members')
      .values({ authority_id: authority.id, staff_user_id: other.staff.id, team_id: team.id })
      .execute();
    other.socket.clear();
    await available(other, 2);
    await other.socket.waitFor((f) => f.type === 'offer' && f.chatId === chat.chatId);
  });

  test('the staff pages list the queue and accept without JavaScript; a chat taken by someone else says so', async () => {
    const authority = await buildAuthority(database.db);
    const [one, two] = [
      await buildStaff(database.db, authority.id, { roles: ['agent'] }),
      await buildStaff(database.db, authority.id, { roles: ['agent'] }),
    ];
    const [browserOne, browserTwo] = [await signedIn(app, one), await signedIn(app, two)];
    const chat = await core.start({ authorityId: authority.id, residentName: 'Listed Resident' });
    const list = await browserOne.get('/staff/chat');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Listed Resident/);
    const taken = await browserOne.submit('/staff/chat', `/staff/chat/${chat.chatId}/accept`, {});
    assert.equal(taken.headers.location, `/staff/chat/${chat.chatId}`);
    const late = await browserTwo.submit('/staff/chat', `/staff/chat/${chat.chatId}/accept`, {});
    assert.equal(late.headers.location, '/staff/chat?done=taken');
    const reply = await browserOne.submit(
      `/staff/chat/${chat.chatId}`,
      `/staff/chat/${chat.chatId}/message`,
      { body: 'Hello from the page', clientId: 'p1' },
    );
    assert.equal(reply.statusCode, 303);
    const page = await browserOne.get(`/staff/chat/${chat.chatId}`);
    assert.match(page.body, /Hello from the page/);
    const notMine = await browserTwo.submit(
      `/staff/chat/${chat.chatId}`,
      `/staff/chat/${chat.chatId}/message`,
      { body: 'Me too', clientId: 'p2' },
    );
    assert.equal(notMine.statusCode, 409);
    const avail = await browserTwo.submit('/staff/chat', '/staff/chat/availability', {
      available: 'on',
      maxChats: '2',
    });
    assert.equal(avail.statusCode, 303);
    assert.equal((await core.agent(two.id))?.max_chats, 2);
    // The resident did not sign in; the agent identifies them, so the transcript goes on their timeline.
    const customer = await buildCustomer(database.db, authority.id);
    const elsewhere = await buildCustomer(database.db, (await buildAuthority(database.db)).id);
    await assert.rejects(
      core.identify(chat.chatId, { id: one.id, authorityId: authority.id }, elsewhere.id),
      /your council/,
    );
    await assert.rejects(
      core.identify(chat.chatId, { id: two.id, authorityId: authority.id }, customer.id),
      /not holding/,
    );
    await core.identify(chat.chatId, { id: one.id, authorityId: authority.id }, customer.id);
    const ended = await browserOne.submit(`/staff/chat/${chat.chatId}`, `/staff/chat/${chat.chatId}/end`, {});
    assert.equal(ended.headers.location, `/staff/chat/${chat.chatId}`);
    // The wrap-up form after the end: the GOV.UK round trip, then saved.
    const missing = await browserOne.submit(
      `/staff/chat/${chat.chatId}`,
      `/staff/chat/${chat.chatId}/wrap-up`,
      {
        outcome: 'Advice given',
      },
    );
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Select whether it was resolved at first contact/);
    assert.match(missing.body, /value="Advice given"/);
    const wrapped = await browserOne.submit(
      `/staff/chat/${chat.chatId}`,
      `/staff/chat/${chat.chatId}/wrap-up`,
      {
        outcome: 'Advice given',
        resolved: 'no',
      },
    );
    assert.equal(wrapped.statusCode, 303);
    const row = await database.db
      .selectFrom('chats')
      .selectAll()
      .where('id', '=', chat.chatId)
      .executeTakeFirstOrThrow();
    assert.equal(row.outcome, 'Advice given');
    assert.equal(row.resolved_at_first_contact, false);
    assert.ok(row.wrapped_up_at);
    const interaction = await database.db
      .selectFrom('interactions')
      .selectAll()
      .where('customer_id', '=', customer.id)
      .executeTakeFirstOrThrow();
    assert.equal(interaction.channel, 'webchat');
    assert.match(interaction.body ?? '', /Adviser: Hello from the page/);
    assert.equal(interaction.outcome, 'Advice given');

    // Passing a chat on from the page: one of a colleague or a team, with a note.
    const next = await core.start({ authorityId: authority.id, residentName: 'Passed On' });
    await browserOne.submit('/staff/chat', `/staff/chat/${next.chatId}/accept`, {});
    const form = await browserOne.get(`/staff/chat/${next.chatId}`);
    assert.match(form.body, /data-testid="transfer"/);
    const neither = await browserOne.submit(
      `/staff/chat/${next.chatId}`,
      `/staff/chat/${next.chatId}/transfer`,
      {
        note: 'About a bulky item',
      },
    );
    assert.equal(neither.statusCode, 400);
    assert.match(neither.body, /Choose a colleague or a team/);
    assert.match(neither.body, /About a bulky item/);
    const passed = await browserOne.submit(
      `/staff/chat/${next.chatId}`,
      `/staff/chat/${next.chatId}/transfer`,
      {
        toStaff: two.id,
        note: 'About a bulky item',
      },
    );
    assert.equal(passed.headers.location, '/staff/chat?done=transferred');
    const moved = await database.db
      .selectFrom('chats')
      .selectAll()
      .where('id', '=', next.chatId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [moved.status, moved.agent_id, moved.transfer_note],
      ['waiting', null, 'About a bulky item'],
    );
    const offer = await database.db
      .selectFrom('chat_offers')
      .select(['staff_id', 'outcome'])
      .where('chat_id', '=', next.chatId)
      .where('outcome', '=', 'pending')
      .execute();
    assert.deepEqual(offer, [{ staff_id: two.id, outcome: 'pending' }], 'offered to the colleague');
  });

  test('behind a proxy that refuses WebSocket upgrades, server-sent events and POSTs carry the chat', async () => {
    const { authority, agents } = await councilWithAgents(1);
    const a = agents[0];
    const { port: appPort } = app.server.address() as AddressInfo;
    const proxy: Server = createServer((req, res) => {
      const upstream = httpRequest(
        { host: '127.0.0.1', port: appPort, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
    });
    proxy.on('upgrade', (_req, socket) => {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const proxied = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const { token, chatId } = await core.start({
        authorityId: authority.id,
        residentName: 'Behind a proxy',
      });
      await assert.rejects(
        Client.open(`ws://${proxied}/contact/chat/ws?token=${token}`),
        /upgrade refused: 403/,
      );

      // The fallback: an event stream down…
      const events = new EventStream(
        `http://${proxied}/contact/chat/events?token=${encodeURIComponent(token)}&after=0`,
      );
      await events.waitFor(isStatus('queued'));
      // …and POSTs up, idempotent on the client id like the socket.
      const clientId = randomUUID();
      const post = (frame: Record<string, unknown>) =>
        fetch(`http://${proxied}/contact/chat/send`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token, ...frame }),
        });
      const first = await post({ type: 'message', clientId, body: 'Hello through the proxy' });
      assert.equal(first.status, 200);
      const again = await post({ type: 'message', clientId, body: 'Hello through the proxy' });
      const [one, two] = [
        (await first.json()) as { frame: { seq: number } },
        (await again.json()) as { frame: { seq: number } },
      ];
      assert.equal(one.frame.seq, 1);
      assert.equal(two.frame.seq, 1);
      await events.waitFor(isMessage(1));

      // The agent (on a socket) takes it and answers; the answer comes down the event stream.
      a.socket.send({ type: 'accept', chatId });
      await events.waitFor(isStatus('active'));
      a.socket.send({ type: 'message', chatId, clientId: randomUUID(), body: 'Hello from the council' });
      const answer = await events.waitFor(isMessage(2));
      assert.equal(answer.type === 'message' && answer.sender, 'agent');
      events.close();

      // A reconnecting stream with Last-Event-ID gets only what it missed.
      a.socket.send({ type: 'message', chatId, clientId: randomUUID(), body: 'Are you still there?' });
      await a.socket.waitFor(isMessage(3));
      const resumed = new EventStream(
        `http://${proxied}/contact/chat/events?token=${encodeURIComponent(token)}`,
        { 'last-event-id': '2' },
      );
      await resumed.waitFor(isMessage(3));
      assert.deepEqual(
        resumed.frames.filter((f) => f.type === 'message').map((f) => f.type === 'message' && f.seq),
        [3],
      );
      resumed.close();
      assert.equal((await post({ type: 'message', body: 'no id' })).status, 400);
      const unknown = await fetch(`http://${proxied}/contact/chat/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: 'wrong', type: 'typing' }),
      });
      assert.equal(unknown.status, 404);
      const asForm = await fetch(`http://${proxied}/contact/chat/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, type: 'typing' }).toString(),
      });
      assert.equal(asForm.status, 415, 'a cross-site form cannot post a frame');
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  test('the assistant answers first; asking for a person queues the chat with the conversation, reason and service kept', async () => {
    const authority = await buildAuthority(database.db);
    const withAssistant = new ChatCore({ db: database.db, clock, hub, assistant: fakeAssistant });
    const { token, chatId } = await withAssistant.start({ authorityId: authority.id, residentName: 'Pat' });
    const socket = await resident(token);
    await socket.waitFor(isStatus('assistant'));
    await withAssistant.post(chatId, {
      sender: 'resident',
      clientId: randomUUID(),
      body: 'my bin wasnt emptied',
    });
    const answer = await socket.waitFor(isMessage(2));
    assert.equal(answer.type === 'message' && answer.sender, 'assistant');
    assert.equal(answer.type === 'message' && answer.article?.slug, 'missed-bin');
    await withAssistant.post(chatId, {
      sender: 'resident',
      clientId: randomUUID(),
      body: 'I want to talk to a person',
    });
    await socket.waitFor(isStatus('queued'));
    await socket.waitFor(isQueue(1));
    const row = await database.db
      .selectFrom('chats')
      .selectAll()
      .where('id', '=', chatId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'queued');
    assert.equal(row.handover_reason, 'asked_for_person');
    assert.equal(row.suggested_service_slug, 'missed-bin');
    // The agent who takes it sees the whole conversation.
    const messages = await withAssistant.messagesAfter(chatId, 0);
    assert.deepEqual(
      messages.map((m) => m.sender),
      ['resident', 'assistant', 'resident', 'assistant'],
    );

    // An assistant that fails hands the chat to a person rather than leaving the resident unanswered.
    const broken = new ChatCore({
      db: database.db,
      clock,
      hub,
      assistant: { asksForPerson: () => false, reply: () => Promise.reject(new Error('search is down')) },
    });
    const second = await broken.start({ authorityId: authority.id, residentName: 'Lee' });
    await broken.post(second.chatId, { sender: 'resident', clientId: randomUUID(), body: 'council tax' });
    const handed = await database.db
      .selectFrom('chats')
      .selectAll()
      .where('id', '=', second.chatId)
      .executeTakeFirstOrThrow();
    assert.equal(handed.status, 'queued');
    assert.equal(handed.handover_reason, 'no_good_match');

    // Two answers that did not help ("No" to "Did this help?") reach the assistant's next turn. (The app's
    // own core has no assistant, so this chat is driven through `withAssistant`; the resident listens.)
    const third = await withAssistant.start({ authorityId: authority.id, residentName: 'Kim' });
    const kim = await resident(third.token);
    await withAssistant.post(third.chatId, { sender: 'resident', clientId: randomUUID(), body: 'bin day?' });
    await withAssistant.notHelped(third.chatId);
    await withAssistant.notHelped(third.chatId);
    await withAssistant.post(third.chatId, {
      sender: 'resident',
      clientId: randomUUID(),
      body: 'my bin, again',
    });
    await kim.waitFor(isStatus('queued'));
    const unhelped = await database.db
      .selectFrom('chats')
      .selectAll()
      .where('id', '=', third.chatId)
      .executeTakeFirstOrThrow();
    assert.equal(unhelped.handover_reason, 'not_helped_twice');
    assert.equal(unhelped.unhelpful_answers, 2);
  });

  test('without JavaScript: no chat cookie before starting; the page shows the conversation; the transcript goes on the signed-in customer’s timeline', async () => {
    const authority = await buildAuthority(database.db);
    const customer = await buildCustomer(database.db, authority.id);
    const browser: Browser = await residentSignedIn(t, clock, customer.id);
    const page = await browser.get('/contact/chat');
    assert.equal(page.statusCode, 200);
    assert.equal(
      page.cookies.some((c) => c.name === 'fd_chat'),
      false,
    );
    const started = await browser.submit('/contact/chat', '/contact/chat', {
      name: 'Robin',
      council: authority.id,
    });
    assert.equal(started.statusCode, 303);
    assert.ok(browser.cookies.get('fd_chat'));
    const token = browser.cookies.get('fd_chat');
    // Starting again while this chat is open (back button, second tab) leads to the same chat.
    const twice = await browser.submit('/contact/chat', '/contact/chat', {
      name: 'Robin',
      council: authority.id,
    });
    assert.equal(twice.statusCode, 303);
    assert.equal(browser.cookies.get('fd_chat'), token);
    const sent = await browser.submit('/contact/chat', '/contact/chat/message', {
      body: 'Where is my bin?',
      clientId: 'page-1',
    });
    assert.equal(sent.statusCode, 303);
    await browser.submit('/contact/chat', '/contact/chat/message', {
      body: 'Where is my bin?',
      clientId: 'page-1',
    });
    const shown = await browser.get('/contact/chat');
    assert.match(shown.body, /Where is my bin\?/);
    assert.equal(shown.body.match(/Where is my bin\?/g)?.length, 1, 'the resent form is one message');
    assert.match(shown.body, /number \d+ in the queue/);
    const empty = await browser.submit('/contact/chat', '/contact/chat/message', { body: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Enter a message/);

    const chat = await database.db
      .selectFrom('chats')
      .selectAll()
      .where('customer_id', '=', customer.id)
      .executeTakeFirstOrThrow();
    const staff = await buildStaff(database.db, authority.id, { roles: ['agent'] });
    assert.equal(await core.accept(chat.id, { id: staff.id, authorityId: authority.id }), true);
    await core.post(chat.id, { sender: 'agent', agentId: staff.id, body: 'It is on its way.' });
    await core.end(chat.id, { kind: 'agent', staffId: staff.id });
    await core.wrapUp(
      chat.id,
      { id: staff.id, authorityId: authority.id },
      { outcome: 'Advice given', serviceId: null, resolvedAtFirstContact: true },
    );
    const interaction = await database.db
      .selectFrom('interactions')
      .selectAll()
      .where('customer_id', '=', customer.id)
      .where('channel', '=', 'webchat')
      .executeTakeFirstOrThrow();
    assert.match(interaction.body ?? '', /Resident: Where is my bin\?/);
    assert.match(interaction.body ?? '', /Adviser: It is on its way\./);
    assert.equal(interaction.outcome, 'Advice given');
    assert.equal(interaction.resolved_at_first_contact, true);
    assert.equal(interaction.agent_id, staff.id);
    const ended = await browser.get('/contact/chat');
    assert.match(ended.body, /This chat has ended/);
    assert.equal(
      (await database.db.selectFrom('chats').select('id').where('customer_id', '=', customer.id).execute())
        .length,
      1,
    );
  });
});

/** A minimal server-sent-events reader (Node has no EventSource): JSON frames from `data:` lines. */
class EventStream {
  readonly frames: ServerFrame[] = [];
  private readonly request;
  private waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  constructor(url: string, headers: Record<string, string> = {}) {
    let buffer = '';
    this.request = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (!data) continue;
          const frame = JSON.parse(data) as ServerFrame;
          this.frames.push(frame);
          this.waiters = this.waiters.filter((w) => {
            if (!w.match(frame)) return true;
            w.resolve(frame);
            return false;
          });
        }
      });
    });
    this.request.on('error', () => undefined);
    this.request.end();
  }

  waitFor(match: (f: ServerFrame) => boolean, ms = 5_000): Promise<ServerFrame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), ms);
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  close(): void {
    this.request.destroy();
  }
}
