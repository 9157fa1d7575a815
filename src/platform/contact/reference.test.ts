import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseReference, REFERENCE_PATTERN } from './reference.ts';

const TABLE: [unknown, string | null][] = [
  ['KX7P-3RMD', 'KX7P-3RMD'],
  ['kx7p-3rmd', 'KX7P-3RMD'],
  ['KX7P3RMD', 'KX7P-3RMD'],
  ['kx7p 3rmd', 'KX7P-3RMD'],
  [' KX7P 3RMD ', 'KX7P-3RMD'],
  ['kx7p–3rmd', 'KX7P-3RMD'],
  ['KX-7P-3R-MD', 'KX7P-3RMD'],
  ['KX7P – 3RMD', 'KX7P-3RMD'],
  ['kx7p.3rmd', 'KX7P-3RMD'],
  ['kx7p_3rmd', 'KX7P-3RMD'],
  ['KX7P-3RM', null],
  ['KX7P/3RMD', null],
  ['KX7P-3RMDX', null],
  ['KX0P-3RMD', null], // 0 is not in the alphabet
  ['KXOP-3RMD', null], // nor O
  ['KX1P-3RMD', null], // nor 1
  ['KXIP-3RMD', null], // nor I
  ['', null],
  [null, null],
  [undefined, null],
  [12345678, null],
];

void test('normaliseReference: one table', () => {
  for (const [input, expected] of TABLE) {
    assert.equal(normaliseReference(input as string), expected, JSON.stringify(input));
    if (expected) assert.match(expected, REFERENCE_PATTERN);
  }
});
