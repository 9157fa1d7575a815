import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractDate, normaliseAddress, parseSearchQuery, searchNameOf } from './customers.normalise.ts';

void describe('normalisers', () => {
  void test('search names are lower-case "given family"', () => {
    assert.equal(searchNameOf('  Mary-Jane ', 'O’Brien'), "mary-jane o'brien");
    assert.equal(searchNameOf('Zoë', null), 'zoë');
  });

  void test('addresses are upper-case words with the postcode last and spaceless', () => {
    assert.equal(
      normaliseAddress({ line1: '10, Mill Lane', town: 'Kingsbridge', postcode: 'kb1 2ab' }),
      '10 MILL LANE KINGSBRIDGE KB12AB',
    );
    assert.equal(normaliseAddress({ line1: '', postcode: 'KB1 2AB' }), 'KB12AB');
  });

  void test('dates of birth in common formats', () => {
    for (const input of [
      '14/3/1948',
      '14/03/1948',
      '14-03-1948',
      '14.3.1948',
      '14 March 1948',
      '14 Mar 1948',
      '14th March 1948',
      '1948-03-14',
    ])
      assert.equal(extractDate(input)?.date, '1948-03-14', input);
    assert.equal(extractDate('31/2/1948'), null, 'not a real date');
    assert.equal(extractDate('14 Smarch 1948'), null);
  });
});

void describe('parseSearchQuery', () => {
  void test('recognises each kind of query', () => {
    assert.deepEqual(parseSearchQuery('Thompsen'), {
      reference: null,
      email: null,
      phone: null,
      postcode: null,
      dateOfBirth: null,
      text: 'thompsen',
    });
    assert.equal(parseSearchQuery('07700 900123').phone, '+447700900123');
    assert.equal(parseSearchQuery('07700 900123').text, null);
    assert.equal(parseSearchQuery('kb1 2ab').postcode, 'KB12AB');
    assert.equal(parseSearchQuery('KB12AB').postcode, 'KB12AB');
    assert.equal(parseSearchQuery('kx7p3rmd').reference, 'KX7P-3RMD');
    assert.equal(parseSearchQuery('Jane.T@Example.com').email, 'jane.t@example.com');
    assert.equal(parseSearchQuery('14 March 1948').dateOfBirth, '1948-03-14');
  });

  void test('splits mixed queries into parts', () => {
    const q = parseSearchQuery('Jane Thompsen 14/3/1948 KB1 2AB');
    assert.equal(q.dateOfBirth, '1948-03-14');
    assert.equal(q.postcode, 'KB12AB');
    assert.equal(q.text, 'jane thompsen');
    const p = parseSearchQuery('smith +44 7700 900123');
    assert.equal(p.phone, '+447700900123');
    assert.equal(p.text, 'smith');
  });

  void test('an address stays text; a one-letter query is ignored', () => {
    assert.equal(parseSearchQuery('10 Mill Lane').text, '10 mill lane');
    assert.equal(parseSearchQuery('x').text, null);
    assert.equal(parseSearchQuery('   ').text, null);
  });
});
