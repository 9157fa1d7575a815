/** Domain types of the cases module: what its use-cases take and return (never database rows). */
import type { Channel, SlaPolicy } from '../../platform/db/index.ts';
import type { WorkingDayCalendar } from '../../platform/calendar/index.ts';
import type { Tx, WriteBatch } from '../../platform/db/index.ts';
import type { ServiceDefinition } from '../services/index.ts';
import type { RoutingCandidate } from './cases.routing.ts';

/** A service as the cases module needs it: identity, owning team, SLA and its validated definition. */
export interface CaseService {
  id: string;
  authorityId: string;
  teamId: string;
  slug: string;
  name: string;
  sla: SlaPolicy;
  definitionVersion: number;
  definition: ServiceDefinition;
  /** The authority's contact facts, for messages about the service's cases (read with the service). */
  authority: { id: string; name: string; phone: string | null; website: string | null };
}

/** Who did something to a case. A guest resident is `{ kind: 'customer', customerId: null }`. */
export type CaseActor =
  { kind: 'staff'; staffId: string } | { kind: 'customer'; customerId: string | null } | { kind: 'system' };

/** How to reach a guest (someone with no customer record). */
export interface GuestContact {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
}

export interface CaseLocation {
  description?: string | null;
  lat?: number | null;
  lng?: number | null;
}

export interface CreateCaseInput {
  service: CaseService;
  customerId?: string | null;
  /** For guests: stored on the case (guest_name, guest_email, guest_phone) and used for messages. */
  contact?: GuestContact | null;
  answers: Record<string, unknown>;
  formVersion: number;
  channel: Channel;
  receivedAt: Date;
  /** A retry with the same key returns the case the first attempt created (unique `cases.idempotency_key`). */
  idempotencyKey: string;
  /** Set when a member of staff made the request for the resident (assisted digital). */
  createdByStaffId?: string | null;
  location?: CaseLocation | null;
  /** Uploaded files (already stored as `attachments` rows) to link to the new case. */
  attachmentIds?: readonly string[];
  /**
   * The caller's own writes that belong with the new case (e.g. marking the form draft submitted): added
   * to the statement that writes the case, and written only if the case is new. `gate` is the name of
   * the case's write in the batch (see platform/db/batch.ts).
   */
  alsoWrite?: (batch: WriteBatch, created: { caseId: string; gate: string }) => void;
  /** false: no automatic acknowledgement (an email whose sender was acknowledged today, issue 13). */
  acknowledge?: boolean;
  /**
   * The routing facts, when the caller read them in a statement of its own (`newCaseFactsColumns`) for
   * this service and customer at `receivedAt`: saves createCase its one read.
   */
  routingFacts?: NewCaseFacts;
}

/** Everything {@link decideRoute} and the repeat-contact rule need to know about a new case. */
export interface NewCaseFacts {
  /** Teams of the service's authority, by code. */
  teams: { id: string; code: string; name: string }[];
  /** Active members of the service's team and of the teams its routing rules name. */
  candidates: RoutingCandidate[];
  customer: { preferred_language: string; communication_needs: unknown[] } | null;
  /** When the customer last contacted us about this service (inbound, at or before `at`). */
  lastInboundAbout: Date | null;
}

export interface CreatedCase {
  id: string;
  reference: string;
  status: string;
  /** What residents see for the status. */
  statusLabel: string;
  teamId: string;
  dueAt: Date | null;
  receivedAt: Date;
  /** false when an earlier attempt with the same idempotency key had already created the case. */
  created: boolean;
}

export interface StatusChange {
  caseId: string;
  from: string;
  to: string;
  eventId: string;
  visibleToCustomer: boolean;
}

export interface AddMessageInput {
  /** `resident`: a reply from the resident (inbound). `staff`: a message to the resident (outbound). */
  from: 'resident' | 'staff';
  body: string;
  at: Date;
  actor: CaseActor;
  attachmentIds?: readonly string[];
  /** Channel of the interaction row. Default: `web` for residents, `email` for staff messages. */
  channel?: Channel;
}

export interface AddNoteInput {
  body: string;
  staffId: string;
  at: Date;
}

export interface TimelineAttachment {
  id: string;
  filename: string;
  sizeBytes: number;
}

export interface TimelineEvent {
  id: string;
  kind: string;
  at: Date;
  visibleToCustomer: boolean;
  body: string | null;
  /** For status changes: the staff label and the resident-facing label of the new status. */
  status: { code: string; label: string; customerLabel: string } | null;
  direction: 'inbound' | 'outbound' | null;
  by: 'resident' | 'staff' | 'system';
  staffName: string | null;
  attachments: TimelineAttachment[];
}

export interface CustomerCaseItem {
  id: string;
  reference: string;
  serviceName: string;
  serviceSlug: string;
  status: string;
  /** Resident-facing label of the current (or last customer-visible) status. */
  statusLabel: string;
  receivedAt: Date;
  dueAt: Date | null;
  closed: boolean;
}

/** The request page's data: what a resident may see about one case. */
export interface ResidentCaseView {
  id: string;
  authorityId: string;
  reference: string;
  serviceName: string;
  serviceSlug: string;
  statusLabel: string;
  closed: boolean;
  receivedAt: Date;
  dueAt: Date | null;
  /** The SLA clock is paused: the council is waiting for the resident. */
  waitingForResident: boolean;
  customerId: string | null;
}

/** Replaceable behaviour (see README): defaults live in cases.service.ts. */
export interface CaseHooks {
  /** A resident replied. Default: if the SLA clock is paused (awaiting the resident), resume it. */
  onResidentReply(trx: Tx, caseId: string, at: Date): Promise<void>;
}

export interface CaseOptions {
  /** Working-day calendar for SLA due dates. Default: England and Wales, 17:00 cut-off. */
  calendar?: WorkingDayCalendar;
  /** Absolute base URL for links in messages (`track_url`). Default: relative `/track`. */
  publicUrl?: string;
  /** Language of resident-facing text in message personalisation. Default `en`. */
  locale?: string;
  hooks?: Partial<CaseHooks>;
}
