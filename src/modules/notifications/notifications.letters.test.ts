import { test } from 'node:test';
import assert from 'node:assert/strict';
import { letterAddressFields, letterAddressProblem, letterLines } from './notifications.letters.ts';

void test("Notify's letter address rules: 3 to 7 lines, a UK postcode or another country last, no symbol first", () => {
  assert.equal(letterAddressProblem(['Ada Lovelace', '1 High Street', 'Kingsbridge', 'TQ7 1AA']), null);
  assert.equal(
    letterAddressProblem(['Ada Lovelace', '1 High Street', 'tq71aa']),
    null,
    'any spacing or case',
  );
  assert.equal(letterAddressProblem(['Jan Kowalski', 'ul. Długa 5', '00-001 Warszawa', 'Poland']), null);
  assert.match(letterAddressProblem(['Ada Lovelace', 'TQ7 1AA']) ?? '', /at least 3 lines/);
  assert.match(letterAddressProblem(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'TQ7 1AA']) ?? '', /no more than 7/);
  assert.match(letterAddressProblem(['Ada Lovelace', '1 High Street', 'Kingsbridge']) ?? '', /postcode/);
  assert.match(
    letterAddressProblem(['Ada Lovelace', '1 High Street', 'United Kingdom']) ?? '',
    /must be its postcode/,
  );
  assert.match(letterAddressProblem(['Ada Lovelace', '(Flat 2)', 'TQ7 1AA']) ?? '', /symbol/);
  assert.match(
    letterAddressProblem(['Ada Lovelace', '1 High Street', 'ZZ99 9ZZZ']) ?? '',
    /real UK postcode/,
  );
});

void test('stored address lines become address_line_1… without blank lines', () => {
  const lines = letterLines('Ada Lovelace\n 1 High Street \n\nTQ7 1AA');
  assert.deepEqual(lines, ['Ada Lovelace', '1 High Street', 'TQ7 1AA']);
  assert.deepEqual(letterAddressFields(lines), {
    address_line_1: 'Ada Lovelace',
    address_line_2: '1 High Street',
    address_line_3: 'TQ7 1AA',
  });
});
