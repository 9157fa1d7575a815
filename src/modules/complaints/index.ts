/**
 * The complaints module's public surface: complaints under the Ombudsman's Complaint Handling Code (and the
 * children's social care statutory procedure), their staff and resident routes, learning actions and the
 * data other modules read (the timeliness report, the SAR bundle, the API). See README.md.
 */
import type { FastifyInstance } from 'fastify';
import {
  complaintLinksForResident,
  registerComplaintPortalRoutes,
  type ComplaintPortalDeps,
} from './complaints.portal.routes.ts';
import { registerComplaintStaffRoutes, type ComplaintRoutesDeps } from './complaints.staff.routes.ts';

interface ComplaintsDeps extends ComplaintRoutesDeps, ComplaintPortalDeps {
  /** The session store, so a guest who complains can come back to the complaint in the same browser. */
  sessions?: { setData(id: string, data: Record<string, unknown>): Promise<void> } | null;
}

/** Registers /staff/complaints… (complaints:manage) and the resident /complaints… routes. */
export async function registerComplaints(app: FastifyInstance, deps: ComplaintsDeps): Promise<void> {
  await registerComplaintStaffRoutes(app, deps);
  await registerComplaintPortalRoutes(app, deps);
}

export { complaintLinksForResident };
export {
  createComplaint,
  acknowledgeComplaint,
  extendComplaint,
  respondToComplaint,
  refuseComplaint,
  escalateComplaint,
  getComplaint,
  currentDeadlines,
  findComplaintByReference,
  respondedComplaintStages,
  openComplaintStages,
} from './complaints.service.ts';
export {
  complaintJobHandlers,
  complaintCaseCreatedHandler,
  COMPLAINTS_ADOPT_TOPIC,
} from './complaints.jobs.ts';
export { WORKFLOW_TYPES, ROOT_CAUSE_LABELS, type RootCause, type ComplaintView } from './complaints.types.ts';
