/** Domain types of the information-requests module (FOI, EIR, SAR): what its use-cases take and return. */
import type { CommandActor } from '../../platform/commands/index.ts';
import type { IsoDate } from '../../platform/calendar/index.ts';
import type { Channel } from '../../platform/db/index.ts';

export const REGIMES = ['foi', 'eir', 'sar'] as const;
export type Regime = (typeof REGIMES)[number];
export const REGIME_LABELS: Record<Regime, string> = {
  foi: 'Freedom of Information (FOI)',
  eir: 'Environmental Information Regulations (EIR)',
  sar: 'Subject access request (SAR)',
};

export type RequestStatus =
  'open' | 'awaiting_clarification' | 'awaiting_identity' | 'responded' | 'withdrawn';
export const STATUS_LABELS: Record<RequestStatus, string> = {
  open: 'Open',
  awaiting_clarification: 'Waiting for clarification',
  awaiting_identity: 'Waiting for proof of identity',
  responded: 'Responded',
  withdrawn: 'Withdrawn',
};

export const OUTCOMES = ['released', 'part_released', 'refused', 'not_held'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const OUTCOME_LABELS: Record<Outcome | 'withdrawn', string> = {
  released: 'Information released in full',
  part_released: 'Information released in part',
  refused: 'Refused',
  not_held: 'Information not held',
  withdrawn: 'Withdrawn',
};

export type RequestActor = CommandActor;

export interface NewRequestInput {
  authorityId: string;
  regime: Regime;
  customerId?: string | null;
  /** Requesters without a customer record (journalists, partners' customers). */
  contact?: { name?: string | null; email?: string | null; phone?: string | null } | null;
  requestText: string;
  /** Date of receipt (may be in the past: every clock counts from it). */
  receivedOn: IsoDate;
  channel: Channel;
  actor: RequestActor;
  idempotencyKey: string;
}

export interface CreatedRequest {
  id: string;
  caseId: string;
  reference: string;
  created: boolean;
}

export interface ReviewView {
  requestedOn: IsoDate;
  dueOn: IsoDate;
  extended: boolean;
  grounds: string | null;
  reviewerName: string | null;
  completedOn: IsoDate | null;
  outcome: 'upheld' | 'partly_upheld' | 'overturned' | null;
  notes: string | null;
  onTime: boolean | null;
}

export interface RequestView {
  id: string;
  authorityId: string;
  caseId: string;
  reference: string;
  regime: Regime;
  status: RequestStatus;
  customerId: string | null;
  requesterName: string | null;
  requestText: string;
  receivedOn: IsoDate;
  handlerId: string | null;
  handlerName: string | null;
  clarificationRequestedOn: IsoDate | null;
  clarificationReceivedOn: IsoDate | null;
  identityRequestedOn: IsoDate | null;
  identityVerifiedOn: IsoDate | null;
  publicInterestTarget: IsoDate | null;
  publicInterestNotifiedOn: IsoDate | null;
  extended: boolean;
  extensionNotifiedOn: IsoDate | null;
  extensionReason: string | null;
  /** The deadline now (null while waiting for the requester). */
  dueOn: IsoDate | null;
  standardDueOn: IsoDate | null;
  extensionNoticeBy: IsoDate | null;
  stopped: 'clarification' | 'identity' | null;
  respondedOn: IsoDate | null;
  outcome: Outcome | 'withdrawn' | null;
  responseText: string | null;
  exemptions: string[];
  costEstimateHours: number | null;
  onTime: boolean | null;
  disclosure: { title: string; summary: string; publishedAt: Date } | null;
  review: ReviewView | null;
}

export interface QueueItem {
  id: string;
  reference: string;
  regime: Regime;
  status: RequestStatus;
  requesterName: string | null;
  receivedOn: IsoDate;
  dueOn: IsoDate | null;
  handlerName: string | null;
  reviewDueOn: IsoDate | null;
}

export interface DisclosureEntry {
  id: string;
  reference: string;
  regime: Regime;
  title: string;
  summary: string;
  publishedAt: Date;
  respondedOn: IsoDate | null;
  outcome: string | null;
}
