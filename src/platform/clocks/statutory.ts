/**
 * Statutory and code-of-practice deadlines for council casework, as plain dates.
 *
 * Every function takes and returns {@link IsoDate}s (`YYYY-MM-DD`). The *date of receipt* is the date a
 * request arrived, whatever the day or hour (FOIA s.10(6): "the day on which the public authority
 * receives the request"); the 17:00 cut-off of `WorkingDayCalendar.receivedDate` is an operational
 * convention for SLAs and is NOT applied here. To turn an instant into a date of receipt use
 * `toIsoDate(instant)` (its London date).
 *
 * "Within N working days of X" is always the N-th working day *after* X (X itself is day 0): see
 * `WorkingDayCalendar.addWorkingDays`. A deadline date means "by the end of that day".
 *
 * Each function accepts an optional `calendar`. Defaults: the UK-wide calendar (bank holidays of all
 * three divisions) for FOI/EIR, where that is the law; England and Wales for SARs and complaints, where
 * the council's own working days apply (pass a Scottish or Northern Irish calendar if that is yours).
 */
import {
  DIVISIONS,
  addCalendarDays,
  addCalendarMonths,
  assertIsoDate,
  calendarDaysBetween,
  loadDefaultCalendar,
  maxIsoDate,
  type Division,
  type IsoDate,
  type WorkingDayCalendar,
} from '../calendar/index.ts';

// ---------------------------------------------------------------------------------------------------
// Calendars

const defaults = new Map<string, WorkingDayCalendar>();

function shippedCalendar(divisions: readonly Division[]): WorkingDayCalendar {
  const key = divisions.join('|');
  let calendar = defaults.get(key);
  if (!calendar) {
    calendar = loadDefaultCalendar({ divisions });
    defaults.set(key, calendar);
  }
  return calendar;
}

/** The shipped calendar with the bank holidays of every part of the UK (the FOI/EIR definition). */
export function ukWideCalendar(): WorkingDayCalendar {
  return shippedCalendar(DIVISIONS);
}

/** The shipped England and Wales calendar (the default for SARs and complaints). */
export function englandAndWalesCalendar(): WorkingDayCalendar {
  return shippedCalendar(['england-and-wales']);
}

function foiCalendar(calendar: WorkingDayCalendar | undefined): WorkingDayCalendar {
  if (!calendar) return ukWideCalendar();
  const missing = DIVISIONS.filter((d) => !calendar.divisions.includes(d));
  if (missing.length > 0) {
    throw new RangeError(
      'FOI/EIR working days exclude bank holidays in every part of the UK (FOIA s.10(6)); ' +
        `the calendar given leaves out ${missing.join(', ')}`,
    );
  }
  return calendar;
}

function notBefore(date: IsoDate, earliest: IsoDate, label: string, earliestLabel: string): void {
  assertIsoDate(date, label);
  if (date < earliest) throw new RangeError(`${label} (${date}) is before ${earliestLabel} (${earliest})`);
}

function wholeNumber(value: number, label: string, min = 0): void {
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`${label} must be a whole number ≥ ${min}, got ${value}`);
}

// ---------------------------------------------------------------------------------------------------
// FOI and EIR

/** FOIA s.10(1): "not later than the twentieth working day following the date of receipt". */
export const FOI_WORKING_DAYS = 20;
/** ICO guidance: a public interest extension should normally be at most 20 further working days. */
export const FOI_PUBLIC_INTEREST_EXTRA_WORKING_DAYS = 20;
/** EIR reg 5(2): "no later than 20 working days after the date of receipt of the request". */
export const EIR_WORKING_DAYS = 20;
/** EIR reg 7(1): extendable to 40 working days where the request is complex and voluminous. */
export const EIR_EXTENDED_WORKING_DAYS = 40;
/** s.45 Code of Practice (2018) para 5.4: internal reviews within 20 working days (40 in complex cases). */
export const FOI_INTERNAL_REVIEW_WORKING_DAYS = 20;
export const FOI_INTERNAL_REVIEW_EXTENDED_WORKING_DAYS = 40;
/** EIR reg 11(4): reconsideration "no later than 40 working days after the date of receipt of the representations". */
export const EIR_INTERNAL_REVIEW_WORKING_DAYS = 40;

