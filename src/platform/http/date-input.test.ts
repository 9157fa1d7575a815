import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { readDateInput, readDateParts, withDateInputs } from './date-input.ts';
import { parseForm } from './validation.ts';

void test('readDateParts: real dates only, the missing parts named, an earliest year when asked', () => {
  assert.deepEqual(readDateParts({ day: ' 7 ', month: '03', year: '2026' }), { ok: true, iso: '2026-03-07' });
  assert.deepEqual(readDateParts({ day: '', month: '3', year: '' }), {
    ok: false,
    missing: ['day', 'year'],
    invalid: false,
  });
  for (const [day, month, year] of [
    ['30', '2', '2026'],
    ['1', '13', '2026'],
    ['1', '1', '26'],
    ['1e1', '1', '2026'],
    ['+3', '1', '2026'],
  ])
    assert.deepEqual(readDateParts({ day, month, year }), { ok: false, missing: [], invalid: true }, day);
  assert.equal(readDateParts({ day: '1', month: '1', year: '1700' }, { minYear: 1850 }).ok, false);
});

void test('readDateInput: GOV.UK messages, linked to the first missing part or the day', () => {
  const body = (day: string, month: string, year: string) => ({
    'd-day': day,
    'd-month': month,
    'd-year': year,
  });
  assert.deepEqual(readDateInput(body('', '', ''), 'd', { label: 'Date received' }), {
    ok: true,
    value: null,
  });
  assert.deepEqual(readDateInput(body('', '', ''), 'd', { label: 'Date received', required: true }), {
    ok: false,
    field: 'd-day',
    message: 'Enter date received',
  });
  assert.deepEqual(readDateInput(body('3', '', '2026'), 'd', { label: 'Date received' }), {
    ok: false,
    field: 'd-month',
    message: 'Date received must include a month',
  });
  assert.deepEqual(readDateInput(body('31', '4', '2026'), 'd', { label: 'Date received' }), {
    ok: false,
    field: 'd-day',
    message: 'Date received must be a real date',
  });
  assert.deepEqual(
    readDateInput(body('24', '11', '2026'), 'd', { label: 'Date received', notAfterToday: '2026-11-23' }),
    { ok: false, field: 'd-day', message: 'Date received must be today or in the past' },
  );
});

void test('withDateInputs: the schema’s problems first, then the dates’, and the dates in the value', () => {
  const schema = withDateInputs(
    z.object({ note: z.string({ message: 'Enter a note' }).min(1, 'Enter a note') }),
    {
      receivedOn: { label: 'Date received', required: true },
      dueOn: { label: 'Due date' },
    },
  );
  const bad = parseForm(schema, {
    'receivedOn-day': '40',
    'receivedOn-month': '1',
    'receivedOn-year': '2026',
  });
  assert.equal(bad.ok, false);
  if (!bad.ok)
    assert.deepEqual(
      bad.errors.errorList.map((e) => e.href),
      ['#note', '#receivedOn-day'],
    );
  const good = parseForm(schema, {
    note: 'Hello',
    'receivedOn-day': '2',
    'receivedOn-month': '1',
    'receivedOn-year': '2026',
  });
  assert.deepEqual(good, { ok: true, value: { note: 'Hello', receivedOn: '2026-01-02', dueOn: null } });
});
