import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findUnstorable, isUnstorableText, stripUnstorable } from './edge.ts';
import { idFromParams, parseQuery, reportPeriodQuery } from './validation.ts';
import { NotFoundError, ValidationError } from './errors.ts';

void describe('input at the edge', () => {
  void test('NUL and lone surrogates are unstorable; paired surrogates (emoji) are fine', () => {
    assert.equal(isUnstorableText('a\u0000b'), true);
    assert.equal(isUnstorableText('x\ud800'), true);
    assert.equal(isUnstorableText('\udc00x'), true);
    assert.equal(isUnstorableText('bins 🗑️ and café'), false);
  });

  void test('findUnstorable names the field, looks into arrays, nested objects and keys', () => {
    assert.equal(findUnstorable({ name: 'Sam', summary: ['ok', 'bad\u0000'] }), 'summary');
    assert.equal(findUnstorable({ person: { email: 'a\ud800' } }), 'email');
    assert.equal(findUnstorable({ 'k\u0000': 'v' }), 'form');
    assert.equal(findUnstorable({ a: 'fine', b: 1, c: null }), null);
  });

  void test('findUnstorable survives deep nesting (iterative, bounded)', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    assert.equal(findUnstorable(deep), 'form');
  });

  void test('idFromParams: a UUID (lower-cased) or a 404', () => {
    assert.equal(
      idFromParams({ id: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' }),
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    );
    for (const id of ['not-a-uuid', '1', '', undefined, ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']])
      assert.throws(() => idFromParams({ id }), NotFoundError);
  });

  void test('report period: real dates only, blanks mean not given, repeats refused', () => {
    assert.deepEqual(parseQuery(reportPeriodQuery, { from: '2026-02-28', to: '' }), {
      from: '2026-02-28',
      to: undefined,
    });
    for (const query of [
      { to: '2026-02-30' },
      { from: '2026-13-01' },
      { from: ['2026-01-01', '2026-01-02'] },
    ])
      assert.throws(() => parseQuery(reportPeriodQuery, query), ValidationError);
  });
});

void test('stripUnstorable removes NUL characters and lone surrogates from form answers, keys included', () => {
  assert.deepEqual(
    stripUnstorable({ summary: 'Called\u0000 about bins', 'na\u0000me': ['a\ud800b', 'ok'], n: 3 }),
    { summary: 'Called about bins', name: ['ab', 'ok'], n: 3 },
  );
  assert.equal(stripUnstorable('\ud83d\ude00 whole emoji'), '\ud83d\ude00 whole emoji');
});
