import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFINITIONS_DIR,
  ServiceDefinitionError,
  loadServiceDefinitions,
  parseServiceDefinition,
  type ServiceDefinition,
} from './definitions.ts';

const definitions = loadServiceDefinitions();
const bySlug = new Map(definitions.map((d) => [d.slug, d]));

test('every shipped definition file is valid and the catalogue covers the demo services', () => {
  assert.ok(definitions.length >= 17, `expected at least 17 services, got ${definitions.length}`);
  for (const slug of [
    'apply-for-a-blue-badge',
    'apply-for-an-older-persons-bus-pass',
    'apply-for-a-residents-parking-permit',
    'apply-for-a-recycling-centre-permit',
    'report-a-road-problem',
    'report-a-street-light-fault',
    'report-a-missed-bin',
    'council-tax-enquiry',
    'school-admissions-enquiry',
    'adult-social-care-referral',
    'register-a-death',
    'household-support-fund',
    'make-a-complaint',
    'give-a-compliment',
    'freedom-of-information-request',
    'subject-access-request',
    'report-fly-tipping',
  ]) {
    assert.ok(bySlug.has(slug), `missing ${slug}`);
  }
});

test('slugs are unique and every service belongs to the county or the city', () => {
  assert.equal(new Set(definitions.map((d) => d.slug)).size, definitions.length);
  for (const d of definitions)
    assert.ok(d.authority === 'county' || d.authority === 'city', `${d.slug}: ${d.authority}`);
});

test('every workflow transition names an existing status and every case can be closed', () => {
  for (const d of definitions) {
    const codes = new Set(d.workflow.statuses.map((s) => s.code));
    assert.ok(codes.has(d.workflow.initial), d.slug);
    for (const status of d.workflow.statuses) {
      for (const next of status.next) assert.ok(codes.has(next), `${d.slug}: ${status.code} → ${next}`);
    }
    for (const closed of d.workflow.closed) assert.ok(codes.has(closed), `${d.slug}: closed ${closed}`);
  }
});

test('every showIf refers to an earlier question and one of its options', () => {
  for (const d of definitions) {
    const seen = new Map<string, ServiceDefinition['form']['pages'][number]['questions'][number]>();
    for (const page of d.form.pages) {
      for (const q of page.questions) {
        if (q.showIf) {
          const target = seen.get(q.showIf.question);
          assert.ok(target, `${d.slug}: ${q.id} depends on ${q.showIf.question}, which is not earlier`);
          assert.ok(
            target.options?.some((o) => o.value === q.showIf?.equals),
            `${d.slug}: ${q.id} showIf value`,
          );
        }
        seen.set(q.id, q);
      }
    }
  }
});

test('forms have 2 to 5 pages and end with the contact details page', () => {
  for (const d of definitions) {
    assert.ok(
      d.form.pages.length >= 2 && d.form.pages.length <= 5,
      `${d.slug}: ${d.form.pages.length} pages`,
    );
    assert.equal(d.form.pages.at(-1)?.id, 'contact', `${d.slug}: the last page should be contact details`);
  }
});

test('volumes follow the published figures and adult social care is restricted', () => {
  const volume = (slug: string) => bySlug.get(slug)?.annualVolume;
  assert.equal(volume('adult-social-care-referral'), 67969);
  assert.equal(volume('school-admissions-enquiry'), 29906);
  assert.equal(volume('report-a-road-problem'), 27551);
  assert.equal(volume('report-a-street-light-fault'), 1368);
  assert.equal(volume('apply-for-a-residents-parking-permit'), 20693);
  assert.equal(volume('apply-for-a-blue-badge'), 19874);
  assert.equal(bySlug.get('apply-for-a-blue-badge')?.annualCases, 17315);
  assert.equal(volume('apply-for-an-older-persons-bus-pass'), 18089);
  assert.equal(volume('register-a-death'), 14520);
  assert.equal(volume('apply-for-a-recycling-centre-permit'), 10489);
  assert.equal(volume('household-support-fund'), 4295);
  assert.equal(volume('make-a-complaint'), 1803);
  assert.equal(volume('freedom-of-information-request'), 1633);
  const city = definitions.filter((d) => d.authority === 'city').reduce((sum, d) => sum + d.annualVolume, 0);
  assert.equal(city, 302450, "the city's services add up to its published 302,450 enquiries a year");
  for (const d of definitions) {
    assert.equal(d.sensitivity, d.category === 'Adult social care' ? 'restricted' : 'normal', d.slug);
  }
});

test('a broken file is reported with its name and every problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'definitions-'));
  try {
    const good = readFileSync(join(DEFINITIONS_DIR, 'report-a-road-problem.json'), 'utf8');
    const badWorkflow = JSON.parse(good) as { workflow: { statuses: { next: string[] }[] } };
    badWorkflow.workflow.statuses[0].next = ['nowhere'];
    writeFileSync(join(dir, 'report-a-road-problem.json'), JSON.stringify(badWorkflow));
    const badKind = JSON.parse(good) as Record<string, unknown>;
    badKind.slug = 'another-road-problem';
    badKind.kind = 'wish';
    writeFileSync(join(dir, 'another-road-problem.json'), JSON.stringify(badKind));
    writeFileSync(join(dir, 'not-json.json'), '{ nope');
    assert.throws(
      () => loadServiceDefinitions(dir),
      (error: unknown) => {
        assert.ok(error instanceof ServiceDefinitionError);
        const text = error.problems.join('\n');
        assert.match(text, /not-json\.json: not valid JSON/);
        assert.match(text, /another-road-problem\.json: kind: /);
        assert.match(
          text,
          /report-a-road-problem\.json: workflow\.statuses\.0\.next\.0: "nowhere" is not one of the statuses/,
        );
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('conditions on later or unknown questions, and options on free-text questions, are rejected', () => {
  const base = structuredClone(bySlug.get('report-fly-tipping')) as ServiceDefinition;
  const first = base.form.pages[0].questions[0];
  first.showIf = { question: 'sawDumping', equals: 'yes' };
  base.form.pages[1].questions[0].options = [
    { value: 'a', label: 'A' },
    { value: 'b', label: 'B' },
  ];
  assert.throws(
    () => parseServiceDefinition(base, 'fly.json'),
    (error: unknown) => {
      assert.ok(error instanceof ServiceDefinitionError);
      const text = error.problems.join('\n');
      assert.match(text, /"sawDumping" is not an earlier question/);
      assert.match(text, /only radios and checkboxes questions have options, not location/);
      return true;
    },
  );
});
