import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseEmail } from './email.ts';

const TABLE: [string, string | null][] = [
  ['jo@example.com', 'jo@example.com'],
  ['  Jane.Thompson@Example.COM ', 'jane.thompson@example.com'],
  ['JO.BLOGGS+council@Mail.Example.co.uk', 'jo.bloggs+council@mail.example.co.uk'],
  ["o'brien@example.ie", "o'brien@example.ie"],
  ['', null],
  ['not an email', null],
  ['jo@', null],
  ['@example.com', null],
  ['jo@example', null],
  ['jo@@example.com', null],
  ['jo bloggs@example.com', null],
  ['jo@example..com', null],
  ['jo@.example.com', null],
  [`${'a'.repeat(65)}@example.com`, null],
  [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
  [`jo@${'a'.repeat(250)}.com`, null],
];

void test('normaliseEmail: one table', () => {
  for (const [input, expected] of TABLE) {
    assert.equal(normaliseEmail(input), expected, JSON.stringify(input));
    if (expected) assert.equal(normaliseEmail(expected), expected, 'a fixed point');
  }
  assert.equal(normaliseEmail(null), null);
  assert.equal(normaliseEmail(undefined), null);
});
