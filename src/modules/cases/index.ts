/**
 * The cases module's public surface (cases core): create cases from any channel, move them along their
 * service workflow, messages and notes, timelines, references, one-time codes, attachments, and the
 * resident "track a request" journey. See README.md.
 */
import type { FastifyInstance } from 'fastify';
import {
  registerCasesPortalRoutes,
  type CasesRoutesDeps,
  type ResidentCaseLinks,
} from './cases.portal.routes.ts';
import { registerCasesQueueRoutes } from './cases.queues.routes.ts';
import { registerCasesStaffRoutes } from './cases.staff.routes.ts';

/** Registers /track, /track/code, /track/requests/:caseId (+ /reply), /attachments/:id, the staff case page /staff/cases/:id and the work queues /staff/queues. */
export async function registerCasesRoutes(app: FastifyInstance, deps: CasesRoutesDeps): Promise<void> {
  await registerCasesPortalRoutes(app, deps);
  await registerCasesStaffRoutes(app, deps);
  await registerCasesQueueRoutes(app, deps);
}

export {
  createCase,
  changeStatus,
  reopenCase,
  addMessage,
  addNote,
  allowedNextStatuses,
  listCasesForCustomer,
  getCaseTimeline,
  getResidentCaseView,
  findByReference,
  loadCaseService,
  cachedCaseServiceFromRow,
  whatHappensNext,
  defaultCaseCalendar,
} from './cases.service.ts';
export { caseSlaSnapshot, extendSla, scanSla } from './cases.sla.ts';
export { linkCaseIds } from './cases.handling.ts';
export { CASES_SLA_SCAN_TOPIC, caseJobHandlers } from './cases.jobs.ts';
export { adoptOnCaseCreated, CASE_CREATED_TOPIC } from './cases.events.ts';
export {
  caseSummary,
  caseSummaryByReference,
  recordByCaseReference,
  openRecordCase,
  setLedCaseState,
  addCaseworkNote,
  type CaseSummary,
} from './cases.casework.ts';
export { residentFor, rememberTrackedCase } from './cases.resident-access.ts';
export type { ResidentCaseLinks };
export type { StaffCaseEmail } from './cases.staff.routes.ts';
export { REFERENCE_PATTERN } from './cases.reference.ts';
export { newCaseFactsColumns, readNewCaseFacts, ruleTeamCodesOf } from './cases.routing.repository.ts';
export {
  registerUploadParsing,
  checkUpload,
  keepUpload,
  bindingHash,
  ownsDraft,
  newBindingSecret,
  BROWSER_BINDING_COOKIE,
  type DraftAccess,
  type ReceivedFile,
} from './cases.attachments.ts';
export { sweepUploads } from './cases.upload-storage.ts';
export { fileSizeText } from './cases.presenters.ts';
/** EXPLAIN of the work queue's page query, for the test that checks it uses an index. */
export { explainQueuePage, type QueueCriteria } from './cases.queues.repository.ts';
export type { CaseService, CaseActor, CaseOptions, CreateCaseInput, CreatedCase } from './cases.types.ts';
