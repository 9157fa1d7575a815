import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdStream, Random, WeightedPicker, hashUuid } from './random.ts';
import { REFERENCE_PATTERN, ReferenceSequence } from './references.ts';
import { TimeModel, channelClass } from './time.ts';
import { normalisePhone, phoneKind } from '../platform/contact/index.ts';
import { dramaPhone, emailLocalPart } from './names.ts';

test('the PRNG repeats its sequence for a seed and differs between seeds', () => {
  const a = new Random(42);
  const b = new Random(42);
  const c = new Random(43);
  const first = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(
    first,
    Array.from({ length: 5 }, () => b.next()),
  );
  assert.notDeepEqual(
    first,
    Array.from({ length: 5 }, () => c.next()),
  );
  for (const value of first) assert.ok(value >= 0 && value < 1);
  assert.notEqual(Random.derive(1, 'x').next(), Random.derive(1, 'y').next());
});

test('weighted picks follow their weights', () => {
  const picker = new WeightedPicker([
    ['a', 3],
    ['b', 1],
    ['never', 0],
  ] as const);
  const random = new Random(7);
  const counts = { a: 0, b: 0, never: 0 };
  for (let i = 0; i < 20_000; i += 1) counts[picker.pick(random)] += 1;
  assert.equal(counts.never, 0);
  assert.ok(Math.abs(counts.a / 20_000 - 0.75) < 0.02, `a: ${counts.a}`);
});

test('derived UUIDs are well formed, unique within a stream and differ between keys', () => {
  const ids = new IdStream('cases', 'run-1');
  const seen = new Set<string>();
  for (let i = 0; i < 100_000; i += 1) seen.add(ids.next());
  assert.equal(seen.size, 100_000);
  for (const id of [...seen].slice(0, 100))
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new IdStream('cases', 'run-1').at(5), new IdStream('cases', 'run-1').at(5));
  assert.notEqual(new IdStream('cases', 'run-1').at(5), new IdStream('cases', 'run-2').at(5));
  assert.equal(hashUuid([1, 2], 3), hashUuid([1, 2], 3));
});

test('references look like KX7P-3RMD, never repeat and depend on the namespace key', () => {
  const refs = new ReferenceSequence('');
  const seen = new Set<string>();
  for (let i = 0; i < 200_000; i += 1) seen.add(refs.at(i));
  assert.equal(seen.size, 200_000);
  for (const ref of [...seen].slice(0, 1000)) assert.match(ref, REFERENCE_PATTERN);
  assert.equal(refs.at(0), new ReferenceSequence('').at(0));
  assert.notEqual(refs.at(0), new ReferenceSequence('test-ns').at(0));
  assert.throws(() => refs.at(2 ** 40), RangeError);
});

test('working days skip weekends and bank holidays; office contacts keep office hours', () => {
  const time = new TimeModel(new Date('2026-01-01T00:00:00Z'), new Date('2026-12-31T00:00:00Z'));
  // Thursday 24 December 2026 + 1 working day = Tuesday 29 December (Christmas, weekend, Boxing Day substitute).
  const due = time.addWorkingDays(Date.parse('2026-12-24T10:00:00Z'), 1);
  assert.equal(new Date(due).toISOString(), '2026-12-29T10:00:00.000Z');
  assert.equal(
    time.dueAt(Date.parse('2026-06-01T10:00:00Z'), { unit: 'calendar_days', amount: 30 }),
    Date.parse('2026-07-01T10:00:00Z'),
  );
  const random = new Random(3);
  const hours = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hour: 'numeric',
    hourCycle: 'h23',
    weekday: 'short',
  });
  for (let i = 0; i < 2000; i += 1) {
    const at = time.contactTime(
      random,
      Date.parse('2026-01-01T00:00:00Z'),
      Date.parse('2026-12-31T00:00:00Z'),
      channelClass('phone'),
      'highways',
    );
    const parts = Object.fromEntries(hours.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
    assert.ok(!['Sat', 'Sun'].includes(parts.weekday), `weekend call ${new Date(at).toISOString()}`);
    assert.ok(
      Number(parts.hour) >= 8 && Number(parts.hour) < 18,
      `call out of hours ${new Date(at).toISOString()}`,
    );
  }
});

test('demo contact details stay in the fictional and reserved ranges', () => {
  assert.deepEqual(dramaPhone('mobile', 123), { value: '07700 900123', normalised: '+447700900123' });
  assert.deepEqual(dramaPhone('landline', 7), { value: '01632 960007', normalised: '+441632960007' });
  // Stored as the one phone normaliser would store them, and of the kind they stand for.
  for (const last3 of [0, 123, 999]) {
    const mobile = dramaPhone('mobile', last3);
    const landline = dramaPhone('landline', last3);
    assert.equal(normalisePhone(mobile.value), mobile.normalised);
    assert.equal(normalisePhone(landline.value), landline.normalised);
    assert.equal(phoneKind(mobile.value), 'mobile');
    assert.equal(phoneKind(landline.value), 'landline');
  }
  assert.equal(emailLocalPart('Zoë', "O'Brien"), 'zoe.obrien');
  assert.equal(emailLocalPart('Łukasz', 'Wiśniewski'), 'lukasz.wisniewski');
});
