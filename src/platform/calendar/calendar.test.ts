/**
 * Working-day calendar tests. Every expected date is worked out by hand in the comments. Days of the
 * week that matter:
 *
 *   2026: Mon 23 Nov, Fri 27 Nov, Mon 30 Nov (St Andrew's Day); Thu 24 Dec, Fri 25 Dec, Sat 26,
 *         Sun 27, Mon 28 Dec; Thu 31 Dec. Fri 2 Jan 2026. Good Friday 3 Apr, Easter Monday 6 Apr.
 *   2027: Fri 1 Jan, Sat 2 Jan, Mon 4 Jan; Good Friday 26 Mar, Easter Monday 29 Mar; Mon 12 Jul;
 *         Fri 24 Dec, Sat 25 Dec, Sun 26 Dec, Mon 27, Tue 28 Dec.
 *   2028: Sat 1 Jan, Sun 2 Jan, Mon 3 Jan, Tue 4 Jan.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  BankHolidayDataError,
  CalendarCoverageError,
  DEFAULT_BANK_HOLIDAYS_PATH,
  DIVISIONS,
  WorkingDayCalendar,
  addCalendarDays,
  addCalendarMonths,
  dayOfWeek,
  defaultBankHolidays,
  endOfLondonDay,
  isIsoDate,
  loadDefaultCalendar,
  londonInstant,
  parseBankHolidays,
  readBankHolidaysFile,
  startOfLondonDay,
  toIsoDate,
  zonedParts,
  type BankHolidaysData,
} from './index.ts';

const ew = loadDefaultCalendar({ divisions: ['england-and-wales'] });
const scot = loadDefaultCalendar({ divisions: ['scotland'] });
const ni = loadDefaultCalendar({ divisions: ['northern-ireland'] });
const uk = loadDefaultCalendar({ divisions: DIVISIONS });

/** A London wall-clock instant, for readability: at('2026-07-14', '16:59'). */
const at = (date: string, time: string): Date => londonInstant(date, time);

describe('plain dates', () => {
  it('validates YYYY-MM-DD strictly', () => {
    assert.equal(isIsoDate('2028-02-29'), true);
    assert.equal(isIsoDate('2027-02-29'), false); // not a leap year
    assert.equal(isIsoDate('2026-13-01'), false);
    assert.equal(isIsoDate('2026-1-1'), false);
    assert.equal(isIsoDate('2026-01-01T00:00:00Z'), false);
    assert.equal(isIsoDate(20260101), false);
    assert.throws(() => ew.isWorkingDay('2026-02-30'), RangeError);
    assert.throws(() => ew.addWorkingDays('26/12/2026', 1), /YYYY-MM-DD/);
  });

  it('knows the day of the week', () => {
    assert.equal(dayOfWeek('2026-11-22'), 0); // Sunday
    assert.equal(dayOfWeek('2026-12-24'), 4); // Thursday
    assert.equal(dayOfWeek('1970-01-01'), 4);
    assert.equal(dayOfWeek('1969-12-31'), 3);
  });

  it('adds calendar days across month, year and leap-day boundaries', () => {
    assert.equal(addCalendarDays('2026-12-31', 1), '2027-01-01');
    assert.equal(addCalendarDays('2028-02-28', 1), '2028-02-29');
    assert.equal(addCalendarDays('2028-03-01', -1), '2028-02-29');
    assert.equal(addCalendarDays('2027-03-01', -1), '2027-02-28');
  });
});