/** Appropriate Limit and Fees Regulations 2004, reg 3: £450 for local authorities and most public bodies. */
export const FOI_COST_LIMIT_GBP = 450;
/** The same regulation: £600 for central government and Parliament. */
export const FOI_COST_LIMIT_CENTRAL_GOVERNMENT_GBP = 600;
/** Reg 4(4): staff time is costed at £25 per person per hour. */
export const FOI_HOURLY_RATE_GBP = 25;
/** £450 ÷ £25 = 18 hours. */
export const FOI_COST_LIMIT_HOURS = FOI_COST_LIMIT_GBP / FOI_HOURLY_RATE_GBP;

export interface FoiOptions {
  /**
   * The day the requester's answer to a request for clarification arrived. FOIA s.1(3): the authority
   * need not comply until it has that information, so (ICO) "the 20 working days start again": the
   * deadline becomes the 20th working day following this date.
   */
  clarificationReceivedOn?: IsoDate;
  /**
   * FOIA s.10(2): "the working days in the period beginning with the day on which the fees notice is
   * given … and ending with the day on which the fee is received … are to be disregarded".
   */
  feesNotice?: { givenOn: IsoDate; paidOn: IsoDate };
  /** Must include all three divisions. Default: {@link ukWideCalendar}. */
  calendar?: WorkingDayCalendar;
}

/** The day the FOI/EIR count runs from: the date of receipt, or the date clarification arrived. */
export function foiClockStart(
  receivedOn: IsoDate,
  options: Pick<FoiOptions, 'clarificationReceivedOn'> = {},
): IsoDate {
  assertIsoDate(receivedOn, 'receivedOn');
  const { clarificationReceivedOn } = options;
  if (clarificationReceivedOn === undefined) return receivedOn;
  notBefore(clarificationReceivedOn, receivedOn, 'clarificationReceivedOn', 'the date of receipt');
  return clarificationReceivedOn;
}

/** The `n`-th working day after `start`, not counting working days in `disregard` (inclusive). */
function nthWorkingDay(
  calendar: WorkingDayCalendar,
  start: IsoDate,
  n: number,
  disregard?: { givenOn: IsoDate; paidOn: IsoDate },
): IsoDate {
  if (disregard) {
    notBefore(disregard.givenOn, start, 'feesNotice.givenOn', 'the start of the count');
    notBefore(disregard.paidOn, disregard.givenOn, 'feesNotice.paidOn', 'feesNotice.givenOn');
  }
  let d = start;
  let counted = 0;
  while (counted < n) {
    d = calendar.nextWorkingDay(d);
    if (!disregard || d < disregard.givenOn || d > disregard.paidOn) counted += 1;
  }
  return d;
}

/**
 * FOI deadline: the 20th working day following the date of receipt (FOIA s.10(1)). Working days exclude
 * Saturdays, Sundays, Christmas Day, Good Friday and bank holidays in any part of the UK (s.10(6)).
 * The day of receipt may be any day: a request received on Saturday has Monday as working day 1.
 * Clarification restarts the count; a fees notice stops it (see {@link FoiOptions}).
 */
export function foiDeadline(receivedOn: IsoDate, options: FoiOptions = {}): IsoDate {
  const calendar = foiCalendar(options.calendar);
  return nthWorkingDay(calendar, foiClockStart(receivedOn, options), FOI_WORKING_DAYS, options.feesNotice);
}

export interface FoiPublicInterestOptions extends FoiOptions {
  /** The date the officer has set for the public interest decision (FOIA s.10(3): "such time as is reasonable"). */
  targetDate?: IsoDate;
  /** Used when no `targetDate` is given: working days after the normal deadline. Default 20 (40 in all). */
  extraWorkingDays?: number;
}

/**
 * Deadline when the public interest test needs more time (FOIA s.10(3)). The Act sets no fixed limit; the
 * officer's `targetDate` is used when given (it may not be before the normal deadline). Otherwise the
 * normal deadline plus `extraWorkingDays` (default 20, i.e. the 40th working day, the most the ICO
 * considers reasonable save in exceptional cases).
 */
export function foiPublicInterestDeadline(
  receivedOn: IsoDate,
  options: FoiPublicInterestOptions = {},
): IsoDate {
  const normal = foiDeadline(receivedOn, options);
  if (options.targetDate !== undefined) {
    notBefore(options.targetDate, normal, 'targetDate', 'the normal FOI deadline');
    return options.targetDate;
  }
  const extra = options.extraWorkingDays ?? FOI_PUBLIC_INTEREST_EXTRA_WORKING_DAYS;
  wholeNumber(extra, 'extraWorkingDays');
  return foiCalendar(options.calendar).addWorkingDays(normal, extra);
}

