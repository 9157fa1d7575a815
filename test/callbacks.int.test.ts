/**
 * Issue 14, "Callbacks kept": promising a callback (within the service standard, or at an agreed time),
 * attempts from outbound calls (kept on time, kept late, not reached, idempotent per call), reminders to the
 * owner and one escalation to the team leader, residents' requests from the contact page, and the "callbacks
 * kept on time" figure. London is on GMT in December, so London times equal UTC times here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import { normalisePhone } from '../src/platform/contact/index.ts';
import { staffHub, type StaffMessage } from '../src/platform/realtime/index.ts';
import {
  CALLBACKS_SCAN_TOPIC,
  callbacksKept,
  promiseCallback,
  recordCallbackCall,
} from '../src/modules/callbacks/index.ts';
import { jobHandlers } from '../src/worker.ts';
import { buildAuthority, buildStaff, buildTeam, uniq } from './builders/index.ts';
import { buildCustomer, signedIn } from './builders/customers.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-12-24T16:30:00Z');

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
});
after(() => t.close());

async function area() {
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id, { code: 'contact-centre', name: 'Customer contact centre' });
  const agent = await buildStaff(db, authority.id, { roles: ['agent'], teamIds: [team.id], name: 'Agent' });
  const colleague = await buildStaff(db, authority.id, { roles: ['agent'], teamIds: [team.id] });
  const leader = await buildStaff(db, authority.id, {
    roles: ['team_leader'],
    teamIds: [team.id],
    leaderOf: [team.id],
  });
  const phone = `07700 900${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  const customer = await buildCustomer(db, authority.id, {
    givenName: 'Margaret',
    familyName: 'Thompson',
    phone,
  });
  const e164 = normalisePhone(phone)!;
  return { authorityId: authority.id, team, agent, colleague, leader, customer, phone, e164 };
}
type Area = Awaited<ReturnType<typeof area>>;

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)![1];
const tokenOf = (body: string) => /name="formToken" value="([^"]+)"/.exec(body)![1];

async function callRow(a: Area, at: Date) {
  return db
    .insertInto('calls')
    .values({
      authority_id: a.authorityId,
      platform: 'test',
      call_id: uniq('call'),
      direction: 'outbound',
      from_number: '+441632960000',
      to_number: a.e164,
      caller_number: a.e164,
      offered_at: at,
      agent_id: a.agent.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

async function promised(a: Area, dueAt: Date, owner: { ownerId?: string; teamId?: string } = {}) {
  return withTransaction(db, (trx) =>
    promiseCallback(trx, {
      authorityId: a.authorityId,
      customerId: a.customer.id,
      ownerId: owner.teamId ? null : (owner.ownerId ?? a.agent.id),
      teamId: owner.teamId ?? null,
      phone: a.e164,
      topic: 'Blue badge renewal',
      source: 'staff',
      dueAt,
      createdBy: a.agent.id,
      now: clock.now(),
    }),
  );
}

const callbackRow = (id: string) =>
  db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('promising a callback (staff)', () => {
  test('bank-holiday test: promised within 2 working hours at 16:30 on Thu 24 Dec 2026 is due Tue 29 Dec 10:30; a double submit makes one', async () => {
    clock.set('2026-12-24T16:30:00Z');
    const a = await area();
    const browser = await signedIn(t.app, a.agent);
    const form = await browser.get(`/staff/callbacks/new?customer=${a.customer.id}`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Margaret Thompson/);
    assert.match(form.body, new RegExp(`value="${a.phone}"`), 'prefilled with the customer’s number');
    const fields = {
      _csrf: csrfOf(form.body),
      formToken: tokenOf(form.body),
      customer: a.customer.id,
      call: '',
      when: 'standard',
      phone: a.phone,
      topic: 'Blue badge renewal',
      owner: 'me',
    };
    const res = await browser.post('/staff/callbacks/new', fields);
    assert.equal(res.statusCode, 303, res.body);
    const again = await browser.post('/staff/callbacks/new', fields);
    assert.equal(again.headers.location, res.headers.location, 'the same callback');
    const id = /\/staff\/callbacks\/([0-9a-f-]{36})/.exec(String(res.headers.location))![1];
    const row = await callbackRow(id);
    assert.equal(row.due_at.toISOString(), '2026-12-29T10:30:00.000Z');
    assert.equal(row.owner_id, a.agent.id);
    assert.equal(row.phone, a.e164);
    const count = await db
      .selectFrom('callbacks')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('customer_id', '=', a.customer.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1);
    const audit = await db
      .selectFrom('audit_log')
      .select('action')
      .where('record_id', '=', id)
      .where('action', '=', 'callbacks.promised')
      .execute();
    assert.equal(audit.length, 1);

    const page = await browser.get(String(res.headers.location));
    assert.match(page.body, /Callback promised/);
    const mine = await browser.get('/staff/callbacks?view=mine');
    assert.match(mine.body, new RegExp(`/staff/callbacks/${id}`));
    assert.match(mine.body, /Blue badge renewal/);
  });

  test('an agreed time must be in the future, on a working day within office hours; errors keep the answers', async () => {
    clock.set('2026-12-29T09:15:00Z');
    const a = await area();
    const browser = await signedIn(t.app, a.agent);
    const form = await browser.get(`/staff/callbacks/new?customer=${a.customer.id}`);
    const base = {
      _csrf: csrfOf(form.body),
      formToken: tokenOf(form.body),
      customer: a.customer.id,
      when: 'agreed',
      phone: a.phone,
      topic: 'Council tax question',
      owner: 'me',
    };
    const at = (day: string, month: string, time: string) => ({
      ...base,
      'agreedDate-day': day,
      'agreedDate-month': month,
      'agreedDate-year': '2026',
      agreedTime: time,
    });
    const past = await browser.post('/staff/callbacks/new', at('28', '12', '10:00'));
    assert.equal(past.statusCode, 400);
    assert.match(past.body, /There is a problem/);
    assert.match(past.body, /The agreed time must be in the future/);
    assert.match(past.body, /Council tax question/, 'answers kept');
    const late = await browser.post('/staff/callbacks/new', at('29', '12', '18:30'));
    assert.match(late.body, /must be on a working day between 09:00 and 17:00/);
    const holiday = await browser.post('/staff/callbacks/new', at('1', '1', '10:00'));
    assert.equal(holiday.statusCode, 400);
    const noTime = await browser.post('/staff/callbacks/new', at('30', '12', ''));
    assert.match(noTime.body, /Enter the time, like 14:00/);
    const ok = await browser.post('/staff/callbacks/new', at('30', '12', '14:00'));
    assert.equal(ok.statusCode, 303, ok.body);
    const id = /\/staff\/callbacks\/([0-9a-f-]{36})/.exec(String(ok.headers.location))![1];
    assert.equal((await callbackRow(id)).due_at.toISOString(), '2026-12-30T14:00:00.000Z');
  });
});

describe('attempts from outbound calls (recordCallbackCall)', () => {
  test('answered at or before the due time: kept on time, the call linked; the same call again changes nothing', async () => {
    clock.set('2027-01-05T10:00:00Z');
    const a = await area();
    const cb = await promised(a, new Date('2027-01-05T14:00:00Z'));
    const call = await callRow(a, new Date('2027-01-05T13:55:00Z'));
    const input = {
      authorityId: a.authorityId,
      callRowId: call.id,
      phone: a.e164,
      staffId: a.agent.id,
      at: new Date('2027-01-05T13:56:00Z'),
      answered: true,
    };
    assert.equal(await withTransaction(db, (trx) => recordCallbackCall(trx, input)), cb.id);
    assert.equal(await withTransaction(db, (trx) => recordCallbackCall(trx, input)), cb.id);
    const row = await callbackRow(cb.id);
    assert.equal(row.status, 'kept');
    assert.equal(row.kept_on_time, true);
    assert.equal(row.attempts, 1);
    const linked = await db
      .selectFrom('calls')
      .select('callback_id')
      .where('id', '=', call.id)
      .executeTakeFirstOrThrow();
    assert.equal(linked.callback_id, cb.id);

    const browser = await signedIn(t.app, a.agent);
    const page = await browser.get(`/staff/callbacks/${cb.id}`);
    assert.match(page.body, /Kept/);
    assert.match(
      page.body,
      new RegExp(
        `Call ${(await db.selectFrom('calls').select('call_id').where('id', '=', call.id).executeTakeFirstOrThrow()).call_id}`,
      ),
    );
  });

  test('answered after the due time: kept, not on time; a number with no open callback gives null', async () => {
    const a = await area();
    const cb = await promised(a, new Date('2027-01-05T14:00:00Z'));
    const call = await callRow(a, new Date('2027-01-05T14:20:00Z'));
    const id = await withTransaction(db, (trx) =>
      recordCallbackCall(trx, {
        authorityId: a.authorityId,
        callRowId: call.id,
        phone: a.e164,
        staffId: a.agent.id,
        at: new Date('2027-01-05T14:21:00Z'),
        answered: true,
      }),
    );
    assert.equal(id, cb.id);
    const row = await callbackRow(cb.id);
    assert.equal(row.status, 'kept');
    assert.equal(row.kept_on_time, false);
    const other = await callRow(a, new Date('2027-01-05T15:00:00Z'));
    const none = await withTransaction(db, (trx) =>
      recordCallbackCall(trx, {
        authorityId: a.authorityId,
        callRowId: other.id,
        phone: '+441632960999',
        staffId: a.agent.id,
        at: new Date('2027-01-05T15:00:00Z'),
        answered: true,
      }),
    );
    assert.equal(none, null);
  });

  test('after the maximum failed attempts (3) the callback is not reached; each failure spaces the next try', async () => {
    const a = await area();
    const cb = await promised(a, new Date('2027-01-05T14:00:00Z'));
    const times = ['2027-01-05T13:00:00Z', '2027-01-05T13:30:00Z', '2027-01-05T14:00:00Z'];
    for (const [i, at] of times.entries()) {
      const call = await callRow(a, new Date(at));
      await withTransaction(db, (trx) =>
        recordCallbackCall(trx, {
          authorityId: a.authorityId,
          callRowId: call.id,
          phone: a.e164,
          staffId: a.agent.id,
          at: new Date(at),
          answered: false,
          cause: i === 1 ? 'busy' : 'no-answer',
        }),
      );
      const row = await callbackRow(cb.id);
      if (i < 2) {
        assert.equal(row.status, 'open');
        assert.equal(
          row.next_attempt_at?.toISOString(),
          new Date(Date.parse(at) + 30 * 60_000).toISOString(),
        );
      } else {
        assert.equal(row.status, 'not_reached');
        assert.equal(row.attempts, 3);
      }
    }
    const outcomes = await db
      .selectFrom('callback_attempts')
      .select('outcome')
      .where('callback_id', '=', cb.id)
      .orderBy('at')
      .execute();
    assert.deepEqual(
      outcomes.map((o) => o.outcome),
      ['no_answer', 'busy', 'no_answer'],
    );
  });

  test('"Record an attempt" by hand: answered keeps it; a closed callback refuses more attempts', async () => {
    clock.set('2027-01-06T10:00:00Z');
    const a = await area();
    const cb = await promised(a, new Date('2027-01-06T12:00:00Z'));
    const browser = await signedIn(t.app, a.agent);
    const page = await browser.get(`/staff/callbacks/${cb.id}`);
    const empty = await browser.post(`/staff/callbacks/${cb.id}/attempts`, { _csrf: csrfOf(page.body) });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Choose what happened/);
    const res = await browser.post(`/staff/callbacks/${cb.id}/attempts`, {
      _csrf: csrfOf(page.body),
      outcome: 'answered',
      note: 'Sorted',
    });
    assert.equal(res.statusCode, 303);
    const row = await callbackRow(cb.id);
    assert.equal(row.status, 'kept');
    assert.equal(row.kept_on_time, true);
    const more = await browser.post(`/staff/callbacks/${cb.id}/attempts`, {
      _csrf: csrfOf(page.body),
      outcome: 'busy',
    });
    assert.equal(more.statusCode, 422);
  });
  test('"Cancel" needs a reason; staff of another council get a 404', async () => {
    const a = await area();
    const cb = await promised(a, new Date('2027-01-06T15:00:00Z'));
    const browser = await signedIn(t.app, a.agent);
    const page = await browser.get(`/staff/callbacks/${cb.id}`);
    const empty = await browser.post(`/staff/callbacks/${cb.id}/cancel`, {
      _csrf: csrfOf(page.body),
      reason: '',
    });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Enter why the callback is cancelled/);
    const res = await browser.post(`/staff/callbacks/${cb.id}/cancel`, {
      _csrf: csrfOf(page.body),
      reason: 'Resident emailed instead',
    });
    assert.equal(res.statusCode, 303);
    assert.equal((await callbackRow(cb.id)).status, 'cancelled');

    const elsewhere = await buildAuthority(db);
    const outsider = await buildStaff(db, elsewhere.id, { roles: ['agent'] });
    const other = await signedIn(t.app, outsider);
    assert.equal((await other.get(`/staff/callbacks/${cb.id}`)).statusCode, 404);
  });
});

describe('reminders and escalation (callbacks.scan)', () => {
  const scan = () =>
    jobHandlers({ db, clock, sessionIdleMinutes: 30 })[CALLBACKS_SCAN_TOPIC]({
      id: 0,
      topic: CALLBACKS_SCAN_TOPIC,
      payload: {},
      attempts: 1,
    } as never);
  const inbox = (staffId: string) => {
    const got: StaffMessage[] = [];
    const stop = staffHub.subscribe(staffId, (m) => got.push(m));
    return { got, stop };
  };

  test('the owner is reminded once before the callback is due; a team-owned one reminds the team', async () => {
    clock.set('2027-02-01T13:00:00Z');
    const a = await area();
    const cb = await promised(a, new Date('2027-02-01T14:00:00Z'));
    const teamCb = await promised(a, new Date('2027-02-01T14:05:00Z'), { teamId: a.team.id });
    const owner = inbox(a.agent.id);
    const colleague = inbox(a.colleague.id);
    try {
      await scan();
      assert.equal(owner.got.length, 0, 'not yet: more than 15 minutes before');
      clock.set('2027-02-01T13:50:00Z');
      await scan();
      await scan();
      const reminders = owner.got.filter((m) => m.kind === 'callback_reminder');
      assert.deepEqual(
        reminders.map((m) => m.href).sort(),
        [`/staff/callbacks/${cb.id}`, `/staff/callbacks/${teamCb.id}`].sort(),
      );
      assert.match(reminders[0].title, /Margaret Thompson/);
      assert.deepEqual(
        colleague.got.map((m) => m.href),
        [`/staff/callbacks/${teamCb.id}`],
      );
      // The no-JavaScript twin: the staff home's panel.
      const browser = await signedIn(t.app, a.agent);
      const home = await browser.get('/staff');
      assert.match(home.body, /Callbacks due/);
      assert.match(home.body, new RegExp(`/staff/callbacks/${cb.id}`));
    } finally {
      owner.stop();
      colleague.stop();
    }
  });

  test('an overdue callback escalates to the team leader once', async () => {
    clock.set('2027-02-02T13:00:00Z');
    const a = await area();
    const cb = await promised(a, new Date('2027-02-02T13:30:00Z'));
    const leader = inbox(a.leader.id);
    const colleague = inbox(a.colleague.id);
    try {
      clock.set('2027-02-02T13:31:00Z');
      await scan();
      clock.set('2027-02-02T14:31:00Z');
      await scan();
      const escalations = leader.got.filter((m) => m.kind === 'callback_overdue');
      assert.deepEqual(
        escalations.map((m) => m.href),
        [`/staff/callbacks/${cb.id}`],
      );
      assert.equal(colleague.got.length, 0);
      assert.ok((await callbackRow(cb.id)).escalated_at);
    } finally {
      leader.stop();
      colleague.stop();
    }
  });
});

describe('asking for a callback on the portal', () => {
  test('the request lands in the council’s callback list, matched to the customer; a retry makes no second one', async () => {
    clock.set('2027-03-01T09:30:00Z'); // a Monday
    const a = await area();
    const browser = new Browser(t.app);
    const contact = await browser.get('/contact');
    assert.match(contact.body, /href="\/contact\/callback"/);
    const form = await browser.get('/contact/callback');
    assert.equal(form.statusCode, 200);
    const fields = {
      _csrf: csrfOf(form.body),
      formToken: tokenOf(form.body),
      council: a.authorityId,
      name: 'Margaret Thompson',
      phone: a.phone,
      bestTime: 'afternoon',
      topic: 'My bin was not collected',
    };
    const res = await browser.post('/contact/callback', fields);
    assert.equal(res.statusCode, 303, res.body);
    const retry = await browser.post('/contact/callback', fields);
    assert.equal(retry.headers.location, res.headers.location);
    const id = /\/contact\/callback\/([0-9a-f-]{36})/.exec(String(res.headers.location))![1];
    const row = await callbackRow(id);
    assert.equal(row.team_id, a.team.id);
    assert.equal(row.customer_id, a.customer.id);
    assert.equal(row.source, 'web');
    // Within 2 working hours is 11:30, before the afternoon starts: counted from 12:00 instead, 14:00.
    assert.equal(row.due_at.toISOString(), '2027-03-01T14:00:00.000Z');
    const confirmation = await browser.get(String(res.headers.location));
    assert.match(confirmation.body, /Monday 1 March 2027 at 14:00/);

    const staff = await signedIn(t.app, a.colleague);
    const list = await staff.get('/staff/callbacks?view=teams');
    assert.match(list.body, new RegExp(`/staff/callbacks/${id}`));
  });

  test('errors are shown with the answers kept', async () => {
    const browser = new Browser(t.app);
    const form = await browser.get('/contact/callback');
    const res = await browser.post('/contact/callback', {
      _csrf: csrfOf(form.body),
      formToken: tokenOf(form.body),
      name: 'Sam Example',
      phone: '12345',
      topic: '',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /There is a problem/);
    assert.match(res.body, /Choose which council you would like to talk to/);
    assert.match(res.body, /Enter a UK phone number/);
    assert.match(res.body, /Choose the best time to call you/);
    assert.match(res.body, /Enter what you would like to talk about/);
    assert.match(res.body, /value="Sam Example"/);
  });
});

test('"Callbacks kept on time" counts callbacks due in the period, cancelled ones left out', async () => {
  clock.set('2027-04-01T09:00:00Z');
  const a = await area();
  const onTime = await promised(a, new Date('2027-04-05T10:00:00Z'));
  await promised(a, new Date('2027-04-05T11:00:00Z'));
  await promised(a, new Date('2027-04-12T11:00:00Z'));
  const call = await callRow(a, new Date('2027-04-05T09:30:00Z'));
  await withTransaction(db, (trx) =>
    recordCallbackCall(trx, {
      authorityId: a.authorityId,
      callRowId: call.id,
      phone: a.e164,
      staffId: a.agent.id,
      at: new Date('2027-04-05T09:30:00Z'),
      answered: true,
    }),
  );
  assert.equal((await callbackRow(onTime.id)).status, 'kept');
  const figures = await callbacksKept(db, {
    authorityIds: [a.authorityId],
    from: new Date('2027-04-05T00:00:00Z'),
    to: new Date('2027-04-06T00:00:00Z'),
  });
  assert.deepEqual(figures, { due: 2, kept: 1, keptOnTime: 1, notReached: 0, open: 1 });
});