describe('addCalendarMonths', () => {
  it('keeps the day of the month when it exists', () => {
    assert.equal(addCalendarMonths('2026-03-15', 1), '2026-04-15');
    assert.equal(addCalendarMonths('2026-12-15', 1), '2027-01-15'); // year rolls over
    assert.equal(addCalendarMonths('2026-12-31', 1), '2027-01-31'); // 31 Dec → 31 Jan
    assert.equal(addCalendarMonths('2026-11-30', 3), '2027-02-28'); // then clipped
  });

  it('falls back to the last day of a shorter month', () => {
    assert.equal(addCalendarMonths('2026-01-31', 1), '2026-02-28');
    assert.equal(addCalendarMonths('2028-01-31', 1), '2028-02-29'); // leap year
    assert.equal(addCalendarMonths('2026-03-31', 1), '2026-04-30');
    assert.equal(addCalendarMonths('2026-08-31', 3), '2026-11-30');
    assert.equal(addCalendarMonths('2026-12-31', 2), '2027-02-28');
  });

  it('handles 29 February', () => {
    assert.equal(addCalendarMonths('2028-02-29', 1), '2028-03-29');
    assert.equal(addCalendarMonths('2028-02-29', 12), '2029-02-28');
    assert.equal(addCalendarMonths('2028-02-29', 48), '2032-02-29');
  });

  it('goes backwards and is also a calendar method', () => {
    assert.equal(addCalendarMonths('2026-03-31', -1), '2026-02-28');
    assert.equal(addCalendarMonths('2027-01-15', -1), '2026-12-15');
    assert.equal(ew.addCalendarMonths('2026-01-31', 1), '2026-02-28');
    assert.throws(() => addCalendarMonths('2026-01-31', 1.5), RangeError);
  });
});

describe('weekends', () => {
  it('Saturday and Sunday are never working days', () => {
    for (const cal of [ew, scot, ni, uk]) {
      assert.equal(cal.isWorkingDay('2026-11-21'), false); // Saturday
      assert.equal(cal.isWorkingDay('2026-11-22'), false); // Sunday
      assert.equal(cal.isWorkingDay('2026-11-23'), true); // Monday
    }
  });

  it('steps over a weekend', () => {
    assert.equal(ew.nextWorkingDay('2026-11-20'), '2026-11-23'); // Fri → Mon
    assert.equal(ew.nextWorkingDay('2026-11-21'), '2026-11-23'); // Sat → Mon
    assert.equal(ew.previousWorkingDay('2026-11-23'), '2026-11-20'); // Mon → Fri
    assert.equal(ew.workingDayOnOrAfter('2026-11-21'), '2026-11-23');
    assert.equal(ew.workingDayOnOrAfter('2026-11-24'), '2026-11-24'); // already a working day
  });

  it('addWorkingDays counts the days after the start date', () => {
    assert.equal(ew.addWorkingDays('2026-11-20', 0), '2026-11-20'); // n = 0: the date itself
    assert.equal(ew.addWorkingDays('2026-11-21', 0), '2026-11-21'); // … even on a Saturday
    assert.equal(ew.addWorkingDays('2026-11-20', 1), '2026-11-23'); // Fri + 1 = Mon
    assert.equal(ew.addWorkingDays('2026-11-21', 1), '2026-11-23'); // Sat + 1 = Mon (Mon is day 1)
    assert.equal(ew.addWorkingDays('2026-11-23', 5), '2026-11-30'); // Mon + 5 = next Mon
    assert.equal(ew.addWorkingDays('2026-11-20', 5), '2026-11-27'); // Fri + 5 = next Fri
    assert.throws(() => ew.addWorkingDays('2026-11-20', -1), RangeError);
    assert.throws(() => ew.addWorkingDays('2026-11-20', 1.5), RangeError);
  });
});

