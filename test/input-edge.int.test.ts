/**
 * Bad input gets a clear 400 (or a 404 for an id that names nothing), never a 500: one test per cause found
 * by the fuzz test (test/fuzz.int.test.ts) and issue 10. See docs/web.md "Input at the edge".
 *
 * Runs on PGlite by default and on PostgreSQL when TEST_DATABASE_URL is set; each test builds its own council.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { TestClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/index.ts';
import { issueApiToken } from '../src/modules/api/index.ts';
import { installShippedService } from './builders/services.ts';
import { buildAuthority, buildStaff, buildTeam } from './builders/index.ts';
import { buildCustomer, signedIn } from './builders/customers.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-11-23T10:00:00Z');

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
});
after(() => t.close());

async function council() {
  const authority = await buildAuthority(db, { kind: 'county' });
  const team = await buildTeam(db, authority.id, { name: 'Waste' });
  return { authority, team };
}

function csrfOf(response: LightMyRequestResponse): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
  assert.ok(token, 'a page with a CSRF token');
  return token;
}

/** Posts a raw (already encoded) form body, as a browser that signed in would. */
async function postRaw(browser: Browser, url: string, body: string): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url,
    remoteAddress: browser.remoteAddress,
    payload: body,
    headers: {
      cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': 'application/x-www-form-urlencoded',
    },
  });
}

const isGovukErrorPage = (r: LightMyRequestResponse) =>
  r.body.includes('govuk-template') && r.statusCode < 500;

