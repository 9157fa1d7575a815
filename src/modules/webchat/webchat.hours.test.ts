/**
 * Webchat hours (issue 16): the weekly hours, bank holidays (England and Wales) and dated exceptions, on
 * the edges that matter: Christmas, a bank holiday Monday, Christmas Eve's short hours, the clock changes,
 * the minute of closing and the next opening across a long weekend. London is on GMT in winter (UTC = local)
 * and BST in summer (UTC = local − 1 hour).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_CHAT_HOURS,
  chatOpenAt,
  hoursOn,
  openingText,
  parseChatHours,
  readChatHours,
  timeText,
  upcomingExceptions,
  weeklyHoursText,
  type ChatHours,
} from './webchat.hours.ts';

const at = (iso: string) => new Date(iso);
const weekdaysOnly: ChatHours = {
  weekly: Object.fromEntries(
    ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [
      d,
      { open: '09:00', close: '17:00' },
    ]),
  ),
  closedOnBankHolidays: true,
  exceptions: [],
};

describe('chat hours: closed days', () => {
  test('25 December 2026 (a Friday) is closed all day, and chat next opens on Tuesday 29 December at 9am', () => {
    const noon = at('2026-12-25T12:00:00Z');
    assert.equal(hoursOn(DEMO_CHAT_HOURS, '2026-12-25').hours, null);
    assert.equal(hoursOn(DEMO_CHAT_HOURS, '2026-12-25').label, 'Christmas Day');
    const state = chatOpenAt(DEMO_CHAT_HOURS, noon);
    assert.deepEqual(state, { open: false, nextOpening: at('2026-12-29T09:00:00Z') });
    assert.equal(openingText(at('2026-12-29T09:00:00Z'), noon), 'Tuesday 29 December at 9am');
  });

  test('a bank holiday Monday (Easter Monday, 6 April 2026) is closed even though Mondays are open', () => {
    assert.equal(hoursOn(weekdaysOnly, '2026-04-06').hours, null);
    assert.equal(chatOpenAt(weekdaysOnly, at('2026-04-06T10:00:00Z')).open, false);
    assert.deepEqual(hoursOn(weekdaysOnly, '2026-04-13').hours, { open: '09:00', close: '17:00' });
  });

  test('an exception can open a bank holiday, and closedOnBankHolidays false keeps the weekly hours', () => {
    const opened: ChatHours = {
      ...weekdaysOnly,
      exceptions: [{ date: '2026-04-06', open: '10:00', close: '14:00', label: 'Easter Monday' }],
    };
    assert.deepEqual(hoursOn(opened, '2026-04-06').hours, { open: '10:00', close: '14:00' });
    assert.deepEqual(hoursOn({ ...weekdaysOnly, closedOnBankHolidays: false }, '2026-04-06').hours, {
      open: '09:00',
      close: '17:00',
    });
  });

  test('a Sunday is closed when the week has no Sunday hours', () => {
    assert.equal(chatOpenAt(DEMO_CHAT_HOURS, at('2027-01-10T11:00:00Z')).open, false);
  });
});

describe('chat hours: short days and closing time', () => {
  test('Christmas Eve 2026 closes at 1pm: open at 12:59, closed at 13:00', () => {
    assert.deepEqual(chatOpenAt(DEMO_CHAT_HOURS, at('2026-12-24T12:59:00Z')), {
      open: true,
      closesAt: at('2026-12-24T13:00:00Z'),
    });
    assert.deepEqual(chatOpenAt(DEMO_CHAT_HOURS, at('2026-12-24T13:00:00Z')), {
      open: false,
      nextOpening: at('2026-12-29T09:00:00Z'),
    });
  });

  test('just before closing is open, closing time itself is closed, opening time itself is open', () => {
    const tuesday = '2027-01-05';
    assert.equal(chatOpenAt(DEMO_CHAT_HOURS, at(`${tuesday}T16:59:59Z`)).open, true);
    assert.deepEqual(chatOpenAt(DEMO_CHAT_HOURS, at(`${tuesday}T17:00:00Z`)), {
      open: false,
      nextOpening: at('2027-01-06T09:00:00Z'),
    });
    assert.equal(chatOpenAt(DEMO_CHAT_HOURS, at(`${tuesday}T09:00:00Z`)).open, true);
    assert.deepEqual(chatOpenAt(DEMO_CHAT_HOURS, at(`${tuesday}T08:59:59Z`)), {
      open: false,
      nextOpening: at(`${tuesday}T09:00:00Z`),
    });
  });

  test('Saturday morning only: open at 11:00, closed at 12:00, next opening on Monday', () => {
    assert.equal(chatOpenAt(DEMO_CHAT_HOURS, at('2027-01-09T11:00:00Z')).open, true);
    assert.deepEqual(chatOpenAt(DEMO_CHAT_HOURS, at('2027-01-09T12:00:00Z')), {
      open: false,
      nextOpening: at('2027-01-11T09:00:00Z'),
    });
  });
});

describe('chat hours: clock changes (hours are wall-clock times)', () => {
  test('spring forward (Sunday 29 March 2026): Saturday opens at 9am GMT, Monday at 9am BST (08:00 UTC)', () => {
    assert.deepEqual(chatOpenAt(DEMO_CHAT_HOURS, at('2026-03-28T12:30:00Z')), {
      open: false,
      nextOpening: at('2026-03-30T08:00:00Z'),
    });
    assert.deepEqual(chatOpenAt(DEMO_CHAT_HOURS, at('2026-03-30T15:59:00Z')), {
      open: true,
      closesAt: at('2026-03-30T16:00:00Z'),
    });
  });

  test('fall back (Sunday 25 October 2026): Saturday closes at 12pm BST (11:00 UTC), Monday opens at 9am GMT', () => {
    assert.deepEqual(chatOpenAt(DEMO_CHAT_HOURS, at('2026-10-24T10:00:00Z')), {
      open: true,
      closesAt: at('2026-10-24T11:00:00Z'),
    });
    assert.deepEqual(chatOpenAt(DEMO_CHAT_HOURS, at('2026-10-24T11:00:00Z')), {
      open: false,
      nextOpening: at('2026-10-26T09:00:00Z'),
    });
  });
});

describe('chat hours: the next opening across a long weekend', () => {
  test('Easter 2026, weekdays only: Thursday 2 April after 5pm → Tuesday 7 April at 9am BST', () => {
    const now = at('2026-04-02T16:30:00Z'); // 17:30 BST
    const state = chatOpenAt(weekdaysOnly, now);
    assert.deepEqual(state, { open: false, nextOpening: at('2026-04-07T08:00:00Z') });
    assert.equal(openingText(at('2026-04-07T08:00:00Z'), now), 'Tuesday 7 April at 9am');
  });

  test('Easter 2026 with Saturday hours: Good Friday → Saturday 4 April at 9am', () => {
    assert.deepEqual(chatOpenAt(DEMO_CHAT_HOURS, at('2026-04-03T10:00:00Z')), {
      open: false,
      nextOpening: at('2026-04-04T08:00:00Z'),
    });
  });

  test('closed for more than a month: no next opening', () => {
    const never: ChatHours = { weekly: {}, closedOnBankHolidays: true, exceptions: [] };
    assert.deepEqual(chatOpenAt(never, at('2027-01-05T10:00:00Z')), { open: false, nextOpening: null });
  });

  test('"today" and "tomorrow" when the next opening is that close', () => {
    const now = at('2027-01-05T07:00:00Z');
    assert.equal(openingText(at('2027-01-05T09:00:00Z'), now), 'today at 9am');
    assert.equal(openingText(at('2027-01-06T09:30:00Z'), now), 'tomorrow at 9:30am');
  });
});

describe('chat hours: the data file and the text shown', () => {
  test('parses a council’s file and rejects one that closes before it opens, or a bad date', () => {
    const hours = parseChatHours({
      weekly: { monday: { open: '08:30', close: '18:00' }, sunday: null },
      exceptions: [
        { date: '2026-12-24', open: '08:30', close: '12:30' },
        { date: '2026-12-31', closed: true },
      ],
    });
    assert.equal(hours.closedOnBankHolidays, true, 'closed on bank holidays unless the file says not');
    assert.deepEqual(hoursOn(hours, '2026-12-24').hours, { open: '08:30', close: '12:30' });
    assert.throws(
      () => parseChatHours({ weekly: { monday: { open: '17:00', close: '09:00' } } }),
      /close after/,
    );
    assert.throws(
      () => parseChatHours({ weekly: {}, exceptions: [{ date: '2026-02-30', closed: true }] }),
      /YYYY-MM-DD/,
    );
    assert.throws(() => parseChatHours({ weekly: { mondays: { open: '09:00', close: '17:00' } } }));
  });

  test('no file: the demo hours', () => {
    assert.equal(readChatHours('/nonexistent/chat-hours.json'), DEMO_CHAT_HOURS);
    assert.equal(readChatHours(null), DEMO_CHAT_HOURS);
  });

  test('the hours in words', () => {
    assert.equal(timeText('09:00'), '9am');
    assert.equal(timeText('12:00'), '12pm');
    assert.equal(timeText('13:30'), '1:30pm');
    assert.equal(timeText('00:15'), '12:15am');
    const rows = weeklyHoursText(DEMO_CHAT_HOURS);
    assert.deepEqual(rows[0], { day: 'Monday', hours: '9am to 5pm' });
    assert.deepEqual(rows[5], { day: 'Saturday', hours: '9am to 12pm' });
    assert.deepEqual(rows[6], { day: 'Sunday', hours: 'Closed' });
    assert.deepEqual(upcomingExceptions(DEMO_CHAT_HOURS, '2026-12-20', 10), [
      { date: '2026-12-24', label: 'Christmas Eve', hours: '9am to 1pm' },
      { date: '2026-12-26', label: 'Christmas', hours: 'Closed' },
    ]);
  });
});
