import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDate } from './index.ts';

void test('issue 12 item 15: a month reads "December 2026", never 2026-12; a date reads "14 March 1950"', () => {
  assert.equal(formatDate('2026-12', 'month'), 'December 2026');
  assert.equal(formatDate('2027-01', 'month'), 'January 2027');
  assert.equal(formatDate('1950-03-14'), '14 March 1950');
});
