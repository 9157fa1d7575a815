/**
 * The cases module's public surface (cases core): create cases from any channel, move them along their
 * service workflow, messages and notes, timelines, references, one-time codes, attachments, and the
 * resident "track a request" journey. See README.md.
 */
import type { FastifyInstance } from 'fastify';
import { registerCasesPortalRoutes, type CasesRoutesDeps } from './cases.portal.routes.ts';
import { registerCasesQueueRoutes } from './cases.queues.routes.ts';
import { registerCasesStaffRoutes } from './cases.staff.routes.ts';

export type { CasesRoutesDeps } from './cases.portal.routes.ts';

/** Registers /track, /track/code, /track/requests/:caseId (+ /reply), /attachments/:id, the staff case page /staff/cases/:id and the work queues /staff/queues. */
export async function registerCasesRoutes(app: FastifyInstance, deps: CasesRoutesDeps): Promise<void> {
  await registerCasesPortalRoutes(app, deps);
  await registerCasesStaffRoutes(app, deps);
  await registerCasesQueueRoutes(app, deps);
}

export {
  createCase,
  changeStatus,
  addMessage,
  addNote,
  allowedNextStatuses,
  listCasesForCustomer,
  getCaseTimeline,
  getResidentCaseView,
  findByReference,
  loadCaseService,
  whatHappensNext,
  defaultCaseCalendar,
} from './cases.service.ts';
export {
  chooseTeam,
  routeCase,
  decideRoute,
  routingRulesOf,
  type RouteDecision,
  type RoutingRule,
  type RoutingFacts,
} from './cases.routing.ts';
export {
  caseSlaSnapshot,
  caseSlaSnapshots,
  extendSla,
  scanSla,
  MAX_EXTENSION_DAYS,
  type CaseSla,
  type SlaExtensionResult,
  type SlaScanOptions,
  type SlaScanResult,
} from './cases.sla.ts';
export { CASES_SLA_SCAN_TOPIC, caseJobHandlers } from './cases.jobs.ts';
export {
  CASE_CREATED_TOPIC,
  ANNOUNCED_CASE_KINDS,
  caseCreatedPayload,
  type CaseCreatedPayload,
} from './cases.events.ts';
export {
  caseSummary,
  caseSummaryByReference,
  recordByCaseReference,
  openRecordCase,
  setLedCaseState,
  addCaseworkNote,
  type CaseSummary,
  type LedCaseState,
  type RecordCaseInput,
} from './cases.casework.ts';
export { residentFor, rememberTrackedCase, type ResidentViewer } from './cases.resident-access.ts';
export {
  generateReference,
  normaliseReference,
  REFERENCE_ALPHABET,
  REFERENCE_PATTERN,
} from './cases.reference.ts';
export {
  renderRequestPage,
  handleReply,
  type RequestViewer,
  type RequestPageExtras,
} from './cases.portal.routes.ts';
export { issueCode, verifyCode, CODE_TTL_MS, CODE_MAX_ATTEMPTS, type CodeCheck } from './cases.codes.ts';
export {
  requestTrackCode,
  verifyTrackCode,
  parseTrackContact,
  normaliseEmailAddress,
  normalisePhoneNumber,
  TRACK_PURPOSE,
} from './cases.track.ts';
export {
  registerUploadParsing,
  checkUpload,
  keepUpload,
  contentDisposition,
  bindingHash,
  ownsDraft,
  newBindingSecret,
  BROWSER_BINDING_COOKIE,
  MAX_UPLOAD_BYTES,
  DEFAULT_FILE_TYPES,
  type DraftAccess,
  type ReceivedFile,
  type UploadProblem,
} from './cases.attachments.ts';
export { sweepUploads, UPLOAD_SWEEP_AGE_MS, type UploadSweepResult } from './cases.upload-storage.ts';
export { fileSizeText } from './cases.presenters.ts';
export type {
  CaseService,
  CaseActor,
  CaseHooks,
  CaseOptions,
  CaseLocation,
  CreateCaseInput,
  CreatedCase,
  GuestContact,
  StatusChange,
  AddMessageInput,
  AddNoteInput,
  TimelineEvent,
  TimelineAttachment,
  CustomerCaseItem,
  ResidentCaseView,
} from './cases.types.ts';
