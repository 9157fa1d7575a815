import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDefaultCalendar } from '../../platform/calendar/index.ts';
import { loadServiceDefinitions } from '../services/index.ts';
import {
  expandForm,
  firstIncompletePage,
  inSentence,
  isShown,
  nextPage,
  pageApplies,
  pruneHidden,
  earliestDate,
  readDate,
  readPage,
  type PageReadContext,
} from './forms.engine.ts';

const blueBadge = loadServiceDefinitions().find((d) => d.slug === 'apply-for-a-blue-badge');
assert.ok(blueBadge);
const t = (key: string, params: Record<string, string | number> = {}) => `${key}${JSON.stringify(params)}`;
const ctx = (over: Partial<PageReadContext> = {}): PageReadContext => ({
  t,
  today: '2026-11-23',
  workingDays: loadDefaultCalendar(),
  answers: {},
  addresses: {},
  files: {},
  ...over,
});

void test('readDate accepts real dates only', () => {
  assert.deepEqual(readDate({ day: '27', month: '3', year: '1948' }), { ok: true, iso: '1948-03-27' });
  assert.deepEqual(readDate({ day: '29', month: '2', year: '2024' }), { ok: true, iso: '2024-02-29' });
  assert.equal(readDate({ day: '29', month: '2', year: '2026' }).ok, false);
  assert.equal(readDate({ day: '31', month: '4', year: '2026' }).ok, false);
  assert.equal(readDate({ day: '1', month: '13', year: '2026' }).ok, false);
  assert.equal(readDate({ day: '1', month: '1', year: '26' }).ok, false);
  assert.deepEqual(readDate({ day: '', month: '1', year: '' }), {
    ok: false,
    missing: ['day', 'year'],
    invalid: false,
  });
});

void test('labels are used inside sentences without changing acronyms', () => {
  assert.equal(inSentence('First name'), 'first name');
  assert.equal(
    inSentence('National Insurance number (if you know it)'),
    'National Insurance number (if you know it)',
  );
  assert.equal(inSentence('Your address'), 'your address');
  assert.equal(inSentence('UPRN'), 'UPRN');
});

void test('conditions: questions and pages apply only when the answer they depend on matches', () => {
  const who = blueBadge.form.pages[0];
  const holderName = who.questions.find((q) => q.id === 'badgeHolderName');
  assert.ok(holderName);
  assert.equal(isShown(blueBadge, holderName, { applyingFor: 'myself' }), false);
  assert.equal(isShown(blueBadge, holderName, { applyingFor: 'someone_else' }), true);
  assert.equal(pageApplies(blueBadge, who, {}), true);
  assert.equal(nextPage(blueBadge, 'who', {})?.id, 'eligibility');
  assert.deepEqual(pruneHidden(blueBadge, { applyingFor: 'myself', badgeHolderName: 'X' }), {
    applyingFor: 'myself',
  });
  assert.equal(firstIncompletePage(blueBadge, {})?.id, 'who');
});

void test('readPage validates a page with same-page conditions using the posted answer', () => {
  const who = blueBadge.form.pages[0];
  const missing = readPage(who, blueBadge, { applyingFor: 'someone_else' }, ctx());
  assert.deepEqual(
    missing.errors.map((e) => e.field),
    ['badgeHolderName', 'badgeHolderDateOfBirth-day'],
  );
  const ok = readPage(
    who,
    blueBadge,
    {
      applyingFor: 'myself',
      badgeHolderName: 'ignored',
      'badgeHolderDateOfBirth-day': '27',
      'badgeHolderDateOfBirth-month': '3',
      'badgeHolderDateOfBirth-year': '1948',
    },
    ctx(),
  );
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.answers, { applyingFor: 'myself', badgeHolderDateOfBirth: '1948-03-27' });
  const future = readPage(
    who,
    blueBadge,
    {
      applyingFor: 'myself',
      'badgeHolderDateOfBirth-day': '24',
      'badgeHolderDateOfBirth-month': '11',
      'badgeHolderDateOfBirth-year': '2026',
    },
    ctx(),
  );
  assert.match(future.errors[0].message, /forms.error.datePast/);
});

void test('readPage: an address needs a listed address for a known postcode, or manual entry', () => {
  const contact = blueBadge.form.pages.find((p) => p.id === 'contact');
  assert.ok(contact);
  const base = { givenName: 'A', familyName: 'B', contactBy: 'email' };
  const found = [
    { uprn: '1', line1: '1 High Street', line2: null, town: 'Kingsbridge', postcode: 'KB1 2AB' },
  ];
  const choose = readPage(
    contact,
    blueBadge,
    { ...base, 'address-postcode': 'KB1 2AB' },
    ctx({ addresses: { address: { lookup: found } } }),
  );
  assert.deepEqual(
    choose.errors.map((e) => e.field),
    ['address-uprn'],
  );
  assert.equal(choose.addressModes.address, 'choose');
  const chosen = readPage(
    contact,
    blueBadge,
    { ...base, 'address-postcode': 'KB1 2AB', 'address-uprn': '1' },
    ctx({ addresses: { address: { lookup: found } } }),
  );
  assert.deepEqual(chosen.answers.address, {
    uprn: '1',
    line1: '1 High Street',
    town: 'Kingsbridge',
    postcode: 'KB1 2AB',
  });
  const bad = readPage(contact, blueBadge, { ...base, 'address-postcode': 'nope' }, ctx());
  assert.deepEqual(
    bad.errors.map((e) => e.field),
    ['address-postcode'],
  );
  const manual = readPage(
    contact,
    blueBadge,
    {
      ...base,
      'address-mode': 'manual',
      'address-line1': '2 Low Road',
      'address-town': 'Lydcote',
      'address-postcode': 'wx5 1ab',
    },
    ctx(),
  );
  assert.deepEqual(manual.answers.address, { line1: '2 Low Road', town: 'Lydcote', postcode: 'WX5 1AB' });
});

