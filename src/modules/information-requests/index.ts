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

type InformationRequestsDeps = InformationRequestRoutesDeps;

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
  askForClarification,
  recordClarification,
  askForIdentity,
  recordIdentityVerified,
  extendRequest,
  extendForPublicInterest,
  respondToRequest,
  withdrawRequest,
  requestReview,
  completeReview,
  publishToDisclosureLog,
  generateSarBundle,
  getInformationRequest,
  findRequestByReference,
} from './information-requests.service.ts';
export {
  informationRequestJobHandlers,
  informationRequestCaseCreatedHandler,
  INFORMATION_REQUESTS_ADOPT_TOPIC,
} from './information-requests.jobs.ts';
export { reviewDeadline } from './information-requests.clock.ts';
export { buildSarBundle, SAR_BUNDLE_COVERAGE, type SarBundleSections } from './sar-bundle.ts';
export { timelinessReport } from './timeliness.ts';
export { REGIMES, type Regime, type RequestView } from './information-requests.types.ts';
