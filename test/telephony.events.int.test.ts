/**
 * Issue 14, item 1 and 2: call events in over HTTP (JSON and form bodies, generic HMAC and Twilio
 * signatures), idempotent and order-tolerant, blocked numbers rejected, callers matched by number and the
 * screen pop pushed to the answering agent only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import twilio from 'twilio';
import { buildTestApp, type TestApp } from './support/app.ts';
import { buildAuthority, buildStaff, buildTeam, uniq } from './builders/index.ts';
import { buildCustomer } from './builders/customers.ts';
import { ensurePhoneQueue } from '../src/modules/telephony/index.ts';
import { freshMobile, genericSignatureFor } from './support/telephony.ts';
import { staffHub, type StaffMessage } from '../src/platform/realtime/index.ts';

const SECRET = 'test-telephony-secret-0123456789';
const TWILIO_TOKEN = 'twilio-auth-token-for-tests';
const PUBLIC_URL = 'https://frontdoor.example.gov.uk';

let t: TestApp;
let queue: string;
let authorityId: string;
let agent: { id: string };
let other: { id: string };
const extension = String(randomInt(10_000, 99_999));

function e164(national: string): string {
  return `+44${national.replace(/\s/g, '').slice(1)}`;
}

async function post(body: Record<string, unknown>, options: { form?: boolean; signature?: string } = {}) {
  const payload = options.form
    ? new URLSearchParams(
        Object.entries(body).flatMap(([k, v]) =>
          Array.isArray(v) ? v.map((item) => [`${k}[]`, String(item)]) : [[k, String(v)]],
        ),
      ).toString()
    : JSON.stringify(body);
  return t.app.inject({
    method: 'POST',
    url: '/telephony/v1/events',
    headers: {
      'content-type': options.form ? 'application/x-www-form-urlencoded' : 'application/json',
      'x-frontdoor-signature': options.signature ?? genericSignatureFor(SECRET, payload),
    },
    payload,
  });
}

async function callRow(callId: string) {
  return t.database.db
    .selectFrom('calls')
    .selectAll()
    .where('platform', '=', 'default')
    .where('call_id', '=', callId)
    .executeTakeFirstOrThrow();
}

function at(minute: number, second = 0): string {
  return new Date(Date.UTC(2026, 11, 8, 10, minute, second)).toISOString();
}

before(async () => {
  t = await buildTestApp({
    env: { TELEPHONY_SECRET: SECRET, TELEPHONY_TWILIO_AUTH_TOKEN: TWILIO_TOKEN, PUBLIC_URL },
  });
  const db = t.database.db;
  const authority = await buildAuthority(db);
  authorityId = authority.id;
  const team = await buildTeam(db, authority.id);
  queue = uniq('queue');
  await ensurePhoneQueue(db, { authorityId, teamId: team.id, code: queue, name: 'Main line' });
  agent = await buildStaff(db, authorityId, { teamIds: [team.id] });
  other = await buildStaff(db, authorityId, { teamIds: [team.id] });
  await db
    .updateTable('staff_users')
    .set({ phone_extension: extension })
    .where('id', '=', agent.id)
    .execute();
});
after(() => t.close());

describe('telephony events', () => {
  test('an answered call (JSON) is logged with its times, matched to its caller, and popped to the answering agent only', async () => {
    const phone = freshMobile();
    const customer = await buildCustomer(t.database.db, authorityId, { givenName: 'Margaret', phone });
    const callId = uniq('call');
    const popped: StaffMessage[] = [];
    const elsewhere: StaffMessage[] = [];
    const stop = [
      staffHub.subscribe(agent.id, (m) => popped.push(m)),
      staffHub.subscribe(other.id, (m) => elsewhere.push(m)),
    ];
    try {
      for (const event of [
        {
          event: 'newCall',
          callId,
          from: phone,
          to: '01632 960000',
          direction: 'in',
          queue,
          timestamp: at(0),
        },
        { event: 'ringing', callId, extension, timestamp: at(0, 12) },
        { event: 'answer', callId, extension, timestamp: at(0, 15) },
        { event: 'hold', callId, timestamp: at(2), eventId: 'h1' },
        { event: 'unhold', callId, timestamp: at(2, 30), eventId: 'u1' },
        { event: 'hangup', callId, cause: 'normalClearing', timestamp: at(5) },
      ]) {
        const response = await post(event);
        assert.equal(response.statusCode, 200, response.body);
        assert.deepEqual(response.json(), { ok: true, duplicate: false });
      }
    } finally {
      for (const s of stop) s();
    }
    const call = await callRow(callId);
    assert.equal(call.caller_number, e164(phone));
    assert.equal(call.customer_id, customer.id);
    assert.equal(call.match_count, 1);
    assert.equal(call.agent_id, agent.id);
    assert.equal(call.queued_at?.toISOString(), at(0));
    assert.equal(call.answered_at?.toISOString(), at(0, 15));
    assert.equal(call.ended_at?.toISOString(), at(5));
    assert.equal(call.hold_seconds, 30);
    const interaction = await t.database.db
      .selectFrom('interactions')
      .selectAll()
      .where('id', '=', call.interaction_id!)
      .executeTakeFirstOrThrow();
    assert.equal(interaction.channel, 'phone');
    assert.equal(interaction.customer_id, customer.id);
    assert.equal(interaction.agent_id, agent.id);
    assert.equal(interaction.answered_at?.toISOString(), at(0, 15));
    assert.equal(popped.length, 1);
    assert.equal(popped[0].href, `/staff/customers/${customer.id}?call=${call.id}`);
    assert.match(popped[0].title, /Margaret/);
    assert.equal(elsewhere.length, 0);
  });

  test('form bodies are understood, path[] included', async () => {
    const callId = uniq('call');
    for (const event of [
      {
        event: 'newCall',
        callId,
        from: freshMobile(),
        to: '01632 960000',
        direction: 'in',
        timestamp: at(10),
      },
      { event: 'ivr', callId, path: ['2', '1'], queue, timestamp: at(10, 20) },
      { event: 'hangup', callId, cause: 'cancel', timestamp: at(11) },
    ]) {
      const response = await post(event, { form: true });
      assert.equal(response.statusCode, 200, response.body);
    }
    const call = await callRow(callId);
    assert.deepEqual(call.ivr_path, ['2', '1']);
    assert.equal(call.queued_at?.toISOString(), at(10, 20));
    assert.equal(call.hangup_cause, 'cancel');
    assert.equal(call.answered_at, null);
  });

  test('a bad or missing signature is refused and changes nothing', async () => {
    const callId = uniq('call');
    const body = { event: 'newCall', callId, from: freshMobile(), direction: 'in', queue };
    assert.equal((await post(body, { signature: 'sha256=00' })).statusCode, 401);
    assert.equal(
      (
        await post(body, {
          signature: genericSignatureFor('another-secret-0123456789', JSON.stringify(body)),
        })
      ).statusCode,
      401,
    );
    const unsigned = await t.app.inject({
      method: 'POST',
      url: '/telephony/v1/events',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    assert.equal(unsigned.statusCode, 401);
    const rows = await t.database.db.selectFrom('calls').select('id').where('call_id', '=', callId).execute();
    assert.equal(rows.length, 0);
  });

  test('a retried event is recorded once; events in any order make the same call', async () => {
    const callId = uniq('call');
    const phone = freshMobile();
    const newCall = { event: 'newCall', callId, from: phone, direction: 'in', queue, timestamp: at(20) };
    // The answer and the hangup arrive before the newCall; then everything is sent again.
    const events = [
      { event: 'answer', callId, extension, timestamp: at(20, 40) },
      { event: 'hangup', callId, cause: 'normalClearing', timestamp: at(23) },
      newCall,
    ];
    for (const event of events)
      assert.equal((await post(event)).json<{ duplicate: boolean }>().duplicate, false);
    for (const event of events)
      assert.equal((await post(event)).json<{ duplicate: boolean }>().duplicate, true);
    const call = await callRow(callId);
    assert.equal(call.offered_at.toISOString(), at(20));
    assert.equal(call.queued_at?.toISOString(), at(20));
    assert.equal(call.answered_at?.toISOString(), at(20, 40));
    assert.equal(call.ended_at?.toISOString(), at(23));
    assert.equal(call.caller_number, e164(phone));
    const stored = await t.database.db
      .selectFrom('call_events')
      .select('id')
      .where('call_row_id', '=', call.id)
      .execute();
    assert.equal(stored.length, 3);
    const interactions = await t.database.db
      .selectFrom('interactions')
      .select('id')
      .where('id', '=', call.interaction_id!)
      .execute();
    assert.equal(interactions.length, 1);

    // A hangup with no other event still makes a (missed) call.
    const lonely = uniq('call');
    assert.equal(
      (await post({ event: 'hangup', callId: lonely, cause: 'noAnswer', timestamp: at(30) })).statusCode,
      200,
    );
    assert.equal((await callRow(lonely)).ended_at?.toISOString(), at(30));
  });

  test('a withheld number matches nobody; a shared number offers a short list', async () => {
    const withheld = uniq('call');
    const popped: StaffMessage[] = [];
    const stop = staffHub.subscribe(agent.id, (m) => popped.push(m));
    try {
      await post({
        event: 'newCall',
        callId: withheld,
        from: 'anonymous',
        direction: 'in',
        queue,
        timestamp: at(40),
      });
      await post({ event: 'answer', callId: withheld, extension, timestamp: at(40, 5) });
      const shared = freshMobile();
      await buildCustomer(t.database.db, authorityId, { phone: shared });
      await buildCustomer(t.database.db, authorityId, { phone: shared });
      const household = uniq('call');
      await post({
        event: 'newCall',
        callId: household,
        from: shared,
        direction: 'in',
        queue,
        timestamp: at(41),
      });
      await post({ event: 'answer', callId: household, extension, timestamp: at(41, 5) });
      const call = await callRow(household);
      assert.equal(call.match_count, 2);
      assert.equal(call.customer_id, null);
      assert.equal(popped[1].href, `/staff/calls/${call.id}`);
    } finally {
      stop();
    }
    const call = await callRow(withheld);
    assert.equal(call.caller_number, null);
    assert.equal(call.match_count, 0);
    assert.equal(popped[0].title, 'Call from a withheld number');
  });

  test('a blocked number is told to be rejected, on a retry too', async () => {
    const phone = freshMobile();
    await t.database.db
      .insertInto('blocked_numbers')
      .values({ authority_id: authorityId, number: e164(phone), reason: 'Abusive calls' })
      .execute();
    const callId = uniq('call');
    const body = { event: 'newCall', callId, from: phone, direction: 'in', queue, timestamp: at(50) };
    assert.deepEqual((await post(body)).json(), { action: 'reject' });
    assert.deepEqual((await post(body)).json(), { action: 'reject' });
    const call = await callRow(callId);
    assert.equal(call.blocked, true);
    assert.equal(call.interaction_id, null);
  });

  test('unknown events, causes and directions are refused with what is wrong', async () => {
    const response = await post({ event: 'explode', callId: 'x' });
    assert.equal(response.statusCode, 400);
    assert.match(response.json<{ error: string }>().error, /event must be one of/);
    assert.equal(
      (await post({ event: 'hangup', callId: 'x', cause: 'boredom' })).json<{ field: string }>().field,
      'cause',
    );
    assert.equal((await post({ event: 'newCall' })).json<{ field: string }>().field, 'callId');
  });

  test('Twilio webhooks are verified with X-Twilio-Signature (the twilio helper computes it)', async () => {
    const callSid = `CA${uniq('').replace(/-/g, '')}`;
    const url = `${PUBLIC_URL}/telephony/v1/events?queue=${queue}&extension=${extension}`;
    const send = async (params: Record<string, string>, token = TWILIO_TOKEN) => {
      const signature = twilio.getExpectedTwilioSignature(token, url, params);
      assert.ok(twilio.validateRequest(token, signature, url, params));
      return t.app.inject({
        method: 'POST',
        url: `/telephony/v1/events?queue=${queue}&extension=${extension}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        payload: new URLSearchParams(params).toString(),
      });
    };
    const base = {
      CallSid: callSid,
      From: '+447911123456',
      To: '+441632960000',
      Direction: 'inbound',
      AccountSid: 'AC1',
    };
    const ringing = await send({
      ...base,
      CallStatus: 'ringing',
      Timestamp: 'Tue, 08 Dec 2026 11:00:00 +0000',
    });
    assert.equal(ringing.statusCode, 200, ringing.body);
    assert.equal(ringing.body, '<Response/>');
    await send({ ...base, CallStatus: 'in-progress', Timestamp: 'Tue, 08 Dec 2026 11:00:09 +0000' });
    await send({
      ...base,
      CallStatus: 'completed',
      CallDuration: '60',
      Timestamp: 'Tue, 08 Dec 2026 11:01:09 +0000',
    });
    const forged = await send({ ...base, CallStatus: 'completed' }, 'not-the-token');
    assert.equal(forged.statusCode, 401);
    const call = await t.database.db
      .selectFrom('calls')
      .selectAll()
      .where('platform', '=', 'twilio')
      .where('call_id', '=', callSid)
      .executeTakeFirstOrThrow();
    assert.equal(call.agent_id, agent.id);
    assert.equal(call.answered_at?.toISOString(), '2026-12-08T11:00:09.000Z');
    assert.equal(call.ended_at?.toISOString(), '2026-12-08T11:01:09.000Z');
    assert.equal(call.queue_code, queue);
  });
});