describe('Christmas and New Year', () => {
  it('2026–27 in England and Wales: Boxing Day substitute Mon 28 Dec', () => {
    // Fri 25 Christmas, Sat 26 Boxing Day → substitute Mon 28, Fri 1 Jan New Year.
    for (const d of ['2026-12-25', '2026-12-28', '2027-01-01']) assert.equal(ew.isWorkingDay(d), false, d);
    assert.equal(ew.isWorkingDay('2027-01-04'), true); // not a holiday in England
    assert.deepEqual(ew.bankHolidaysOn('2026-12-28'), [
      { division: 'england-and-wales', title: 'Boxing Day', notes: 'Substitute day' },
    ]);
    // Thu 24 Dec + 1: 25 (hol), 26–27 (weekend), 28 (hol) → Tue 29.
    assert.equal(ew.addWorkingDays('2026-12-24', 1), '2026-12-29');
    // + 4: 29, 30, 31, then 1 Jan (hol), 2–3 (weekend) → Mon 4 Jan.
    assert.equal(ew.addWorkingDays('2026-12-24', 4), '2027-01-04');
  });

  it('2026–27 in Scotland: 1 and 2 January, 2 Jan substituted to Mon 4 Jan', () => {
    // Fri 1 Jan New Year; Sat 2 Jan "2nd January" → substitute Mon 4 Jan.
    assert.equal(scot.isWorkingDay('2027-01-01'), false);
    assert.equal(scot.isWorkingDay('2027-01-04'), false);
    assert.equal(scot.bankHolidaysOn('2027-01-04')[0]?.title, '2nd January');
    // Thu 24 Dec + 4: 29, 30, 31, (1 hol, 2–3 weekend, 4 hol) → Tue 5 Jan.
    assert.equal(scot.addWorkingDays('2026-12-24', 4), '2027-01-05');
    assert.equal(scot.nextWorkingDay('2026-12-31'), '2027-01-05');
  });

  it('2027–28: Christmas on a Saturday → Mon 27 Dec, Boxing Day on a Sunday → Tue 28 Dec', () => {
    for (const cal of [ew, scot, ni]) {
      assert.equal(cal.isWorkingDay('2027-12-27'), false);
      assert.equal(cal.isWorkingDay('2027-12-28'), false);
      assert.equal(cal.bankHolidaysOn('2027-12-27')[0]?.title, 'Christmas Day');
      assert.equal(cal.bankHolidaysOn('2027-12-28')[0]?.title, 'Boxing Day');
    }
    // Fri 24 Dec 2027 + 1: (25–26 weekend, 27–28 hol) → Wed 29.
    assert.equal(ew.addWorkingDays('2027-12-24', 1), '2027-12-29');
    // New Year 2028 is a Saturday → substitute Mon 3 Jan; Scotland's 2 Jan (Sun) → Tue 4 Jan.
    // + 4 in England: 29, 30, 31, (3 Jan hol) → Tue 4 Jan. In Scotland → Wed 5 Jan.
    assert.equal(ew.addWorkingDays('2027-12-24', 4), '2028-01-04');
    assert.equal(scot.addWorkingDays('2027-12-24', 4), '2028-01-05');
  });
});

describe('Easter', () => {
  it('2026: Good Friday 3 April everywhere, Easter Monday 6 April except in Scotland', () => {
    assert.equal(ew.isWorkingDay('2026-04-03'), false);
    assert.equal(ew.isWorkingDay('2026-04-06'), false);
    assert.equal(scot.isWorkingDay('2026-04-03'), false);
    assert.equal(scot.isWorkingDay('2026-04-06'), true);
    assert.equal(ni.isWorkingDay('2026-04-06'), false);
    // Thu 2 Apr + 1: England → Tue 7 (Fri 3, Mon 6 holidays); Scotland → Mon 6.
    assert.equal(ew.addWorkingDays('2026-04-02', 1), '2026-04-07');
    assert.equal(scot.addWorkingDays('2026-04-02', 1), '2026-04-06');
  });

  it('2027: Good Friday 26 March, Easter Monday 29 March', () => {
    assert.equal(ew.isWorkingDay('2027-03-26'), false);
    assert.equal(ew.isWorkingDay('2027-03-29'), false);
    assert.equal(ew.addWorkingDays('2027-03-25', 1), '2027-03-30');
    assert.equal(scot.addWorkingDays('2027-03-25', 1), '2027-03-29');
  });
});