void test('expandForm moves questions that depend on an answer on the same page to a follow-up page', () => {
  const form = expandForm(blueBadge);
  assert.deepEqual(form.form.pages.map((p) => [p.id, p.questions.map((q) => q.id)]).slice(0, 3), [
    ['who', ['applyingFor', 'badgeHolderDateOfBirth']],
    ['who--more', ['badgeHolderName']],
    ['eligibility', ['benefit']],
  ]);
  assert.equal(expandForm(blueBadge), form, 'cached');
  assert.equal(nextPage(form, 'who', { applyingFor: 'myself' })?.id, 'eligibility');
  assert.equal(nextPage(form, 'who', { applyingFor: 'someone_else' })?.id, 'who--more');
  assert.equal(
    firstIncompletePage(form, { applyingFor: 'someone_else', badgeHolderDateOfBirth: '1948-03-27' })?.id,
    'who--more',
  );
  // Every shipped definition expands to pages without same-page conditions.
  for (const definition of loadServiceDefinitions())
    for (const page of expandForm(definition).form.pages)
      for (const q of page.questions)
        assert.ok(
          !page.questions.some((o) => o.id === q.showIf?.question),
          `${definition.slug}/${page.id}/${q.id}`,
        );
});

void test('issue 12 item 14: a location is a description or a point in the UK, with an optional postcode', () => {
  const road = loadServiceDefinitions().find((d) => d.slug === 'report-a-road-problem');
  assert.ok(road);
  const where = road.form.pages.find((p) => p.questions.some((q) => q.type === 'location'));
  assert.ok(where);
  assert.deepEqual(
    where.questions.map((q) => q.type),
    ['location'],
    'one location question: no second "Describe where it is" box',
  );
  const read = (body: Record<string, string>) => readPage(where, road, body, ctx());
  const fieldsOf = (r: ReturnType<typeof read>) =>
    r.errors.map((e) => `${e.field}: ${e.message.split('{')[0]}`);

  // Without JavaScript: the description (and postcode) is the answer; the postcode is formatted.
  assert.deepEqual(
    read({ 'location-description': ' Outside 14 Mill Lane ', 'location-postcode': 'kb12ab' }).answers,
    {
      location: { description: 'Outside 14 Mill Lane', postcode: 'KB1 2AB' },
    },
  );
  // With the map: a point alone is enough.
  assert.deepEqual(read({ 'location-lat': '51.0621', 'location-lng': '-2.3184' }).answers, {
    location: { lat: 51.0621, lng: -2.3184 },
  });
  // Nothing: one message on the description.
  assert.deepEqual(fieldsOf(read({})), ['location-description: forms.error.locationDescription']);
  // A postcode alone does not say where the problem is.
  assert.deepEqual(fieldsOf(read({ 'location-postcode': 'KB1 2AB' })), [
    'location-description: forms.error.locationDescription',
  ]);
  assert.deepEqual(fieldsOf(read({ 'location-description': 'By the school', 'location-postcode': 'nope' })), [
    'location-postcode: forms.error.postcode',
  ]);
  // A point outside the UK, half a point or not numbers: one message about the point.
  for (const [lat, lng] of [
    ['48.85', '2.35'],
    ['51.06', ''],
    ['', '-2.31'],
    ['north', 'west'],
    ['Infinity', '-2.31'],
  ])
    assert.deepEqual(
      fieldsOf(read({ 'location-description': 'By the school', 'location-lat': lat, 'location-lng': lng })),
      ['location-point: forms.error.locationPoint'],
      `${lat},${lng}`,
    );
});

void test('issue 12 item 13: a date rule "within N working days before today" counts the council\'s working days', () => {
  const calendar = loadDefaultCalendar();
  const at = (today: string) => ({ today, workingDays: calendar });
  assert.equal(
    earliestDate({ maxWorkingDaysAgo: 2 }, at('2026-11-23')),
    '2026-11-19',
    'Monday: back to Thursday',
  );
  assert.equal(
    earliestDate({ maxWorkingDaysAgo: 2 }, at('2026-12-29')),
    '2026-12-23',
    'over Christmas and Boxing Day (substitute holiday on 28 December)',
  );
  assert.equal(earliestDate({ maxYearsAgo: 120 }, at('2026-11-23')), '1906-11-23');
  assert.equal(earliestDate({ notInFuture: true }, at('2026-11-23')), '0000-01-01', 'no rule, no limit');
});
