/**
 * Issue 13 (items 3 and 5), the staff side of the email channel through the real app: the triage queue,
 * one email and its three actions (add to a case, make a new case, no action), the original download and
 * the case page's email thread. Emails arrive through `ingestEmail` with raw messages built here; each
 * test has its own council, mailbox and people.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TestClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/index.ts';
import { getCaseTimeline } from '../src/modules/cases/index.ts';
import { ensureMailbox, ingestEmail, type IngestDeps } from '../src/modules/email/index.ts';
import { buildTestApp, type Browser, type TestApp } from './support/app.ts';
import { buildAuthority, buildStaff, uniq } from './builders/index.ts';
import { buildCase, buildCustomer, randomReference, signedIn } from './builders/customers.ts';
import { buildTeamRunning } from './builders/services.ts';

const RECEIVED = new Date('2026-12-07T16:30:00Z');
const clock = new TestClock('2026-12-07T17:00:00Z');
let t: TestApp;
let db: Db;
let deps: IngestDeps;

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  deps = { db, clock, settings: { replySecret: null, ownDomains: ['mail.frontdoor.example.gov.uk'] } };
});
after(() => t.close());

/** A raw message as a mail client sends it. */
function rawEmail(o: { from: string; to: string; subject: string; body: string }): Buffer {
  return Buffer.from(
    [
      `From: ${o.from}`,
      `To: ${o.to}`,
      `Subject: ${o.subject}`,
      `Message-ID: <${randomUUID()}@client.example.net>`,
      'Date: Mon, 07 Dec 2026 16:29:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      o.body,
      '',
    ].join('\r\n'),
  );
}

/** A council with a highways team (road reports, FOI), a mailbox with no default service, an officer, a case. */
async function world() {
  const authority = await buildAuthority(db);
  const { teamId, services } = await buildTeamRunning(db, authority.id, 'Highways', [
    'report-a-road-problem',
    'freedom-of-information-request',
  ]);
  const officer = await buildStaff(db, authority.id, { teamIds: [teamId], roles: ['officer'] });
  const jo = `jo.${uniq('r')}@example.com`;
  const customer = await buildCustomer(db, authority.id, {
    givenName: 'Jo',
    familyName: 'Bloggs',
    email: jo,
  });
  const kase = await buildCase(db, {
    authorityId: authority.id,
    serviceId: services[0].id,
    teamId,
    customerId: customer.id,
    reference: randomReference(),
  });
  const mailbox = `highways-${uniq('mb')}@council.example.gov.uk`;
  const mailboxId = await ensureMailbox(db, {
    authorityId: authority.id,
    teamId,
    address: mailbox,
    name: 'Highways',
  });
  /** An email from a stranger (not on the case) quoting the case reference: triage, reason not-a-party. */
  const strangerAboutCase = async (body = 'The pothole outside number 4 is getting worse.') =>
    (
      await ingestEmail(deps, {
        raw: rawEmail({
          from: `Sam Neighbour <sam.${uniq('n')}@example.org>`,
          to: mailbox,
          subject: `Pothole [Ref: ${kase.reference}]`,
          body: `${body}\n\nOn Monday the council wrote:\n> We have your report`,
        }),
        receivedAt: RECEIVED,
        mailboxId,
      })
    ).emailId;
  /** An email from an unknown sender about something new: triage, reason unknown-sender. */
  const unknownSender = async (from = `Alex Smith <alex.${uniq('u')}@example.org>`) =>
    (
      await ingestEmail(deps, {
        raw: rawEmail({
          from,
          to: mailbox,
          subject: 'Streetlight out',
          body: 'The streetlight on Elm Road is out.',
        }),
        receivedAt: RECEIVED,
        mailboxId,
      })
    ).emailId;
  return { authority, teamId, services, officer, customer, kase, mailbox, strangerAboutCase, unknownSender };
}

const stateOf = (id: string) =>
  db.selectFrom('emails').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** Posts a form of the email page with the CSRF token of the page the browser last fetched. */
async function post(browser: Browser, emailId: string, action: string, fields: Record<string, string>) {
  return browser.submit(`/staff/email/${emailId}`, `/staff/email/${emailId}/${action}`, fields);
}

