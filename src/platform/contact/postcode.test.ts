import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalisePostcode, postcodeKey } from './postcode.ts';

const TABLE: [string, string | null][] = [
  ['SW1A 1AA', 'SW1A 1AA'],
  ['sw1a1aa', 'SW1A 1AA'],
  [' sw1a  1aa ', 'SW1A 1AA'],
  ['kb12ab', 'KB1 2AB'],
  ['KB1 2AB', 'KB1 2AB'],
  ['m11ae', 'M1 1AE'],
  ['M1 1AE', 'M1 1AE'],
  ['B33 8TH', 'B33 8TH'],
  ['CR2 6XH', 'CR2 6XH'],
  ['DN55 1PT', 'DN55 1PT'],
  ['W1A 0AX', 'W1A 0AX'],
  ['EC1A 1BB', 'EC1A 1BB'],
  ['', null],
  ['KB1', null],
  ['KB1 2A', null],
  ['not a postcode', null],
  ['12345', null],
  ['SW1A 1AA 1', null],
  ['1SW 1AA', null],
];

void test('normalisePostcode and postcodeKey: one table', () => {
  for (const [input, expected] of TABLE) {
    assert.equal(normalisePostcode(input), expected, JSON.stringify(input));
    assert.equal(postcodeKey(input), expected?.replace(' ', '') ?? null, `key of ${JSON.stringify(input)}`);
    if (expected) assert.equal(normalisePostcode(expected), expected, 'a fixed point');
  }
  assert.equal(normalisePostcode(null), null);
  assert.equal(postcodeKey(undefined), null);
});
