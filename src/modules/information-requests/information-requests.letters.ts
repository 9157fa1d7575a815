/** What letters about information requests say, in plain English (queued through notifications). */
import type { IsoDate } from '../../platform/calendar/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import type { Regime } from './information-requests.types.ts';

/** The Information Commissioner's Office: where requesters go after an internal review (or for SARs, any time). */
export const ICO = {
  name: "Information Commissioner's Office",
  website: 'ico.org.uk/make-a-complaint',
  phone: '0303 123 1113',
} as const;

const ICO_TEXT = `You can complain to the ${ICO.name}. Website: ${ICO.website}. Phone: ${ICO.phone}.`;

const paragraphs = (...parts: (string | null | undefined | false)[]) =>
  parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join('\n\n');

const what = (regime: Regime) =>
  regime === 'sar' ? 'your request for a copy of your personal information' : 'your request for information';

export function clarificationLetter(regime: Regime, question: string): string {
  return paragraphs(
    `We need more information about ${what(regime)} before we can answer it.`,
    question,
    regime === 'foi'
      ? 'When we get your answer, we will respond within 20 working days.'
      : regime === 'eir'
        ? 'When we get your answer, we will respond within 20 working days.'
        : 'The time we have to respond stops until we get your answer.',
    'If we do not hear from you within 3 months, we will close your request.',
  );
}

export function identityLetter(text: string | null): string {
  return paragraphs(
    'We need to check who you are before we can give you a copy of your personal information.',
    text ??
      'Please send us a copy of one document with your name on it, such as a passport, driving licence or a recent bill.',
    'We will start work on your request as soon as we have it. We then have one month to respond.',
  );
}

export function extensionLetter(regime: Regime, reason: string, dueOn: IsoDate): string {
  return paragraphs(
    regime === 'sar'
      ? 'We need more time to respond to your request for a copy of your personal information, because it is complex.'
      : 'We need more time to respond to your request for environmental information, because it is complex and covers a lot of information.',
    `Why: ${reason}`,
    `We will respond by ${formatDate(dueOn)}.`,
    regime === 'sar' ? `If you are unhappy with this: ${ICO_TEXT}` : null,
  );
}

export function publicInterestLetter(
  exemptions: string[],
  targetDate: IsoDate,
  reason: string | null,
): string {
  return paragraphs(
    'We need more time to decide whether it is in the public interest to release some of the information you asked for.',
    exemptions.length ? `The exemptions we are considering: ${exemptions.join('; ')}.` : null,
    reason,
    `We aim to respond by ${formatDate(targetDate)}.`,
  );
}

export function responseLetter(input: {
  regime: Regime;
  outcomeText: string;
  responseText: string;
  exemptions: string[];
  costHours: number | null;
  reviewUrl: string | null;
}): string {
  return paragraphs(
    `This is our response to ${what(input.regime)}.`,
    `Outcome: ${input.outcomeText}.`,
    input.responseText,
    input.exemptions.length
      ? `We have not released some information because of: ${input.exemptions.join('; ')}.`
      : null,
    input.costHours !== null
      ? `We estimate it would take ${input.costHours} hours to find and extract this information. The limit is 18 hours (£450 at £25 an hour), so we do not have to provide it. You could narrow your request so we can answer part of it.`
      : null,
    input.regime === 'sar'
      ? `If you are unhappy with our response, tell us and we will look at it again. ${ICO_TEXT}`
      : `If you are unhappy with our response, you can ask for an internal review within 40 working days${input.reviewUrl ? `: ${input.reviewUrl}` : ''}. If you are still unhappy after the review: ${ICO_TEXT}`,
  );
}

export function reviewAcknowledgementLetter(dueOn: IsoDate): string {
  return paragraphs(
    'We have received your request for an internal review. Someone who was not involved in the first response will look at it.',
    `We will send you the result by ${formatDate(dueOn)}.`,
  );
}

export function reviewResultLetter(outcomeText: string, notes: string | null): string {
  return paragraphs(
    `We have finished the internal review of your request. Result: ${outcomeText}.`,
    notes,
    `If you are still unhappy: ${ICO_TEXT}`,
  );
}
