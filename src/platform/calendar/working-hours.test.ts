/**
 * Working hours (callbacks within a service standard). Days that matter: Thu 24 Dec 2026, Fri 25 (Christmas),
 * Sat 26, Sun 27, Mon 28 Dec (Boxing Day substitute), Tue 29 Dec; Sat 5, Mon 7, Tue 8 Dec 2026; clocks go
 * forward on Sun 29 Mar 2026 and back on Sun 25 Oct 2026.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addWorkingHours, isWithinOfficeHours, loadDefaultCalendar, londonInstant } from './index.ts';

const calendar = loadDefaultCalendar({ divisions: ['england-and-wales'] });
const plus = (date: string, time: string, hours: number) =>
  addWorkingHours(calendar, londonInstant(date, time), hours).toISOString();

describe('addWorkingHours', () => {
  it('bank-holiday test: 2 working hours from 16:30 on Thu 24 Dec 2026 is Tue 29 Dec at 10:30', () => {
    assert.equal(plus('2026-12-24', '16:30', 2), londonInstant('2026-12-29', '10:30').toISOString());
  });

  it('counts within one day, and may end at closing time', () => {
    assert.equal(plus('2026-12-07', '10:20', 2), londonInstant('2026-12-07', '12:20').toISOString());
    assert.equal(plus('2026-12-07', '15:00', 2), londonInstant('2026-12-07', '17:00').toISOString());
    assert.equal(plus('2026-12-07', '10:00', 1.5), londonInstant('2026-12-07', '11:30').toISOString());
  });

  it('a start before opening counts from opening', () => {
    assert.equal(plus('2026-12-07', '07:15', 2), londonInstant('2026-12-07', '11:00').toISOString());
  });

  it('a start at closing counts from the next working day', () => {
    assert.equal(plus('2026-12-07', '17:00', 1), londonInstant('2026-12-08', '10:00').toISOString());
  });

  it('a start on a weekend counts from Monday', () => {
    assert.equal(plus('2026-12-05', '11:00', 2), londonInstant('2026-12-07', '11:00').toISOString());
  });

  it('office hours are wall-clock hours across a clock change', () => {
    // Fri 27 Mar 16:00 GMT: 1 hour on Friday, 1 on Monday 30 Mar (BST) → 10:00 BST = 09:00 UTC.
    assert.equal(plus('2026-03-27', '16:00', 2), '2026-03-30T09:00:00.000Z');
    // Fri 23 Oct 16:00 BST: → Mon 26 Oct 10:00 GMT = 10:00 UTC.
    assert.equal(plus('2026-10-23', '16:00', 2), '2026-10-26T10:00:00.000Z');
  });

  it('other office hours', () => {
    const at = addWorkingHours(calendar, londonInstant('2026-12-07', '16:00'), 2, {
      open: '08:30',
      close: '16:30',
    });
    assert.equal(at.toISOString(), londonInstant('2026-12-08', '10:00').toISOString());
  });

  it('isWithinOfficeHours: working days from opening to closing', () => {
    assert.equal(isWithinOfficeHours(calendar, londonInstant('2026-12-29', '14:00')), true);
    assert.equal(isWithinOfficeHours(calendar, londonInstant('2026-12-29', '17:00')), true);
    assert.equal(isWithinOfficeHours(calendar, londonInstant('2026-12-29', '17:30')), false);
    assert.equal(isWithinOfficeHours(calendar, londonInstant('2026-12-28', '14:00')), false);
  });
});
