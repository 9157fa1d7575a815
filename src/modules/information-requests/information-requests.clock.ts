/**
 * Which statutory deadline applies to an information request in its current state. The arithmetic is in
 * `platform/clocks` (tested there); this file decides which function to call with which dates.
 *
 * - FOI: 20 working days (UK-wide working days); clarification restarts the count from the day the answer
 *   arrives; a public interest extension moves it to the officer's target date.
 * - EIR: 20 working days, 40 when complex and voluminous (if the requester was told within the first 20).
 * - SAR: one calendar month (identity checks start the month when the ID arrives; clarification stops the
 *   clock), three months when extended (if the requester was told within the first month).
 *
 * While the council is waiting for clarification (or, for a SAR, proof of identity) the clock is stopped:
 * there is no deadline until the answer arrives.
 */
import type { IsoDate } from '../../platform/calendar/index.ts';
import {
  canNotifyEirExtension,
  canNotifySarExtension,
  eirDeadline,
  eirExtendedDeadline,
  foiDeadline,
  foiPublicInterestDeadline,
  internalReviewDeadline,
  sarDeadline,
  sarExtendedDeadline,
  type SarOptions,
} from '../../platform/clocks/index.ts';
import type { Regime } from './information-requests.types.ts';

export interface ClockState {
  regime: Regime;
  receivedOn: IsoDate;
  clarificationRequestedOn: IsoDate | null;
  clarificationReceivedOn: IsoDate | null;
  identityRequestedOn: IsoDate | null;
  identityVerifiedOn: IsoDate | null;
  publicInterestTarget: IsoDate | null;
  extended: boolean;
}

export interface Deadlines {
  /** The deadline that applies now; null while the clock is stopped. */
  dueOn: IsoDate | null;
  /** The deadline without any extension (what the requester was first promised). */
  standardDueOn: IsoDate | null;
  /** Waiting for the requester (clarification or proof of identity). */
  stopped: 'clarification' | 'identity' | null;
  /** The last day an extension can be notified (EIR: 20th working day; SAR: end of the first month). */
  extensionNoticeBy: IsoDate | null;
}

function sarOptions(state: ClockState): SarOptions {
  return {
    ...(state.identityVerifiedOn ? { identityVerifiedOn: state.identityVerifiedOn } : {}),
    ...(state.clarificationRequestedOn && state.clarificationReceivedOn
      ? {
          clarification: {
            requestedOn: state.clarificationRequestedOn,
            receivedOn: state.clarificationReceivedOn,
          },
        }
      : {}),
  };
}

/** The deadlines of a request in its current state. */
export function deadlines(state: ClockState): Deadlines {
  const awaitingClarification =
    state.clarificationRequestedOn !== null && state.clarificationReceivedOn === null;
  const awaitingIdentity = state.identityRequestedOn !== null && state.identityVerifiedOn === null;
  const stopped = awaitingClarification
    ? 'clarification'
    : state.regime === 'sar' && awaitingIdentity
      ? 'identity'
      : null;
  if (stopped) return { dueOn: null, standardDueOn: null, stopped, extensionNoticeBy: null };
  const clarification = state.clarificationReceivedOn
    ? { clarificationReceivedOn: state.clarificationReceivedOn }
    : {};
  switch (state.regime) {
    case 'foi': {
      const standard = foiDeadline(state.receivedOn, clarification);
      const due = state.publicInterestTarget
        ? foiPublicInterestDeadline(state.receivedOn, {
            ...clarification,
            targetDate: state.publicInterestTarget,
          })
        : standard;
      return { dueOn: due, standardDueOn: standard, stopped: null, extensionNoticeBy: standard };
    }
    case 'eir': {
      const standard = eirDeadline(state.receivedOn, clarification);
      return {
        dueOn: state.extended ? eirExtendedDeadline(state.receivedOn, clarification) : standard,
        standardDueOn: standard,
        stopped: null,
        extensionNoticeBy: standard,
      };
    }
    case 'sar': {
      const options = sarOptions(state);
      const standard = sarDeadline(state.receivedOn, options);
      return {
        dueOn: state.extended ? sarExtendedDeadline(state.receivedOn, options) : standard,
        standardDueOn: standard,
        stopped: null,
        extensionNoticeBy: standard,
      };
    }
  }
}

/** Whether an extension notified on `notifiedOn` is allowed (EIR reg 7; UK GDPR Art 12(3)). FOI has none. */
export function canNotifyExtension(state: ClockState, notifiedOn: IsoDate): boolean {
  switch (state.regime) {
    case 'foi':
      return false;
    case 'eir':
      return canNotifyEirExtension(
        state.receivedOn,
        notifiedOn,
        state.clarificationReceivedOn ? { clarificationReceivedOn: state.clarificationReceivedOn } : {},
      );
    case 'sar':
      return canNotifySarExtension(state.receivedOn, notifiedOn, sarOptions(state));
  }
}

/** Internal review deadline: FOI 20 working days (40 if complex); EIR 40 (statutory, no extension). */
export function reviewDeadline(regime: Regime, requestedOn: IsoDate, extended: boolean): IsoDate {
  if (regime === 'sar') throw new RangeError('subject access requests have no statutory internal review');
  return internalReviewDeadline(requestedOn, { regime, extended: regime === 'foi' ? extended : false });
}
