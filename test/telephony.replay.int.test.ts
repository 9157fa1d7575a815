/**
 * Issue 14 acceptance: a realistic day of calls (test/fixtures/telephony/day-of-calls.json: answered,
 * abandoned in the queue, abandoned in the menu, no option chosen, transferred, voicemail, withheld,
 * blocked, a callback request, an outbound call) replayed over HTTP, each call's events in order and the
 * calls all at once (so they are taken in in batches) — JSON and form bodies alternately, every fifth event
 * sent twice at once as a platform's retry would — then wrapped up by the
 * agents through the wrap-up form. The call log and the contact-centre figures must equal the fixture's
 * hand count (made independently in test/telephony.figures.int.test.ts from rows).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildTestApp, type TestApp } from './support/app.ts';
import { openTestDatabase } from './support/db.ts';
import { buildAuthority, buildService, buildStaff, buildTeam } from './builders/index.ts';
import { buildCustomer, signedIn } from './builders/customers.ts';
import { genericSignatureFor } from './support/telephony.ts';
import { TestClock } from '../src/platform/clock.ts';
import type { Database } from '../src/platform/db/index.ts';
import { ensurePhoneQueue } from '../src/modules/telephony/index.ts';

const SECRET = 'replay-telephony-secret-0123456789';

interface Fixture {
  queues: { code: string; authority: 'county' | 'city'; name: string; number: string }[];
  extensions: Record<string, { authority: 'county' | 'city' }>;
  blockedNumbers: { authority: 'county' | 'city'; number: string }[];
  customers: { key: string; authority: 'county' | 'city'; phone: string }[];
  services: { key: string; authority: 'county' | 'city'; name: string }[];
  events: Record<string, unknown>[];
  wrapUps: {
    callId: string;
    at: string;
    outcome: string;
    customer: string | null;
    service: string | null;
    failureDemand: string | null;
  }[];
  otherContacts: { customer: string; service: string; channel: 'web'; at: string }[];
  callbacks: {
    authority: 'county' | 'city';
    source: 'phone' | 'web' | 'staff';
    originCallId?: string;
    due: string;
    status: 'open' | 'kept' | 'not_reached' | 'cancelled';
    completedAt?: string;
    keptOnTime?: boolean;
  }[];
  expected: { totals: Record<string, unknown>; byQueue: Record<string, Record<string, unknown>> };
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/telephony/day-of-calls.json', import.meta.url), 'utf8'),
) as Fixture;
const clock = new TestClock('2026-12-07T08:00:00Z');
let database: Database;
let t: TestApp;
let manager: { email: string };
const agentsById = new Map<string, { email: string }>();

async function send(event: Record<string, unknown>, form: boolean) {
  const payload = form
    ? new URLSearchParams(
        Object.entries(event).flatMap(([k, v]) =>
          Array.isArray(v)
            ? v.length
              ? v.map((item) => [`${k}[]`, String(item)])
              : [[`${k}`, '']]
            : [[k, String(v)]],
        ),
      ).toString()
    : JSON.stringify(event);
  const response = await t.app.inject({
    method: 'POST',
    url: '/telephony/v1/events',
    headers: {
      'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      'x-frontdoor-signature': genericSignatureFor(SECRET, payload),
    },
    payload,
  });
  assert.equal(response.statusCode, 200, `${JSON.stringify(event)}: ${response.body}`);
  return response.json<{ ok?: boolean; duplicate?: boolean; action?: string }>();
}

const callRow = (callId: string) =>
  database.db.selectFrom('calls').selectAll().where('call_id', '=', callId).executeTakeFirstOrThrow();

before(async () => {
  database = await openTestDatabase({ isolated: true });
  t = await buildTestApp({ clock, database, env: { TELEPHONY_SECRET: SECRET } });
  const db = database.db;
  const authorities = {
    county: await buildAuthority(db, { kind: 'county' }),
    city: await buildAuthority(db, { kind: 'city' }),
  };
  const teams = {
    county: await buildTeam(db, authorities.county.id),
    city: await buildTeam(db, authorities.city.id),
  };
  for (const q of fixture.queues)
    await ensurePhoneQueue(db, {
      authorityId: authorities[q.authority].id,
      teamId: teams[q.authority].id,
      code: q.code,
      name: q.name,
      number: q.number,
    });
  for (const [extension, spec] of Object.entries(fixture.extensions)) {
    const agent = await buildStaff(db, authorities[spec.authority].id, {
      teamIds: [teams[spec.authority].id],
    });
    await db
      .updateTable('staff_users')
      .set({ phone_extension: extension })
      .where('id', '=', agent.id)
      .execute();
    agentsById.set(agent.id, agent);
  }
  manager = await buildStaff(db, authorities.county.id, {
    roles: ['team_leader'],
    teamIds: [teams.county.id, teams.city.id],
  });
  for (const b of fixture.blockedNumbers)
    await db
      .insertInto('blocked_numbers')
      .values({ authority_id: authorities[b.authority].id, number: b.number, reason: 'Abusive calls' })
      .execute();
  const customers: Record<string, string> = {};
  for (const c of fixture.customers)
    customers[c.key] = (await buildCustomer(db, authorities[c.authority].id, { phone: c.phone })).id;
  const services: Record<string, string> = {};
  for (const s of fixture.services)
    services[s.key] = (
      await buildService(db, authorities[s.authority].id, teams[s.authority].id, { name: s.name })
    ).id;

  // The day, as the phone platform sends it: each call's events in order, the calls all at once (so events
  // of many calls go in one batch), and every fifth event sent twice at the same moment, as a platform's
  // retry racing the original would be (both in one batch: one is recorded, the other is the duplicate).
  let retries = 0;
  const byCall = new Map<string, { event: Record<string, unknown>; i: number }[]>();
  for (const [i, event] of fixture.events.entries()) {
    const callId = String(event.callId);
    byCall.set(callId, [...(byCall.get(callId) ?? []), { event, i }]);
  }
  await Promise.all(
    [...byCall.values()].map(async (events) => {
      for (const { event, i } of events) {
        if (i % 5 !== 4) {
          const first = await send(event, i % 2 === 1);
          if (first.action !== 'reject') assert.equal(first.duplicate, false);
          continue;
        }
        const both = await Promise.all([send(event, i % 2 === 1), send(event, i % 2 === 0)]);
        if (both[0].action !== 'reject')
          assert.deepEqual(both.map((b) => b.duplicate).sort(), [false, true], 'a retry is recorded once');
        retries++;
      }
    }),
  );
  assert.ok(retries >= 10);

  // The agents wrap up their calls when the fixture says, through the form.
  for (const w of fixture.wrapUps) {
    clock.set(w.at);
    const call = await callRow(w.callId);
    assert.equal(
      call.customer_id,
      w.customer ? customers[w.customer] : null,
      `${w.callId} matched by number`,
    );
    const agent = agentsById.get(call.agent_id!);
    assert.ok(agent, `${w.callId} was answered by a known agent`);
    const browser = await signedIn(t.app, agent);
    const response = await browser.submit(`/staff/calls/${call.id}`, `/staff/calls/${call.id}/wrap-up`, {
      outcome: w.outcome,
      service: w.service ? services[w.service] : '',
      failureDemand: w.failureDemand ?? 'no',
    });
    assert.equal(response.statusCode, 303, response.body);
  }
  // Later contacts (the 7-day repeat rule) and the day's callbacks are not call events.
  for (const o of fixture.otherContacts)
    await db
      .insertInto('interactions')
      .values({
        authority_id: (
          await db
            .selectFrom('customers')
            .select('authority_id')
            .where('id', '=', customers[o.customer])
            .executeTakeFirstOrThrow()
        ).authority_id,
        customer_id: customers[o.customer],
        service_id: services[o.service],
        channel: o.channel,
        occurred_at: o.at,
      })
      .execute();
  for (const [i, c] of fixture.callbacks.entries())
    await db
      .insertInto('callbacks')
      .values({
        authority_id: authorities[c.authority].id,
        phone: `+4479110000${String(i).padStart(2, '0')}`,
        topic: 'Replay',
        source: c.source,
        origin_call_id: c.originCallId ? (await callRow(c.originCallId)).id : null,
        due_at: c.due,
        status: c.status,
        completed_at: c.completedAt ?? null,
        kept_on_time: c.keptOnTime ?? null,
      })
      .execute();
});
after(async () => {
  await t?.close();
  await database?.close();
});

void test('replayed over HTTP, the day’s call log holds each call once with its times, menu, transfers and end', async () => {
  const calls = await database.db.selectFrom('calls').selectAll().orderBy('offered_at').execute();
  const ids = new Set(fixture.events.map((e) => e.callId));
  assert.equal(calls.length, ids.size);
  const events = await database.db.selectFrom('call_events').select('id').execute();
  assert.equal(events.length, fixture.events.length, 'retries are not stored twice');
  const transferred = calls.filter((c) => c.transfers > 0);
  assert.ok(transferred.length >= 1);
  assert.ok(
    calls.some((c) => c.blocked && c.interaction_id === null),
    'the blocked call is not on anyone’s timeline',
  );
  assert.ok(
    calls.some((c) => c.ivr_no_option),
    'a caller who chose no option is counted',
  );
  assert.ok(calls.some((c) => c.direction === 'outbound'));
  for (const c of calls.filter((c) => !c.blocked))
    assert.ok(c.interaction_id, `${c.call_id} is an interaction`);
});

void test('replayed over HTTP, the figures equal the hand count', async () => {
  clock.set('2026-12-16T09:00:00Z');
  const browser = await signedIn(t.app, manager);
  const response = await browser.get(
    '/staff/phone/figures.json?period=custom&from-day=7&from-month=12&from-year=2026&to-day=7&to-month=12&to-year=2026',
  );
  assert.equal(response.statusCode, 200, response.body);
  const report = response.json<{
    totals: Record<string, unknown>;
    byQueue: ({ queue: string | null } & Record<string, unknown>)[];
  }>();
  assert.deepEqual(report.totals, fixture.expected.totals);
  for (const [code, expected] of Object.entries(fixture.expected.byQueue)) {
    const row = report.byQueue.find((q) => q.queue === code || (q as { code?: string }).code === code);
    assert.ok(row, `a row for ${code}`);
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(row[key], value, `${code} ${key}`);
  }
});
