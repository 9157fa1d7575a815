import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRepeatContact, repeatWindowStart } from './customers.rules.ts';

const at = new Date('2026-11-23T10:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

void test('a contact within 7 days of an earlier one about the same service is a repeat (boundary inclusive)', () => {
  assert.equal(isRepeatContact(null, at), false, 'no earlier contact');
  assert.equal(isRepeatContact(new Date(at.getTime() - DAY), at), true);
  assert.equal(isRepeatContact(new Date(at.getTime() - 7 * DAY), at), true, 'exactly 7 days');
  assert.equal(isRepeatContact(new Date(at.getTime() - 7 * DAY - 1), at), false, '7 days and 1 ms');
  assert.equal(isRepeatContact(at, at), true, 'the same moment');
  assert.equal(isRepeatContact(new Date(at.getTime() + 1000), at), false, 'a later contact is not earlier');
});

void test('the window starts 7 days before', () => {
  assert.equal(repeatWindowStart(at).toISOString(), '2026-11-16T10:00:00.000Z');
});

void test('a clock change does not move the boundary: 7 days is 168 hours', () => {
  const beforeChange = new Date('2026-10-20T10:00:00Z');
  assert.equal(isRepeatContact(beforeChange, new Date(beforeChange.getTime() + 168 * 60 * 60 * 1000)), true);
  assert.equal(
    isRepeatContact(beforeChange, new Date(beforeChange.getTime() + 168 * 60 * 60 * 1000 + 1)),
    false,
  );
});