void describe('issue 13 staff: email triage', () => {
  test('issue 13 staff: the triage list shows only own-authority emails, with the reasons in words', async () => {
    const mine = await world();
    const theirs = await world();
    const aboutCase = await mine.strangerAboutCase();
    const unknown = await mine.unknownSender();
    const other = await theirs.unknownSender();
    assert.equal((await stateOf(aboutCase)).reason, 'not-a-party');
    assert.equal((await stateOf(unknown)).reason, 'unknown-sender');

    const browser = await signedIn(t.app, mine.officer);
    const list = await browser.get('/staff/email');
    assert.equal(list.statusCode, 200);
    assert.match(
      list.body,
      /<h1 class="govuk-heading-l" data-testid="triage-heading">Email triage \(2\)<\/h1>/,
    );
    assert.match(list.body, /Sender is not on the case/);
    assert.match(list.body, /Sender not known/);
    assert.match(list.body, new RegExp(mine.kase.reference), 'the suggested case reference');
    assert.match(list.body, /30 minutes/, 'the age');
    assert.ok(list.body.includes(`href="/staff/email/${aboutCase}"`));
    assert.ok(list.body.includes(`href="/staff/email/${unknown}"`));
    assert.ok(!list.body.includes(other), 'another council’s email is not listed');
    assert.match(
      list.body,
      /class="govuk-service-navigation__link" href="\/staff\/email"[^>]*>\s*(<strong[^>]*>)?Email triage \(2\)/,
    );
    assert.equal(
      (await browser.get(`/staff/email/${other}`)).statusCode,
      404,
      'another council’s email is 404',
    );
    const refused = await browser.submit(`/staff/email/${aboutCase}`, `/staff/email/${other}/no-action`, {});
    assert.equal(refused.statusCode, 404, 'nor can it be acted on');
    assert.equal((await stateOf(other)).state, 'triage');

    // After an action, the next email in triage opens, with a banner saying what happened.
    const done = await browser.submit(`/staff/email/${aboutCase}`, `/staff/email/${aboutCase}/no-action`, {});
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, `/staff/email/${unknown}?done=dismissed`);
    const nextPage = await browser.get(done.headers.location);
    assert.match(nextPage.body, /Email marked as no action/);
    assert.match(nextPage.body, /Email triage \(1\)/, 'the navigation count went down');
  });

  test('issue 13 staff: adding an email to a closed case reopens it', async () => {
    const w = await world();
    await db
      .updateTable('cases')
      .set({ status: 'completed', closed_at: new Date('2026-12-01T10:00:00Z') })
      .where('id', '=', w.kase.id)
      .execute();
    const emailId = await w.strangerAboutCase();
    const browser = await signedIn(t.app, w.officer);
    const res = await post(browser, emailId, 'case', { reference: w.kase.reference });
    assert.equal(res.statusCode, 303);
    const kase = await db
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', w.kase.id)
      .executeTakeFirstOrThrow();
    assert.equal(kase.closed_at, null, 'reopened');
    assert.notEqual(kase.status, 'completed');
    assert.equal((await stateOf(emailId)).state, 'threaded');
  });

  test('issue 13 staff: add to case puts the message on the case timeline and the email leaves triage', async () => {
    const w = await world();
    const emailId = await w.strangerAboutCase('The pothole outside number 4 is getting worse.');
    const browser = await signedIn(t.app, w.officer);
    const page = await browser.get(`/staff/email/${emailId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Sender is not on the case/);
    assert.match(page.body, /Show the full email/);
    assert.match(
      page.body,
      new RegExp(`name="reference" type="text" spellcheck="false" value="${w.kase.reference}"[^>]*autofocus`),
    );
    const attach = page.body.indexOf('data-testid="attach-form"');
    const create = page.body.indexOf('data-testid="create-form"');
    const dismiss = page.body.indexOf('data-testid="dismiss-form"');
    assert.ok(attach > 0 && attach < create && create < dismiss, 'the three actions, in order');

    const res = await post(browser, emailId, 'case', { reference: w.kase.reference.toLowerCase() });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/staff/email?done=added&ref=${w.kase.reference}`);
    const queue = await browser.get(res.headers.location);
    assert.match(queue.body, new RegExp(`Email added to case: ${w.kase.reference}`));
    assert.match(queue.body, /Email triage \(0\)/);

    const email = await stateOf(emailId);
    assert.deepEqual(
      [email.state, email.threaded_by, email.case_id, email.handled_by],
      ['threaded', 'staff', w.kase.id, w.officer.id],
    );
    const timeline = await getCaseTimeline(db, w.kase.id, { customerVisibleOnly: true });
    const message = timeline.find((e) => e.kind === 'message' && e.by === 'resident');
    assert.ok(message, 'the resident’s message is on the timeline');
    assert.equal(message.body, 'The pothole outside number 4 is getting worse.');
    assert.equal(message.at.toISOString(), RECEIVED.toISOString(), 'at the time it was received');

    // The case page shows the email thread.
    const casePage = await browser.get(`/staff/cases/${w.kase.id}`);
    assert.equal(casePage.statusCode, 200);
    assert.match(casePage.body, /<h2 class="govuk-heading-m" id="emails">Emails<\/h2>/);
    const section = casePage.body.slice(casePage.body.indexOf('data-testid="case-emails"'));
    assert.match(section, /The pothole outside number 4 is getting worse\./);
    assert.match(section, /Show the full email/);
    assert.match(
      section,
      /We have your report/,
      'the full text, quoted history included, behind the details',
    );
    assert.ok(section.includes(`href="/staff/email/${emailId}/original"`));
  });

  test('issue 13 staff: make a new case for an unknown sender, adding them as a customer', async () => {
    const w = await world();
    const address = `alex.${uniq('u')}@example.org`;
    const emailId = await w.unknownSender(`Alex Q Smith <${address}>`);
    const browser = await signedIn(t.app, w.officer);
    const page = await browser.get(`/staff/email/${emailId}`);
    assert.ok(page.body.includes(`Add ${address} as a new customer`));
    const foi = w.services[1];
    const res = await post(browser, emailId, 'new-case', { service: foi.id, addCustomer: 'yes' });
    assert.equal(res.statusCode, 303);
    const email = await stateOf(emailId);
    assert.equal(email.state, 'new_case');
    assert.ok(email.case_id && email.customer_id);
    const kase = await db
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', email.case_id)
      .executeTakeFirstOrThrow();
    assert.equal(res.headers.location, `/staff/email?done=created-customer&ref=${kase.reference}`);
    assert.equal(kase.service_id, foi.id);
    assert.equal(kase.customer_id, email.customer_id);
    assert.equal(kase.origin_channel, 'email');
    assert.equal(kase.received_at.toISOString(), RECEIVED.toISOString(), 'the clock starts at receipt');
    assert.equal(kase.created_by, w.officer.id);
    const customer = await db
      .selectFrom('customers')
      .innerJoin('contact_points', 'contact_points.customer_id', 'customers.id')
      .select(['given_name', 'family_name', 'contact_points.kind', 'contact_points.normalised'])
      .where('customers.id', '=', email.customer_id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(customer, {
      given_name: 'Alex Q',
      family_name: 'Smith',
      kind: 'email',
      normalised: address,
    });
  });

  test('issue 13 staff: no action, then a second member of staff acting on it is told clearly', async () => {
    const w = await world();
    const emailId = await w.unknownSender();
    const first = await signedIn(t.app, w.officer);
    const secondStaff = await buildStaff(db, w.authority.id, { teamIds: [w.teamId], roles: ['officer'] });
    const second = await signedIn(t.app, secondStaff);
    const secondPage = await second.get(`/staff/email/${emailId}`); // open before the first acts
    const token = /name="_csrf" value="([^"]+)"/.exec(secondPage.body)![1];

    const res = await post(first, emailId, 'no-action', { note: 'Newsletter' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/staff/email?done=dismissed');
    const email = await stateOf(emailId);
    assert.deepEqual([email.state, email.handled_by], ['no_action', w.officer.id]);
    const audited = await db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('record_id', '=', emailId)
      .where('action', '=', 'email.no_action')
      .execute();
    assert.equal(audited.length, 1);
    assert.deepEqual(audited[0].details, { note: 'Newsletter' });

    const late = await second.post(`/staff/email/${emailId}/case`, {
      _csrf: token,
      reference: w.kase.reference,
    });
    assert.equal(late.statusCode, 400);
    assert.match(late.body, /<title>Error: /);
    assert.match(late.body, /Someone else has already dealt with this email/);
    assert.match(late.body, /No action needed/);
    assert.doesNotMatch(late.body, /data-testid="attach-form"/, 'no actions on a handled email');
    assert.equal((await stateOf(emailId)).state, 'no_action', 'unchanged');
  });

  test('issue 13 staff: an unknown reference shows an error summary and keeps what was typed', async () => {
    const w = await world();
    const emailId = await w.unknownSender();
    const browser = await signedIn(t.app, w.officer);
    const typed = 'ZZZZ-ZZZ2';
    const res = await post(browser, emailId, 'case', { reference: typed });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<title>Error: /);
    assert.equal(res.body.match(/class="govuk-error-summary"/g)?.length, 1, 'one error summary');
    assert.match(
      res.body,
      new RegExp(`<a href="#reference">There is no case with the reference ${typed}</a>`),
    );
    assert.match(res.body, new RegExp(`name="reference" type="text" spellcheck="false" value="${typed}"`));
    assert.equal((await stateOf(emailId)).state, 'triage', 'still in triage');
  });

  test('issue 13 staff: the original download returns the raw bytes and is audited', async () => {
    const w = await world();
    const emailId = await w.unknownSender();
    const source = await db
      .selectFrom('email_sources')
      .select('raw')
      .where('email_id', '=', emailId)
      .executeTakeFirstOrThrow();
    const browser = await signedIn(t.app, w.officer);
    const res = await browser.get(`/staff/email/${emailId}/original`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'message/rfc822');
    assert.match(
      String(res.headers['content-disposition']),
      /^attachment; filename="email-[0-9a-f-]+\.eml"$/,
    );
    assert.ok(res.rawPayload.equals(source.raw), 'the exact bytes received');
    const audited = await db
      .selectFrom('audit_log')
      .select(['action', 'actor_id'])
      .where('record_id', '=', emailId)
      .where('action', '=', 'email.original_downloaded')
      .execute();
    assert.deepEqual(audited, [{ action: 'email.original_downloaded', actor_id: w.officer.id }]);
  });
});
