/**
 * Kysely table types: the one file that describes the live schema. `schema.int.test.ts` checks that every
 * table and column named here exists in the migrated database, so this file cannot drift silently.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, string | T, string | T>;
type JsonDefault<T = unknown> = ColumnType<T, string | T | undefined, string | T>;
/** PostgreSQL `date` columns are returned as ISO strings (see the type parser in database.ts). */
type DateOnly = ColumnType<string, string, string>;

export interface AuthoritiesTable {
  id: Generated<string>;
  code: string;
  name: string;
  kind: 'county' | 'district' | 'city' | 'unitary' | 'parish';
  website: string | null;
  phone: string | null;
  email: string | null;
  postal_address: string | null;
  phone_hours: string | null;
  bsl_video_relay_url: string | null;
  created_at: DefaultTimestamp;
}

export interface OfficesTable {
  id: Generated<string>;
  authority_id: string;
  name: string;
  address: string;
  postcode: string | null;
  opening_hours: string;
  step_free: Generated<boolean>;
  hearing_loop: Generated<boolean>;
  parking: Generated<boolean>;
  accessible_toilet: Generated<boolean>;
  active: Generated<boolean>;
  created_at: DefaultTimestamp;
}

export interface TeamsTable {
  id: Generated<string>;
  authority_id: string;
  code: string;
  name: string;
  email: string | null;
  /** Articles the team owns are published by someone other than the person who last changed them. */
  knowledge_second_publisher: Generated<boolean>;
  created_at: DefaultTimestamp;
}

export interface StaffUsersTable {
  id: Generated<string>;
  authority_id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  roles: ColumnType<string[], string[] | undefined, string[]>;
  languages: ColumnType<string[], string[] | undefined, string[]>;
  specialisms: ColumnType<string[], string[] | undefined, string[]>;
  active: Generated<boolean>;
  failed_sign_ins: Generated<number>;
  locked_at: Timestamp | null;
  last_sign_in_at: Timestamp | null;
  created_at: DefaultTimestamp;
  available: Generated<boolean>;
  /** The lock-out ends at this time (null: not locked). */
  locked_until: Timestamp | null;
  /** Lock-outs since the last successful sign-in or unlock: each lasts twice as long as the one before. */
  lockout_count: Generated<number>;
  /** The extension the phone platform names this agent by (unique within the authority). */
  phone_extension: string | null;
  /** The agent's phone-platform login (unique everywhere, any case). */
  phone_login: string | null;
}