describe('division-only bank holidays', () => {
  it("Scotland: St Andrew's Day, 2 January and the first Monday in August", () => {
    // St Andrew's Day 2026 is Monday 30 November.
    assert.equal(ew.isWorkingDay('2026-11-30'), true);
    assert.equal(scot.isWorkingDay('2026-11-30'), false);
    assert.equal(uk.isWorkingDay('2026-11-30'), false);
    // St Andrew's Day 2025 was a Sunday → substitute Monday 1 December.
    assert.equal(scot.isWorkingDay('2025-12-01'), false);
    assert.equal(scot.bankHolidaysOn('2025-12-01')[0]?.notes, 'Substitute day');
    // 2 January 2026 is a Friday.
    assert.equal(ew.isWorkingDay('2026-01-02'), true);
    assert.equal(scot.isWorkingDay('2026-01-02'), false);
    // Summer bank holiday: Scotland Mon 3 Aug 2026, England Mon 31 Aug 2026.
    assert.equal(scot.isWorkingDay('2026-08-03'), false);
    assert.equal(ew.isWorkingDay('2026-08-03'), true);
    assert.equal(scot.isWorkingDay('2026-08-31'), true);
    assert.equal(ew.isWorkingDay('2026-08-31'), false);
    assert.equal(uk.isWorkingDay('2026-08-03'), false);
    assert.equal(uk.isWorkingDay('2026-08-31'), false);
  });

  it("Northern Ireland: St Patrick's Day and the Battle of the Boyne", () => {
    assert.equal(ew.isWorkingDay('2026-03-17'), true); // Tuesday
    assert.equal(ni.isWorkingDay('2026-03-17'), false);
    assert.equal(uk.isWorkingDay('2026-03-17'), false);
    assert.equal(ni.isWorkingDay('2027-07-12'), false); // Monday
    assert.equal(ew.isWorkingDay('2027-07-12'), true);
    // 12 July 2026 is a Sunday → substitute Monday 13 July.
    assert.equal(ni.isWorkingDay('2026-07-13'), false);
    assert.equal(ni.bankHolidaysOn('2026-07-13')[0]?.notes, 'Substitute day');
    assert.equal(scot.isWorkingDay('2026-07-13'), true);
  });

  it('a union calendar lists every division with a holiday that day', () => {
    assert.deepEqual(
      uk.bankHolidaysOn('2026-12-25').map((h) => h.division),
      ['england-and-wales', 'scotland', 'northern-ireland'],
    );
    assert.deepEqual(uk.bankHolidaysOn('2026-11-30'), [
      { division: 'scotland', title: 'St Andrew’s Day', notes: '' },
    ]);
    assert.equal(uk.isBankHoliday('2026-11-27'), false);
    // 2 Jan 2026 (Fri, Scotland) … Mon 5 Jan: Wed 31 Dec 2025 + 1 is Fri 2 Jan in England, Mon 5 in the UK.
    assert.equal(ew.addWorkingDays('2025-12-31', 1), '2026-01-02');
    assert.equal(uk.addWorkingDays('2025-12-31', 1), '2026-01-05');
  });
});

describe('workingDaysBetween', () => {
  it('counts d with from < d ≤ to', () => {
    assert.equal(ew.workingDaysBetween('2026-11-23', '2026-11-23'), 0);
    assert.equal(ew.workingDaysBetween('2026-11-23', '2026-11-24'), 1); // Mon → Tue
    assert.equal(ew.workingDaysBetween('2026-11-20', '2026-11-23'), 1); // Fri → Mon
    assert.equal(ew.workingDaysBetween('2026-11-21', '2026-11-22'), 0); // Sat → Sun
    assert.equal(ew.workingDaysBetween('2026-11-21', '2026-11-23'), 1); // Sat → Mon
    assert.equal(ew.workingDaysBetween('2026-11-23', '2026-11-27'), 4); // Mon → Fri
    assert.equal(ew.workingDaysBetween('2026-11-23', '2026-11-30'), 5); // Mon → Mon
  });

  it('is negative when to is before from', () => {
    assert.equal(ew.workingDaysBetween('2026-11-27', '2026-11-23'), -4);
    assert.equal(ew.workingDaysBetween('2026-11-23', '2026-11-20'), -1);
  });

  it('skips holidays: 24 Dec 2026 → 4 Jan 2027 is 4 in England, 3 in Scotland', () => {
    // England: 29, 30, 31 Dec, 4 Jan. Scotland: 4 Jan is the 2 January substitute.
    assert.equal(ew.workingDaysBetween('2026-12-24', '2027-01-04'), 4);
    assert.equal(scot.workingDaysBetween('2026-12-24', '2027-01-04'), 3);
  });

  it('is the inverse of addWorkingDays for every day of 2026', () => {
    for (let d = '2026-01-01'; d <= '2026-12-31'; d = addCalendarDays(d, 1)) {
      for (const n of [0, 1, 5, 20]) {
        assert.equal(uk.workingDaysBetween(d, uk.addWorkingDays(d, n)), n, `${d} + ${n}`);
      }
    }
  });
});

