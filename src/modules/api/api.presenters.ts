/** Domain → API JSON. Every deadline is an ISO date (`YYYY-MM-DD`, "by the end of that day"). */
import { currentDeadlines, type ComplaintView } from '../complaints/index.ts';
import type { RequestView } from '../information-requests/index.ts';

export function complaintJson(view: ComplaintView) {
  const deadlines = currentDeadlines(view);
  return {
    reference: view.reference,
    status: view.status,
    stage: view.stage,
    workflowType: view.workflowType,
    receivedOn: view.receivedOn,
    matterDate: view.matterDate,
    relatesTo: view.linkedCase?.reference ?? null,
    deadlines: {
      acknowledgeBy: deadlines.acknowledgeBy,
      respondBy: deadlines.respondBy,
      next: deadlines.next,
    },
    stages: view.stages.map((s) => ({
      stage: s.stage,
      startedOn: s.startedOn,
      acknowledgeBy: s.acknowledgeBy,
      acknowledgedOn: s.acknowledgedOn,
      respondBy: s.respondBy,
      extensionWorkingDays: s.extensionDays,
      respondedOn: s.respondedOn,
      decision: s.decision,
      onTime: s.onTime,
    })),
    links: { self: `/api/v1/complaints/${view.reference}` },
  };
}

export function informationRequestJson(view: RequestView) {
  return {
    reference: view.reference,
    regime: view.regime,
    status: view.status,
    receivedOn: view.receivedOn,
    deadlines: {
      dueOn: view.dueOn,
      standardDueOn: view.standardDueOn,
      extensionNoticeBy: view.extensionNoticeBy,
      publicInterestTarget: view.publicInterestTarget,
      internalReviewDueOn: view.review?.dueOn ?? null,
    },
    clockStopped: view.stopped,
    extended: view.extended,
    respondedOn: view.respondedOn,
    outcome: view.outcome,
    onTime: view.onTime,
    links: { self: `/api/v1/information-requests/${view.reference}` },
  };
}
