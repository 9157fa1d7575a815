/**
 * SLA clock tests (England and Wales calendar, 17:00 cut-off). Expected values are worked out by hand:
 * Mon 23 Nov 2026 is a Monday; Fri 25 Dec 2026 Christmas, Mon 28 Dec Boxing Day substitute, Fri 1 Jan
 * 2027 New Year. November is GMT (London = UTC); July is BST (London = UTC + 1).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDefaultCalendar } from '../calendar/index.ts';
import { SlaClock, evaluateSla, fixedDueSnapshot, workingTimeBetween, type SlaClockInput } from './index.ts';

const ew = loadDefaultCalendar({ divisions: ['england-and-wales'] });
const d = (iso: string): Date => new Date(iso);
const clock = (input: SlaClockInput): SlaClock => new SlaClock(input, ew);

/** Mon 23 Nov 2026 10:00 London, 5 working days: due end of Mon 30 Nov (Tue 24 … Fri 27 = 1–4, Mon 30 = 5). */
const fiveDays = (extra: Partial<SlaClockInput> = {}): SlaClock =>
  clock({ policy: { unit: 'working_days', amount: 5 }, startedAt: d('2026-11-23T10:00:00Z'), ...extra });

/** Fractions agree to 1e-6 (the due instant is 1 ms before midnight, so totals are a hair under whole days). */
const close = (actual: number, expected: number): void =>
  assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} ≠ ${expected}`);

describe('working-day SLA', () => {
  it('is due at 23:59:59.999 London time on the N-th working day after the day of receipt', () => {
    const c = fiveDays();
    assert.equal(c.dueAt().toISOString(), '2026-11-30T23:59:59.999Z');
    assert.equal(c.dueDate(), '2026-11-30');
  });

  it('moves through on_track, warning and breached', () => {
    const c = fiveDays();
    // Working time: the rest of Mon 23 (14/24) + 5 days = 5.5833 in all.
    const total = 14 / 24 + 5;
    assert.equal(c.fractionElapsed(d('2026-11-23T10:00:00Z')), 0);
    // Tue 24 12:00: consumed 14/24 + 12/24.
    close(c.fractionElapsed(d('2026-11-24T12:00:00Z')), (14 / 24 + 0.5) / total);
    assert.equal(c.state(d('2026-11-24T12:00:00Z')), 'on_track');
    // Fri 27 12:00: consumed 14/24 + 3 + 0.5 = 4.0833 → 73%.
    close(c.fractionElapsed(d('2026-11-27T12:00:00Z')), (14 / 24 + 3.5) / total);
    assert.equal(c.state(d('2026-11-27T12:00:00Z')), 'on_track');
    // The weekend uses up no working time: Saturday and Sunday show the same fraction (82%).
    close(c.fractionElapsed(d('2026-11-28T10:00:00Z')), (14 / 24 + 4) / total);
    close(c.fractionElapsed(d('2026-11-29T20:00:00Z')), (14 / 24 + 4) / total);
    // Mon 30 09:00: consumed 4.5833 + 9/24 → 89%: warning.
    assert.equal(c.state(d('2026-11-30T09:00:00Z')), 'warning');
    // Exactly at the due instant: 100% but not yet breached.
    assert.equal(c.fractionElapsed(c.dueAt()), 1);
    assert.equal(c.state(c.dueAt()), 'warning');
    assert.equal(c.state(d('2026-12-01T00:00:00Z')), 'breached');
    // Tue 1 Dec 12:00: half a working day over → (5.5833 + 0.5) / 5.5833.
    close(c.fractionElapsed(d('2026-12-01T12:00:00Z')), (total + 0.5) / total);
  });

  it('counts working days left from today (London) to the due date', () => {
    const c = fiveDays();
    assert.equal(c.workingDaysLeft(d('2026-11-24T12:00:00Z')), 4); // Wed, Thu, Fri, Mon
    assert.equal(c.workingDaysLeft(d('2026-11-28T12:00:00Z')), 1); // Saturday: Monday left
    assert.equal(c.workingDaysLeft(d('2026-11-30T12:00:00Z')), 0); // due today
    assert.equal(c.workingDaysLeft(d('2026-12-01T12:00:00Z')), -1);
  });

  it('applies the 17:00 cut-off to the start, in GMT and BST', () => {
    const at = (iso: string) =>
      clock({ policy: { unit: 'working_days', amount: 5 }, startedAt: d(iso) })
        .dueAt()
        .toISOString();
    // GMT: 16:59 Monday → day of receipt Mon 23 → Mon 30; 17:00 → Tue 24 → Tue 1 Dec.
    assert.equal(at('2026-11-23T16:59:00Z'), '2026-11-30T23:59:59.999Z');
    assert.equal(at('2026-11-23T17:00:00Z'), '2026-12-01T23:59:59.999Z');
    // BST: 16:59 London (15:59 UTC) Mon 6 Jul → Mon 13 Jul; 17:00 London → Tue 7 → Tue 14 Jul.
    // Due at the end of the London day: 23:59:59.999 BST = 22:59:59.999 UTC.
    assert.equal(at('2026-07-06T15:59:00Z'), '2026-07-13T22:59:59.999Z');
    assert.equal(at('2026-07-06T16:00:00Z'), '2026-07-14T22:59:59.999Z');
    // Friday 18:00: counts from Mon 30 Nov → Tue 1 … Mon 7 Dec.
    assert.equal(at('2026-11-27T18:00:00Z'), '2026-12-07T23:59:59.999Z');
  });

  it('a pause across a weekend pushes by the working days it covered', () => {
    // Paused Fri 27 10:00 → Mon 30 10:00: stands on Fri 27, resumes on Mon 30 → 1 working day (Mon 30).
    const c = fiveDays({ pauses: [{ from: d('2026-11-27T10:00:00Z'), to: d('2026-11-30T10:00:00Z') }] });
    assert.equal(c.dueAt().toISOString(), '2026-12-01T23:59:59.999Z');
    assert.equal(c.state(d('2026-11-28T12:00:00Z')), 'paused');
    // Mon 30 12:00: consumed 14/24 + 4 + 0.5 − 1 (paused Fri 10:00 → Mon 10:00); remaining 0.5 + 1.
    close(c.fractionElapsed(d('2026-11-30T12:00:00Z')), (14 / 24 + 3.5) / (14 / 24 + 3.5 + 1.5));
    assert.equal(c.state(d('2026-11-30T12:00:00Z')), 'on_track');
    assert.equal(c.snapshot(d('2026-11-30T12:00:00Z')).pausedBy, 1);
  });

  it('a pause from Friday after the cut-off to Monday morning costs nothing', () => {
    // Fri 27 17:30 stands on Mon 30; Mon 30 09:00 stands on Mon 30 → 0.
    const c = fiveDays({ pauses: [{ from: d('2026-11-27T17:30:00Z'), to: d('2026-11-30T09:00:00Z') }] });
    assert.equal(c.dueAt().toISOString(), '2026-11-30T23:59:59.999Z');
  });

  it('an open pause runs until now', () => {
    // Paused Fri 27 10:00, still paused Tue 1 Dec 12:00: Mon 30 and Tue 1 → due Wed 2 Dec.
    const c = fiveDays({ pauses: [{ from: d('2026-11-27T10:00:00Z'), to: null }] });
    const now = d('2026-12-01T12:00:00Z');
    assert.equal(c.dueAt(now).toISOString(), '2026-12-02T23:59:59.999Z');
    assert.equal(c.state(now), 'paused');
    assert.equal(c.isPaused(now), true);
    assert.equal(c.workingDaysLeft(now), 1);
    assert.throws(() => c.dueAt(), /pass `now`/);
    // Before the pause began it is ignored.
    assert.equal(c.dueAt(d('2026-11-26T12:00:00Z')).toISOString(), '2026-11-30T23:59:59.999Z');
    assert.equal(c.state(d('2026-11-26T12:00:00Z')), 'on_track');
  });

  it('overlapping pauses are merged, not double counted', () => {
    // Fri 27 10:00 → Tue 1 10:00 in all: Mon 30, Tue 1 → due Wed 2 Dec.
    const c = fiveDays({
      pauses: [
        { from: d('2026-11-29T12:00:00Z'), to: d('2026-12-01T10:00:00Z') },
        { from: d('2026-11-27T10:00:00Z'), to: d('2026-11-30T10:00:00Z') },
      ],
    });
    assert.equal(c.dueAt().toISOString(), '2026-12-02T23:59:59.999Z');
  });

  it('a pause across Christmas pushes only by working days', () => {
    // Mon 21 Dec 2026 10:00 + 5: Tue 22, Wed 23, Thu 24, [25, 28], Tue 29, Wed 30 → due Wed 30 Dec.
    const start = d('2026-12-21T10:00:00Z');
    const policy = { unit: 'working_days', amount: 5 } as const;
    assert.equal(clock({ policy, startedAt: start }).dueDate(), '2026-12-30');
    // Paused Thu 24 10:00 → Tue 29 10:00: only Tue 29 is a working day in (24, 29] → Thu 31 Dec.
    const overChristmas = clock({
      policy,
      startedAt: start,
      pauses: [{ from: d('2026-12-24T10:00:00Z'), to: d('2026-12-29T10:00:00Z') }],
    });
    assert.equal(overChristmas.dueAt().toISOString(), '2026-12-31T23:59:59.999Z');
    // Paused Wed 23 Dec 10:00 → Mon 4 Jan 10:00: 24, 29, 30, 31 Dec and 4 Jan = 5.
    // Wed 30 + 5: Thu 31, [1 Jan], Mon 4, Tue 5, Wed 6, Thu 7 → Thu 7 Jan.
    const overNewYear = clock({
      policy,
      startedAt: start,
      pauses: [{ from: d('2026-12-23T10:00:00Z'), to: d('2027-01-04T10:00:00Z') }],
    });
    assert.equal(overNewYear.dueAt().toISOString(), '2027-01-07T23:59:59.999Z');
  });

  it('a pause that starts after the breach does not un-breach', () => {
    const c = fiveDays({ pauses: [{ from: d('2026-12-02T10:00:00Z'), to: d('2026-12-04T10:00:00Z') }] });
    assert.equal(c.dueAt().toISOString(), '2026-11-30T23:59:59.999Z');
    assert.equal(c.state(d('2026-12-03T12:00:00Z')), 'breached');
  });

  it('extensions add working days', () => {
    // 5 + 3 = 8 after Mon 23: Tue 24 … Fri 27 (4), Mon 30 (5), Tue 1 (6), Wed 2 (7), Thu 3 Dec (8).
    const c = fiveDays({ extensions: [{ days: 3, reason: 'Waiting for a repairs inspection' }] });
    assert.equal(c.dueDate(), '2026-12-03');
    assert.throws(() => fiveDays({ extensions: [{ days: 0, reason: 'x' }] }), /whole number > 0/);
    assert.throws(() => fiveDays({ extensions: [{ days: 1.5, reason: 'x' }] }), /whole number > 0/);
    assert.throws(() => fiveDays({ extensions: [{ days: 2, reason: ' ' }] }), /needs a reason/);
  });

  it('reports a snapshot', () => {
    const input: SlaClockInput = {
      policy: { unit: 'working_days', amount: 5 },
      startedAt: d('2026-11-23T10:00:00Z'),
    };
    const snapshot = evaluateSla(input, ew, d('2026-11-24T12:00:00Z'));
    assert.equal(snapshot.dueAt.toISOString(), '2026-11-30T23:59:59.999Z');
    assert.equal(snapshot.dueDate, '2026-11-30');
    assert.equal(snapshot.state, 'on_track');
    assert.equal(snapshot.workingDaysLeft, 4);
    assert.equal(snapshot.pausedBy, 0);
  });

  it('has a configurable warning threshold', () => {
    const c = fiveDays({ warningThreshold: 0.5 });
    // Thu 26 12:00: (14/24 + 2.5) / 5.5833 = 55%.
    assert.equal(c.state(d('2026-11-26T12:00:00Z')), 'warning');
    assert.equal(fiveDays().state(d('2026-11-26T12:00:00Z')), 'on_track');
  });
});

describe('hours SLA', () => {
  const start = d('2026-11-23T10:00:00Z');

  it('counts elapsed wall-clock hours, excluding paused time', () => {
    // 48 h → Wed 25 10:00; paused 3.5 h (Tue 09:00 → 12:30) → Wed 25 13:30.
    const plain = clock({ policy: { unit: 'hours', amount: 48 }, startedAt: start });
    assert.equal(plain.dueAt().toISOString(), '2026-11-25T10:00:00.000Z');
    const c = clock({
      policy: { unit: 'hours', amount: 48 },
      startedAt: start,
      pauses: [{ from: d('2026-11-24T09:00:00Z'), to: d('2026-11-24T12:30:00Z') }],
    });
    assert.equal(c.dueAt().toISOString(), '2026-11-25T13:30:00.000Z');
    assert.equal(c.state(d('2026-11-24T10:00:00Z')), 'paused');
    // Tue 12:30: 26.5 h elapsed − 3.5 paused = 23 of 48.
    close(c.fractionElapsed(d('2026-11-24T12:30:00Z')), 23 / 48);
    assert.equal(c.state(d('2026-11-24T12:30:00Z')), 'on_track');
    // Wed 04:00: 42 − 3.5 = 38.5 of 48 = 80.2% → warning.
    assert.equal(c.state(d('2026-11-25T04:00:00Z')), 'warning');
    assert.equal(c.state(d('2026-11-25T13:30:00.001Z')), 'breached');
    assert.equal(c.workingDaysLeft(d('2026-11-23T12:00:00Z')), 2); // due Wed 25, today Mon 23
  });

  it('is not fooled by the clocks going back', () => {
    // Sat 24 Oct 2026 13:00 BST + 24 h = Sun 25 Oct 12:00 GMT (the wall clock shows 23 h later).
    const c = clock({ policy: { unit: 'hours', amount: 24 }, startedAt: d('2026-10-24T12:00:00Z') });
    assert.equal(c.dueAt().toISOString(), '2026-10-25T12:00:00.000Z');
  });

  it('extension days are 24-hour periods', () => {
    const c = clock({
      policy: { unit: 'hours', amount: 48 },
      startedAt: start,
      extensions: [{ days: 1, reason: 'Contractor access' }],
    });
    assert.equal(c.dueAt().toISOString(), '2026-11-26T10:00:00.000Z');
  });
});

describe('calendar-days SLA', () => {
  it('counts calendar days from the London date, due at the end of the day, no working-day roll', () => {
    // Mon 23 Nov 20:00 (after the cut-off, which does not apply) + 10 → Thu 3 Dec.
    const c = clock({ policy: { unit: 'calendar_days', amount: 10 }, startedAt: d('2026-11-23T20:00:00Z') });
    assert.equal(c.dueAt().toISOString(), '2026-12-03T23:59:59.999Z');
    // Paused Wed 25 → Fri 27: 2 calendar days → Sat 5 Dec (not moved off the weekend).
    const paused = clock({
      policy: { unit: 'calendar_days', amount: 10 },
      startedAt: d('2026-11-23T20:00:00Z'),
      pauses: [{ from: d('2026-11-25T10:00:00Z'), to: d('2026-11-27T09:00:00Z') }],
    });
    assert.equal(paused.dueAt().toISOString(), '2026-12-05T23:59:59.999Z');
    // 23:30 UTC on Tue 14 Jul is Wed 15 Jul in London: + 1 → end of Thu 16 Jul BST.
    const bst = clock({ policy: { unit: 'calendar_days', amount: 1 }, startedAt: d('2026-07-14T23:30:00Z') });
    assert.equal(bst.dueAt().toISOString(), '2026-07-16T22:59:59.999Z');
  });
});

describe('validation and helpers', () => {
  const startedAt = d('2026-11-23T10:00:00Z');

  it('rejects bad policies and pauses', () => {
    assert.throws(
      () => clock({ policy: { unit: 'weeks' as 'hours', amount: 1 }, startedAt }),
      /unknown SLA unit/,
    );
    assert.throws(() => clock({ policy: { unit: 'working_days', amount: -1 }, startedAt }), /whole number/);
    assert.throws(() => clock({ policy: { unit: 'working_days', amount: 2.5 }, startedAt }), /whole number/);
    assert.throws(() => clock({ policy: { unit: 'hours', amount: 0 }, startedAt }), /positive amount/);
    assert.throws(
      () => clock({ policy: { unit: 'hours', amount: 4 }, startedAt: d('nonsense') }),
      /valid Date/,
    );
    assert.throws(
      () => fiveDays({ pauses: [{ from: d('2026-11-25T10:00:00Z'), to: d('2026-11-24T10:00:00Z') }] }),
      /ends before it starts/,
    );
    assert.throws(
      () =>
        fiveDays({
          pauses: [
            { from: d('2026-11-25T10:00:00Z'), to: null },
            { from: d('2026-11-26T10:00:00Z'), to: null },
          ],
        }),
      /at most one pause may be open/,
    );
    assert.throws(
      () =>
        fiveDays({
          pauses: [
            { from: d('2026-11-24T10:00:00Z'), to: null },
            { from: d('2026-11-26T10:00:00Z'), to: d('2026-11-27T10:00:00Z') },
          ],
        }),
      /must be the last pause/,
    );
    assert.throws(() => fiveDays({ warningThreshold: 0 }), /warningThreshold/);
  });

  it('clips pauses that began before the start', () => {
    const c = fiveDays({ pauses: [{ from: d('2026-11-20T10:00:00Z'), to: d('2026-11-23T09:00:00Z') }] });
    assert.equal(c.dueDate(), '2026-11-30');
  });

  it('measures working time', () => {
    const ms = (iso: string) => d(iso).getTime();
    // Fri 27 Nov 12:00 → Mon 30 Nov 12:00: half of Friday + half of Monday.
    assert.equal(workingTimeBetween(ew, ms('2026-11-27T12:00:00Z'), ms('2026-11-30T12:00:00Z')), 1);
    assert.equal(workingTimeBetween(ew, ms('2026-11-28T00:00:00Z'), ms('2026-11-29T23:00:00Z')), 0);
    assert.equal(workingTimeBetween(ew, ms('2026-11-30T12:00:00Z'), ms('2026-11-27T12:00:00Z')), -1);
    // Christmas: Thu 24 12:00 → Tue 29 12:00 = ½ + ½ (25 and 28 are holidays).
    assert.equal(workingTimeBetween(ew, ms('2026-12-24T12:00:00Z'), ms('2026-12-29T12:00:00Z')), 1);
  });
});

describe('a clock with a given due date (a statutory deadline kept by its record)', () => {
  const input = { startedAt: d('2026-11-23T10:00:00Z'), dueAt: d('2026-11-30T23:59:59.999Z'), paused: false };

  it('reads like the SLA clock that would be due at the same instant', () => {
    for (const now of ['2026-11-24T12:00:00Z', '2026-11-27T22:00:00Z', '2026-12-01T09:00:00Z']) {
      const fixed = fixedDueSnapshot(input, ew, d(now));
      const counted = fiveDays().snapshot(d(now));
      assert.equal(fixed.dueAt.toISOString(), counted.dueAt.toISOString());
      assert.equal(fixed.dueDate, counted.dueDate);
      assert.equal(fixed.state, counted.state, now);
      assert.equal(fixed.workingDaysLeft, counted.workingDaysLeft);
      close(fixed.fractionElapsed, counted.fractionElapsed);
    }
  });

  it('is paused while the record waits for the requester', () => {
    assert.equal(fixedDueSnapshot({ ...input, paused: true }, ew, d('2026-11-25T12:00:00Z')).state, 'paused');
  });
});