describe('Europe/London instants', () => {
  it('converts London wall-clock times to instants in GMT and BST', () => {
    assert.equal(londonInstant('2026-01-15', '09:00').toISOString(), '2026-01-15T09:00:00.000Z');
    assert.equal(londonInstant('2026-07-15', '09:00').toISOString(), '2026-07-15T08:00:00.000Z');
    assert.equal(londonInstant('2026-07-15').toISOString(), '2026-07-14T23:00:00.000Z'); // midnight BST
  });

  it('resolves clock-change hours (compatible: gap → later, overlap → earlier)', () => {
    // 29 Mar 2026: 01:00 GMT → 02:00 BST, 01:30 does not exist → 02:30 BST.
    assert.equal(londonInstant('2026-03-29', '01:30').toISOString(), '2026-03-29T01:30:00.000Z');
    // 25 Oct 2026: 01:30 happens twice → the first (BST) one.
    assert.equal(londonInstant('2026-10-25', '01:30').toISOString(), '2026-10-25T00:30:00.000Z');
  });

  it('gives the London date of an instant', () => {
    assert.equal(toIsoDate(new Date('2026-07-14T23:30:00Z')), '2026-07-15'); // 00:30 BST
    assert.equal(toIsoDate(new Date('2026-01-14T23:30:00Z')), '2026-01-14'); // 23:30 GMT
    assert.equal(toIsoDate(new Date('2026-07-14T23:30:00Z'), 'UTC'), '2026-07-14');
    assert.deepEqual(zonedParts(new Date('2026-07-14T15:59:59.999Z')), {
      date: '2026-07-14',
      hour: 16,
      minute: 59,
      second: 59,
      millisecond: 999,
    });
  });

  it('reads the wall clock exactly as the tz database does, across clock changes', () => {
    // zonedParts does arithmetic on a remembered offset; Intl is the reference.
    const reference = (instant: Date, timeZone: string) => {
      const parts = Object.fromEntries(
        new Intl.DateTimeFormat('en-GB', {
          timeZone,
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
          hourCycle: 'h23',
        })
          .formatToParts(instant)
          .map((p) => [p.type, p.value]),
      );
      return {
        date: `${parts.year}-${parts.month}-${parts.day}`,
        hour: Number(parts.hour),
        minute: Number(parts.minute),
        second: Number(parts.second),
        millisecond: instant.getUTCMilliseconds(),
      };
    };
    const around = [
      '2026-03-29T01:00:00Z',
      '2026-10-25T01:00:00Z',
      '2026-04-04T15:00:00Z',
      '2026-11-01T05:30:00Z',
    ];
    for (const timeZone of ['Europe/London', 'Australia/Lord_Howe', 'America/St_Johns', 'UTC'])
      for (const centre of around)
        for (let minutes = -180; minutes <= 180; minutes += 7) {
          const instant = new Date(Date.parse(centre) + minutes * 60_000 + 1234);
          assert.deepEqual(
            zonedParts(instant, timeZone),
            reference(instant, timeZone),
            instant.toISOString(),
          );
        }
  });

  it('finds the start and end of London days, including 23- and 25-hour days', () => {
    assert.equal(startOfLondonDay('2026-07-14').toISOString(), '2026-07-13T23:00:00.000Z');
    assert.equal(endOfLondonDay('2026-07-14').toISOString(), '2026-07-14T22:59:59.999Z');
    assert.equal(endOfLondonDay('2026-11-30').toISOString(), '2026-11-30T23:59:59.999Z');
    assert.equal(
      startOfLondonDay(new Date('2026-07-14T23:30:00Z')).toISOString(),
      '2026-07-14T23:00:00.000Z',
    );
    const spring = endOfLondonDay('2026-03-29').getTime() + 1 - startOfLondonDay('2026-03-29').getTime();
    const autumn = endOfLondonDay('2026-10-25').getTime() + 1 - startOfLondonDay('2026-10-25').getTime();
    assert.equal(spring / 3_600_000, 23);
    assert.equal(autumn / 3_600_000, 25);
  });
});

