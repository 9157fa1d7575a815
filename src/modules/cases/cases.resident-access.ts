/**
 * The resident access rule for pages about one case that other modules serve (a complaint about a request,
 * an internal review of an FOI response): the signed-in resident who owns the case, or a browser that has
 * tracked it with a one-time code (`trackedCases` in the session, kept by /track).
 */
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/index.ts';
import { UUID_PATTERN } from '../../platform/http/validation.ts';
import { getResidentCaseView } from './cases.service.ts';

export interface ResidentViewer {
  /** The customer the case belongs to (null for a guest's case). */
  customerId: string | null;
}

function trackedCases(request: FastifyRequest): string[] {
  const list = request.session?.data.trackedCases;
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
}

/** The resident looking at `caseId`, or null when this browser may not see it (the caller answers 404). */
export async function residentFor(
  db: Db,
  request: FastifyRequest,
  caseId: string,
): Promise<ResidentViewer | null> {
  if (!UUID_PATTERN.test(caseId)) return null;
  const view = await getResidentCaseView(db, caseId);
  if (!view) return null;
  const customerId = request.session?.kind === 'resident' ? request.session.customerId : null;
  if (customerId && view.customerId === customerId) return { customerId };
  if (trackedCases(request).includes(caseId)) return { customerId: view.customerId };
  return null;
}

/** Lets this browser see `caseId` like a tracked request from now on (guests have no account). */
export async function rememberTrackedCase(
  request: FastifyRequest,
  caseId: string,
  sessions: { setData(id: string, data: Record<string, unknown>): Promise<void> } | null,
): Promise<void> {
  if (!request.session || !sessions) return;
  const tracked = [...new Set([...trackedCases(request), caseId])].slice(-20);
  const data = { ...request.session.data, trackedCases: tracked };
  await sessions.setData(request.session.id, data);
  request.session.data = data;
}
