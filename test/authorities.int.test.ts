import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAuthority } from './builders/index.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { loadAccessibilityStatement } from '../src/modules/authorities/index.ts';
import { TestClock } from '../src/platform/clock.ts';

let t: TestApp;
const clock = new TestClock('2026-12-07T10:00:00Z');
before(async () => {
  t = await buildTestApp({ clock });
  const db = t.database.db;
  const authority = await buildAuthority(db, { name: 'Fenwick District Council' });
  await db
    .updateTable('authorities')
    .set({
      phone: '01632 960777',
      phone_hours: 'Monday to Friday, 9am to 5pm',
      email: 'help@fenwick.example.gov.uk',
      postal_address: 'Fenwick District Council\nTown Hall\nFenwick\nFW1 1TH',
      bsl_video_relay_url: 'https://www.fenwick.example.gov.uk/bsl',
    })
    .where('id', '=', authority.id)
    .execute();
  await db
    .insertInto('offices')
    .values({
      authority_id: authority.id,
      name: 'Fenwick Town Hall reception',
      address: 'Town Hall\nMarket Square\nFenwick',
      postcode: 'FW1 1TH',
      opening_hours: 'Monday to Friday, 9am to 4pm',
      step_free: true,
      hearing_loop: true,
    })
    .execute();
});
after(() => t.close());

/** Visible text of a page: tags removed, entities that matter here decoded, white space folded. */
const text = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&rsquo;/g, '’')
    .replace(/\s+/g, ' ');

void describe('issue 12 item 23: the accessibility statement follows the GOV.UK model statement', () => {
  void test('it has compliance status, known issues, preparation and review dates and the enforcement procedure', async () => {
    const res = await new Browser(t.app).get('/accessibility');
    assert.equal(res.statusCode, 200);
    const page = text(res.body);
    for (const heading of [
      'How accessible this website is',
      'Feedback and contact information',
      'Reporting accessibility problems with this website',
      'Enforcement procedure',
      'Technical information about this website’s accessibility',
      'Compliance status',
      'Non-accessible content',
      'Non-compliance with the accessibility regulations',
      'Disproportionate burden',
      'Content that’s not within the scope of the accessibility regulations',
      'What we’re doing to improve accessibility',
      'Preparation of this accessibility statement',
    ])
      assert.ok(page.includes(heading), `missing section: ${heading}`);
    assert.match(
      page,
      /This website is partially compliant with the Web Content Accessibility Guidelines version 2\.2 AA standard/,
    );
    assert.match(
      page,
      /This statement was prepared on \d{1,2} \w+ 20\d\d\. It was last reviewed on \d{1,2} \w+ 20\d\d\./,
    );
    assert.match(page, /This website was last tested on \d{1,2} \w+ 20\d\d\./);
    assert.match(res.body, /href="https:\/\/www\.equalityadvisoryservice\.com\/"/);
    // Known issues name the WCAG criterion they fail.
    assert.match(page, /This fails WCAG 2\.2 success criteria 1\.1\.1/);
    assert.match(page, /18001/);
  });

  void test('a statement file with a wrong date or a "full" status that lists problems is refused at start-up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'statement-'));
    const base = {
      compliance: 'partial',
      preparedOn: '2026-12-07',
      lastReviewedOn: '2026-12-07',
      lastTestedOn: '2026-12-07',
      testedBy: 'us',
      nonCompliant: [{ text: 'The map.', criteria: '1.1.1' }],
      notInScope: [],
    };
    const write = (value: unknown) => {
      const file = join(dir, `${Math.random()}.json`);
      writeFileSync(file, JSON.stringify(value));
      return file;
    };
    assert.equal(loadAccessibilityStatement(write(base)).compliance, 'partial');
    assert.throws(
      () => loadAccessibilityStatement(write({ ...base, preparedOn: '7 December' })),
      /YYYY-MM-DD/,
    );
    assert.throws(
      () => loadAccessibilityStatement(write({ ...base, compliance: 'full' })),
      /fully compliant/,
    );
  });
});

void describe('issue 12 item 22: the contact page gives every way to reach each council', () => {
  void test('phone and text relay as tel: links, opening hours, email, postal address, BSL video relay and offices with access facts', async () => {
    const res = await new Browser(t.app).get('/contact');
    assert.equal(res.statusCode, 200);
    const fenwick = res.body.slice(res.body.indexOf('Fenwick District Council'));
    assert.match(fenwick, /<a class="govuk-link" href="tel:\+441632960777">01632 960777<\/a>/);
    assert.match(fenwick, /<a class="govuk-link" href="tel:1800101632960777">18001 01632 960777<\/a>/);
    assert.match(fenwick, /Monday to Friday, 9am to 5pm/);
    assert.match(fenwick, /href="mailto:help@fenwick\.example\.gov\.uk"/);
    assert.match(fenwick, /Town Hall<br>Fenwick<br>FW1 1TH/);
    assert.match(fenwick, /href="https:\/\/www\.fenwick\.example\.gov\.uk\/bsl"/);
    const page = text(fenwick);
    assert.match(
      page,
      /Fenwick Town Hall reception Town Hall Market Square Fenwick FW1 1TH Monday to Friday, 9am to 4pm/,
    );
    assert.match(page, /Step-free access Hearing loop/);
  });

  void test('the bank holidays coming up are given as closures, from the same calendar as the clocks', async () => {
    const page = text((await new Browser(t.app).get('/contact')).body);
    assert.match(
      page,
      /closed on these bank holidays: Friday 25 December 2026 \(Christmas Day\) Monday 28 December 2026 \(Boxing Day\)/,
    );
  });
});