describe('receivedDate and the cut-off', () => {
  it('16:59 counts today, 17:00 counts next working day (GMT)', () => {
    // Tue 24 Nov 2026, GMT: London time = UTC.
    assert.equal(ew.receivedDate(new Date('2026-11-24T16:59:00Z')), '2026-11-24');
    assert.equal(ew.receivedDate(new Date('2026-11-24T16:59:59.999Z')), '2026-11-24');
    assert.equal(ew.receivedDate(new Date('2026-11-24T17:00:00Z')), '2026-11-25');
  });

  it('16:59 counts today, 17:00 counts next working day (BST)', () => {
    // Tue 14 Jul 2026, BST: 17:00 London = 16:00 UTC.
    assert.equal(ew.receivedDate(new Date('2026-07-14T15:59:00Z')), '2026-07-14');
    assert.equal(ew.receivedDate(new Date('2026-07-14T16:00:00Z')), '2026-07-15');
    assert.equal(ew.receivedDate(at('2026-07-14', '16:59')), '2026-07-14');
    assert.equal(ew.receivedDate(at('2026-07-14', '17:00')), '2026-07-15');
    // 23:30 UTC is already 00:30 on Wednesday in London: before the cut-off, so Wednesday.
    assert.equal(ew.receivedDate(new Date('2026-07-14T23:30:00Z')), '2026-07-15');
  });

  it('a Friday 18:00 contact counts from Monday (Tuesday where Monday is a holiday)', () => {
    assert.equal(ew.receivedDate(at('2026-11-27', '18:00')), '2026-11-30');
    assert.equal(scot.receivedDate(at('2026-11-27', '18:00')), '2026-12-01'); // St Andrew's Day Mon 30
    assert.equal(ew.receivedDate(at('2026-11-28', '10:00')), '2026-11-30'); // Saturday morning
  });

  it('a contact on a bank holiday counts from the next working day, at any time', () => {
    assert.equal(ew.receivedDate(at('2026-08-31', '10:00')), '2026-09-01'); // summer bank holiday
    assert.equal(ew.receivedDate(at('2026-12-25', '09:00')), '2026-12-29'); // Christmas → Tue 29
    assert.equal(ew.receivedDate(at('2026-12-24', '17:30')), '2026-12-29'); // Christmas Eve after cut-off
    assert.equal(scot.receivedDate(at('2026-08-31', '10:00')), '2026-08-31'); // a working day in Scotland
  });

  it('honours a custom cut-off, or none', () => {
    const early = loadDefaultCalendar({ divisions: ['england-and-wales'], cutOff: '16:00' });
    assert.equal(early.receivedDate(at('2026-11-24', '15:59')), '2026-11-24');
    assert.equal(early.receivedDate(at('2026-11-24', '16:00')), '2026-11-25');
    const none = loadDefaultCalendar({ divisions: ['england-and-wales'], cutOff: null });
    assert.equal(none.receivedDate(at('2026-11-24', '23:59')), '2026-11-24');
    assert.equal(none.receivedDate(at('2026-11-28', '10:00')), '2026-11-30'); // weekends still move
  });
});

describe('calendar construction', () => {
  it('covers 2018–2028 and refuses weekdays outside that by default', () => {
    assert.deepEqual(ew.coverage, { from: '2018-01-01', to: '2028-12-31' });
    assert.throws(() => ew.isWorkingDay('2029-01-02'), CalendarCoverageError);
    assert.throws(() => ew.addWorkingDays('2028-12-29', 1), /outside the bank holiday data/);
    assert.equal(ew.isWorkingDay('2029-01-06'), false); // a Saturday is known anyway
    const lax = loadDefaultCalendar({ divisions: ['england-and-wales'], outOfRange: 'weekends-only' });
    assert.equal(lax.isWorkingDay('2029-01-02'), true);
  });

  it('rejects bad options', () => {
    const data = defaultBankHolidays();
    assert.throws(() => new WorkingDayCalendar(data, { divisions: [] }), /at least one division/);
    assert.throws(
      () => new WorkingDayCalendar(data, { divisions: ['wales' as 'scotland'] }),
      /unknown division "wales"/,
    );
    assert.throws(() => new WorkingDayCalendar(data, { divisions: ['scotland'], cutOff: '5pm' }), /cutOff/);
    assert.throws(() => new WorkingDayCalendar(data, { divisions: ['scotland'], cutOff: '24:00' }), /cutOff/);
    assert.throws(
      () => new WorkingDayCalendar(data, { divisions: ['scotland'], timeZone: 'Europe/Londres' }),
      /unknown time zone/,
    );
  });

  it('loads from a file and defaults to England and Wales', () => {
    const cal = WorkingDayCalendar.fromFile(DEFAULT_BANK_HOLIDAYS_PATH, { divisions: ['scotland'] });
    assert.equal(cal.isWorkingDay('2026-11-30'), false);
    assert.deepEqual(loadDefaultCalendar().divisions, ['england-and-wales']);
    assert.equal(loadDefaultCalendar().cutOff, '17:00');
    assert.equal(loadDefaultCalendar().timeZone, 'Europe/London');
  });
});