/** One-time "set your password" links; only the token's SHA-256 is stored. */
export interface StaffPasswordLinksTable {
  id: Generated<string>;
  authority_id: string;
  staff_user_id: string;
  token_sha256: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface StaffTeamMembersTable {
  authority_id: string;
  staff_user_id: string;
  team_id: string;
  is_leader: Generated<boolean>;
}

export interface CustomersTable {
  id: Generated<string>;
  authority_id: string;
  kind: Generated<'person' | 'organisation'>;
  title: string | null;
  given_name: string | null;
  family_name: string | null;
  organisation_name: string | null;
  date_of_birth: DateOnly | null;
  preferred_channel: Generated<'email' | 'sms' | 'letter' | 'phone'>;
  preferred_language: Generated<string>;
  communication_needs: JsonDefault<string[]>;
  search_name: Generated<string>;
  merged_into: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface AddressValue {
  line1: string;
  line2?: string;
  town: string;
  postcode: string;
}

export interface ContactPointsTable {
  id: Generated<string>;
  authority_id: string;
  customer_id: string;
  kind: 'email' | 'phone' | 'address';
  value: string;
  normalised: string;
  address: Json<AddressValue> | null;
  uprn: string | null;
  is_primary: Generated<boolean>;
  verified_at: Timestamp | null;
  created_at: DefaultTimestamp;
  /** A permanent bounce (5.1.x) from this address (2026_12_07_0600). */
  undeliverable_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface VulnerabilitiesTable {
  id: Generated<string>;
  authority_id: string;
  customer_id: string;
  reason: string;
  consent_given: boolean;
  review_date: DateOnly | null;
  recorded_by: string | null;
  created_at: DefaultTimestamp;
  ended_at: Timestamp | null;
}

export interface CustomerRelationshipsTable {
  id: Generated<string>;
  authority_id: string;
  customer_id: string;
  related_customer_id: string;
  kind: 'representative' | 'carer' | 'next_of_kin' | 'other';
  notes: string | null;
  created_at: DefaultTimestamp;
}

export interface SlaPolicy {
  unit: 'working_days' | 'hours' | 'calendar_days';
  amount: number;
}

export interface ServicesTable {
  id: Generated<string>;
  authority_id: string;
  team_id: string;
  slug: string;
  name: string;
  category: string;
  summary: string;
  synonyms: ColumnType<string[], string[] | undefined, string[]>;
  /** synonyms joined with spaces: indexed for full-text search (array_to_string is not immutable). */
  keywords: ColumnType<string, string | undefined, string>;
  sensitivity: Generated<'normal' | 'restricted'>;
  kind: Generated<string>;
  definition: JsonDefault<Record<string, unknown>>;
  definition_version: Generated<number>;
  sla: JsonDefault<SlaPolicy>;
  retention_days: Generated<number>;
  annual_volume: Generated<number>;
  active: Generated<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface CasesTable {
  id: Generated<string>;
  authority_id: string;
  reference: string;
  service_id: string;
  customer_id: string | null;
  representative_id: string | null;
  status: string;
  priority: Generated<'low' | 'normal' | 'high' | 'urgent'>;
  origin_channel: string;
  team_id: string;
  assignee_id: string | null;
  received_at: Timestamp;
  due_at: Timestamp | null;
  sla_paused_at: Timestamp | null;
  answers: JsonDefault<Record<string, unknown>>;
  form_version: Generated<number>;
  location: Json<Record<string, unknown>> | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  outcome: string | null;
  resolved_at_first_contact: Generated<boolean>;
  closed_at: Timestamp | null;
  created_by: string | null;
  idempotency_key: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  /** The contact a guest gave (no customer record); see migration 2026_11_22_0300. */
  guest_name: ColumnType<string | null, string | null | undefined, string | null>;
  guest_email: ColumnType<string | null, string | null | undefined, string | null>;
  guest_phone: ColumnType<string | null, string | null | undefined, string | null>;
  /** Staff workspace (2026_11_22_0600). */
  routing_reason: ColumnType<string | null, string | null | undefined, string | null>;
  sla_warned_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  sla_breached_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  sla_extension_days: Generated<number>;
}

export interface CaseEventsTable {
  id: Generated<string>;
  authority_id: string;
  case_id: string;
  kind: string;
  visible_to_customer: Generated<boolean>;
  body: string | null;
  data: JsonDefault<Record<string, unknown>>;
  actor_staff_id: string | null;
  actor_customer_id: string | null;
  created_at: DefaultTimestamp;
}

export type Channel =
  'web' | 'email' | 'phone' | 'webchat' | 'face_to_face' | 'sms' | 'letter' | 'open311' | 'social' | 'api';

export interface InteractionsTable {
  id: Generated<string>;
  authority_id: string;
  customer_id: string | null;
  case_id: string | null;
  service_id: string | null;
  channel: Channel;
  direction: Generated<'inbound' | 'outbound'>;
  queued_at: Timestamp | null;
  answered_at: Timestamp | null;
  ended_at: Timestamp | null;
  occurred_at: DefaultTimestamp;
  agent_id: string | null;
  summary: string | null;
  body: string | null;
  outcome: string | null;
  resolved_at_first_contact: Generated<boolean>;
  is_repeat: Generated<boolean>;
  created_at: DefaultTimestamp;
  /** The wrap-up's reason for the contact, in the agent's words or a service name. */
  reason: string | null;
  /** Contact the council caused (failure demand); null when it was not avoidable. */
  failure_demand: FailureDemand | null;
  /** When the agent completed the wrap-up (calls). */
  wrapped_up_at: Timestamp | null;
}

export type FailureDemand = 'chasing_progress' | 'repeat' | 'wrong_information' | 'other';

export interface OutboxTable {
  id: Generated<number>;
  authority_id: string | null;
  topic: string;
  payload: JsonDefault<Record<string, unknown>>;
  dedupe_key: string | null;
  status: Generated<'pending' | 'processing' | 'done' | 'dead'>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  /** Higher is claimed first: 0 normal, 10 urgent (outbox.ts JOB_PRIORITY). */
  priority: Generated<number>;
  run_after: DefaultTimestamp;
  locked_until: Timestamp | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: DefaultTimestamp;
  processed_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  authority_id: string | null;
  at: DefaultTimestamp;
  actor_type: 'staff' | 'customer' | 'system' | 'api' | 'anonymous';
  actor_id: string | null;
  action: string;
  record_type: string | null;
  record_id: string | null;
  outcome: Generated<string>;
  reason: string | null;
  request_id: string | null;
  details: JsonDefault<Record<string, unknown>>;
  /** The council that owns the record (filled by a trigger from the record). */
  record_authority_id: Generated<string | null>;
}

export interface SessionsTable {
  id: string;
  kind: 'staff' | 'resident';
  staff_user_id: string | null;
  customer_id: string | null;
  data: JsonDefault<Record<string, unknown>>;
  created_at: DefaultTimestamp;
  last_seen_at: DefaultTimestamp;
  expires_at: Timestamp;
}

/** Answers posted after a staff session timed out, kept for the staff user to send after signing in. */
export interface PendingStaffAnswersTable {
  id: Generated<string>;
  staff_user_id: string;
  /** The path the form posted to (with its query string). */
  action: string;
  fields: ColumnType<Record<string, string | string[]>, string, string>;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
}

export interface FormDraftsTable {
  id: string;
  authority_id: string;
  service_id: string;
  form_version: number;
  answers: JsonDefault<Record<string, unknown>>;
  token: string;
  binding_hash: string;
  customer_id: string | null;
  staff_user_id: string | null;
  channel: Generated<string>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  expires_at: Timestamp;
  submitted_case_id: string | null;
}

export interface AddressesTable {
  uprn: string;
  line1: string;
  line2: string | null;
  town: string;
  postcode: string;
  postcode_key: string;
}

export interface AttachmentsTable {
  id: Generated<string>;
  authority_id: string;
  draft_id: string | null;
  case_id: string | null;
  case_event_id: string | null;
  question_id: string | null;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  uploaded_by_customer_id: string | null;
  uploaded_by_staff_id: string | null;
  created_at: DefaultTimestamp;
}

export interface OneTimeCodesTable {
  id: Generated<string>;
  authority_id: string | null;
  purpose: string;
  subject: string | null;
  code_hash: string;
  expires_at: Timestamp;
  attempts: Generated<number>;
  used_at: Timestamp | null;
  created_at: DefaultTimestamp;
}

export interface MessagesTable {
  id: Generated<string>;
  authority_id: string;
  customer_id: string | null;
  case_id: string | null;
  channel: 'email' | 'sms' | 'letter';
  /** Email address, E.164 phone number or postal address lines. Never logged. */
  recipient: string;
  template: string;
  language: Generated<string>;
  subject: string;
  body: string;
  status: Generated<'queued' | 'sending' | 'delivered' | 'failed' | 'recorded'>;
  provider: 'notify' | 'smtp' | 'local' | null;
  provider_id: string | null;
  attempts: Generated<number>;
  error: string | null;
  dedupe_key: string;
  created_at: DefaultTimestamp;
  sent_at: Timestamp | null;
  /** What the provider last said (Notify receipts and polls), its rank (never backwards) and when (2026_12_07_0930). */
  provider_status: string | null;
  provider_status_rank: Generated<number>;
  provider_status_at: Timestamp | null;
}

/** A text a resident sent us through GOV.UK Notify, once per Notify id (2026_12_07_0930). */
export interface InboundTextsTable {
  id: Generated<string>;
  notify_id: string;
  authority_id: string;
  /** E.164. Never logged. */
  from_number: string;
  body: string;
  received_at: Timestamp;
  outcome: 'threaded' | 'triage' | 'opt_out' | 'opt_in';
  reason: string | null;
  case_id: string | null;
  suggested_case_id: string | null;
  customer_id: string | null;
  handled_at: Timestamp | null;
  handled_by: string | null;
  created_at: DefaultTimestamp;
}

/** Numbers that texted STOP (2026_12_07_0930). */
export interface TextOptOutsTable {
  phone: string;
  opted_out_at: Timestamp;
  inbound_text_id: string | null;
}

export interface ResidentCodesTable {
  id: Generated<string>;
  purpose: Generated<'sign_in' | 'confirm_email'>;
  email_normalised: string;
  customer_id: string | null;
  code_hash: string;
  requester_hash: string;
  expires_at: Timestamp;
  attempts: Generated<number>;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

// ---- Complaints, information requests, feedback and the partner API (migration 2026_11_22_0500)

export interface ComplaintsTable {
  id: Generated<string>;
  authority_id: string;
  case_id: string;
  customer_id: string | null;
  linked_case_id: string | null;
  about_service_id: string | null;
  about_team_id: string | null;
  workflow_type: Generated<'corporate' | 'childrens_social_care'>;
  stage: Generated<number>;
  status: Generated<'open' | 'responded' | 'refused' | 'closed'>;
  received_on: DateOnly;
  matter_date: DateOnly | null;
  summary: string;
  desired_outcome: string | null;
  reasonable_adjustments: string | null;
  root_cause: string | null;
  refusal_reason: string | null;
  refusal_details: string | null;
  refused_on: DateOnly | null;
  closed_on: DateOnly | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface ComplaintStagesTable {
  id: Generated<string>;
  authority_id: string;
  complaint_id: string;
  stage: number;
  started_on: DateOnly;
  acknowledge_by: DateOnly | null;
  acknowledged_on: DateOnly | null;
  respond_by: DateOnly;
  extension_days: number | null;
  extension_reason: string | null;
  extended_on: DateOnly | null;
  handler_id: string | null;
  escalation_reason: string | null;
  responded_on: DateOnly | null;
  decision: 'upheld' | 'partly_upheld' | 'not_upheld' | null;
  reasons: string | null;
  outcome: string | null;
  outstanding_actions: string | null;
  response_text: string | null;
  created_at: DefaultTimestamp;
}

export interface ComplaintRemediesTable {
  id: Generated<string>;
  authority_id: string;
  complaint_id: string;
  stage: number;
  kind:
    | 'apology'
    | 'explanation'
    | 'action'
    | 'financial'
    | 'decision_changed'
    | 'record_corrected'
    | 'policy_changed';
  description: string;
  amount_pence: number | null;
  due_on: DateOnly | null;
  completed_on: DateOnly | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
}

export interface LearningActionsTable {
  id: Generated<string>;
  authority_id: string;
  complaint_id: string | null;
  team_id: string | null;
  description: string;
  owner_id: string;
  due_on: DateOnly;
  completed_on: DateOnly | null;
  completed_by: string | null;
  completion_note: string | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
}

export interface InformationRequestsTable {
  id: Generated<string>;
  authority_id: string;
  case_id: string;
  customer_id: string | null;
  regime: 'foi' | 'eir' | 'sar';
  status: Generated<'open' | 'awaiting_clarification' | 'awaiting_identity' | 'responded' | 'withdrawn'>;
  received_on: DateOnly;
  request_text: string;
  handler_id: string | null;
  clarification_requested_on: DateOnly | null;
  clarification_received_on: DateOnly | null;
  identity_requested_on: DateOnly | null;
  identity_verified_on: DateOnly | null;
  public_interest_target: DateOnly | null;
  public_interest_notified_on: DateOnly | null;
  extended: Generated<boolean>;
  extension_notified_on: DateOnly | null;
  extension_reason: string | null;
  due_on: DateOnly | null;
  responded_on: DateOnly | null;
  outcome: 'released' | 'part_released' | 'refused' | 'not_held' | 'withdrawn' | null;
  response_text: string | null;
  exemptions: ColumnType<string[], string[] | undefined, string[]>;
  /** numeric(7,2): returned as a string by the driver. */
  cost_estimate_hours: ColumnType<string | null, number | string | null, number | string | null>;
  disclosure_title: string | null;
  disclosure_summary: string | null;
  published_at: Timestamp | null;
  published_by: string | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface InformationRequestReviewsTable {
  id: Generated<string>;
  authority_id: string;
  request_id: string;
  requested_on: DateOnly;
  due_on: DateOnly;
  extended: Generated<boolean>;
  grounds: string | null;
  reviewer_id: string | null;
  completed_on: DateOnly | null;
  outcome: 'upheld' | 'partly_upheld' | 'overturned' | null;
  notes: string | null;
  created_at: DefaultTimestamp;
}

export interface SarBundlesTable {
  id: Generated<string>;
  authority_id: string;
  request_id: string;
  customer_id: string;
  status: Generated<'draft' | 'released'>;
  content: Json<Record<string, unknown>>;
  generated_at: Timestamp;
  generated_by: string | null;
  review_note: string | null;
  released_at: Timestamp | null;
  released_by: string | null;
  download_token_hash: string | null;
  download_expires_at: Timestamp | null;
  created_at: DefaultTimestamp;
}

export interface FeedbackRequestsTable {
  id: Generated<string>;
  authority_id: string;
  /** Null for a guest, asked on the contact they gave (migration 2026_12_07_0400). */
  customer_id: string | null;
  /** SHA-256 of a guest's normalised email address / phone number: at most one request a fortnight each. */
  guest_email_key: ColumnType<string | null, string | null | undefined, string | null>;
  guest_phone_key: ColumnType<string | null, string | null | undefined, string | null>;
  case_id: string | null;
  interaction_id: string | null;
  service_id: string | null;
  team_id: string | null;
  channel: string | null;
  token_hash: string;
  expires_at: Timestamp;
  responded_at: Timestamp | null;
  created_at: Timestamp;
}

export interface FeedbackTable {
  id: Generated<string>;
  authority_id: string | null;
  kind: 'contact' | 'page';
  request_id: string | null;
  customer_id: string | null;
  case_id: string | null;
  interaction_id: string | null;
  service_id: string | null;
  team_id: string | null;
  channel: string | null;
  satisfaction: number | null;
  effort: number | null;
  comment: string | null;
  page_path: string | null;
  helpful: boolean | null;
  created_at: Timestamp;
}

export interface FollowUpsTable {
  id: Generated<string>;
  authority_id: string;
  feedback_id: string;
  team_id: string | null;
  case_id: string | null;
  reason: string;
  status: Generated<'open' | 'done'>;
  note: string | null;
  done_by: string | null;
  done_at: Timestamp | null;
  created_at: Timestamp;
}

export interface ComplimentsTable {
  id: Generated<string>;
  authority_id: string;
  kind: 'compliment' | 'comment';
  customer_id: string | null;
  case_id: string | null;
  service_id: string | null;
  team_id: string;
  body: string;
  received_on: DateOnly;
  channel: string;
  recorded_by: string | null;
  created_at: DefaultTimestamp;
}

export interface ImprovementsTable {
  id: Generated<string>;
  authority_id: string;
  team_id: string | null;
  service_id: string | null;
  you_said: string;
  we_did: string;
  published_on: DateOnly;
  published_by: string;
  withdrawn_at: Timestamp | null;
  created_at: DefaultTimestamp;
}

export interface ApiTokensTable {
  id: Generated<string>;
  authority_id: string;
  name: string;
  token_hash: string;
  token_hint: string;
  created_by: string | null;
  created_at: DefaultTimestamp;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
  last_used_at: Timestamp | null;
}

export interface ApiIdempotencyKeysTable {
  token_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  status_code: number;
  response: Json<Record<string, unknown>>;
  created_at: DefaultTimestamp;
}

export interface CaseLinksTable {
  authority_id: string;
  case_id: string;
  linked_case_id: string;
  created_by: string | null;
  created_at: DefaultTimestamp;
}

export interface ReplyTemplatesTable {
  id: Generated<string>;
  authority_id: string;
  service_id: string | null;
  title: string;
  body: string;
  created_at: DefaultTimestamp;
}

export interface MailboxesTable {
  id: Generated<string>;
  authority_id: string;
  team_id: string;
  /** Normalised (lower case). */
  address: string;
  name: string;
  default_service_id: string | null;
  reopen_days: Generated<number>;
  auto_acknowledge: Generated<boolean>;
  imap_host: string | null;
  imap_port: number | null;
  imap_secure: Generated<boolean>;
  imap_user: string | null;
  /** The name of the environment variable holding the IMAP password (never the password). */
  imap_password_env: string | null;
  imap_folder: Generated<string>;
  imap_move_to: string | null;
  active: Generated<boolean>;
  created_at: DefaultTimestamp;
}

export interface MailboxCursorsTable {
  mailbox_id: string;
  uid_validity: string;
  last_uid: ColumnType<string, number | string, number | string>;
  updated_at: DefaultTimestamp;
}

export type EmailState = 'threaded' | 'new_case' | 'triage' | 'no_action' | 'recorded';

export interface EmailsTable {
  id: Generated<string>;
  authority_id: string;
  mailbox_id: string;
  message_id: string;
  message_id_synthesised: Generated<boolean>;
  fingerprint: string;
  in_reply_to: string | null;
  reference_ids: JsonDefault<string[]>;
  from_address: string | null;
  from_name: string | null;
  reply_to: string | null;
  recipients: JsonDefault<{ to?: string[]; cc?: string[] }>;
  subject: Generated<string>;
  body_text: Generated<string>;
  trimmed_text: Generated<string>;
  has_html: Generated<boolean>;
  attachments: JsonDefault<
    {
      index: number;
      filename: string | null;
      contentType: string;
      size: number;
      sha256: string;
      inline: boolean;
      accepted: boolean;
      problem: string | null;
    }[]
  >;
  received_at: Timestamp;
  sent_at: Timestamp | null;
  size_bytes: number;
  auth: JsonDefault<Record<string, unknown>>;
  classification: JsonDefault<Record<string, unknown>>;
  state: EmailState;
  reason: string | null;
  threaded_by: string | null;
  case_id: string | null;
  customer_id: string | null;
  suggested_case_id: string | null;
  suggested_customer_id: string | null;
  interaction_id: string | null;
  handled_by: string | null;
  handled_at: Timestamp | null;
  created_at: DefaultTimestamp;
}

export interface EmailSourcesTable {
  email_id: string;
  raw: Buffer;
  sha256: string;
}

export interface EmailAcknowledgementsTable {
  address: string;
  last_at: Timestamp;
}

/** A queue of the council's phone platform (its own `code`), owned by an authority and a team. */
export interface PhoneQueuesTable {
  id: Generated<string>;
  authority_id: string;
  team_id: string;
  code: string;
  name: string;
  /** The number residents dial for this queue (E.164), when it has its own. */
  number: string | null;
  service_id: string | null;
  created_at: DefaultTimestamp;
}

export interface BlockedNumbersTable {
  authority_id: string;
  /** E.164. */
  number: string;
  reason: string;
  created_by: string | null;
  created_at: DefaultTimestamp;
}

export type HangupCause =
  'normalClearing' | 'busy' | 'cancel' | 'noAnswer' | 'congestion' | 'notFound' | 'forwarded' | 'voicemail';

/** One call: the projection of its events (see the phone-channel migration). */
export interface CallsTable {
  id: Generated<string>;
  authority_id: string;
  platform: string;
  call_id: string;
  direction: Generated<'inbound' | 'outbound'>;
  from_number: string | null;
  to_number: string | null;
  /** The resident's side of the call (E.164), null when withheld or unknown. */
  caller_number: string | null;
  queue_id: string | null;
  queue_code: string | null;
  ivr_path: ColumnType<string[], string[] | undefined, string[]>;
  ivr_no_option: Generated<boolean>;
  offered_at: Timestamp;
  queued_at: Timestamp | null;
  ringing_at: Timestamp | null;
  answered_at: Timestamp | null;
  ended_at: Timestamp | null;
  hangup_cause: HangupCause | null;
  agent_id: string | null;
  agent_extension: string | null;
  transfers: Generated<number>;
  transferred_to: string | null;
  hold_started_at: Timestamp | null;
  hold_seconds: Generated<number>;
  blocked: Generated<boolean>;
  customer_id: string | null;
  match_count: Generated<number>;
  interaction_id: string | null;
  callback_id: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export type CallEventName =
  'newCall' | 'ringing' | 'answer' | 'transfer' | 'hold' | 'unhold' | 'hangup' | 'ivr';

export interface CallEventsTable {
  id: Generated<number>;
  call_row_id: string;
  event: CallEventName;
  dedupe_key: string;
  occurred_at: Timestamp;
  received_at: DefaultTimestamp;
  payload: JsonDefault<Record<string, unknown>>;
}

export type CallbackStatus = 'open' | 'kept' | 'not_reached' | 'cancelled';

export interface CallbacksTable {
  id: Generated<string>;
  authority_id: string;
  customer_id: string | null;
  case_id: string | null;
  service_id: string | null;
  team_id: string | null;
  owner_id: string | null;
  /** E.164. */
  phone: string;
  /** The caller's name when there is no customer record (a request from the portal). */
  name: string | null;
  topic: string;
  best_time: string | null;
  source: 'phone' | 'web' | 'staff' | 'system';
  origin_call_id: string | null;
  origin_interaction_id: string | null;
  due_at: Timestamp;
  status: Generated<CallbackStatus>;
  max_attempts: Generated<number>;
  attempt_spacing_minutes: Generated<number>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp | null;
  reminded_at: Timestamp | null;
  escalated_at: Timestamp | null;
  completed_at: Timestamp | null;
  kept_on_time: boolean | null;
  outcome: string | null;
  notes: string | null;
  idempotency_key: string | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
}

export type CallbackAttemptOutcome = 'answered' | 'no_answer' | 'voicemail' | 'busy' | 'wrong_number';

export interface CallbackAttemptsTable {
  id: Generated<string>;
  callback_id: string;
  call_row_id: string | null;
  staff_id: string | null;
  at: Timestamp;
  outcome: CallbackAttemptOutcome;
  note: string | null;
  created_at: DefaultTimestamp;
}

export type ArticleState = 'draft' | 'in_review' | 'published' | 'withdrawn' | 'archived';
export type ArticleAudience = 'public' | 'internal';

/** A knowledge-base article (see the knowledge-base migration); its text lives in `article_versions`. */
export interface ArticlesTable {
  id: Generated<string>;
  slug: string;
  authority_id: string;
  team_id: string;
  owner_id: string | null;
  audience: Generated<ArticleAudience>;
  state: Generated<ArticleState>;
  requires_second_publisher: Generated<boolean>;
  replaced_by: string | null;
  published_version: number | null;
  review_on: DateOnly | null;
  valid_from: Timestamp | null;
  valid_to: Timestamp | null;
  submitted_by: string | null;
  submitted_at: Timestamp | null;
  withdrawn_at: Timestamp | null;
  archived_at: Timestamp | null;
  views: Generated<number>;
  reviewed_reminded_at: Timestamp | null;
  review_escalated_at: Timestamp | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface ArticleVersionsTable {
  article_id: string;
  number: number;
  title: string;
  summary: string;
  /** Markdown (the safe subset the knowledge module renders). */
  body: string;
  /** Synonyms and keywords, comma separated. */
  keywords: Generated<string>;
  change_note: string | null;
  author_id: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  published_by: string | null;
  published_at: Timestamp | null;
}

export interface ArticleServicesTable {
  article_id: string;
  service_id: string;
}

export interface ArticleSearchTable {
  article_id: string;
  /** The article's, repeated so a search reads this table alone. */
  authority_id: string;
  audience: ArticleAudience;
  valid_from: Timestamp | null;
  valid_to: Timestamp | null;
  /** Title and keywords (trigram index: typos). */
  terms: string;
  /** Title, keywords (A) and summary (B): candidates for "any of these words". */
  head: string;
  /** Everything, weighted (A title and keywords, B summary, C body): the rank. */
  document: string;
}

export interface ArticleFeedbackTable {
  id: Generated<string>;
  article_id: string;
  version: number | null;
  helpful: boolean;
  comment: string | null;
  created_at: DefaultTimestamp;
}

export type ArticleTaskKind = 'feedback' | 'review' | 'review_escalated';

export interface ArticleTasksTable {
  id: Generated<string>;
  article_id: string;
  owner_id: string | null;
  team_id: string | null;
  kind: ArticleTaskKind;
  detail: string | null;
  feedback_id: string | null;
  done_by: string | null;
  done_at: Timestamp | null;
  created_at: DefaultTimestamp;
}

export interface ArticleUsesTable {
  id: Generated<string>;
  article_id: string;
  version: number;
  case_id: string | null;
  interaction_id: string | null;
  channel: string | null;
  used_by: string | null;
  used_at: DefaultTimestamp;
}

export interface ArticleSearchMissesTable {
  id: Generated<number>;
  query: string;
  audience: Generated<ArticleAudience>;
  searched_at: DefaultTimestamp;
}

export type ChatStatus = 'assistant' | 'queued' | 'waiting' | 'active' | 'ended' | 'abandoned';
export type ChatSender = 'resident' | 'assistant' | 'agent' | 'system';

/** Webchat conversations (webchat module; see its migration for the statuses). */
export interface ChatsTable {
  id: Generated<string>;
  /** The order chats were started in: breaks ties in the queue. */
  ticket: Generated<number>;
  authority_id: string;
  status: ChatStatus;
  resident_name: string;
  language: Generated<string>;
  customer_id: string | null;
  /** SHA-256 of the resident's resume token; the token itself is never stored. */
  resume_token_sha256: string;
  agent_id: string | null;
  team_id: string | null;
  suggested_service_slug: string | null;
  handover_reason: string | null;
  transfer_note: string | null;
  unhelpful_answers: Generated<number>;
  last_seq: Generated<number>;
  queue_front: Generated<boolean>;
  queue_since: Timestamp | null;
  queued_at: Timestamp | null;
  offered_at: Timestamp | null;
  answered_at: Timestamp | null;
  ended_at: Timestamp | null;
  ended_by: 'resident' | 'agent' | 'system' | null;
  outcome: string | null;
  service_id: string | null;
  resolved_at_first_contact: boolean | null;
  wrapped_up_at: Timestamp | null;
  interaction_id: string | null;
  created_at: DefaultTimestamp;
}

export interface ChatMessagesTable {
  id: Generated<number>;
  chat_id: string;
  seq: number;
  sender: ChatSender;
  agent_id: string | null;
  body: string;
  client_id: string | null;
  /** The article an assistant answer quoted: { slug, title, version, url }. */
  article: Json | null;
  created_at: DefaultTimestamp;
}

export interface ChatAgentsTable {
  staff_id: string;
  authority_id: string;
  available: Generated<boolean>;
  max_chats: Generated<number>;
  languages: ColumnType<string[], string[] | undefined, string[]>;
  /** Slugs of the services the agent takes chats about; empty: any service. */
  services: ColumnType<string[], string[] | undefined, string[]>;
  last_heartbeat_at: Timestamp | null;
  last_offered_at: Timestamp | null;
  updated_at: DefaultTimestamp;
}

export interface ChatOffersTable {
  id: Generated<string>;
  chat_id: string;
  staff_id: string;
  offered_at: Timestamp;
  outcome: Generated<'pending' | 'accepted' | 'declined' | 'expired'>;
  decided_at: Timestamp | null;
}

export interface DB {
  authorities: AuthoritiesTable;
  offices: OfficesTable;
  inbound_texts: InboundTextsTable;
  text_opt_outs: TextOptOutsTable;
  teams: TeamsTable;
  staff_users: StaffUsersTable;
  staff_team_members: StaffTeamMembersTable;
  staff_password_links: StaffPasswordLinksTable;
  customers: CustomersTable;
  contact_points: ContactPointsTable;
  vulnerabilities: VulnerabilitiesTable;
  customer_relationships: CustomerRelationshipsTable;
  services: ServicesTable;
  cases: CasesTable;
  case_events: CaseEventsTable;
  interactions: InteractionsTable;
  outbox: OutboxTable;
  audit_log: AuditLogTable;
  sessions: SessionsTable;
  pending_staff_answers: PendingStaffAnswersTable;
  form_drafts: FormDraftsTable;
  addresses: AddressesTable;
  attachments: AttachmentsTable;
  one_time_codes: OneTimeCodesTable;
  messages: MessagesTable;
  resident_codes: ResidentCodesTable;
  complaints: ComplaintsTable;
  complaint_stages: ComplaintStagesTable;
  complaint_remedies: ComplaintRemediesTable;
  learning_actions: LearningActionsTable;
  information_requests: InformationRequestsTable;
  information_request_reviews: InformationRequestReviewsTable;
  sar_bundles: SarBundlesTable;
  feedback_requests: FeedbackRequestsTable;
  feedback: FeedbackTable;
  follow_ups: FollowUpsTable;
  compliments: ComplimentsTable;
  improvements: ImprovementsTable;
  api_tokens: ApiTokensTable;
  api_idempotency_keys: ApiIdempotencyKeysTable;
  case_links: CaseLinksTable;
  reply_templates: ReplyTemplatesTable;
  mailboxes: MailboxesTable;
  mailbox_cursors: MailboxCursorsTable;
  emails: EmailsTable;
  email_sources: EmailSourcesTable;
  email_acknowledgements: EmailAcknowledgementsTable;
  phone_queues: PhoneQueuesTable;
  blocked_numbers: BlockedNumbersTable;
  calls: CallsTable;
  call_events: CallEventsTable;
  callbacks: CallbacksTable;
  callback_attempts: CallbackAttemptsTable;
  articles: ArticlesTable;
  article_versions: ArticleVersionsTable;
  article_services: ArticleServicesTable;
  article_search: ArticleSearchTable;
  article_feedback: ArticleFeedbackTable;
  article_tasks: ArticleTasksTable;
  article_uses: ArticleUsesTable;
  article_search_misses: ArticleSearchMissesTable;
  chats: ChatsTable;
  chat_messages: ChatMessagesTable;
  chat_agents: ChatAgentsTable;
  chat_offers: ChatOffersTable;
}

export type Row<T extends keyof DB> = Selectable<DB[T]>;
export type NewRow<T extends keyof DB> = Insertable<DB[T]>;
export type RowUpdate<T extends keyof DB> = Updateable<DB[T]>;