void describe('input at the edge', () => {
  void test('a NUL character in a path parameter or a query string is a 400 GOV.UK page; in a form it is removed and the answers kept', async () => {
    const { authority, team } = await council();
    const bins = await installShippedService(db, {
      authorityId: authority.id,
      teamId: team.id,
      slug: 'report-a-missed-bin',
    });
    const browser = new Browser(t.app);
    for (const url of [`/services/${bins.slug}%00`, '/search?q=bins%00', '/disclosure-log?q=a%00b']) {
      const response = await browser.get(url);
      assert.equal(response.statusCode, 400, url);
      assert.ok(isGovukErrorPage(response), `${url} shows a GOV.UK error page`);
    }

    const agent = await buildStaff(db, authority.id, { roles: ['agent'], teamIds: [team.id] });
    const customer = await buildCustomer(db, authority.id);
    const staff = await signedIn(t.app, agent);
    const csrf = csrfOf(await staff.get(`/staff/customers/${customer.id}`));
    const response = await postRaw(
      staff,
      `/staff/customers/${customer.id}/contacts`,
      `_csrf=${encodeURIComponent(csrf)}&channel=phone&direction=inbound&outcome=resolved&summary=Called%00%20about%20bins`,
    );
    assert.ok(response.statusCode < 500, `not a server error (${response.statusCode})`);
    const logged = await db
      .selectFrom('interactions')
      .select('summary')
      .where('customer_id', '=', customer.id)
      .execute();
    assert.deepEqual(
      logged.map((r) => r.summary),
      ['Called about bins'],
      'stored without the NUL',
    );
    // A form that fails its own validation keeps the answers, cleaned, in the error summary round trip.
    const invalid = await postRaw(
      staff,
      `/staff/customers/${customer.id}/contacts`,
      `_csrf=${encodeURIComponent(csrf)}&summary=Half%00typed`,
    );
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /govuk-error-summary/);
    assert.match(invalid.body, /Halftyped/);
  });

  void test('a lone UTF-16 surrogate in API JSON is a 400 JSON validation error', async () => {
    const { authority, team } = await council();
    await installShippedService(db, { authorityId: authority.id, teamId: team.id, slug: 'make-a-complaint' });
    const admin = await buildStaff(db, authority.id, { roles: ['admin'] });
    const { token } = await issueApiToken(db, {
      authorityId: authority.id,
      name: 'Partner',
      createdBy: admin.id,
      now: clock.now(),
    });
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      payload: '{"complainant":{"name":"Sam \\ud800","email":"sam@example.com"},"summary":"Bins \\udc00"}',
    });
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'validation');
  });

  void test('a malformed multipart body (no boundary, truncated part) is a 400', async () => {
    const caseId = randomUUID();
    for (const [kind, contentType, payload] of [
      [
        'no boundary',
        'multipart/form-data',
        '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n',
      ],
      [
        'truncated part',
        'multipart/form-data; boundary=fuzz',
        '--fuzz\r\nContent-Disposition: form-data; name="document"; filename="a.png"\r\n\r\n\x89PNG',
      ],
    ] as const) {
      const response = await t.app.inject({
        method: 'POST',
        url: `/track/requests/${caseId}/reply`,
        headers: { 'content-type': contentType },
        payload,
      });
      assert.equal(response.statusCode, 400, `${kind}: ${response.statusCode}`);
      assert.ok(isGovukErrorPage(response), kind);
    }
  });

  void test('a non-UUID customer id is a 404 and never reaches a Location header', async () => {
    const { authority, team } = await council();
    const agent = await buildStaff(db, authority.id, { roles: ['agent', 'admin'], teamIds: [team.id] });
    const staff = await signedIn(t.app, agent);
    const csrf = csrfOf(await staff.get('/staff/customers'));
    for (const action of ['merge', 'unmerge']) {
      const response = await postRaw(
        staff,
        `/staff/customers/%E2%80%AE${action}/${action}`,
        `_csrf=${encodeURIComponent(csrf)}`,
      );
      assert.equal(response.statusCode, 404, action);
      assert.equal(response.headers.location, undefined);
    }
  });

  void test('report filters refuse impossible dates such as 2026-02-30 with a 400', async () => {
    const { authority, team } = await council();
    const leader = await buildStaff(db, authority.id, {
      roles: ['team_leader'],
      teamIds: [team.id],
      leaderOf: [team.id],
    });
    const staff = await signedIn(t.app, leader);
    for (const url of [
      '/staff/reports/feedback?from=2026-01-01&to=2026-02-30',
      '/staff/reports/timeliness?from=2026-13-01',
    ]) {
      const response = await staff.get(url);
      assert.equal(response.statusCode, 400, url);
      assert.ok(isGovukErrorPage(response), url);
    }
    assert.equal((await staff.get('/staff/reports/feedback?from=2026-01-01&to=2026-02-28')).statusCode, 200);
  });

  void test('an unknown team or service id in a picker is a field error, not a foreign-key failure', async () => {
    const { authority, team } = await council();
    const leader = await buildStaff(db, authority.id, {
      roles: ['team_leader'],
      teamIds: [team.id],
      leaderOf: [team.id],
    });
    const staff = await signedIn(t.app, leader);
    const csrf = csrfOf(await staff.get('/staff/you-said-we-did'));
    const response = await staff.post('/staff/you-said-we-did', {
      _csrf: csrf,
      youSaid: 'Bins were missed',
      weDid: 'We changed the rounds',
      teamId: randomUUID(),
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /Select a team from the list/);
    assert.match(response.body, /We changed the rounds/, 'the answers are kept');
  });

  void test('a repeated field where one is expected does not break page feedback', async () => {
    const browser = new Browser(t.app);
    const csrf = csrfOf(await browser.get('/'));
    const response = await postRaw(
      browser,
      '/feedback/page',
      `_csrf=${encodeURIComponent(csrf)}&helpful=yes&path=%2Fsearch&path=%2Fcontact`,
    );
    assert.equal(response.statusCode, 303);
    const thanks = await browser.get('/feedback/page/thanks?return=/a&return=/b');
    assert.equal(thanks.statusCode, 200);
  });

  void test('deeply nested JSON is refused without exhausting the stack', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: { 'content-type': 'application/json' },
      payload: '['.repeat(5000) + ']'.repeat(5000),
    });
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, String(response.statusCode));
  });
});
