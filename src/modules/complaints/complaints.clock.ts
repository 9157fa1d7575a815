/**
 * Complaint clocks: which statutory function applies to which stage of which kind of complaint, in one
 * place. The arithmetic itself lives in `platform/clocks` (tested there); this file only chooses.
 *
 * - Corporate complaints follow the Ombudsman's Complaint Handling Code: stage 1 acknowledge in 5 working
 *   days and respond within 10 of the acknowledgement (one extension of at most 10); stage 2 acknowledge
 *   in 5 working days of the escalation request and respond within 20 of the acknowledgement (one
 *   extension of at most 20).
 * - Children's social care complaints follow the Children Act 1989 representations procedure: stage 1 in
 *   10 working days (extendable to 20), stage 2 in 25 (extendable to 65), stage 3 review panel within 30
 *   working days of the request. They run from the date of receipt (or request), not the acknowledgement.
 */
import type { IsoDate, WorkingDayCalendar } from '../../platform/calendar/index.ts';
import {
  CHILDRENS_COMPLAINTS_POLICY,
  COMPLAINT_HANDLING_CODE,
  ComplaintExtensionError,
  childrensComplaintDeadline,
  complaintStage1Deadlines,
  complaintStage2Deadlines,
  englandAndWalesCalendar,
  isWithinComplaintWindow,
} from '../../platform/clocks/index.ts';
import type { ComplaintStageNumber, WorkflowType } from './complaints.types.ts';

/**
 * "Getting the Best from Complaints" (2006) para 2.6: a children's social care complaint is acknowledged
 * within 3 working days. (The platform clocks do not cover acknowledgements for this procedure.)
 */
export const CHILDRENS_ACKNOWLEDGE_WORKING_DAYS = 3;

export interface StageClockInput {
  workflowType: WorkflowType;
  stage: ComplaintStageNumber;
  /** Date of receipt (stage 1) or of the escalation request (stages 2 and 3). */
  startedOn: IsoDate;
  acknowledgedOn?: IsoDate | null;
  extensionDays?: number | null;
}

export interface StageClock {
  /** null where the stage has no acknowledgement step (children's stage 3). */
  acknowledgeBy: IsoDate | null;
  acknowledgedLate: boolean;
  respondBy: IsoDate;
  /** The most working days the one extension may add at this stage. */
  maxExtensionDays: number;
}

/** The largest extension allowed at a stage, in working days. */
export function maxExtensionDays(workflowType: WorkflowType, stage: ComplaintStageNumber): number {
  if (workflowType === 'corporate') {
    if (stage === 3) return 0;
    return COMPLAINT_HANDLING_CODE[stage === 1 ? 'stage1' : 'stage2'].maxExtensionWorkingDays;
  }
  if (stage === 3) return 0;
  const timescale = CHILDRENS_COMPLAINTS_POLICY[stage === 1 ? 'stage1' : 'stage2'];
  return timescale.extendedWorkingDays - timescale.standardWorkingDays;
}

/**
 * The deadlines of one stage. Throws {@link ComplaintExtensionError} when the extension is longer than
 * the stage allows.
 */
export function stageClock(
  input: StageClockInput,
  calendar: WorkingDayCalendar = englandAndWalesCalendar(),
): StageClock {
  const extension = input.extensionDays ?? 0;
  const max = maxExtensionDays(input.workflowType, input.stage);
  if (!Number.isInteger(extension) || extension < 0 || extension > max) {
    throw new ComplaintExtensionError(
      max === 0
        ? `stage ${input.stage} cannot be extended`
        : `a stage ${input.stage} extension may be at most ${max} working days, not ${extension}`,
    );
  }
  const acknowledgedOn = input.acknowledgedOn ?? undefined;
  if (input.workflowType === 'corporate' && input.stage !== 3) {
    const deadlines = (input.stage === 1 ? complaintStage1Deadlines : complaintStage2Deadlines)(
      input.startedOn,
      {
        acknowledgedOn,
        extensionWorkingDays: extension,
        calendar,
      },
    );
    return {
      acknowledgeBy: deadlines.acknowledgeBy,
      acknowledgedLate: deadlines.acknowledgedLate,
      respondBy: deadlines.respondBy,
      maxExtensionDays: max,
    };
  }
  if (input.stage === 3) {
    return {
      acknowledgeBy: null,
      acknowledgedLate: false,
      respondBy: childrensComplaintDeadline(3, input.startedOn, { calendar }),
      maxExtensionDays: 0,
    };
  }
  const acknowledgeBy = calendar.addWorkingDays(input.startedOn, CHILDRENS_ACKNOWLEDGE_WORKING_DAYS);
  return {
    acknowledgeBy,
    acknowledgedLate: acknowledgedOn !== undefined && acknowledgedOn > acknowledgeBy,
    respondBy: childrensComplaintDeadline(input.stage, input.startedOn, {
      extended: extension > 0,
      calendar,
    }),
    maxExtensionDays: max,
  };
}

/** Whether a complaint received on `receivedOn` is within the window (default 12 months) of the matter. */
export function withinWindow(matterDate: IsoDate | null, receivedOn: IsoDate, windowMonths: number): boolean {
  if (!matterDate) return true;
  return isWithinComplaintWindow(matterDate, receivedOn, windowMonths);
}

/** Working days from `today` to `deadline`: 0 on the day, negative when overdue. */
export function workingDaysLeft(
  today: IsoDate,
  deadline: IsoDate,
  calendar: WorkingDayCalendar = englandAndWalesCalendar(),
): number {
  return calendar.workingDaysBetween(today, deadline);
}

export { ComplaintExtensionError };
