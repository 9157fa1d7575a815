import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findLanguage, languageName, LANGUAGE_LIST } from './index.ts';

void test('languageName gives staff the English name, never a bare code', () => {
  assert.equal(languageName('ur'), 'Urdu');
  assert.equal(languageName('PL'), 'Polish');
  assert.equal(languageName('pt_BR'), 'Portuguese');
  assert.equal(languageName('bsl'), 'British Sign Language');
  assert.equal(languageName('xx'), 'Other language (xx)');
  assert.equal(languageName(null), '');
});

void test('every language has its own name and a direction; the right-to-left ones are marked', () => {
  for (const language of LANGUAGE_LIST) assert.ok(language.endonym && language.english, language.code);
  assert.deepEqual(
    LANGUAGE_LIST.filter((l) => l.dir === 'rtl').map((l) => l.code),
    ['ur', 'ar', 'fa'],
  );
  assert.equal(findLanguage('cy')?.endonym, 'Cymraeg');
});
