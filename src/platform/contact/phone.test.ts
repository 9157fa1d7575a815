import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canReceiveTexts, displayPhone, isUkPhone, normalisePhone, phoneKind } from './phone.ts';

/** Input → E.164, or null for a rejection; the kind; whether it can take a text. */
const TABLE: [string, string | null, 'mobile' | 'landline' | 'other' | null][] = [
  // The ways people write UK mobile numbers.
  ['07700 900123', '+447700900123', 'mobile'],
  ['07700900123', '+447700900123', 'mobile'],
  ['+44 7700 900123', '+447700900123', 'mobile'],
  ['+447700900123', '+447700900123', 'mobile'],
  ['447700900123', '+447700900123', 'mobile'],
  ['0044 7700 900123', '+447700900123', 'mobile'],
  ['00447700900123', '+447700900123', 'mobile'],
  ['+44 (0)7700 900123', '+447700900123', 'mobile'],
  ['  07700-900-123 ', '+447700900123', 'mobile'],
  ['07700.900.123', '+447700900123', 'mobile'],
  // Landlines.
  ['(01632) 960 001', '+441632960001', 'landline'],
  ['01632 960001', '+441632960001', 'landline'],
  ['0044 1632 960001', '+441632960001', 'landline'],
  ['020 7946 0000', '+442079460000', 'landline'],
  ['0113 496 0123', '+441134960123', 'landline'],
  // Real mobile ranges (not drama ones), Isle of Man mobiles.
  ['07911 123456', '+447911123456', 'mobile'],
  ['07624 123456', '+447624123456', 'mobile'],
  // Look like mobiles, are not: 070 personal numbers and 076 pagers.
  ['07011 123456', '+447011123456', 'other'],
  ['07640 123456', '+447640123456', 'other'],
  // Other UK numbers.
  ['0800 123 4567', '+448001234567', 'other'],
  ['0300 123 4567', '+443001234567', 'other'],
  // Abroad.
  ['+33 6 12 34 56 78', '+33612345678', 'mobile'],
  ['+33 1 23 45 67 89', '+33123456789', 'landline'],
  ['0033 6 12 34 56 78', '+33612345678', 'mobile'],
  ['+1 202 555 0143', '+12025550143', 'mobile'], // FIXED_LINE_OR_MOBILE: we try
  // Not phone numbers.
  ['', null, null],
  ['   ', null, null],
  ['12345', null, null],
  ['0770090', null, null],
  ['07700 9001', null, null],
  ['077009001234567', null, null],
  ['call me', null, null],
  ['07700 900123 after 6pm', null, null],
  ['jo@example.com', null, null],
  ['+44 12', null, null],
  ['01632 000001', null, null], // not an allocated range
];

void test('normalisePhone, phoneKind and canReceiveTexts: one table', () => {
  for (const [input, e164, kind] of TABLE) {
    assert.equal(normalisePhone(input), e164, `normalisePhone(${JSON.stringify(input)})`);
    assert.equal(phoneKind(input), kind, `phoneKind(${JSON.stringify(input)})`);
    assert.equal(canReceiveTexts(input), kind === 'mobile', `canReceiveTexts(${JSON.stringify(input)})`);
    if (e164) {
      assert.equal(normalisePhone(e164), e164, `E.164 is a fixed point: ${e164}`);
      assert.equal(phoneKind(e164), kind, `phoneKind(${e164})`);
    }
  }
});

void test('normalisePhone takes nothing but strings', () => {
  assert.equal(normalisePhone(null), null);
  assert.equal(normalisePhone(undefined), null);
  assert.equal(canReceiveTexts(null), false);
});

void test('isUkPhone: +44 numbers only', () => {
  assert.equal(isUkPhone('07700 900982'), true);
  assert.equal(isUkPhone('+44 1632 960 001'), true);
  assert.equal(isUkPhone('+33 6 12 34 56 78'), false);
  assert.equal(isUkPhone('0770090'), false);
});

void test('displayPhone: national format for UK numbers, international otherwise', () => {
  assert.equal(displayPhone('+447700900188'), '07700 900188');
  assert.equal(displayPhone('+441632960001'), '01632 960001');
  assert.equal(displayPhone('+442079460000'), '020 7946 0000');
  assert.equal(displayPhone('+33612345678'), '+33 6 12 34 56 78');
  assert.equal(displayPhone('+12025550143'), '+1 202 555 0143');
  assert.equal(displayPhone('not a number'), 'not a number');
  assert.equal(displayPhone(null), '');
});
