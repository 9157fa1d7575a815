/** Domain types of the complaints module: what its use-cases take and return (never database rows). */
import type { CommandActor } from '../../platform/commands/index.ts';
import type { IsoDate } from '../../platform/calendar/index.ts';
import type { Channel } from '../../platform/db/index.ts';

export const WORKFLOW_TYPES = ['corporate', 'childrens_social_care'] as const;
export type WorkflowType = (typeof WORKFLOW_TYPES)[number];
export const WORKFLOW_TYPE_LABELS: Record<WorkflowType, string> = {
  corporate: 'Corporate (Complaint Handling Code)',
  childrens_social_care: "Children's social care (statutory)",
};

export type ComplaintStageNumber = 1 | 2 | 3;
export type ComplaintStatus = 'open' | 'responded' | 'refused' | 'closed';

export const DECISIONS = ['upheld', 'partly_upheld', 'not_upheld'] as const;
export type Decision = (typeof DECISIONS)[number];
export const DECISION_LABELS: Record<Decision, string> = {
  upheld: 'Upheld',
  partly_upheld: 'Partly upheld',
  not_upheld: 'Not upheld',
};

export const REMEDY_KINDS = [
  'apology',
  'explanation',
  'action',
  'financial',
  'decision_changed',
  'record_corrected',
  'policy_changed',
] as const;
export type RemedyKind = (typeof REMEDY_KINDS)[number];
export const REMEDY_LABELS: Record<RemedyKind, string> = {
  apology: 'Apology',
  explanation: 'Explanation',
  action: 'Action to put things right',
  financial: 'Financial remedy',
  decision_changed: 'Decision changed',
  record_corrected: 'Record corrected',
  policy_changed: 'Policy or procedure changed',
};

export const REFUSAL_REASONS = [
  'outside_time_limit',
  'legal_proceedings',
  'already_considered',
  'not_a_complaint',
  'unreasonable_behaviour',
  'other',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
export const REFUSAL_LABELS: Record<RefusalReason, string> = {
  outside_time_limit: 'Made more than 12 months after the matter happened',
  legal_proceedings: 'The matter is the subject of legal proceedings',
  already_considered: 'We have already considered this complaint',
  not_a_complaint: 'It is a first request for a service, not a complaint',
  unreasonable_behaviour: 'Unreasonably persistent (under our policy)',
  other: 'Another reason under our complaints policy',
};

/** Root-cause categories recorded on every complaint and reported per service. */
export const ROOT_CAUSES = [
  'delay',
  'communication',
  'staff_conduct',
  'service_failure',
  'wrong_decision',
  'policy',
  'access',
  'other',
] as const;
export type RootCause = (typeof ROOT_CAUSES)[number];
export const ROOT_CAUSE_LABELS: Record<RootCause, string> = {
  delay: 'Delay or missed deadline',
  communication: 'Poor or unclear communication',
  staff_conduct: 'Staff attitude or behaviour',
  service_failure: 'Service not delivered as promised',
  wrong_decision: 'Wrong decision or mistake',
  policy: 'Policy or procedure',
  access: 'Access or reasonable adjustments',
  other: 'Other',
};

/** Who did something to a complaint. */
export type ComplaintActor = CommandActor;

export interface NewComplaintInput {
  /** The council the complaint is made to (the complaint service of this council is used when it has one). */
  authorityId: string;
  customerId?: string | null;
  /** For people with no customer record (API partners, guests). */
  contact?: { name?: string | null; email?: string | null; phone?: string | null } | null;
  summary: string;
  desiredOutcome?: string | null;
  /** Date of receipt (may be in the past: all clocks count from it). */
  receivedOn: IsoDate;
  /** When the matter complained about happened (or the resident became aware of it). */
  matterDate?: IsoDate | null;
  /** The case the complaint is about; it stays open. */
  linkedCaseId?: string | null;
  aboutServiceId?: string | null;
  workflowType?: WorkflowType;
  reasonableAdjustments?: string | null;
  channel: Channel;
  actor: ComplaintActor;
  /** A retry with the same key returns the complaint the first attempt created. */
  idempotencyKey: string;
}

export interface CreatedComplaint {
  id: string;
  caseId: string;
  reference: string;
  created: boolean;
}

export interface StageView {
  stage: ComplaintStageNumber;
  startedOn: IsoDate;
  acknowledgeBy: IsoDate | null;
  acknowledgedOn: IsoDate | null;
  respondBy: IsoDate;
  extensionDays: number | null;
  extensionReason: string | null;
  extendedOn: IsoDate | null;
  handlerId: string | null;
  handlerName: string | null;
  respondedOn: IsoDate | null;
  decision: Decision | null;
  reasons: string | null;
  outcome: string | null;
  outstandingActions: string | null;
  responseText: string | null;
  escalationReason: string | null;
  /** Responded on or before the deadline (null while open). */
  onTime: boolean | null;
}

export interface RemedyView {
  id: string;
  stage: number;
  kind: RemedyKind;
  description: string;
  amountPence: number | null;
  dueOn: IsoDate | null;
  completedOn: IsoDate | null;
}

export interface LearningActionView {
  id: string;
  complaintId: string | null;
  complaintReference: string | null;
  teamId: string | null;
  teamName: string | null;
  description: string;
  ownerId: string;
  ownerName: string;
  dueOn: IsoDate;
  completedOn: IsoDate | null;
  completionNote: string | null;
}

export interface ComplaintView {
  id: string;
  authorityId: string;
  caseId: string;
  reference: string;
  customerId: string | null;
  customerName: string | null;
  contactName: string | null;
  linkedCase: { id: string; reference: string; serviceName: string; status: string; closed: boolean } | null;
  aboutServiceId: string | null;
  aboutServiceName: string | null;
  aboutTeamId: string | null;
  workflowType: WorkflowType;
  stage: ComplaintStageNumber;
  status: ComplaintStatus;
  receivedOn: IsoDate;
  matterDate: IsoDate | null;
  summary: string;
  desiredOutcome: string | null;
  reasonableAdjustments: string | null;
  rootCause: RootCause | null;
  refusalReason: RefusalReason | null;
  refusalDetails: string | null;
  refusedOn: IsoDate | null;
  closedOn: IsoDate | null;
  /** Whether the complaint was made within the window of the matter (true when no matter date). */
  withinWindow: boolean;
  stages: StageView[];
  remedies: RemedyView[];
  learningActions: LearningActionView[];
}

/** The current stage's next deadline, for queues and the API. */
export interface ComplaintDeadlines {
  acknowledgeBy: IsoDate | null;
  respondBy: IsoDate;
  /** The deadline that matters now: acknowledge by (until acknowledged), then respond by. */
  next: IsoDate | null;
}

export interface QueueItem {
  id: string;
  caseId: string;
  reference: string;
  customerName: string | null;
  stage: ComplaintStageNumber;
  workflowType: WorkflowType;
  status: ComplaintStatus;
  receivedOn: IsoDate;
  acknowledgedOn: IsoDate | null;
  acknowledgeBy: IsoDate | null;
  respondBy: IsoDate;
  extended: boolean;
  handlerName: string | null;
  summary: string;
}
