import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slaText } from './services.presenters.ts';

test('issue 12 item 1: a service page gives the timescale its cases are due by: the SLA, or the statutory one', () => {
  assert.equal(slaText({ unit: 'working_days', amount: 10 }, 'report'), '10 working days');
  assert.equal(slaText({ unit: 'calendar_days', amount: 1 }, 'request'), '1 day');
  // The shipped definitions say 20 working days, 30 days and 10 working days; the cases are due by the law.
  assert.equal(slaText({ unit: 'working_days', amount: 20 }, 'foi'), '20 working days');
  assert.equal(slaText({ unit: 'calendar_days', amount: 30 }, 'sar'), 'one calendar month');
  assert.equal(
    slaText({ unit: 'working_days', amount: 10 }, 'complaint'),
    '15 working days',
    '5 to acknowledge, then 10 to respond (Complaint Handling Code)',
  );
});
