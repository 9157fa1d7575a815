/**
 * Statutory deadlines on real dates. Each expectation is counted by hand in the comments, listing the
 * working days as "date (n)" and skipped days in brackets. Useful days of the week:
 *
 *   Nov 2026: Sat 21, Mon 23, Mon 30 (St Andrew's Day, Scotland)      Dec 2026: Tue 1, Mon 7, Mon 14, Mon 21, Fri 25, Mon 28
 *   Jan 2027: Fri 1, Mon 4 (2 Jan substitute, Scotland), Mon 11, 18, 25  Feb 2027: Mon 1, 8, 15, 22
 *   Mar 2027: Mon 15, Wed 17 (St Patrick's, NI), Fri 26 Good Friday, Mon 29 Easter Monday
 *   Jul 2027: Fri 9, Mon 12 (Boyne, NI)   Aug 2027: Mon 2 (summer, Scotland), Mon 30 (summer, E&W/NI)
 *   Apr 2026: Fri 3 Good Friday, Mon 6 Easter Monday   Jun 2026: Mon 1, Mon 15, Mon 29
 *   Dec 2027: Mon 13, Fri 24, Mon 27 + Tue 28 (substitutes)   Jan 2028: Mon 3 (NY sub), Tue 4 (2 Jan sub, Scotland)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDefaultCalendar } from '../calendar/index.ts';
import {
  ComplaintExtensionError,
  FOI_COST_LIMIT_HOURS,
  canNotifyEirExtension,
  canNotifySarExtension,
  childrensComplaintDeadline,
  complaintStage1Deadlines,
  complaintStage2Deadlines,
  eirDeadline,
  eirExtendedDeadline,
  estimatedCostGbp,
  exceedsCostLimit,
  foiDeadline,
  foiPublicInterestDeadline,
  internalReviewDeadline,
  isPublicInterestTargetWithinGuidance,
  isWithinComplaintWindow,
  sarClockStart,
  sarDeadline,
  sarExtendedDeadline,
  ukWideCalendar,
} from './index.ts';

const ew = loadDefaultCalendar({ divisions: ['england-and-wales'] });
const scot = loadDefaultCalendar({ divisions: ['scotland'] });

describe('FOI: the 20th working day following the date of receipt', () => {
  it('received on a Saturday: Monday is day 1 (and St Andrew’s Day does not count)', () => {
    // Sat 21 Nov 2026. Mon 23 (1), Tue 24 (2), Wed 25 (3), Thu 26 (4), Fri 27 (5), [Mon 30 St Andrew's],
    // Tue 1 Dec (6), 2 (7), 3 (8), 4 (9), Mon 7 (10) … Fri 11 (14), Mon 14 (15) … Fri 18 (19), Mon 21 (20).
    assert.equal(foiDeadline('2026-11-21'), '2026-12-21');
    assert.equal(foiDeadline('2026-11-22'), '2026-12-21'); // Sunday: the same
    // Received Monday 23: Mon 23 is day 0, so one working day later: Tue 22 Dec.
    assert.equal(foiDeadline('2026-11-23'), '2026-12-22');
    // Had St Andrew's Day counted (an England-only calendar), it would have been Fri 18 Dec.
    assert.equal(ew.addWorkingDays('2026-11-21', 20), '2026-12-18');
  });

  it('across Christmas and New Year 2026–27 (Scotland’s 2 January substitute does not count)', () => {
    // Thu 10 Dec 2026. Fri 11 (1), Mon 14–Fri 18 (2–6), Mon 21 (7), Tue 22 (8), Wed 23 (9), Thu 24 (10),
    // [Fri 25, Mon 28], Tue 29 (11), Wed 30 (12), Thu 31 (13), [Fri 1 Jan, Mon 4 Jan (Scotland)],
    // Tue 5 (14), Wed 6 (15), Thu 7 (16), Fri 8 (17), Mon 11 (18), Tue 12 (19), Wed 13 (20).
    assert.equal(foiDeadline('2026-12-10'), '2027-01-13');
    // With England and Wales holidays only, Mon 4 Jan would have counted: Tue 12 Jan.
    assert.equal(ew.addWorkingDays('2026-12-10', 20), '2027-01-12');
  });

  it('across Christmas and New Year 2027–28 (substitutes 27, 28 Dec, 3 and 4 Jan)', () => {
    // Mon 13 Dec 2027. Tue 14–Fri 17 (1–4), Mon 20–Fri 24 (5–9), [Mon 27, Tue 28], Wed 29 (10),
    // Thu 30 (11), Fri 31 (12), [Mon 3 Jan, Tue 4 Jan], Wed 5 (13), Thu 6 (14), Fri 7 (15),
    // Mon 10 (16), Tue 11 (17), Wed 12 (18), Thu 13 (19), Fri 14 (20).
    assert.equal(foiDeadline('2027-12-13'), '2028-01-14');
  });

  it('across Easter 2026', () => {
    // Wed 25 Mar 2026. Thu 26 (1), Fri 27 (2), Mon 30 (3), Tue 31 (4), Wed 1 Apr (5), Thu 2 (6),
    // [Fri 3, Mon 6], Tue 7 (7) … Fri 10 (10), Mon 13–Fri 17 (11–15), Mon 20–Fri 24 (16–20).
    assert.equal(foiDeadline('2026-03-25'), '2026-04-24');
  });

  it('across St Patrick’s Day and Easter 2027', () => {
    // Mon 15 Mar 2027. Tue 16 (1), [Wed 17 NI], Thu 18 (2), Fri 19 (3), Mon 22–Thu 25 (4–7),
    // [Fri 26, Mon 29], Tue 30 (8), Wed 31 (9), Thu 1 Apr (10), Fri 2 (11), Mon 5–Fri 9 (12–16),
    // Mon 12 (17), Tue 13 (18), Wed 14 (19), Thu 15 (20).
    assert.equal(foiDeadline('2027-03-15'), '2027-04-15');
  });

  it('skips Northern Ireland’s 12 July and Scotland’s first Monday in August', () => {
    // Fri 9 Jul 2027. [Mon 12 NI], Tue 13–Fri 16 (1–4), Mon 19–Fri 23 (5–9), Mon 26–Fri 30 (10–14),
    // [Mon 2 Aug Scotland], Tue 3–Fri 6 (15–18), Mon 9 (19), Tue 10 (20).
    assert.equal(foiDeadline('2027-07-09'), '2027-08-10');
    assert.equal(ew.isWorkingDay('2027-07-12'), true);
    assert.equal(ew.isWorkingDay('2027-08-02'), true);
  });

  it('skips Scotland’s 2 January', () => {
    // Wed 31 Dec 2025. [Thu 1 Jan, Fri 2 Jan Scotland], Mon 5–Fri 9 (1–5), 12–16 (6–10), 19–23 (11–15),
    // Mon 26 (16), Tue 27 (17), Wed 28 (18), Thu 29 (19), Fri 30 (20).
    assert.equal(foiDeadline('2025-12-31'), '2026-01-30');
  });

  it('clarification: the 20 working days start again the day after the answer arrives', () => {
    // Received Mon 1 Jun 2026; answer Fri 12 Jun. Mon 15–Fri 19 (1–5), 22–26 (6–10), Mon 29 (11),
    // Tue 30 (12), Wed 1 Jul (13), Thu 2 (14), Fri 3 (15), Mon 6 (16) … Fri 10 (20).
    assert.equal(foiDeadline('2026-06-01', { clarificationReceivedOn: '2026-06-12' }), '2026-07-10');
    // Answer on Saturday 13 June: Monday 15 is again day 1.
    assert.equal(foiDeadline('2026-06-01', { clarificationReceivedOn: '2026-06-13' }), '2026-07-10');
    // Without clarification: Tue 2–Fri 5 (1–4), 8–12 (5–9), 15–19 (10–14), 22–26 (15–19), Mon 29 (20).
    assert.equal(foiDeadline('2026-06-01'), '2026-06-29');
    assert.throws(
      () => foiDeadline('2026-06-01', { clarificationReceivedOn: '2026-05-31' }),
      /before the date of receipt/,
    );
  });

  it('fees notice: working days from notice to payment (inclusive) are disregarded (s.10(2))', () => {
    // Received Mon 1 Jun 2026; notice Fri 5 Jun, paid Wed 10 Jun: Fri 5, Mon 8, Tue 9, Wed 10 disregarded.
    // Tue 2 (1), Wed 3 (2), Thu 4 (3), Thu 11 (4), Fri 12 (5), 15–19 (6–10), 22–26 (11–15),
    // Mon 29 (16), Tue 30 (17), Wed 1 Jul (18), Thu 2 (19), Fri 3 (20).
    assert.equal(
      foiDeadline('2026-06-01', { feesNotice: { givenOn: '2026-06-05', paidOn: '2026-06-10' } }),
      '2026-07-03',
    );
    assert.throws(
      () => foiDeadline('2026-06-01', { feesNotice: { givenOn: '2026-06-10', paidOn: '2026-06-05' } }),
      /paidOn/,
    );
  });

  it('insists on a calendar with every part of the UK', () => {
    assert.throws(() => foiDeadline('2026-11-21', { calendar: ew }), /leaves out scotland, northern-ireland/);
    assert.equal(foiDeadline('2026-11-21', { calendar: ukWideCalendar() }), '2026-12-21');
  });

  it('public interest extension: officer’s target date, or 20 more working days', () => {
    // Normal deadline for Sat 21 Nov 2026 is Mon 21 Dec. 20 more: Tue 22 (1), Wed 23 (2), Thu 24 (3),
    // [25, 28], Tue 29 (4), Wed 30 (5), Thu 31 (6), [1 Jan, 4 Jan], Tue 5 (7), Wed 6 (8), Thu 7 (9),
    // Fri 8 (10), Mon 11–Fri 15 (11–15), Mon 18 (16), Tue 19 (17), Wed 20 (18), Thu 21 (19), Fri 22 (20).
    assert.equal(foiPublicInterestDeadline('2026-11-21'), '2027-01-22');
    assert.equal(foiPublicInterestDeadline('2026-11-21', { targetDate: '2027-01-15' }), '2027-01-15');
    // 4 more: Tue 22 (1), Wed 23 (2), Thu 24 (3), [Fri 25, Mon 28], Tue 29 (4).
    assert.equal(foiPublicInterestDeadline('2026-11-21', { extraWorkingDays: 4 }), '2026-12-29');
    assert.throws(
      () => foiPublicInterestDeadline('2026-11-21', { targetDate: '2026-12-18' }),
      /before the normal FOI deadline \(2026-12-21\)/,
    );
    assert.equal(isPublicInterestTargetWithinGuidance('2026-11-21', '2027-01-22'), true);
    assert.equal(isPublicInterestTargetWithinGuidance('2026-11-21', '2027-01-25'), false);
  });

  it('internal review: 20 working days (FOI), 40 if extended; 40 for EIR reconsideration', () => {
    // Mon 15 Mar 2027 + 20 = Thu 15 Apr (see the St Patrick's/Easter case). Then 20 more:
    // Fri 16 (21), Mon 19–Fri 23 (22–26), Mon 26–Fri 30 (27–31), [Mon 3 May], Tue 4–Fri 7 (32–35),
    // Mon 10 (36), Tue 11 (37), Wed 12 (38), Thu 13 (39), Fri 14 (40).
    assert.equal(internalReviewDeadline('2027-03-15'), '2027-04-15');
    assert.equal(internalReviewDeadline('2027-03-15', { extended: true }), '2027-05-14');
    assert.equal(internalReviewDeadline('2027-03-15', { regime: 'eir' }), '2027-05-14');
    assert.throws(
      () => internalReviewDeadline('2027-03-15', { regime: 'eir', extended: true }),
      /cannot be extended/,
    );
  });

  it('cost limit: £450 at £25 an hour is 18 hours', () => {
    assert.equal(FOI_COST_LIMIT_HOURS, 18);
    assert.equal(estimatedCostGbp(18), 450);
    assert.equal(exceedsCostLimit(18), false);
    assert.equal(exceedsCostLimit(17.5), false);
    assert.equal(exceedsCostLimit(18.25), true);
    assert.equal(exceedsCostLimit(24, 600), false); // central government
    assert.equal(exceedsCostLimit(24.5, 600), true);
    assert.throws(() => exceedsCostLimit(-1), RangeError);
    assert.throws(() => exceedsCostLimit(Number.NaN), RangeError);
  });
});

describe('EIR', () => {
  it('20 working days, extendable to 40 for complex and voluminous requests', () => {
    // Thu 10 Dec 2026 + 20 = Wed 13 Jan 2027 (as FOI). Then Thu 14 (21), Fri 15 (22), Mon 18–Fri 22 (23–27),
    // Mon 25–Fri 29 (28–32), Mon 1–Fri 5 Feb (33–37), Mon 8 (38), Tue 9 (39), Wed 10 (40).
    assert.equal(eirDeadline('2026-12-10'), '2027-01-13');
    assert.equal(eirExtendedDeadline('2026-12-10'), '2027-02-10');
  });

  it('the extension must be notified within the first 20 working days', () => {
    assert.equal(canNotifyEirExtension('2026-12-10', '2026-12-10'), true);
    assert.equal(canNotifyEirExtension('2026-12-10', '2027-01-13'), true);
    assert.equal(canNotifyEirExtension('2026-12-10', '2027-01-14'), false);
    assert.equal(canNotifyEirExtension('2026-12-10', '2026-12-09'), false);
  });

  it('the clock runs from receipt of further particulars (reg 9(4))', () => {
    assert.equal(eirDeadline('2026-06-01', { clarificationReceivedOn: '2026-06-12' }), '2026-07-10');
  });
});

describe('SAR: one calendar month, then the next working day', () => {
  it('received on 31 January: the last day of February', () => {
    assert.equal(sarDeadline('2028-01-31'), '2028-02-29'); // leap year; Tue 29 Feb is a working day
    assert.equal(sarDeadline('2025-01-31'), '2025-02-28'); // Fri 28 Feb
    assert.equal(sarDeadline('2026-01-31'), '2026-03-02'); // Sat 28 Feb → Mon 2 Mar
  });

  it('received on the 31st of other months', () => {
    assert.equal(sarDeadline('2026-03-31'), '2026-04-30'); // Thu 30 Apr
    assert.equal(sarDeadline('2026-08-31'), '2026-09-30'); // received on a bank holiday: still that day
    // Sat 31 Oct 2026 → 30 Nov (Mon): a working day in England, St Andrew's Day in Scotland → Tue 1 Dec.
    assert.equal(sarDeadline('2026-10-31'), '2026-11-30');
    assert.equal(sarDeadline('2026-10-31', { calendar: scot }), '2026-12-01');
  });

  it('a month later falls on a bank holiday or a weekend', () => {
    // 25 Nov 2026 → Fri 25 Dec (Christmas), Sat, Sun, Mon 28 (Boxing Day substitute) → Tue 29 Dec.
    assert.equal(sarDeadline('2026-11-25'), '2026-12-29');
    // 31 Jul 2026 → Mon 31 Aug, summer bank holiday in England → Tue 1 Sep; a working day in Scotland.
    assert.equal(sarDeadline('2026-07-31'), '2026-09-01');
    assert.equal(sarDeadline('2026-07-31', { calendar: scot }), '2026-08-31');
    // 10 Sep 2026 → Sat 10 Oct → Mon 12 Oct.
    assert.equal(sarDeadline('2026-09-10'), '2026-10-12');
  });

  it('extension: three months from the same start, by the same rule', () => {
    assert.equal(sarExtendedDeadline('2026-01-31'), '2026-04-30'); // Thu 30 Apr
    assert.equal(sarExtendedDeadline('2026-11-30'), '2027-03-01'); // Sun 28 Feb 2027 → Mon 1 Mar
    assert.equal(sarExtendedDeadline('2026-09-25'), '2026-12-29'); // Fri 25 Dec → Tue 29 Dec
    assert.equal(canNotifySarExtension('2026-11-25', '2026-12-29'), true);
    assert.equal(canNotifySarExtension('2026-11-25', '2026-12-30'), false);
  });

  it('identity verification: the month starts on the day the ID arrives', () => {
    // Received Mon 2 Mar 2026, ID Fri 20 Mar → Mon 20 Apr.
    assert.equal(sarClockStart('2026-03-02', { identityVerifiedOn: '2026-03-20' }), '2026-03-20');
    assert.equal(sarDeadline('2026-03-02', { identityVerifiedOn: '2026-03-20' }), '2026-04-20');
    // Fee received later still: the latest date wins. 23 Mar → Thu 23 Apr.
    assert.equal(
      sarDeadline('2026-03-02', { identityVerifiedOn: '2026-03-20', feeReceivedOn: '2026-03-23' }),
      '2026-04-23',
    );
    assert.throws(
      () => sarDeadline('2026-03-02', { identityVerifiedOn: '2026-03-01' }),
      /before the date of receipt/,
    );
  });

  it('clarification (default "pause"): the days from asking to the answer do not count', () => {
    // Received Mon 2 Mar 2026 → 2 Apr. Asked Thu 5 Mar, answered Mon 16 Mar: 5…16 = 12 days.
    // 2 Apr + 12 = Tue 14 Apr (a working day).
    const clarification = { requestedOn: '2026-03-05', receivedOn: '2026-03-16' };
    assert.equal(sarDeadline('2026-03-02', { clarification }), '2026-04-14');
    // Received Sat 14 Nov 2026 → 14 Dec; asked Mon 16 Nov, answered Wed 16 Dec: 31 days → Thu 14 Jan 2027.
    assert.equal(
      sarDeadline('2026-11-14', { clarification: { requestedOn: '2026-11-16', receivedOn: '2026-12-16' } }),
      '2027-01-14',
    );
    // The extended deadline moves by the same 12 days: 2 Jun + 12 = Sun 14 Jun → Mon 15 Jun.
    assert.equal(sarExtendedDeadline('2026-03-02', { clarification }), '2026-06-15');
    assert.throws(
      () =>
        sarDeadline('2026-03-02', { clarification: { requestedOn: '2026-04-03', receivedOn: '2026-04-10' } }),
      /after the period had ended/,
    );
  });

  it('clarification with the "restart" rule: the month starts on the day the answer arrives', () => {
    const clarification = { requestedOn: '2026-03-05', receivedOn: '2026-03-16' };
    // 16 Mar → Thu 16 Apr.
    assert.equal(sarDeadline('2026-03-02', { clarification, clarificationRule: 'restart' }), '2026-04-16');
    // 16 Dec 2026 → Sat 16 Jan 2027 → Mon 18 Jan.
    assert.equal(
      sarDeadline('2026-11-14', {
        clarification: { requestedOn: '2026-11-16', receivedOn: '2026-12-16' },
        clarificationRule: 'restart',
      }),
      '2027-01-18',
    );
  });
});

describe('Complaint Handling Code', () => {
  it('stage 1: acknowledge in 5 working days, respond in 10 from the acknowledgement', () => {
    // Received Mon 23 Nov 2026. Acknowledge by: Tue 24 (1) … Fri 27 (4), Mon 30 (5) (a working day in England).
    // Acknowledged Wed 25: Thu 26 (1), Fri 27 (2), Mon 30 (3), Tue 1 Dec (4) … Fri 4 (7), Mon 7 (8),
    // Tue 8 (9), Wed 9 (10). Extension of 10: Thu 10 (1), Fri 11 (2), Mon 14–Fri 18 (3–7),
    // Mon 21 (8), Tue 22 (9), Wed 23 (10).
    const d = complaintStage1Deadlines('2026-11-23', { acknowledgedOn: '2026-11-25' });
    assert.deepEqual(d, {
      acknowledgeBy: '2026-11-30',
      acknowledgedLate: false,
      respondByWithoutExtension: '2026-12-09',
      respondBy: '2026-12-09',
      latestPossibleRespondBy: '2026-12-23',
    });
    const extended = complaintStage1Deadlines('2026-11-23', {
      acknowledgedOn: '2026-11-25',
      extensionWorkingDays: 10,
    });
    assert.equal(extended.respondBy, '2026-12-23');
    const shorter = complaintStage1Deadlines('2026-11-23', {
      acknowledgedOn: '2026-11-25',
      extensionWorkingDays: 3,
    });
    assert.equal(shorter.respondBy, '2026-12-14'); // Thu 10, Fri 11, Mon 14
  });

  it('stage 1: rejects an extension of more than 10 working days', () => {
    assert.throws(
      () => complaintStage1Deadlines('2026-11-23', { extensionWorkingDays: 11 }),
      (error: unknown) =>
        error instanceof ComplaintExtensionError && /at most 10 working days, not 11/.test(error.message),
    );
    assert.throws(
      () => complaintStage1Deadlines('2026-11-23', { extensionWorkingDays: 2.5 }),
      ComplaintExtensionError,
    );
    assert.throws(
      () => complaintStage1Deadlines('2026-11-23', { extensionWorkingDays: -1 }),
      ComplaintExtensionError,
    );
  });

  it('stage 1 not yet acknowledged: the response clock runs from the acknowledgement deadline', () => {
    // Acknowledge by Mon 30 Nov; + 10: Tue 1 (1) … Fri 4 (4), Mon 7–Fri 11 (5–9), Mon 14 (10).
    assert.equal(complaintStage1Deadlines('2026-11-23').respondBy, '2026-12-14');
  });

  it('stage 1 acknowledged late: flagged, and the response is 10 working days from the actual acknowledgement', () => {
    // Acknowledged Thu 3 Dec (due Mon 30 Nov). Fri 4 (1), Mon 7–Fri 11 (2–6), Mon 14 (7), Tue 15 (8),
    // Wed 16 (9), Thu 17 (10).
    const d = complaintStage1Deadlines('2026-11-23', { acknowledgedOn: '2026-12-03' });
    assert.equal(d.acknowledgedLate, true);
    assert.equal(d.respondBy, '2026-12-17');
  });

  it('stage 1 across Christmas', () => {
    // Received Fri 18 Dec 2026. Mon 21 (1), Tue 22 (2), Wed 23 (3), Thu 24 (4), [25, 28], Tue 29 (5).
    // + 10: Wed 30 (1), Thu 31 (2), [Fri 1 Jan], Mon 4 (3) … Fri 8 (7), Mon 11 (8), Tue 12 (9), Wed 13 (10).
    const d = complaintStage1Deadlines('2026-12-18');
    assert.equal(d.acknowledgeBy, '2026-12-29');
    assert.equal(d.respondBy, '2027-01-13');
  });

  it('stage 2: acknowledge in 5, respond in 20 from the acknowledgement, extension up to 20', () => {
    // Escalation requested Wed 10 Mar 2027. Thu 11 (1), Fri 12 (2), Mon 15 (3), Tue 16 (4), Wed 17 (5).
    // Acknowledged Fri 12 Mar: Mon 15–Thu 18 (1–4), Fri 19 (5), Mon 22–Thu 25 (6–9), [Fri 26, Mon 29],
    // Tue 30 (10), Wed 31 (11), Thu 1 Apr (12), Fri 2 (13), Mon 5–Fri 9 (14–18), Mon 12 (19), Tue 13 (20).
    // Extension 20: Wed 14–Fri 16 (1–3), Mon 19–Fri 23 (4–8), Mon 26–Fri 30 (9–13), [Mon 3 May],
    // Tue 4–Fri 7 (14–17), Mon 10 (18), Tue 11 (19), Wed 12 (20).
    const d = complaintStage2Deadlines('2027-03-10', {
      acknowledgedOn: '2027-03-12',
      extensionWorkingDays: 20,
    });
    assert.equal(d.acknowledgeBy, '2027-03-17');
    assert.equal(d.respondByWithoutExtension, '2027-04-13');
    assert.equal(d.respondBy, '2027-05-12');
    assert.equal(d.latestPossibleRespondBy, '2027-05-12');
    assert.throws(
      () => complaintStage2Deadlines('2027-03-10', { extensionWorkingDays: 21 }),
      /stage 2 extension may be at most 20 working days, not 21/,
    );
  });

  it('the maximum extensions are configurable', () => {
    const policy = {
      stage1: { acknowledgeWorkingDays: 5, respondWorkingDays: 10, maxExtensionWorkingDays: 10 },
      stage2: { acknowledgeWorkingDays: 5, respondWorkingDays: 20, maxExtensionWorkingDays: 25 },
      windowMonths: 12,
    };
    // 13 Apr + 21: … Wed 12 May (20), Thu 13 May (21).
    const d = complaintStage2Deadlines('2027-03-10', {
      acknowledgedOn: '2027-03-12',
      extensionWorkingDays: 21,
      policy,
    });
    assert.equal(d.respondBy, '2027-05-13');
  });

  it('complaints are accepted within 12 months of the matter', () => {
    assert.equal(isWithinComplaintWindow('2025-11-22', '2026-11-22'), true);
    assert.equal(isWithinComplaintWindow('2025-11-22', '2026-11-23'), false);
    assert.equal(isWithinComplaintWindow('2024-02-29', '2025-02-28'), true); // no 29 Feb 2025
    assert.equal(isWithinComplaintWindow('2024-02-29', '2025-03-01'), false);
    assert.equal(isWithinComplaintWindow('2026-08-31', '2027-02-28', 6), true);
    assert.equal(isWithinComplaintWindow('2026-08-31', '2027-03-01', 6), false);
    assert.equal(isWithinComplaintWindow('2026-11-22', '2026-11-01'), true); // before the matter date
  });
});

describe("Children's social care statutory complaints", () => {
  it('stage 1: 10 working days, extendable to 20', () => {
    // Mon 23 Nov 2026. Tue 24–Fri 27 (1–4), Mon 30 (5), Tue 1–Fri 4 Dec (6–9), Mon 7 (10);
    // Tue 8–Fri 11 (11–14), Mon 14–Fri 18 (15–19), Mon 21 (20).
    assert.equal(childrensComplaintDeadline(1, '2026-11-23'), '2026-12-07');
    assert.equal(childrensComplaintDeadline(1, '2026-11-23', { extended: true }), '2026-12-21');
  });

  it('stage 2: 25 working days, extendable to 65', () => {
    // From Mon 23 Nov 2026: 20 = Mon 21 Dec, Tue 22 (21), Wed 23 (22), Thu 24 (23), [25, 28], Tue 29 (24),
    // Wed 30 (25). Then Thu 31 (26), [1 Jan], Mon 4–Fri 8 (27–31), 11–15 (32–36), 18–22 (37–41),
    // 25–29 (42–46), 1–5 Feb (47–51), 8–12 (52–56), 15–19 (57–61), Mon 22 (62), Tue 23 (63),
    // Wed 24 (64), Thu 25 Feb (65).
    assert.equal(childrensComplaintDeadline(2, '2026-11-23'), '2026-12-30');
    assert.equal(childrensComplaintDeadline(2, '2026-11-23', { extended: true }), '2027-02-25');
  });

  it('stage 3: review panel within 30 working days of the request (configurable)', () => {
    // 25 = Wed 30 Dec; Thu 31 (26), Mon 4 Jan (27), Tue 5 (28), Wed 6 (29), Thu 7 (30).
    assert.equal(childrensComplaintDeadline(3, '2026-11-23'), '2027-01-07');
    const policy = {
      stage1: { standardWorkingDays: 10, extendedWorkingDays: 20 },
      stage2: { standardWorkingDays: 25, extendedWorkingDays: 65 },
      stage3: { panelWithinWorkingDays: 20 },
    };
    assert.equal(childrensComplaintDeadline(3, '2026-11-23', { policy }), '2026-12-21');
    assert.throws(
      () => childrensComplaintDeadline(3, '2026-11-23', { extended: true }),
      /no extended timescale/,
    );
  });
});
