import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAuthority } from './builders/index.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { loadAccessibilityStatement } from '../src/modules/authorities/index.ts';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
  await buildAuthority(t.database.db);
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
