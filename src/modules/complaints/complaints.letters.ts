/**
 * What complaint letters say, in plain English. Each function returns the text of one message (paragraphs
 * separated by blank lines); `complaints.service.ts` queues it through notifications inside the business
 * transaction, so the stored message is exactly what the resident was sent.
 *
 * The response follows the Complaint Handling Code: what the complaint was about, the decision and the
 * reasons for it, any remedy with the dates it will happen by, outstanding actions, and how to escalate
 * (stage 1) or go to the Ombudsman (final response). Extensions and refusals always give the Ombudsman's
 * details. Reasonable adjustments the resident asked for are repeated in every letter.
 */
import type { IsoDate } from '../../platform/calendar/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import {
  DECISION_LABELS,
  REFUSAL_LABELS,
  REMEDY_LABELS,
  type ComplaintStageNumber,
  type Decision,
  type RefusalReason,
  type RemedyKind,
  type WorkflowType,
} from './complaints.types.ts';

/** Local Government and Social Care Ombudsman contact details (the same for corporate and children's complaints). */
export const OMBUDSMAN = {
  name: 'Local Government and Social Care Ombudsman',
  website: 'www.lgo.org.uk',
  phone: '0300 061 0614',
} as const;

export const OMBUDSMAN_TEXT =
  `You can ask the ${OMBUDSMAN.name} to look at your complaint. It is free and independent. ` +
  `Website: ${OMBUDSMAN.website}. Phone: ${OMBUDSMAN.phone}.`;

const paragraphs = (...parts: (string | null | undefined | false)[]) =>
  parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join('\n\n');

const date = (d: IsoDate | null | undefined) => (d ? formatDate(d) : '');

function adjustmentsLine(adjustments: string | null): string | null {
  return adjustments
    ? `You asked us to make these changes to help you, and we will keep making them: ${adjustments}.`
    : null;
}

const stageName = (stage: ComplaintStageNumber, workflowType: WorkflowType) =>
  workflowType === 'childrens_social_care'
    ? stage === 3
      ? 'the review panel (stage 3)'
      : `stage ${stage}`
    : stage === 1
      ? 'stage 1'
      : 'stage 2 (our final review)';

export function acknowledgementLetter(input: {
  stage: ComplaintStageNumber;
  workflowType: WorkflowType;
  respondBy: IsoDate;
  summary: string;
  adjustments: string | null;
}): string {
  return paragraphs(
    `We have looked at your complaint and started ${stageName(input.stage, input.workflowType)}.`,
    `You told us: ${input.summary}`,
    `We will send you our response by ${date(input.respondBy)}. If we need more time we will tell you why and give you a new date.`,
    adjustmentsLine(input.adjustments),
  );
}

export function extensionLetter(input: {
  stage: ComplaintStageNumber;
  workflowType: WorkflowType;
  days: number;
  reason: string;
  respondBy: IsoDate;
  adjustments: string | null;
}): string {
  return paragraphs(
    `We need more time to respond to your complaint (${stageName(input.stage, input.workflowType)}).`,
    `Why we need more time: ${input.reason}`,
    `We will now respond by ${date(input.respondBy)} (${input.days} more working days).`,
    `If you are unhappy that we need more time, you do not have to wait. ${OMBUDSMAN_TEXT}`,
    adjustmentsLine(input.adjustments),
  );
}

export interface ResponseRemedy {
  kind: RemedyKind;
  description: string;
  dueOn: IsoDate | null;
  amountPence: number | null;
}

const money = (pence: number) => `£${(pence / 100).toFixed(2)}`;

export function responseLetter(input: {
  stage: ComplaintStageNumber;
  workflowType: WorkflowType;
  finalStage: boolean;
  summary: string;
  decision: Decision;
  reasons: string;
  outcome: string | null;
  outstandingActions: string | null;
  remedies: ResponseRemedy[];
  adjustments: string | null;
  accountUrl: string | null;
}): string {
  const remedyLines = input.remedies.map((r) => {
    const what = `${REMEDY_LABELS[r.kind]}: ${r.description}`;
    const amount = r.amountPence !== null ? ` (${money(r.amountPence)})` : '';
    return `- ${what}${amount}${r.dueOn ? `, by ${date(r.dueOn)}` : ''}`;
  });
  const escalate =
    input.workflowType === 'childrens_social_care'
      ? `If you are still unhappy, you can ask for ${input.stage === 1 ? 'an independent investigation (stage 2)' : 'a review panel (stage 3)'}. You do not have to give a reason. Tell us within 20 working days${input.accountUrl ? `, or use ${input.accountUrl}` : ''}.`
      : `If you are still unhappy, you can ask us to look at your complaint again (stage 2). You do not have to give a reason. Reply to this message, contact us${input.accountUrl ? `, or use ${input.accountUrl}` : ''}.`;
  return paragraphs(
    input.finalStage
      ? `This is our final response to your complaint (${stageName(input.stage, input.workflowType)}).`
      : `This is our response to your complaint (${stageName(input.stage, input.workflowType)}).`,
    `What you complained about: ${input.summary}`,
    `Our decision: ${DECISION_LABELS[input.decision]}.`,
    `Why: ${input.reasons}`,
    remedyLines.length ? `What we will do to put things right:\n${remedyLines.join('\n')}` : null,
    input.outcome,
    input.outstandingActions ? `Actions still to do: ${input.outstandingActions}` : null,
    input.finalStage
      ? `This ends our complaints process. If you are still unhappy: ${OMBUDSMAN_TEXT}`
      : escalate,
    adjustmentsLine(input.adjustments),
  );
}

export function refusalLetter(input: {
  reason: RefusalReason;
  details: string | null;
  windowMonths: number;
  adjustments: string | null;
}): string {
  const label =
    input.reason === 'outside_time_limit'
      ? `you made it more than ${input.windowMonths} months after the matter happened, and there was no good reason for the delay`
      : REFUSAL_LABELS[input.reason].charAt(0).toLowerCase() + REFUSAL_LABELS[input.reason].slice(1);
  return paragraphs(
    `We are not able to take your complaint through our complaints process because ${label}.`,
    input.details,
    `If you disagree with this decision: ${OMBUDSMAN_TEXT}`,
    adjustmentsLine(input.adjustments),
  );
}

export function escalationReceivedLetter(input: {
  stage: ComplaintStageNumber;
  workflowType: WorkflowType;
  acknowledgeBy: IsoDate | null;
  respondBy: IsoDate;
  adjustments: string | null;
}): string {
  return paragraphs(
    `We have received your request to take your complaint to ${stageName(input.stage, input.workflowType)}.`,
    'A different officer from the one who dealt with your complaint before will look at it.',
    input.acknowledgeBy ? `We will contact you by ${date(input.acknowledgeBy)}.` : null,
    `We aim to send you our response by ${date(input.respondBy)}.`,
    adjustmentsLine(input.adjustments),
  );
}
