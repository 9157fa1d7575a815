import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateReference, REFERENCE_ALPHABET, REFERENCE_PATTERN } from './cases.reference.ts';

void test('references are 8 characters as XXXX-XXXX from an alphabet without 0, O, 1 or I', () => {
  assert.equal(REFERENCE_ALPHABET.length, 32);
  for (const c of '01OI') assert.ok(!REFERENCE_ALPHABET.includes(c), `${c} is not used`);
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i += 1) {
    const reference = generateReference();
    assert.match(reference, REFERENCE_PATTERN);
    seen.add(reference);
  }
  assert.equal(seen.size, 2000, 'no repeats in 2,000 draws');
  // Every character of the alphabet turns up (the draw is uniform, not biased to a subset).
  const used = new Set([...seen].join('').replace(/-/g, ''));
  assert.equal(used.size, 32);
});
