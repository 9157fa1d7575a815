/**
 * The location step of road, street-light and fly-tipping reports (issue 12 item 14): one description, an
 * optional postcode and, when a tile server is configured and JavaScript runs, a map whose point fills two
 * hidden fields. Without JavaScript the description and postcode are the answer. Staff read the location
 * as words, with the point as a link.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/index.ts';
import { seedDemoAddresses } from '../src/modules/forms/index.ts';
import { loadServiceDefinitions } from '../src/modules/services/index.ts';
import { buildAuthority, buildStaff, buildTeam } from './builders/index.ts';
import { signedIn } from './builders/customers.ts';
import { installShippedService } from './builders/services.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { walkAndSubmit } from './support/form-walk.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-12-03T10:00:00Z');
const installed = new Map<string, string>();
let staff: Browser;

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
  await seedDemoAddresses(db);
  const authority = await buildAuthority(db, { kind: 'county' });
  const team = await buildTeam(db, authority.id);
  for (const slug of ['report-a-road-problem', 'report-a-street-light-fault']) {
    const service = await installShippedService(db, { authorityId: authority.id, teamId: team.id, slug });
    installed.set(slug, service.slug);
  }
  staff = await signedIn(
    t.app,
    await buildStaff(db, authority.id, { roles: ['officer'], teamIds: [team.id] }),
  );
});
after(() => t.close());

const definition = (slug: string) => loadServiceDefinitions().find((d) => d.slug === slug)!;
const count = (body: string, text: string) => body.split(text).length - 1;

async function caseLocation(caseId: string) {
  const row = await db
    .selectFrom('cases')
    .select('location')
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
  return row.location;
}

void describe('issue 12 item 14: the location step', () => {
  for (const slug of ['report-a-road-problem', 'report-a-street-light-fault'])
    void test(`issue 12 item 14: ${slug} asks for one description and a postcode, with no latitude or longitude boxes, and a report is made without JavaScript`, async () => {
      let shown = '';
      let wholePage = '';
      const made = await walkAndSubmit({
        app: t.app,
        db,
        browser: new Browser(t.app),
        definition: definition(slug),
        slug: installed.get(slug)!,
        pastDate: ['1', '12', '2026'],
        locationFields: { 'location-description': 'Outside 14 Mill Lane', 'location-postcode': 'kb12ab' },
        onPage: (_url, body) => {
          // The question form only (the page's "Was this page helpful?" form has its own text box).
          if (!body.includes('name="location-description"')) return;
          wholePage = body;
          shown = /<form[^>]*data-testid="question-form"[\s\S]*?<\/form>/.exec(body)?.[0] ?? '';
        },
      });
      assert.ok(shown, 'the location step was shown');
      assert.equal(count(shown, 'Describe where it is'), 1, 'one "Describe where it is" label');
      assert.equal(count(shown, '<textarea'), 1, 'one text box for the description');
      assert.match(shown, /<label[^>]*for="location-postcode"[^>]*>\s*Postcode \(optional\)/);
      assert.doesNotMatch(shown, /on the map/i, 'no map is mentioned: none is configured');
      assert.doesNotMatch(shown, /Latitude|Longitude|map reference/i);
      for (const name of ['location-lat', 'location-lng'])
        assert.match(shown, new RegExp(`<input type="hidden" name="${name}" value=""`), `${name} is hidden`);
      assert.doesNotMatch(shown, /data-location-map/, 'no map');
      assert.doesNotMatch(wholePage, /leaflet|location-map\./, 'no map files are loaded');
      assert.deepEqual(await caseLocation(made.caseId), {
        description: 'Outside 14 Mill Lane',
        postcode: 'KB1 2AB',
      });

      const page = await staff.get(`/staff/cases/${made.caseId}`);
      assert.equal(page.statusCode, 200);
      const answers = /data-testid="answers"[\s\S]*?<\/dl>/.exec(page.body)?.[0] ?? '';
      assert.match(answers, /Outside 14 Mill Lane<br>Postcode: KB1 2AB/);
      assert.doesNotMatch(answers, /location-link/, 'no point, no map link');
    });

  void test('issue 12 item 14: with no tile server configured the CSP allows no other image host', async () => {
    const res = await new Browser(t.app).get('/');
    assert.match(String(res.headers['content-security-policy']), /img-src 'self' data:;/);
  });

  void test('issue 12 item 14: a point from the map in the hidden fields is checked against the UK, kept and shown to staff as a link', async () => {
    const slug = 'report-a-road-problem';
    const browser = new Browser(t.app);
    const made = await walkAndSubmit({
      app: t.app,
      db,
      browser,
      definition: definition(slug),
      slug: installed.get(slug)!,
      pastDate: ['1', '12', '2026'],
      locationFields: { 'location-description': '', 'location-lat': '51.0621', 'location-lng': '-2.3184' },
      onPage: async (url, body) => {
        if (!body.includes('name="location-description"')) return;
        // A point outside the UK: an error on the point, the description kept, the bad point dropped.
        const refused = await browser.submit(url, url, {
          'location-description': 'By the school gates',
          'location-postcode': 'KB1 2AB',
          'location-lat': '48.85',
          'location-lng': '2.35',
        });
        assert.equal(refused.statusCode, 400);
        assert.match(refused.body, /govuk-error-summary[\s\S]*href="#location-point"/);
        assert.match(refused.body, /The point chosen on the map is not in the UK/);
        assert.match(refused.body, />By the school gates<\/textarea>/);
        assert.match(refused.body, /name="location-postcode"[^>]*value="KB1 2AB"/);
        assert.match(refused.body, /<input type="hidden" name="location-lat" value=""/);
      },
    });
    assert.deepEqual(await caseLocation(made.caseId), { lat: 51.0621, lng: -2.3184 });
    const page = await staff.get(`/staff/cases/${made.caseId}`);
    const link = /<a [^>]*href="([^"]+)"[^>]*data-testid="location-link"[^>]*>([^<]*)/.exec(page.body);
    assert.ok(link, 'the point is a link');
    assert.equal(link[2], '51.0621, -2.3184');
    assert.match(link[1], /mlat=51\.0621&amp;mlon=-2\.3184/);
  });

  void test('issue 12 item 14: without JavaScript, "Find addresses" looks the postcode up and the nearest address chosen is the location', async () => {
    const slug = 'report-a-road-problem';
    const browser = new Browser(t.app);
    const first = await db
      .selectFrom('addresses')
      .select(['uprn', 'line1', 'town'])
      .where('postcode_key', '=', 'KB12AB')
      .orderBy('line1')
      .executeTakeFirstOrThrow();
    const made = await walkAndSubmit({
      app: t.app,
      db,
      browser,
      definition: definition(slug),
      slug: installed.get(slug)!,
      pastDate: ['1', '12', '2026'],
      locationFields: {
        'location-description': '',
        'location-postcode': 'kb1 2ab',
        'location-uprn': first.uprn,
      },
      onPage: async (url, body) => {
        if (!body.includes('name="location-description"')) return;
        assert.match(body, /value="find:location"[^>]*>\s*Find addresses/);
        // The postcode looked up: the addresses there, to choose the nearest; what was typed is kept.
        const found = await browser.submit(url, url, {
          action: 'find:location',
          'location-description': 'Near the bus stop',
          'location-postcode': 'kb12ab',
        });
        assert.equal(found.statusCode, 200);
        assert.match(found.body, /<label[^>]*for="location-uprn"[^>]*>\s*Nearest address \(optional\)/);
        assert.match(found.body, new RegExp(`<option value="${first.uprn}"[^>]*>${first.line1}`));
        assert.match(found.body, />Near the bus stop<\/textarea>/);
        assert.match(found.body, /name="location-postcode"[^>]*value="KB1 2AB"/);
        // A postcode with no addresses says so; one that is not a postcode is an error on the field.
        const none = await browser.submit(url, url, {
          action: 'find:location',
          'location-postcode': 'ZZ9 9ZZ',
        });
        assert.equal(none.statusCode, 200);
        assert.match(none.body, /We could not find any addresses for ZZ9 9ZZ/);
        const bad = await browser.submit(url, url, { action: 'find:location', 'location-postcode': 'nope' });
        assert.equal(bad.statusCode, 400);
        assert.match(bad.body, /govuk-error-summary[\s\S]*href="#location-postcode"/);
      },
    });
    const location = (await caseLocation(made.caseId)) as Record<string, unknown>;
    assert.equal(location.uprn, first.uprn);
    assert.equal(location.postcode, 'KB1 2AB');
    assert.match(String(location.address), new RegExp(`^${first.line1}, .*KB1 2AB$`));
    const page = await staff.get(`/staff/cases/${made.caseId}`);
    assert.match(page.body, new RegExp(`Nearest address: ${first.line1}`));
  });
});
