/**
 * What complaint letters need beyond the templates: the messages themselves are the notifications templates
 * `complaint.acknowledgement`, `.extension`, `.response`, `.escalation_acknowledgement`, `.final_response`
 * and `.refusal` (plain English in `notifications/templates/en.json`); this file builds the variable parts
 * (stage names, the remedy list, how to escalate, the refusal reason, the Ombudsman's details) and works out
 * which reasonable adjustments can be honoured automatically (format and channel).
 *
 * `responseLetter` is the response as the record keeps it (`complaint_stages.response_text`, shown on the
 * resident's complaint page): what the complaint was about, the decision and the reasons for it, any remedy
 * with the dates it will happen by, outstanding actions, and how to escalate (stage 1) or go to the
 * Ombudsman (final response).
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

export const stageName = (stage: ComplaintStageNumber, workflowType: WorkflowType) =>
  workflowType === 'childrens_social_care'
    ? stage === 3
      ? 'the review panel (stage 3)'
      : `stage ${stage}`
    : stage === 1
      ? 'stage 1'
      : 'stage 2 (our final review)';

export interface ResponseRemedy {
  kind: RemedyKind;
  description: string;
  dueOn: IsoDate | null;
  amountPence: number | null;
}

const money = (pence: number) => `£${(pence / 100).toFixed(2)}`;

/** The remedies of a stage as a bulleted list ("- Apology: …, by 2 May 2027"). */
export function remedyList(remedies: ResponseRemedy[]): string {
  return remedies
    .map((r) => {
      const what = `${REMEDY_LABELS[r.kind]}: ${r.description}`;
      const amount = r.amountPence !== null ? ` (${money(r.amountPence)})` : '';
      return `- ${what}${amount}${r.dueOn ? `, by ${date(r.dueOn)}` : ''}`;
    })
    .join('\n');
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** How to take a complaint to the next stage (no reason needed). */
export function escalationText(input: {
  stage: ComplaintStageNumber;
  workflowType: WorkflowType;
  accountUrl: string | null;
}): string {
  return input.workflowType === 'childrens_social_care'
    ? `You can ask for ${input.stage === 1 ? 'an independent investigation (stage 2)' : 'a review panel (stage 3)'}. You do not have to give a reason. Tell us within 20 working days${input.accountUrl ? `, or use ${input.accountUrl}` : ''}.`
    : `You can ask us to look at your complaint again (stage 2). You do not have to give a reason. Reply to this message, contact us${input.accountUrl ? `, or use ${input.accountUrl}` : ''}.`;
}

/**
 * The response as the record keeps it (`complaint_stages.response_text`, shown on the resident's complaint
 * page); the message itself is the `complaint.response` / `complaint.final_response` template.
 */
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
  const remedies = remedyList(input.remedies);
  return paragraphs(
    input.finalStage
      ? `This is our final response to your complaint (${stageName(input.stage, input.workflowType)}).`
      : `This is our response to your complaint (${stageName(input.stage, input.workflowType)}).`,
    `What you complained about: ${input.summary}`,
    `Our decision: ${DECISION_LABELS[input.decision]}.`,
    `Why: ${input.reasons}`,
    remedies ? `What we will do to put things right:\n${remedies}` : null,
    input.outcome,
    input.outstandingActions ? `Actions still to do: ${input.outstandingActions}` : null,
    input.finalStage
      ? `This ends our complaints process. If you are still unhappy: ${OMBUDSMAN_TEXT}`
      : `If you are still unhappy, ${lowerFirst(escalationText(input))}`,
    adjustmentsLine(input.adjustments),
  );
}

/** Why a complaint was refused, as the end of "…because {reason}". */
export function refusalReasonText(reason: RefusalReason, windowMonths: number): string {
  return reason === 'outside_time_limit'
    ? `you made it more than ${windowMonths} months after the matter happened, and there was no good reason for the delay`
    : REFUSAL_LABELS[reason].charAt(0).toLowerCase() + REFUSAL_LABELS[reason].slice(1);
}

/** The Ombudsman's details as message personalisation (required by the templates that mention it). */
export const OMBUDSMAN_PERSONALISATION = {
  ombudsmanName: OMBUDSMAN.name,
  ombudsmanWebsite: OMBUDSMAN.website,
  ombudsmanPhone: OMBUDSMAN.phone,
} as const;

const FORMATS: [RegExp, string][] = [
  [/large[\s-]*print/i, 'large print'],
  [/easy[\s-]*read/i, 'easy read'],
  [/braille/i, 'braille'],
  [/\baudio\b/i, 'audio'],
  [/british sign language|\bBSL\b/i, 'British Sign Language'],
];

/**
 * What the recorded reasonable adjustments (free text) let us honour automatically: the formats asked for
 * (printed at the top of every message, so whoever prints or sends it sees them) and the way to write
 * (letters for "by post" or braille, email, or text messages). Anything else is repeated in the message
 * and shown to staff in the warning box.
 */
export function adjustmentNeeds(adjustments: string | null): {
  formats: string[];
  channel: 'letter' | 'email' | 'sms' | null;
} {
  const text = adjustments ?? '';
  const formats = FORMATS.filter(([pattern]) => pattern.test(text)).map(([, label]) => label);
  const channel =
    /\b(by post|by letter|letters? only|paper cop(y|ies)|posted)\b/i.test(text) || formats.includes('braille')
      ? 'letter'
      : /\b(by email|email only|emails? please)\b/i.test(text)
        ? 'email'
        : /\b(by text|text messages?)\b/i.test(text)
          ? 'sms'
          : null;
  return { formats, channel };
}
