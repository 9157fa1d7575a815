/**
 * Issue 12 item 24, on a freshly seeded demo (its own database, the real council codes): the resident
 * site links to "You said, we did" and the disclosure log; the disclosure log lists closed FOI requests;
 * the timeliness and feedback reports count the seeded history; a period with no answers says so instead
 * of showing an empty "By month" table.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock } from '../src/platform/clock.ts';
import { openTestDatabase } from './support/db.ts';
import { seedDemo, DEMO_PASSWORD } from '../src/seed/demo.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

const clock = new TestClock('2026-12-16T10:00:00Z');
let t: TestApp;

before(async () => {
  const database = await openTestDatabase({ isolated: true });
  t = await buildTestApp({ clock, database });
  await seedDemo(database.db, { customers: 60, clock });
});
after(async () => {
  await t.close();
  await t.database.close();
});

async function staff(email: string): Promise<Browser> {
  const browser = new Browser(t.app);
  const res = await browser.submit('/staff/sign-in', '/staff/sign-in', { email, password: DEMO_PASSWORD });
  assert.equal(res.statusCode, 302, `sign-in of ${email}`);
  return browser;
}

/** The numbers in one row of a table (`<tr>…</tr>`) that contains `label`. */
function rowNumbers(html: string, label: string): number[] {
  const row = [...html.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)]
    .map((m) => m[1] ?? '')
    .find((r) => r.includes(label));
  assert.ok(row, `a row for ${label}`);
  return [...row.matchAll(/>\s*(\d+)\s*</g)].map((m) => Number(m[1]));
}

void describe('issue 12 item 24: pages and data on the seeded demo', () => {
  void test('issue 12 item 24: every resident page links to "You said, we did" and the disclosure log, and both have content', async () => {
    const resident = new Browser(t.app);
    const home = await resident.get('/');
    assert.equal(home.statusCode, 200);
    const footer = home.body.slice(home.body.indexOf('<footer'));
    assert.match(footer, /<a class="govuk-footer__link" href="\/you-said-we-did">You said, we did<\/a>/);
    assert.match(footer, /<a class="govuk-footer__link" href="\/disclosure-log">Disclosure log<\/a>/);

    const log = await resident.get('/disclosure-log');
    assert.equal(log.statusCode, 200);
    const count = /data-testid="disclosure-count">(\d+) answers?/.exec(log.body);
    assert.ok(count, 'the log says how many answers it holds');
    assert.ok(Number(count[1]) > 0, 'closed FOI requests of the demo are published');
    const entry = /href="(\/disclosure-log\/[0-9a-f-]{36})"/.exec(log.body);
    assert.ok(entry, 'an entry links to its page');
    assert.equal((await resident.get(entry[1])).statusCode, 200);

    // And from the pages where they matter: asking for information, complaining.
    const foi = await resident.get('/services/freedom-of-information-request');
    assert.equal(foi.statusCode, 200);
    assert.match(
      foi.body,
      /data-testid="disclosure-log-link">[^<]*<a class="govuk-link" href="\/disclosure-log">/,
    );
    const complaint = await resident.get('/services/make-a-complaint');
    assert.equal(complaint.statusCode, 200);
    assert.match(
      complaint.body,
      /data-testid="you-said-we-did-link"><a class="govuk-link" href="\/you-said-we-did">/,
    );

    const improvements = await resident.get('/you-said-we-did');
    assert.equal(improvements.statusCode, 200);
    assert.match(improvements.body, /We now send a text with the day we will come back/);
  });

  void test('issue 12 item 24: the timeliness and feedback reports count the seeded history', async () => {
    const leader = await staff('team_leader@county.example.gov.uk');
    const timeliness = await leader.get('/staff/reports/timeliness');
    assert.equal(timeliness.statusCode, 200);
    const [foiResponses] = rowNumbers(timeliness.body, 'Freedom of Information requests');
    assert.ok((foiResponses ?? 0) > 0, 'FOI requests answered in the last year are counted');
    const [complaintResponses] = rowNumbers(timeliness.body, 'Complaints: stage 1');
    assert.ok((complaintResponses ?? 0) > 0, 'complaints answered in the last year are counted');
    assert.match(timeliness.body, /data-testid="by-month"/);
    assert.doesNotMatch(timeliness.body, /data-testid="by-month-empty"/);

    const feedback = await leader.get('/staff/reports/feedback');
    assert.equal(feedback.statusCode, 200);
    assert.match(feedback.body, /data-testid="feedback-by-team"/);
    assert.doesNotMatch(feedback.body, /No feedback in this period/);
    assert.match(feedback.body, /Was this page helpful\?/);
  });

  void test('issue 12 item 24: a period with nothing answered explains the empty "By month" table', async () => {
    const leader = await staff('team_leader@county.example.gov.uk');
    const res = await leader.get('/staff/reports/timeliness?from=2020-01-01&to=2020-01-31');
    assert.equal(res.statusCode, 200);
    assert.doesNotMatch(res.body, /data-testid="by-month"/);
    assert.match(
      res.body,
      /data-testid="by-month-empty">No complaint stages or requests for information were answered from 1 January 2020 to 31 January 2020/,
    );
  });
});
