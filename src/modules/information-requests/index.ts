/**
 * The information-requests module's public surface: FOI, EIR and subject access requests to statutory
 * timescales, internal reviews, the disclosure log, SAR bundles and the timeliness report. See README.md.
 */
import type { FastifyInstance } from 'fastify';
import { registerInformationRequestPortalRoutes } from './information-requests.portal.routes.ts';
import { registerInformationRequestPublicRoutes } from './information-requests.public.routes.ts';
import {
  registerInformationRequestStaffRoutes,
  type InformationRequestRoutesDeps,
} from './information-requests.staff.routes.ts';

export type InformationRequestsDeps = InformationRequestRoutesDeps;

/**
 * Registers /staff/information-requests…, /staff/reports/timeliness, /disclosure-log…, /sar-bundles/… and
 * the requester's /information-requests/:caseId/review.
 */
export async function registerInformationRequests(
  app: FastifyInstance,
  deps: InformationRequestsDeps,
): Promise<void> {
  await registerInformationRequestStaffRoutes(app, deps);
  await registerInformationRequestPublicRoutes(app, deps);
  await registerInformationRequestPortalRoutes(app, deps);
}

export {
  createInformationRequest,
  adoptInformationRequestCases,
  askForClarification,
  recordClarification,
  askForIdentity,
  recordIdentityVerified,
  extendRequest,
  extendForPublicInterest,
  respondToRequest,
  withdrawRequest,
  assignRequest,
  requestReview,
  extendReview,
  completeReview,
  publishToDisclosureLog,
  unpublishFromDisclosureLog,
  searchDisclosureLog,
  generateSarBundle,
  releaseSarBundle,
  bundleForDownload,
  getInformationRequest,
  findRequestByReference,
  listQueue,
  listRequestsForCustomer,
  BUNDLE_LINK_DAYS,
  type InformationRequestOptions,
  type RespondInput,
} from './information-requests.service.ts';
export {
  informationRequestJobHandlers,
  INFORMATION_REQUESTS_ADOPT_TOPIC,
} from './information-requests.jobs.ts';
export {
  deadlines,
  canNotifyExtension,
  reviewDeadline,
  type ClockState,
  type Deadlines,
} from './information-requests.clock.ts';
export {
  FOI_EXEMPTIONS,
  EIR_EXCEPTIONS,
  SAR_EXEMPTIONS,
  exemptionsFor,
} from './information-requests.exemptions.ts';
export {
  buildSarBundle,
  bundleForHtml,
  SAR_BUNDLE_COVERAGE,
  SAR_BUNDLE_LINKED_TABLES,
  SECTION_TITLES,
  type SarBundle,
  type SarBundleSections,
} from './sar-bundle.ts';
export {
  timelinessReport,
  percentage,
  TIMELINESS_LABELS,
  type TimelinessReport,
  type TimelinessKind,
} from './timeliness.ts';
export {
  REGIMES,
  OUTCOMES,
  type Regime,
  type Outcome,
  type RequestView,
  type RequestActor,
  type NewRequestInput,
  type CreatedRequest,
  type DisclosureEntry,
} from './information-requests.types.ts';
