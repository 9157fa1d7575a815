/**
 * Issue 14, items 2 and 3 on the staff side: the screen pop over server-sent events (to the answering agent
 * only), its no-JavaScript twins (the current-call bar and the home's "Current call" panel), choosing the
 * caller on a shared number, the wrap-up in a few fields with clear errors, missed calls, and the agent's
 * phone extension.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildTestApp, type TestApp } from './support/app.ts';
import { buildAuthority, buildService, buildStaff, buildTeam, uniq } from './builders/index.ts';
import { buildCustomer, signedIn } from './builders/customers.ts';
import { ensurePhoneQueue } from '../src/modules/telephony/index.ts';
import { freshMobile, genericSignatureFor } from './support/telephony.ts';

const SECRET = 'test-telephony-secret-0123456789';
let t: TestApp;
let authorityId: string;
let queue: string;
let serviceId: string;
let agent: { id: string; email: string };
let colleague: { id: string; email: string };
const extension = String(randomInt(10_000, 99_999));

async function send(body: Record<string, unknown>) {
  const payload = JSON.stringify(body);
  const response = await t.app.inject({
    method: 'POST',
    url: '/telephony/v1/events',
    headers: {
      'content-type': 'application/json',
      'x-frontdoor-signature': genericSignatureFor(SECRET, payload),
    },
    payload,
  });
  assert.equal(response.statusCode, 200, response.body);
}

async function answeredCall(from: string, options: { end?: boolean } = {}) {
  const callId = uniq('call');
  const now = new Date();
  await send({ event: 'newCall', callId, from, direction: 'in', queue, timestamp: now.toISOString() });
  await send({
    event: 'answer',
    callId,
    extension,
    timestamp: new Date(now.getTime() + 8_000).toISOString(),
  });
  if (options.end)
    await send({
      event: 'hangup',
      callId,
      cause: 'normalClearing',
      timestamp: new Date(now.getTime() + 90_000).toISOString(),
    });
  return t.database.db
    .selectFrom('calls')
    .selectAll()
    .where('call_id', '=', callId)
    .executeTakeFirstOrThrow();
}

before(async () => {
  t = await buildTestApp({ env: { TELEPHONY_SECRET: SECRET } });
  const db = t.database.db;
  authorityId = (await buildAuthority(db)).id;
  const team = await buildTeam(db, authorityId);
  serviceId = (await buildService(db, authorityId, team.id, { name: 'Blue badges' })).id;
  queue = uniq('queue');
  await ensurePhoneQueue(db, { authorityId, teamId: team.id, code: queue, name: 'Main line' });
  agent = await buildStaff(db, authorityId, { teamIds: [team.id], name: 'Hana Agent' });
  colleague = await buildStaff(db, authorityId, { teamIds: [team.id] });
  await db
    .updateTable('staff_users')
    .set({ phone_extension: extension })
    .where('id', '=', agent.id)
    .execute();
});
after(() => t.close());

describe('phone channel: staff side', () => {
  test('the screen pop reaches the answering agent’s open page over server-sent events, and nobody else’s', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const cookie = async (who: { email: string }) =>
      [...(await signedIn(t.app, who)).cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const open = async (who: { email: string }) => {
      const controller = new AbortController();
      const response = await fetch(`http://127.0.0.1:${port}/staff/push`, {
        headers: { cookie: await cookie(who), accept: 'text/event-stream' },
        signal: controller.signal,
      });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
      const reader = response.body!.getReader();
      let text = '';
      const until = async (pattern: RegExp, ms: number) => {
        const deadline = Date.now() + ms;
        while (!pattern.test(text) && Date.now() < deadline) {
          const chunk = await Promise.race([
            reader.read(),
            new Promise<null>((resolve) => setTimeout(() => resolve(null), deadline - Date.now())),
          ]);
          if (!chunk || chunk.done) break;
          text += new TextDecoder().decode(chunk.value);
        }
        return text;
      };
      await until(/retry:/, 5_000);
      return { until, close: () => controller.abort() };
    };
    const mine = await open(agent);
    const theirs = await open(colleague);
    try {
      const phone = freshMobile();
      const customer = await buildCustomer(t.database.db, authorityId, {
        givenName: 'Margaret',
        familyName: 'Popped',
        phone,
      });
      await answeredCall(phone, { end: true });
      const seen = await mine.until(/event: call\ndata: .*\n\n/, 5_000);
      assert.match(seen, /"title":"Call from Margaret Popped"/);
      assert.match(seen, new RegExp(`"href":"/staff/customers/${customer.id}\\?call=`));
      assert.doesNotMatch(await theirs.until(/event: call/, 300), /event: call/);
    } finally {
      mine.close();
      theirs.close();
    }
  });

  test('without JavaScript, the current-call bar and the home panel show the call; the wrap-up saves in a few fields', async () => {
    const phone = freshMobile();
    const customer = await buildCustomer(t.database.db, authorityId, {
      givenName: 'Eileen',
      familyName: 'Panel',
      phone,
    });
    const call = await answeredCall(phone, { end: true });
    const browser = await signedIn(t.app, agent);
    const home = await browser.get('/staff');
    assert.match(home.body, /data-testid="current-call-panel"/);
    assert.match(
      home.body,
      new RegExp(`href="/staff/customers/${customer.id}\\?call=${call.id}"[^>]*>Eileen Panel`),
    );
    const record = await browser.get(`/staff/customers/${customer.id}?call=${call.id}`);
    assert.equal(record.statusCode, 200);
    assert.match(record.body, /data-testid="current-call-bar"/);

    // No outcome: one clear error, the other answers kept.
    const wrong = await browser.submit(`/staff/calls/${call.id}`, `/staff/calls/${call.id}/wrap-up`, {
      reason: 'Asked about renewal',
      failureDemand: 'chasing_progress',
    });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /govuk-error-summary/);
    assert.match(wrong.body, /Select what happened on the call/);
    assert.match(wrong.body, /value="Asked about renewal"/);
    assert.match(wrong.body, /value="chasing_progress" checked/);

    const saved = await browser.submit(`/staff/calls/${call.id}`, `/staff/calls/${call.id}/wrap-up`, {
      outcome: 'resolved',
      service: serviceId,
      reason: 'Asked about renewal',
      failureDemand: 'chasing_progress',
    });
    assert.equal(saved.statusCode, 303);
    const interaction = await t.database.db
      .selectFrom('interactions')
      .selectAll()
      .where('id', '=', call.interaction_id!)
      .executeTakeFirstOrThrow();
    assert.equal(interaction.outcome, 'resolved');
    assert.equal(interaction.resolved_at_first_contact, true);
    assert.equal(interaction.service_id, serviceId);
    assert.equal(interaction.failure_demand, 'chasing_progress');
    assert.ok(interaction.wrapped_up_at);
    // Wrapped up: no longer the current call.
    assert.doesNotMatch((await browser.get('/staff')).body, new RegExp(`call=${call.id}`));
    // The call is on the customer's timeline.
    const timeline = await browser.get(`/staff/customers/${customer.id}`);
    assert.match(timeline.body, /Resolved at first contact/);
  });

  test('promising a callback in the wrap-up leads to the callback form', async () => {
    const phone = freshMobile();
    const customer = await buildCustomer(t.database.db, authorityId, { phone });
    const call = await answeredCall(phone, { end: true });
    const browser = await signedIn(t.app, agent);
    const response = await browser.submit(`/staff/calls/${call.id}`, `/staff/calls/${call.id}/wrap-up`, {
      outcome: 'callback',
    });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, `/staff/callbacks/new?call=${call.id}&customer=${customer.id}`);
  });

  test('a shared number offers the customers to choose from; choosing sets the caller', async () => {
    const phone = freshMobile();
    const first = await buildCustomer(t.database.db, authorityId, {
      givenName: 'Gareth',
      familyName: 'Shared',
      phone,
    });
    await buildCustomer(t.database.db, authorityId, { givenName: 'Eileen', familyName: 'Shared', phone });
    const call = await answeredCall(phone);
    const browser = await signedIn(t.app, agent);
    const page = await browser.get(`/staff/calls/${call.id}`);
    assert.match(page.body, /2 customers have 07911/);
    assert.match(page.body, /Gareth Shared/);
    const chosen = await browser.submit(`/staff/calls/${call.id}`, `/staff/calls/${call.id}/customer`, {
      customer: first.id,
    });
    assert.equal(chosen.statusCode, 303);
    const row = await t.database.db
      .selectFrom('calls')
      .selectAll()
      .where('id', '=', call.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.customer_id, first.id);
  });

  test('a caller nobody knows is a new caller, with their number ready for a new record', async () => {
    const phone = freshMobile();
    const call = await answeredCall(phone);
    const browser = await signedIn(t.app, agent);
    const page = await browser.get(`/staff/calls/${call.id}`);
    assert.match(page.body, /data-testid="new-caller"/);
    const add = /href="(\/staff\/customers\/new\?phone=[^"]+)"/.exec(page.body)?.[1];
    assert.ok(add);
    const form = await browser.get(add.replace(/&amp;/g, '&'));
    assert.match(form.body, new RegExp(`value="${phone}"`));
  });

  test('a call that hung up in the queue is on the missed-calls list with its matched customer', async () => {
    const phone = freshMobile();
    await buildCustomer(t.database.db, authorityId, { givenName: 'Tomasz', familyName: 'Missed', phone });
    const callId = uniq('call');
    const now = Date.now();
    await send({
      event: 'newCall',
      callId,
      from: phone,
      direction: 'in',
      queue,
      timestamp: new Date(now).toISOString(),
    });
    await send({ event: 'hangup', callId, cause: 'cancel', timestamp: new Date(now + 45_000).toISOString() });
    const browser = await signedIn(t.app, agent);
    const page = await browser.get('/staff/calls/missed');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Tomasz Missed/);
    assert.match(page.body, /Waiting in the queue/);
  });

  test('agents map their extension to their account; an extension in use is refused', async () => {
    const browser = await signedIn(t.app, colleague);
    const taken = await browser.submit('/staff/phone', '/staff/phone', { extension, login: '' });
    assert.equal(taken.statusCode, 400);
    assert.match(taken.body, /Someone else at your council has this extension/);
    const fine = await browser.submit('/staff/phone', '/staff/phone', {
      extension: '7777',
      login: 'colleague.phone',
    });
    assert.equal(fine.statusCode, 303);
    const row = await t.database.db
      .selectFrom('staff_users')
      .select(['phone_extension', 'phone_login'])
      .where('id', '=', colleague.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { phone_extension: '7777', phone_login: 'colleague.phone' });
  });
});
