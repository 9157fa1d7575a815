import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDefaultCalendar } from '../../platform/calendar/index.ts';
import { evaluateSla, type SlaPolicy, type SlaState } from '../../platform/clocks/index.ts';
import {
  customerNameOf,
  paginationOf,
  queueHref,
  timeLeft,
  type TimeLeftInput,
} from './cases.queues.presenters.ts';

const calendar = loadDefaultCalendar();

/** The words for a real clock: `policy` started at `start`, read at `now`. */
function wordsAt(policy: SlaPolicy, start: string, now: string, extra: Partial<TimeLeftInput> = {}) {
  const at = new Date(now);
  const snapshot = evaluateSla({ policy, startedAt: new Date(start) }, calendar, at);
  return timeLeft(
    { ...snapshot, unit: policy.unit, closed: false, paused: false, ...extra },
    at,
    calendar.toLocalDate(at),
  );
}

function input(state: SlaState, workingDaysLeft: number, extra: Partial<TimeLeftInput> = {}): TimeLeftInput {
  return {
    unit: 'working_days',
    state,
    closed: false,
    paused: false,
    dueAt: new Date('2026-11-30T23:59:59.999Z'),
    dueDate: '2026-11-30',
    workingDaysLeft,
    ...extra,
  };
}

const NOW = new Date('2026-11-25T10:00:00Z');
const TODAY = '2026-11-25';

void describe('time left in words', () => {
  test('working days left, on track', () => {
    // Received Monday 23 Nov 2026 10:00, 5 working days: due Monday 30 Nov; on Wednesday that is 3 away.
    const view = wordsAt({ unit: 'working_days', amount: 5 }, '2026-11-23T10:00:00Z', '2026-11-25T10:00:00Z');
    assert.equal(view.text, '3 working days left');
    assert.deepEqual(view.tag, { text: 'On track', classes: 'govuk-tag--green' });
    assert.equal(timeLeft(input('on_track', 1), NOW, TODAY).text, '1 working day left');
  });

  test('due today, with the "due soon" tag once 80% of the time is used', () => {
    const view = wordsAt({ unit: 'working_days', amount: 5 }, '2026-11-23T10:00:00Z', '2026-11-30T09:00:00Z');
    assert.equal(view.text, 'Due today');
    assert.equal(view.tone, 'due_soon');
    assert.equal(view.tag.text, 'Due soon');
  });

  test('overdue by working days, and by at least one when the due date passed over a weekend', () => {
    const view = wordsAt({ unit: 'working_days', amount: 5 }, '2026-11-23T10:00:00Z', '2026-12-02T09:00:00Z');
    assert.equal(view.text, 'Overdue by 2 working days');
    assert.deepEqual(view.tag, { text: 'Overdue', classes: 'govuk-tag--red' });
    // Due Friday 27 Nov, read on Saturday 28th: no working day has passed yet, but it is overdue.
    const weekend = wordsAt(
      { unit: 'working_days', amount: 4 },
      '2026-11-23T10:00:00Z',
      '2026-11-28T10:00:00Z',
    );
    assert.equal(weekend.text, 'Overdue by 1 working day');
    assert.equal(weekend.tone, 'overdue');
  });

  test('a paused clock says so, whatever the dates', () => {
    const view = timeLeft(input('paused', -3, { paused: true }), NOW, TODAY);
    assert.equal(view.text, 'Clock paused');
    assert.equal(view.tag.text, 'Paused');
  });

  test('a closed case says "Closed", even if it was overdue when it closed', () => {
    const view = timeLeft(input('breached', -4, { closed: true }), NOW, TODAY);
    assert.equal(view.text, 'Closed');
    assert.equal(view.tone, 'closed');
    assert.equal(view.tag.text, 'Closed');
  });

  test('hours-based policies count hours (minutes under an hour, days from two days)', () => {
    const start = '2026-11-25T08:00:00Z';
    const policy: SlaPolicy = { unit: 'hours', amount: 24 };
    assert.equal(wordsAt(policy, start, '2026-11-25T10:00:00Z').text, '22 hours left');
    assert.equal(wordsAt(policy, start, '2026-11-26T07:30:00Z').text, '30 minutes left');
    assert.equal(wordsAt(policy, start, '2026-11-26T07:00:00Z').text, '1 hour left');
    const late = wordsAt(policy, start, '2026-11-26T11:00:00Z');
    assert.equal(late.text, 'Overdue by 3 hours');
    assert.equal(late.tone, 'overdue');
    assert.equal(wordsAt({ unit: 'hours', amount: 96 }, start, start).text, '4 days left');
  });

  test('calendar-day policies count calendar days', () => {
    const policy: SlaPolicy = { unit: 'calendar_days', amount: 7 };
    assert.equal(wordsAt(policy, '2026-11-25T10:00:00Z', '2026-11-27T10:00:00Z').text, '5 days left');
    assert.equal(wordsAt(policy, '2026-11-25T10:00:00Z', '2026-12-02T10:00:00Z').text, 'Due today');
    assert.equal(wordsAt(policy, '2026-11-25T10:00:00Z', '2026-12-04T10:00:00Z').text, 'Overdue by 2 days');
  });
});

void describe('queue presenters', () => {
  test('customer name: the customer record, else the guest, else "Guest"', () => {
    const base = { customerId: null, givenName: null, familyName: null, guestName: null };
    assert.equal(
      customerNameOf({ ...base, customerId: 'c', givenName: 'Ada', familyName: 'Lovelace' }),
      'Ada Lovelace',
    );
    assert.equal(customerNameOf({ ...base, guestName: 'Sam Guest' }), 'Sam Guest');
    assert.equal(
      customerNameOf({ ...base, customerId: 'o', organisationName: 'Brambleford Community Trust' }),
      'Brambleford Community Trust',
    );
    assert.equal(customerNameOf(base), 'Guest');
  });

  test('links keep the queue, filters and sort; the default sort and page 1 are left out', () => {
    const href = queueHref(
      'team:abc',
      {
        status: 'in_progress',
        priority: 'urgent',
        tag: 'flood risk',
        includeClosed: true,
        sort: 'received',
        page: 1,
      },
      3,
    );
    const params = new URL(href, 'http://x').searchParams;
    assert.equal(params.get('queue'), 'team:abc');
    assert.equal(params.get('status'), 'in_progress');
    assert.equal(params.get('priority'), 'urgent');
    assert.equal(params.get('tag'), 'flood risk');
    assert.equal(params.get('closed'), 'include');
    assert.equal(params.get('sort'), 'received');
    assert.equal(params.get('page'), '3');
    assert.equal(queueHref('mine', { sort: 'due', page: 1 }), '/staff/queues?queue=mine');
  });

  test('pagination: none for one page; first, last and neighbours with ellipses otherwise', () => {
    assert.equal(paginationOf(1, 1, String), null);
    const view = paginationOf(5, 9, (n) => `/p${n}`)!;
    assert.deepEqual(view.previous, { href: '/p4' });
    assert.deepEqual(view.next, { href: '/p6' });
    assert.deepEqual(
      view.items.map((i) => ('ellipsis' in i ? '…' : `${i.number}${i.current ? '*' : ''}`)),
      ['1', '…', '4', '5*', '6', '…', '9'],
    );
    const first = paginationOf(1, 2, (n) => `/p${n}`)!;
    assert.equal(first.previous, undefined);
    assert.deepEqual(first.next, { href: '/p2' });
  });
});
