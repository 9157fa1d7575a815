import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDefaultCalendar } from '../../platform/calendar/index.ts';
import { translate } from '../../platform/i18n/index.ts';
import { loadServiceDefinitions } from '../services/index.ts';
import { readPage, type PageReadContext } from './forms.engine.ts';

const t = (key: string, params: Record<string, string | number> = {}) => translate('en', key, params);
const ctx: PageReadContext = {
  t,
  today: '2026-11-23',
  answers: {},
  addresses: {},
  files: {},
  workingDays: loadDefaultCalendar(),
};

/** Every question of every shipped form with the answer `body` gives it, and the error it gets. */
function errorsFor(type: string, body: (id: string) => Record<string, string>) {
  const found: { label: string; message: string }[] = [];
  for (const definition of loadServiceDefinitions())
    for (const page of definition.form.pages)
      for (const q of page.questions) {
        if (q.type !== type) continue;
        const answers = q.showIf ? { [q.showIf.question]: q.showIf.equals } : {};
        const result = readPage({ ...page, questions: [q] }, definition, body(q.id), { ...ctx, answers });
        const error = result.errors.find((e) => e.questionId === q.id);
        if (error) found.push({ label: q.label, message: error.message });
      }
  return found;
}

void test('issue 12 item 16: error messages built from a label read as sentences (files, numbers, dates)', () => {
  const files = errorsFor('file', () => ({}));
  assert.ok(files.some((f) => f.message === 'Select a photo of their face'));
  for (const { message } of files) assert.doesNotMatch(message, /^Select upload/i);

  const numbers = errorsFor('number', (id) => ({ [id]: 'lots' }));
  assert.ok(numbers.length >= 3);
  for (const { label, message } of numbers) {
    assert.doesNotMatch(message, /must be a (whole )?number/);
    assert.match(message, /^Enter .* as a (whole )?number$/);
    if (label.endsWith('?')) assert.ok(message.includes(`‘${label}’`), message);
  }
  assert.ok(
    numbers.some((n) => n.message === 'Enter your answer to ‘How much was lost, in pounds?’ as a number'),
  );

  const dates = errorsFor('date', (id) => ({
    [`${id}-day`]: '31',
    [`${id}-month`]: '2',
    [`${id}-year`]: '2026',
  }));
  assert.ok(dates.length >= 3);
  for (const { label, message } of dates) {
    assert.match(message, /must be a real date$/);
    // Never "When did it happen must be a real date".
    if (label.endsWith('?')) assert.equal(message, `Your answer to ‘${label}’ must be a real date`);
    else assert.equal(message, `${label} must be a real date`);
  }
});