/** Whether a public interest target date is within the ICO's guideline of 20 extra working days. */
export function isPublicInterestTargetWithinGuidance(
  receivedOn: IsoDate,
  targetDate: IsoDate,
  options: FoiOptions = {},
): boolean {
  assertIsoDate(targetDate, 'targetDate');
  return targetDate <= foiPublicInterestDeadline(receivedOn, { ...options, targetDate: undefined });
}

export interface EirOptions {
  /** EIR reg 9(4): after asking for particulars, the 20 (or 40) working days run from the date they arrive. */
  clarificationReceivedOn?: IsoDate;
  /** Must include all three divisions. Default: {@link ukWideCalendar}. */
  calendar?: WorkingDayCalendar;
}

/** EIR deadline: no later than 20 working days after the date of receipt (reg 5(2)); same working days as FOI. */
export function eirDeadline(receivedOn: IsoDate, options: EirOptions = {}): IsoDate {
  return foiCalendar(options.calendar).addWorkingDays(foiClockStart(receivedOn, options), EIR_WORKING_DAYS);
}

/** EIR deadline extended for a complex and voluminous request: 40 working days after receipt (reg 7(1)). */
export function eirExtendedDeadline(receivedOn: IsoDate, options: EirOptions = {}): IsoDate {
  return foiCalendar(options.calendar).addWorkingDays(
    foiClockStart(receivedOn, options),
    EIR_EXTENDED_WORKING_DAYS,
  );
}

/**
 * Whether an EIR extension notified on `notifiedOn` is in time: the requester must be told "as soon as
 * possible and no later than 20 working days after the date of receipt" (reg 7(3)), so on or after the
 * date of receipt and on or before {@link eirDeadline}.
 */
export function canNotifyEirExtension(
  receivedOn: IsoDate,
  notifiedOn: IsoDate,
  options: EirOptions = {},
): boolean {
  assertIsoDate(receivedOn, 'receivedOn');
  assertIsoDate(notifiedOn, 'notifiedOn');
  return notifiedOn >= receivedOn && notifiedOn <= eirDeadline(receivedOn, options);
}

export interface InternalReviewOptions {
  /** `'foi'` (default): 20 working days, Code of Practice. `'eir'`: 40 working days, reg 11(4) (statutory). */
  regime?: 'foi' | 'eir';
  /** FOI only: the Code allows 20 further working days in complex cases (40 in all). */
  extended?: boolean;
  calendar?: WorkingDayCalendar;
}

/**
 * Internal review deadline: for FOI, 20 working days following receipt of the review request (s.45 Code
 * of Practice para 5.4; 40 if `extended`); for EIR, 40 working days (reg 11(4)).
 */
export function internalReviewDeadline(
  reviewRequestedOn: IsoDate,
  options: InternalReviewOptions = {},
): IsoDate {
  const regime = options.regime ?? 'foi';
  if (regime === 'eir' && options.extended) {
    throw new RangeError(
      'an EIR reconsideration has a fixed statutory limit of 40 working days; it cannot be extended',
    );
  }
  const days =
    regime === 'eir'
      ? EIR_INTERNAL_REVIEW_WORKING_DAYS
      : options.extended
        ? FOI_INTERNAL_REVIEW_EXTENDED_WORKING_DAYS
        : FOI_INTERNAL_REVIEW_WORKING_DAYS;
  assertIsoDate(reviewRequestedOn, 'reviewRequestedOn');
  return foiCalendar(options.calendar).addWorkingDays(reviewRequestedOn, days);
}

