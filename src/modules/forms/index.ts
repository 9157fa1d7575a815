/**
 * The forms engine's public surface: resident and staff routes that render any service's `form`
 * definition with GOV.UK patterns and submit it as a case, plus the engine rules and the gazetteer
 * helpers. See README.md.
 */
import type { FastifyInstance } from 'fastify';
import { staffNavItems } from '../identity/index.ts';
import { registerFormsRoutes as registerRoutes, type FormsRoutesDeps } from './forms.routes.ts';

export type { FormsRoutesDeps } from './forms.routes.ts';

/**
 * Registers /services/:slug/start, /apply/:draftId/..., /staff/services, /staff/services/:slug/start and
 * /staff/apply/:draftId/... (assisted digital), and adds "Start a request" to the staff navigation.
 */
export async function registerFormsRoutes(app: FastifyInstance, deps: FormsRoutesDeps): Promise<void> {
  if (!staffNavItems.some((item) => item.href === '/staff/services'))
    staffNavItems.push({ href: '/staff/services', text: 'Start a request', permission: 'cases:write' });
  await registerRoutes(app, deps);
}

export {
  startDraft,
  findDraftFor,
  submitDraft,
  prefillAnswers,
  lookupAddresses,
  seedDemoAddresses,
  purgeExpiredDrafts,
  DRAFT_LIFETIME_MS,
  type Draft,
  type DraftAccess,
  type SubmitResult,
} from './forms.service.ts';
export {
  expandForm,
  FOLLOW_UP_SUFFIX,
  readPage,
  readDate,
  isShown,
  pageApplies,
  applicablePages,
  nextPage,
  previousPage,
  firstIncompletePage,
  pruneHidden,
  contactFromAnswers,
  type Answers,
  type AddressAnswer,
  type LocationAnswer,
  type FileAnswer,
  type FieldError,
} from './forms.engine.ts';