describe('parseBankHolidays', () => {
  const valid = (): BankHolidaysData => ({
    'england-and-wales': {
      division: 'england-and-wales',
      events: [{ title: 'Christmas Day', date: '2026-12-25', notes: '', bunting: true }],
    },
    scotland: { division: 'scotland', events: [] },
    'northern-ireland': { division: 'northern-ireland', events: [] },
  });

  it('accepts the shipped file and a minimal document', () => {
    const shipped = readBankHolidaysFile(DEFAULT_BANK_HOLIDAYS_PATH);
    assert.equal(shipped.scotland.division, 'scotland');
    assert.deepEqual(parseBankHolidays(valid()), valid());
  });

  it('sorts events and drops unknown fields', () => {
    const doc = valid() as unknown as {
      'england-and-wales': { events: Record<string, unknown>[] };
    };
    doc['england-and-wales'].events.unshift({
      title: 'Boxing Day',
      date: '2026-12-28',
      notes: 'Substitute day',
      bunting: true,
      extra: 1,
    });
    const parsed = parseBankHolidays(doc);
    assert.deepEqual(
      parsed['england-and-wales'].events.map((e) => e.date),
      ['2026-12-25', '2026-12-28'],
    );
    assert.equal('extra' in parsed['england-and-wales'].events[1], false);
  });

  it('rejects something that is not an object', () => {
    assert.throws(
      () => parseBankHolidays([]),
      /top level: expected an object keyed by division, got an array/,
    );
    assert.throws(() => parseBankHolidays(null), BankHolidayDataError);
  });

  it('lists every problem, with a path to each', () => {
    const bad: unknown = {
      'england-and-wales': {
        division: 'england-and-wales',
        events: [
          { title: 'Christmas Day', date: '2026-12-25', notes: '', bunting: true },
          { title: '', date: '2026-02-30', notes: null, bunting: 'yes' },
          { title: 'Christmas again', date: '2026-12-25', notes: '', bunting: true },
          'Boxing Day',
        ],
      },
      scotland: { division: 'england-and-wales', events: [] },
    };
    try {
      parseBankHolidays(bad, 'test.json');
      assert.fail('should have thrown');
    } catch (error) {
      assert.ok(error instanceof BankHolidayDataError);
      assert.deepEqual(error.issues, [
        'england-and-wales.events[1].title: expected a non-empty string, got ""',
        'england-and-wales.events[1].date: expected a real date written YYYY-MM-DD, got "2026-02-30"',
        'england-and-wales.events[1].notes: expected a string ("" if none), got null',
        'england-and-wales.events[1].bunting: expected true or false, got "yes"',
        'england-and-wales.events[2].date: 2026-12-25 already appears at england-and-wales.events[0]',
        'england-and-wales.events[3]: expected an object, got "Boxing Day"',
        'scotland.division: expected "scotland", got "england-and-wales"',
        'northern-ireland: expected an object with "division" and "events", got nothing',
      ]);
      assert.match(error.message, /^Invalid bank holiday data in test\.json \(8 problems\):/);
      assert.match(error.message, /\n {2}- scotland\.division: expected "scotland"/);
    }
  });

  it('rejects events that are not an array and files that are not JSON', () => {
    const doc = { ...valid(), scotland: { division: 'scotland', events: {} } };
    assert.throws(() => parseBankHolidays(doc), /scotland\.events: expected an array, got object/);
    const dir = mkdtempSync(join(tmpdir(), 'frontdoor-calendar-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"england-and-wales": ');
    try {
      assert.throws(() => readBankHolidaysFile(file), /not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to build a calendar for a division with no events', () => {
    assert.throws(
      () => new WorkingDayCalendar(valid(), { divisions: ['scotland'] }),
      /scotland: no bank holidays/,
    );
    const cal = new WorkingDayCalendar(valid(), { divisions: ['england-and-wales'] });
    assert.deepEqual(cal.coverage, { from: '2026-01-01', to: '2026-12-31' });
    assert.equal(cal.isWorkingDay('2026-12-25'), false);
    assert.equal(cal.isWorkingDay('2026-12-28'), true); // not in this tiny data set
  });
});