/** The estimated cost of `hours` of staff time at £25 an hour. */
export function estimatedCostGbp(hours: number): number {
  if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be a number ≥ 0, got ${hours}`);
  return hours * FOI_HOURLY_RATE_GBP;
}

/**
 * FOIA s.12: whether complying would exceed the appropriate limit (default £450 = 18 hours at £25).
 * Exactly 18 hours is within the limit; anything more exceeds it.
 */
export function exceedsCostLimit(hours: number, limitGbp: number = FOI_COST_LIMIT_GBP): boolean {
  return estimatedCostGbp(hours) > limitGbp;
}

// ---------------------------------------------------------------------------------------------------
// Subject access requests

export interface SarOptions {
  /** When the information needed to confirm the requester's identity arrived: the month starts that day. */
  identityVerifiedOn?: IsoDate;
  /** When a fee (for a manifestly unfounded or excessive request) was received: the month starts that day. */
  feeReceivedOn?: IsoDate;
  /** A request for clarification of what is wanted, and when the answer arrived. */
  clarification?: { requestedOn: IsoDate; receivedOn: IsoDate };
  /**
   * How clarification affects the clock:
   * - `'pause'` (default): UK GDPR Art 12A / DPA 2018 s.54(3C) as amended by the Data (Use and Access)
   *   Act 2025 ("stop the clock"): the days from the day clarification is asked for to the day it
   *   arrives, both included, do not count, so the deadline moves later by that many calendar days;
   * - `'restart'`: the month starts afresh on the day the clarification arrives (the older reading).
   */
  clarificationRule?: 'pause' | 'restart';
  /** Default: {@link englandAndWalesCalendar}. */
  calendar?: WorkingDayCalendar;
}

/** The SAR "relevant time": the latest of receipt, identity verification and fee (and, under `'restart'`, clarification). */
export function sarClockStart(receivedOn: IsoDate, options: SarOptions = {}): IsoDate {
  assertIsoDate(receivedOn, 'receivedOn');
  const dates = [receivedOn];
  if (options.identityVerifiedOn !== undefined) {
    notBefore(options.identityVerifiedOn, receivedOn, 'identityVerifiedOn', 'the date of receipt');
    dates.push(options.identityVerifiedOn);
  }
  if (options.feeReceivedOn !== undefined) {
    notBefore(options.feeReceivedOn, receivedOn, 'feeReceivedOn', 'the date of receipt');
    dates.push(options.feeReceivedOn);
  }
  if (options.clarification && (options.clarificationRule ?? 'pause') === 'restart') {
    notBefore(
      options.clarification.receivedOn,
      receivedOn,
      'clarification.receivedOn',
      'the date of receipt',
    );
    dates.push(options.clarification.receivedOn);
  }
  return maxIsoDate(receivedOn, ...dates);
}

function sarDue(receivedOn: IsoDate, months: number, options: SarOptions): IsoDate {
  const calendar = options.calendar ?? englandAndWalesCalendar();
  const start = sarClockStart(receivedOn, options);
  let end = addCalendarMonths(start, months);
  const { clarification } = options;
  if (clarification && (options.clarificationRule ?? 'pause') === 'pause') {
    notBefore(clarification.requestedOn, receivedOn, 'clarification.requestedOn', 'the date of receipt');
    notBefore(
      clarification.receivedOn,
      clarification.requestedOn,
      'clarification.receivedOn',
      'clarification.requestedOn',
    );
    if (clarification.requestedOn > end) {
      throw new RangeError(
        `clarification was requested on ${clarification.requestedOn}, after the period had ended (${end})`,
      );
    }
    // Only days on or after the start of the period can be taken out of it.
    const from = maxIsoDate(clarification.requestedOn, start);
    if (clarification.receivedOn >= from)
      end = addCalendarDays(end, calendarDaysBetween(from, clarification.receivedOn) + 1);
  }
  return calendar.workingDayOnOrAfter(end);
}

/**
 * SAR deadline (UK GDPR Art 12(3), ICO guidance): one calendar month starting on the day of receipt (or
 * the day identity/fee arrived): the same date next month, or the last day of that month when it has no
 * such date (31 January → 28/29 February); moved to the next working day if that is a weekend or bank
 * holiday. Clarification: see {@link SarOptions.clarificationRule}.
 */
export function sarDeadline(receivedOn: IsoDate, options: SarOptions = {}): IsoDate {
  return sarDue(receivedOn, 1, options);
}

/**
 * SAR deadline extended by two further months for a complex request or a number of requests: three
 * months from the same start, by the same rule (ICO: "calculate the extension as three months from the
 * original start date").
 */
export function sarExtendedDeadline(receivedOn: IsoDate, options: SarOptions = {}): IsoDate {
  return sarDue(receivedOn, 3, options);
}

/** Whether the requester was told of an extension in time: within the first month (on or before {@link sarDeadline}). */
export function canNotifySarExtension(
  receivedOn: IsoDate,
  notifiedOn: IsoDate,
  options: SarOptions = {},
): boolean {
  assertIsoDate(notifiedOn, 'notifiedOn');
  return notifiedOn >= receivedOn && notifiedOn <= sarDeadline(receivedOn, options);
}

// ---------------------------------------------------------------------------------------------------
// Complaints: Housing Ombudsman / LGSCO Complaint Handling Code

export interface ComplaintStagePolicy {
  /** Acknowledge within this many working days of receipt (stage 1) or of the escalation request (stage 2). */
  acknowledgeWorkingDays: number;
  /** Respond within this many working days of the acknowledgement. */
  respondWorkingDays: number;
  /** The one extension may be at most this many working days. */
  maxExtensionWorkingDays: number;
}

export interface ComplaintHandlingPolicy {
  stage1: ComplaintStagePolicy;
  stage2: ComplaintStagePolicy;
  /** Complaints are accepted within this many months of the matter (or of the resident becoming aware of it). */
  windowMonths: number;
}

/**
 * The Complaint Handling Code timescales (Housing Ombudsman Code 2024, statutory for landlords; the LGSCO
 * Code for councils uses the same): stage 1 acknowledge in 5 working days and respond within 10 working
 * days of the acknowledgement, one extension of no more than 10; stage 2 acknowledge in 5 working days of
 * the escalation request and respond within 20 working days of the acknowledgement, one extension of no
 * more than 20; complaints accepted within 12 months of the issue.
 */
export const COMPLAINT_HANDLING_CODE: Readonly<ComplaintHandlingPolicy> = Object.freeze({
  stage1: Object.freeze({ acknowledgeWorkingDays: 5, respondWorkingDays: 10, maxExtensionWorkingDays: 10 }),
  stage2: Object.freeze({ acknowledgeWorkingDays: 5, respondWorkingDays: 20, maxExtensionWorkingDays: 20 }),
  windowMonths: 12,
});

/** An extension longer than the Code allows (or not a whole number of working days). */
export class ComplaintExtensionError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'ComplaintExtensionError';
  }
}

export interface ComplaintStageOptions {
  /** When the complaint was actually acknowledged. Default: the acknowledgement deadline. */
  acknowledgedOn?: IsoDate;
  /** The one extension, in working days (0 or omitted for none). More than the maximum is refused. */
  extensionWorkingDays?: number;
  policy?: ComplaintHandlingPolicy;
  /** Default: {@link englandAndWalesCalendar}. */
  calendar?: WorkingDayCalendar;
}

export interface ComplaintStageDeadlines {
  /** Acknowledge by: N working days after receipt (stage 1) or the escalation request (stage 2). */
  acknowledgeBy: IsoDate;
  /** True when `acknowledgedOn` was given and is after `acknowledgeBy`. */
  acknowledgedLate: boolean;
  /** Respond by, without any extension: N working days after the acknowledgement. */
  respondByWithoutExtension: IsoDate;
  /** Respond by, with the extension if one was given. */
  respondBy: IsoDate;
  /** The latest the response could be with the longest extension the policy allows. */
  latestPossibleRespondBy: IsoDate;
}

/**
 * Deadlines for stage 1 or stage 2 of a complaint under the Complaint Handling Code. The response clock
 * runs from the actual acknowledgement date when known (the Code: "within 10/20 working days of the
 * complaint being acknowledged"), else from the acknowledgement deadline.
 *
 * @throws {ComplaintExtensionError} if `extensionWorkingDays` is more than the stage allows.
 */
export function complaintStageDeadlines(
  stage: 1 | 2,
  receivedOn: IsoDate,
  options: ComplaintStageOptions = {},
): ComplaintStageDeadlines {
  const policy = (options.policy ?? COMPLAINT_HANDLING_CODE)[stage === 1 ? 'stage1' : 'stage2'];
  const calendar = options.calendar ?? englandAndWalesCalendar();
  assertIsoDate(receivedOn, 'receivedOn');
  const extension = options.extensionWorkingDays ?? 0;
  if (!Number.isInteger(extension) || extension < 0) {
    throw new ComplaintExtensionError(
      `an extension must be a whole number of working days, got ${extension}`,
    );
  }
  if (extension > policy.maxExtensionWorkingDays) {
    throw new ComplaintExtensionError(
      `a stage ${stage} extension may be at most ${policy.maxExtensionWorkingDays} working days, not ${extension}`,
    );
  }
  const acknowledgeBy = calendar.addWorkingDays(receivedOn, policy.acknowledgeWorkingDays);
  let acknowledged = acknowledgeBy;
  if (options.acknowledgedOn !== undefined) {
    notBefore(options.acknowledgedOn, receivedOn, 'acknowledgedOn', 'the date of receipt');
    acknowledged = options.acknowledgedOn;
  }
  const respondByWithoutExtension = calendar.addWorkingDays(acknowledged, policy.respondWorkingDays);
  return {
    acknowledgeBy,
    acknowledgedLate: options.acknowledgedOn !== undefined && options.acknowledgedOn > acknowledgeBy,
    respondByWithoutExtension,
    respondBy: calendar.addWorkingDays(respondByWithoutExtension, extension),
    latestPossibleRespondBy: calendar.addWorkingDays(
      respondByWithoutExtension,
      policy.maxExtensionWorkingDays,
    ),
  };
}

/** Stage 1: acknowledge within 5 working days of receipt; respond within 10 of acknowledging; extension ≤ 10. */
export function complaintStage1Deadlines(
  receivedOn: IsoDate,
  options: ComplaintStageOptions = {},
): ComplaintStageDeadlines {
  return complaintStageDeadlines(1, receivedOn, options);
}

/** Stage 2: acknowledge within 5 working days of the escalation request; respond within 20 of acknowledging; extension ≤ 20. */
export function complaintStage2Deadlines(
  escalationRequestedOn: IsoDate,
  options: ComplaintStageOptions = {},
): ComplaintStageDeadlines {
  return complaintStageDeadlines(2, escalationRequestedOn, options);
}

/**
 * Whether a complaint received on `receivedDate` is within `months` (default 12) of the matter complained
 * about (or of the resident becoming aware of it): received on or before the same date `months` later
 * (the last day of the month if there is no such date). A complaint received before the matter date is
 * treated as within the window.
 */
export function isWithinComplaintWindow(
  matterDate: IsoDate,
  receivedDate: IsoDate,
  months: number = COMPLAINT_HANDLING_CODE.windowMonths,
): boolean {
  assertIsoDate(matterDate, 'matterDate');
  assertIsoDate(receivedDate, 'receivedDate');
  wholeNumber(months, 'months', 1);
  return receivedDate <= addCalendarMonths(matterDate, months);
}

// ---------------------------------------------------------------------------------------------------
// Children's social care statutory complaints

export interface ChildrensComplaintsPolicy {
  stage1: { standardWorkingDays: number; extendedWorkingDays: number };
  stage2: { standardWorkingDays: number; extendedWorkingDays: number };
  /** Stage 3: the review panel is to be held within this many working days of the request. */
  stage3: { panelWithinWorkingDays: number };
}

/**
 * Children Act 1989 representations procedure (the Children Act 1989 Representations Procedure (England)
 * Regulations 2006 and the "Getting the Best from Complaints" guidance): stage 1 local resolution in 10
 * working days, extendable to 20; stage 2 investigation in 25 working days, extendable to 65; stage 3
 * review panel within 30 working days of the request. All configurable.
 */
export const CHILDRENS_COMPLAINTS_POLICY: Readonly<ChildrensComplaintsPolicy> = Object.freeze({
  stage1: Object.freeze({ standardWorkingDays: 10, extendedWorkingDays: 20 }),
  stage2: Object.freeze({ standardWorkingDays: 25, extendedWorkingDays: 65 }),
  stage3: Object.freeze({ panelWithinWorkingDays: 30 }),
});

export interface ChildrensComplaintOptions {
  /** Stages 1 and 2 only: use the extended timescale (20 or 65 working days in all). */
  extended?: boolean;
  policy?: ChildrensComplaintsPolicy;
  /** Default: {@link englandAndWalesCalendar}. */
  calendar?: WorkingDayCalendar;
}

/**
 * Deadline for a stage of a children's statutory social care complaint, counted in working days from
 * `startedOn`: the date the complaint was received (stage 1), the date stage 2 was requested (stage 2; the
 * guidance counts from the date the complaint record is agreed; pass that date if you use it), or the
 * date the review panel was requested (stage 3).
 */
export function childrensComplaintDeadline(
  stage: 1 | 2 | 3,
  startedOn: IsoDate,
  options: ChildrensComplaintOptions = {},
): IsoDate {
  assertIsoDate(startedOn, 'startedOn');
  const policy = options.policy ?? CHILDRENS_COMPLAINTS_POLICY;
  const calendar = options.calendar ?? englandAndWalesCalendar();
  let days: number;
  if (stage === 3) {
    if (options.extended) throw new RangeError('stage 3 (review panel) has no extended timescale');
    days = policy.stage3.panelWithinWorkingDays;
  } else {
    const timescale = stage === 1 ? policy.stage1 : policy.stage2;
    days = options.extended ? timescale.extendedWorkingDays : timescale.standardWorkingDays;
  }
  wholeNumber(days, `stage ${stage} working days`);
  return calendar.addWorkingDays(startedOn, days);
}
