/**
 * Feedback after every contact (at most once a fortnight per person), the private feedback link,
 * follow-ups on low scores, "Was this page helpful?", compliments and comments on team pages, "You said,
 * we did" and the feedback report. The clock stands in March 2027 so the scan only meets this file's data.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import { createViews } from '../src/platform/views/index.ts';
import { feedbackReport, requestFeedbackAfterContacts } from '../src/modules/feedback/index.ts';
import { createCase, loadCaseService } from '../src/modules/cases/index.ts';
import { installShippedService } from './builders/services.ts';
import { runOutboxRow } from './support/jobs.ts';
import { buildAuthority, buildService, buildStaff, buildTeam } from './builders/index.ts';
import { buildCase, buildCustomer, buildInteraction, signedIn } from './builders/customers.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2027-03-10T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
});
after(() => t.close());

async function area() {
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id, { name: `Waste ${randomUUID().slice(0, 4)}` });
  const other = await buildTeam(db, authority.id, { name: 'Highways' });
  const service = await buildService(db, authority.id, team.id, { name: 'Report a missed bin' });
  const member = await buildStaff(db, authority.id, { roles: ['officer'], teamIds: [team.id] });
  const leader = await buildStaff(db, authority.id, {
    roles: ['team_leader'],
    teamIds: [team.id],
    leaderOf: [team.id],
  });
  return { authorityId: authority.id, team, other, service, member, leader };
}

type Area = Awaited<ReturnType<typeof area>>;

async function closedCase(a: Area, customerId: string, closedAt: Date) {
  return buildCase(db, {
    authorityId: a.authorityId,
    serviceId: a.service.id,
    teamId: a.team.id,
    customerId,
    closedAt,
    status: 'collected',
  });
}

async function requestsFor(customerId: string) {
  return db
    .selectFrom('feedback_requests')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('created_at')
    .execute();
}

async function feedbackLinkFor(customerId: string): Promise<string> {
  const message = await db
    .selectFrom('messages')
    .select(['body', 'channel'])
    .where('customer_id', '=', customerId)
    .where('dedupe_key', 'like', 'feedback.request:%')
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  const token = /\/feedback\/([A-Za-z0-9_-]+)/.exec(message.body)?.[1];
  assert.ok(token, 'the message holds the link');
  return `/feedback/${token}`;
}

const scan = () =>
  requestFeedbackAfterContacts(db, { now: clock.now(), publicUrl: 'https://frontdoor.example.gov.uk' });

void describe('asking for feedback', () => {
  void test('after a case closes the resident is asked once, on their preferred channel, with a private link', async () => {
    const a = await area();
    const customer = await buildCustomer(db, a.authorityId, {
      phone: '07700 900111',
      email: `${randomUUID().slice(0, 8)}@example.com`,
      preferredChannel: 'sms',
    });
    const kase = await closedCase(a, customer.id, new Date(clock.now().getTime() - 2 * HOUR));
    await scan();
    await scan();
    const requests = await requestsFor(customer.id);
    assert.equal(requests.length, 1);
    assert.equal(requests[0].case_id, kase.id);
    assert.equal(requests[0].team_id, a.team.id);
    const messages = await db
      .selectFrom('messages')
      .select(['channel', 'body', 'recipient'])
      .where('customer_id', '=', customer.id)
      .execute();
    assert.equal(messages.length, 1);
    assert.equal(messages[0].channel, 'sms');
    assert.match(messages[0].body, /https:\/\/frontdoor\.example\.gov\.uk\/feedback\/[A-Za-z0-9_-]{20,}/);
    assert.notEqual(
      requests[0].token_hash,
      /\/feedback\/(\S+)/.exec(messages[0].body)?.[1],
      'only the hash of the token is stored',
    );
  });

  void test('at most once a fortnight per customer', async () => {
    const a = await area();
    const customer = await buildCustomer(db, a.authorityId, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
    });
    await closedCase(a, customer.id, new Date(clock.now().getTime() - 3 * HOUR));
    await scan();
    assert.equal((await requestsFor(customer.id)).length, 1);

    clock.advance(13 * DAY);
    try {
      await closedCase(a, customer.id, new Date(clock.now().getTime() - HOUR));
      await buildInteraction(db, {
        authorityId: a.authorityId,
        customerId: customer.id,
        serviceId: a.service.id,
        occurredAt: clock.now(),
      }).then((i) =>
        db
          .updateTable('interactions')
          .set({ resolved_at_first_contact: true, created_at: clock.now() })
          .where('id', '=', i.id)
          .execute(),
      );
      await scan();
      assert.equal((await requestsFor(customer.id)).length, 1, 'day 13: not asked again');

      clock.advance(1 * DAY + HOUR);
      await closedCase(a, customer.id, new Date(clock.now().getTime() - HOUR));
      await scan();
      assert.equal((await requestsFor(customer.id)).length, 2, 'day 14: asked again');
    } finally {
      clock.set('2027-03-10T10:00:00Z');
    }
  });

  void test('issue 12 item 11: a guest is asked after their request closes, on the contact they gave, at most once a fortnight per contact', async () => {
    const a = await area();
    const email = `guest-${randomUUID().slice(0, 8)}@example.com`;
    // Guests are counted by contact across the whole database: a number no other guest case has.
    const mobile = async (): Promise<string> => {
      const number = `07700 900${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
      const used = await db
        .selectFrom('cases')
        .select('id')
        .where('guest_phone', '=', number)
        .executeTakeFirst();
      return used ? mobile() : number;
    };
    const guestCase = async (contact: { email?: string; phone?: string }) => {
      const stand = await buildCustomer(db, a.authorityId, {});
      const kase = await closedCase(a, stand.id, new Date(clock.now().getTime() - HOUR));
      await db
        .updateTable('cases')
        .set({ customer_id: null, guest_email: contact.email ?? null, guest_phone: contact.phone ?? null })
        .where('id', '=', kase.id)
        .execute();
      return kase;
    };
    const requestOf = (caseId: string) =>
      db.selectFrom('feedback_requests').selectAll().where('case_id', '=', caseId).executeTakeFirst();
    const messageOf = (caseId: string) =>
      db
        .selectFrom('messages')
        .select(['channel', 'recipient', 'body', 'customer_id'])
        .where('case_id', '=', caseId)
        .where('dedupe_key', 'like', 'feedback.request:%')
        .executeTakeFirst();

    const first = await guestCase({ email: email.toUpperCase() });
    await scan();
    const request = await requestOf(first.id);
    assert.ok(request, 'the guest is asked');
    assert.equal(request.customer_id, null);
    const message = await messageOf(first.id);
    assert.equal(message?.channel, 'email');
    assert.equal(message?.recipient, email, 'on the email address they gave');
    assert.equal(message?.customer_id, null);
    assert.doesNotMatch(JSON.stringify(request), new RegExp(email, 'i'), 'the contact itself is not kept');

    // Answering works without a customer record.
    const link = /\/feedback\/[A-Za-z0-9_-]+/.exec(message.body)![0];
    const guest = new Browser(t.app);
    assert.equal((await guest.submit(link, link, { satisfaction: '5', effort: '4' })).statusCode, 303);
    const answer = await db
      .selectFrom('feedback')
      .select(['customer_id', 'case_id'])
      .where('request_id', '=', request.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(answer, { customer_id: null, case_id: first.id });

    const sameEmail = await guestCase({ email, phone: await mobile() });
    const otherPhone = await guestCase({ phone: await mobile() });
    await scan();
    assert.equal(await requestOf(sameEmail.id), undefined, 'not twice in a fortnight on the same email');
    assert.ok(await requestOf(otherPhone.id), 'another contact is asked');
    assert.equal((await messageOf(otherPhone.id))?.channel, 'sms');

    clock.advance(14 * DAY + HOUR);
    try {
      const later = await guestCase({ email });
      await scan();
      assert.ok(await requestOf(later.id), 'asked again after a fortnight');
    } finally {
      clock.set('2027-03-10T10:00:00Z');
    }
  });

  void test('a contact logged as resolved (no case) is followed by a request too', async () => {
    const a = await area();
    const customer = await buildCustomer(db, a.authorityId, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
    });
    const contact = await buildInteraction(db, {
      authorityId: a.authorityId,
      customerId: customer.id,
      serviceId: a.service.id,
      channel: 'phone',
      occurredAt: clock.now(),
    });
    await db
      .updateTable('interactions')
      .set({ resolved_at_first_contact: true, outcome: 'resolved', created_at: clock.now() })
      .where('id', '=', contact.id)
      .execute();
    await scan();
    const [request] = await requestsFor(customer.id);
    assert.equal(request.interaction_id, contact.id);
    assert.equal(request.channel, 'phone');
    assert.equal(request.team_id, a.team.id, 'the team that owns the service');
  });
});

void describe('answering', () => {
  void test('the answer is linked to the case, service, team and channel; a low score opens a follow-up on the team page', async () => {
    const a = await area();
    const customer = await buildCustomer(db, a.authorityId, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
    });
    const kase = await closedCase(a, customer.id, new Date(clock.now().getTime() - HOUR));
    await scan();
    const link = await feedbackLinkFor(customer.id);
    const resident = new Browser(t.app);
    const form = await resident.get(link);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, new RegExp(kase.reference));

    const invalid = await resident.submit(link, link, { comment: 'x' });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /Select how satisfied you were/);

    const sent = await resident.submit(link, link, {
      satisfaction: '2',
      effort: '4',
      comment: 'Took three calls',
    });
    assert.equal(sent.statusCode, 303);
    const thanks = await resident.get(link);
    assert.match(thanks.body, /Thank you for your feedback/);
    const again = await resident.post(link, {
      _csrf: /name="_csrf" value="([^"]+)"/.exec(form.body)![1],
      satisfaction: '5',
      effort: '5',
    });
    assert.equal(again.statusCode, 303);
    const rows = await db.selectFrom('feedback').selectAll().where('customer_id', '=', customer.id).execute();
    assert.equal(rows.length, 1, 'answered once');
    assert.deepEqual(
      {
        case: rows[0].case_id,
        service: rows[0].service_id,
        team: rows[0].team_id,
        channel: rows[0].channel,
        s: rows[0].satisfaction,
        e: rows[0].effort,
      },
      { case: kase.id, service: a.service.id, team: a.team.id, channel: 'phone', s: 2, e: 4 },
    );
    const followUp = await db
      .selectFrom('follow_ups')
      .selectAll()
      .where('feedback_id', '=', rows[0].id)
      .executeTakeFirstOrThrow();
    assert.equal(followUp.status, 'open');
    assert.equal(followUp.case_id, kase.id);

    const staff = await signedIn(t.app, a.member);
    const page = await staff.get(`/staff/feedback/teams/${a.team.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Took three calls/);
    assert.match(page.body, /Low score: satisfaction 2 of 5/);
    const done = await staff.submit(
      `/staff/feedback/teams/${a.team.id}`,
      `/staff/feedback/teams/${a.team.id}/follow-ups/${followUp.id}/done`,
      {},
    );
    assert.equal(done.statusCode, 303);
    assert.equal(
      (
        await db
          .selectFrom('follow_ups')
          .select('status')
          .where('id', '=', followUp.id)
          .executeTakeFirstOrThrow()
      ).status,
      'done',
    );
  });

  void test('a good score opens no follow-up; an expired link is a 404', async () => {
    const a = await area();
    const customer = await buildCustomer(db, a.authorityId, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
    });
    await closedCase(a, customer.id, new Date(clock.now().getTime() - HOUR));
    await scan();
    const link = await feedbackLinkFor(customer.id);
    const resident = new Browser(t.app);
    await resident.submit(link, link, { satisfaction: '5', effort: '5' });
    const [row] = await db
      .selectFrom('feedback')
      .select('id')
      .where('customer_id', '=', customer.id)
      .execute();
    assert.equal(
      await db.selectFrom('follow_ups').select('id').where('feedback_id', '=', row.id).executeTakeFirst(),
      undefined,
    );

    const other = await buildCustomer(db, a.authorityId, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
    });
    await closedCase(a, other.id, new Date(clock.now().getTime() - HOUR));
    await scan();
    const expired = await feedbackLinkFor(other.id);
    clock.advance(31 * DAY);
    try {
      assert.equal((await new Browser(t.app).get(expired)).statusCode, 404);
    } finally {
      clock.set('2027-03-10T10:00:00Z');
    }
    assert.equal((await new Browser(t.app).get('/feedback/not-a-real-token-000000000')).statusCode, 404);
  });

  void test('team pages are for the team and for report readers of the council', async () => {
    const a = await area();
    const outsider = await buildStaff(db, a.authorityId, { roles: ['officer'], teamIds: [a.other.id] });
    assert.equal(
      (await (await signedIn(t.app, outsider)).get(`/staff/feedback/teams/${a.team.id}`)).statusCode,
      404,
    );
    assert.equal(
      (await (await signedIn(t.app, a.leader)).get(`/staff/feedback/teams/${a.team.id}`)).statusCode,
      200,
    );
  });
});

void describe('was this page helpful?', () => {
  void test('the partial posts yes/no with an optional comment, without JavaScript, and returns to the page', async () => {
    const views = createViews([
      join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'modules', 'feedback', 'views'),
    ]);
    const browser = new Browser(t.app);
    const home = await browser.get('/');
    const csrf =
      /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1] ??
      (await browser.get('/staff/sign-in')).body.match(/name="_csrf" value="([^"]+)"/)![1];
    const html = views.render('feedback/partials/page-helpful.njk', {
      csrfToken: csrf,
      currentPath: '/services/report-a-missed-bin',
    });
    assert.match(html, /action="\/feedback\/page"/);
    assert.match(html, /name="helpful" value="no"/);
    assert.match(html, /<legend[^>]*>Was this page helpful\?<\/legend>/);
    const path = /name="path" value="([^"]+)"/.exec(html)![1];
    const comment = `Could not find the date ${randomUUID()}`;
    const res = await browser.post('/feedback/page', { _csrf: csrf, path, helpful: 'no', comment });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/feedback/page/thanks?return=%2Fservices%2Freport-a-missed-bin');
    const thanks = await browser.get(String(res.headers.location));
    assert.match(thanks.body, /href="\/services\/report-a-missed-bin"/);
    const row = await db
      .selectFrom('feedback')
      .selectAll()
      .where('comment', '=', comment)
      .executeTakeFirstOrThrow();
    assert.equal(row.kind, 'page');
    assert.equal(row.helpful, false);
    assert.equal(row.page_path, '/services/report-a-missed-bin');
    const offsite = await browser.post('/feedback/page', {
      _csrf: csrf,
      path: '//evil.example/x',
      helpful: 'yes',
    });
    assert.equal(
      offsite.headers.location,
      '/feedback/page/thanks?return=%2F',
      'never sends people to another site',
    );
  });
});

void describe('was this page helpful? on every resident page', () => {
  void test('the portal layout carries the form after the page body, with one h1, and it round-trips without JavaScript', async () => {
    const browser = new Browser(t.app);
    for (const path of ['/', '/contact', '/you-said-we-did', '/disclosure-log', '/no-such-page']) {
      const page = await browser.get(path);
      assert.match(page.body, /data-testid="page-feedback"/, `${path} carries "Was this page helpful?"`);
      assert.equal(page.body.match(/<h1[\s>]/g)?.length, 1, `${path} keeps one h1`);
      assert.match(page.body, new RegExp(`name="path" value="${path.replace(/\//g, '\\/')}"`));
    }
    const home = await browser.get('/');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.body)![1];
    const res = await browser.post('/feedback/page', { _csrf: csrf, path: '/', helpful: 'yes' });
    assert.equal(res.statusCode, 303);
    const thanks = await browser.get(String(res.headers.location));
    assert.doesNotMatch(thanks.body, /data-testid="page-feedback"/, 'not on its own thank-you page');
  });

  void test('pages whose address holds a private token do not carry it, and such a path is never stored', async () => {
    const a = await area();
    const customer = await buildCustomer(db, a.authorityId, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
    });
    await closedCase(a, customer.id, new Date(clock.now().getTime() - HOUR));
    await scan();
    const link = await feedbackLinkFor(customer.id);
    const browser = new Browser(t.app);
    const form = await browser.get(link);
    assert.equal(form.statusCode, 200);
    assert.doesNotMatch(form.body, /data-testid="page-feedback"/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1];
    const comment = `token page ${randomUUID()}`;
    const res = await browser.post('/feedback/page', { _csrf: csrf, path: link, helpful: 'no', comment });
    assert.equal(res.headers.location, '/feedback/page/thanks?return=%2F');
    const row = await db
      .selectFrom('feedback')
      .select('page_path')
      .where('comment', '=', comment)
      .executeTakeFirstOrThrow();
    assert.equal(row.page_path, '/');
  });
});

void describe('compliments and comments', () => {
  void test('recorded by staff, routed to the team concerned, shown on its page, passed on, and counted in the report', async () => {
    const a = await area();
    const agent = await buildStaff(db, a.authorityId, { roles: ['agent'], teamIds: [a.other.id] });
    const browser = await signedIn(t.app, agent);
    const words = `The crew were so kind ${randomUUID().slice(0, 6)}`;
    const res = await browser.submit('/staff/feedback/compliments/new', '/staff/feedback/compliments/new', {
      kind: 'compliment',
      teamId: a.team.id,
      body: words,
      'receivedOn-day': '9',
      'receivedOn-month': '3',
      'receivedOn-year': '2027',
      channel: 'phone',
    });
    assert.equal(res.statusCode, 303, res.body.slice(0, 400));
    const page = await (await signedIn(t.app, a.member)).get(`/staff/feedback/teams/${a.team.id}`);
    assert.match(page.body, new RegExp(words));
    const comment = await db
      .selectFrom('compliments')
      .select('id')
      .where('body', '=', words)
      .executeTakeFirstOrThrow();

    const report = await feedbackReport(db, {
      from: '2027-03-01',
      to: '2027-03-31',
      authorityIds: [a.authorityId],
    });
    assert.equal(report.teams.find((r) => r.teamId === a.team.id)?.compliments, 1);
    const leader = await signedIn(t.app, a.leader);
    const reportPage = await leader.get('/staff/reports/feedback?from=2027-03-01&to=2027-03-31');
    assert.equal(reportPage.statusCode, 200);

    const member = await signedIn(t.app, a.member);
    const routed = await member.submit(
      `/staff/feedback/teams/${a.team.id}`,
      `/staff/feedback/teams/${a.team.id}/compliments/${comment.id}/route`,
      { toTeamId: a.other.id },
    );
    assert.equal(routed.statusCode, 303);
    assert.equal(
      (
        await db
          .selectFrom('compliments')
          .select('team_id')
          .where('id', '=', comment.id)
          .executeTakeFirstOrThrow()
      ).team_id,
      a.other.id,
    );
  });

  void test('issue 12 item 12: the compliment form offers today as the date received, and an empty date means today', async () => {
    const a = await area();
    const browser = await signedIn(t.app, a.member);
    const form = await browser.get('/staff/feedback/compliments/new');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="receivedOn-day"[^>]*value="10"/);
    assert.match(form.body, /name="receivedOn-month"[^>]*value="3"/);
    assert.match(form.body, /name="receivedOn-year"[^>]*value="2027"/);
    const words = `Left the date empty ${randomUUID().slice(0, 6)}`;
    const res = await browser.submit('/staff/feedback/compliments/new', '/staff/feedback/compliments/new', {
      kind: 'compliment',
      teamId: a.team.id,
      body: words,
      'receivedOn-day': '',
      'receivedOn-month': '',
      'receivedOn-year': '',
      channel: 'phone',
    });
    assert.equal(res.statusCode, 303, res.body.slice(0, 400));
    const row = await db
      .selectFrom('compliments')
      .select('received_on')
      .where('body', '=', words)
      .executeTakeFirstOrThrow();
    assert.equal(String(row.received_on), '2027-03-10');
  });

  void test('a compliment made through the "Give a compliment" form is adopted when the worker runs case.created', async () => {
    const a = await area();
    const installed = await installShippedService(db, {
      authorityId: a.authorityId,
      teamId: a.team.id,
      slug: 'give-a-compliment',
    });
    const customer = await buildCustomer(db, a.authorityId, {});
    const service = (await loadCaseService(db, { id: installed.id }))!;
    const kase = await withTransaction(db, (trx) =>
      createCase(trx, {
        service,
        customerId: customer.id,
        answers: { message: 'Thank you Sam', staffName: 'Sam' },
        formVersion: service.definitionVersion,
        channel: 'web',
        receivedAt: clock.now(),
        idempotencyKey: `test:${randomUUID()}`,
      }),
    );
    const records = () => db.selectFrom('compliments').selectAll().where('case_id', '=', kase.id).execute();
    assert.deepEqual(await records(), [], 'no record before the worker runs');
    await runOutboxRow(db, clock, `case.created:${kase.id}`);
    await runOutboxRow(db, clock, `case.created:${kase.id}`);
    const rows = await records();
    assert.equal(rows.length, 1, 'a retried job adopts nothing twice');
    assert.equal(rows[0].team_id, a.team.id);
    assert.match(rows[0].body, /Thank you Sam/);
    assert.equal(rows[0].customer_id, customer.id);
  });

  void test('issue 12 item 10: a compliment from the web form goes to the team of the service that helped', async () => {
    const a = await area();
    const highways = await buildTeam(db, a.authorityId, { name: 'Highways', code: 'highways' });
    const contactCentre = await buildTeam(db, a.authorityId, {
      name: 'Contact centre',
      code: 'contact-centre',
    });
    const installed = await installShippedService(db, {
      authorityId: a.authorityId,
      teamId: a.team.id,
      slug: 'give-a-compliment',
    });
    const service = (await loadCaseService(db, { id: installed.id }))!;
    const customer = await buildCustomer(db, a.authorityId, {});
    const compliment = async (serviceArea: string) => {
      const kase = await withTransaction(db, (trx) =>
        createCase(trx, {
          service,
          customerId: customer.id,
          answers: { serviceArea, message: `Thanks for ${serviceArea}` },
          formVersion: service.definitionVersion,
          channel: 'web',
          receivedAt: clock.now(),
          idempotencyKey: `test:${randomUUID()}`,
        }),
      );
      await runOutboxRow(db, clock, `case.created:${kase.id}`);
      return db
        .selectFrom('compliments')
        .select('team_id')
        .where('case_id', '=', kase.id)
        .executeTakeFirstOrThrow();
    };
    assert.equal((await compliment('roads')).team_id, highways.id);
    assert.equal((await compliment('contact_centre')).team_id, contactCentre.id);
    assert.equal(
      (await compliment('libraries')).team_id,
      a.team.id,
      'a service with no team of its own stays with the service team',
    );
  });

  void test('the feedback.scan safety net adopts a compliment case made without the event', async () => {
    const a = await area();
    const service = await installShippedService(db, {
      authorityId: a.authorityId,
      teamId: a.team.id,
      slug: 'give-a-compliment',
    });
    const customer = await buildCustomer(db, a.authorityId, {});
    const kase = await buildCase(db, {
      authorityId: a.authorityId,
      serviceId: service.id,
      teamId: a.team.id,
      customerId: customer.id,
    });
    await db
      .updateTable('cases')
      .set({ answers: JSON.stringify({ message: 'Lovely staff' }) })
      .where('id', '=', kase.id)
      .execute();
    await db
      .insertInto('outbox')
      .values({ topic: 'feedback.scan', payload: '{}', dedupe_key: `test:${kase.id}` })
      .execute();
    for (let i = 0; i < 50; i += 1) {
      await runOutboxRow(db, clock, `test:${kase.id}`);
      if (await db.selectFrom('compliments').select('id').where('case_id', '=', kase.id).executeTakeFirst())
        break;
    }
    const row = await db
      .selectFrom('compliments')
      .select('body')
      .where('case_id', '=', kase.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.body, 'Lovely staff');
  });
});

void describe('you said, we did', () => {
  void test('managers publish improvements to the public page; others cannot', async () => {
    const a = await area();
    const leader = await signedIn(t.app, a.leader);
    const youSaid = `Bins were missed on bank holidays ${randomUUID().slice(0, 6)}`;
    const res = await leader.submit('/staff/you-said-we-did', '/staff/you-said-we-did', {
      youSaid,
      weDid: 'We now publish the holiday collection calendar in November.',
      teamId: a.team.id,
    });
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    const page = await new Browser(t.app).get('/you-said-we-did');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(youSaid));
    assert.match(page.body, /We now publish the holiday collection calendar/);
    const officer = await buildStaff(db, a.authorityId, { roles: ['complaints_officer'] });
    assert.equal(
      (await (await signedIn(t.app, officer)).get('/staff/you-said-we-did')).statusCode,
      403,
      'reports:read alone is not enough',
    );
    assert.equal((await (await signedIn(t.app, a.member)).get('/staff/you-said-we-did')).statusCode, 403);
  });
});
