/**
 * `case.created`: an outbox row written in the same transaction as a new case whose service is one another
 * module keeps a record of its own for (a complaint, an FOI or subject access request, a compliment). The
 * worker's composition root (`src/worker.ts`) hands it to each interested module's idempotent handler, so
 * a case made through the forms engine gets its complaint or request record without cases knowing about
 * those modules, and without anyone polling.
 */
import type { WriteBatch } from '../../platform/db/index.ts';
import { enqueueInBatch, type JobHandler } from '../../platform/jobs/index.ts';

export const CASE_CREATED_TOPIC = 'case.created';

/**
 * Service kinds whose new cases another module adopts: complaints (`complaint`), information-requests
 * (`foi`, `sar`) and feedback (`compliment`). Other kinds write no event, so an ordinary submission costs
 * no extra round trip.
 */
export const ANNOUNCED_CASE_KINDS: readonly string[] = ['complaint', 'foi', 'sar', 'compliment'];

/** What a `case.created` job carries. */
export interface CaseCreatedPayload {
  caseId: string;
  /** The service's kind, so a handler can ignore other kinds without a read. */
  kind: string;
}

/**
 * Adds the `case.created` row for a new case, when its service's kind is announced (see above), to the
 * statement that writes the case (`batch`), gated on the case insert (`gate`): it commits with the case,
 * including when createCase runs without a transaction of its own (the form submission).
 */
export function announceCaseCreated(
  batch: WriteBatch,
  created: { caseId: string; authorityId: string; kind: string },
  gate: string,
): void {
  if (!ANNOUNCED_CASE_KINDS.includes(created.kind)) return;
  const payload: CaseCreatedPayload = { caseId: created.caseId, kind: created.kind };
  enqueueInBatch(
    batch,
    {
      topic: CASE_CREATED_TOPIC,
      payload: { ...payload },
      authorityId: created.authorityId,
      dedupeKey: `${CASE_CREATED_TOPIC}:${created.caseId}`,
    },
    gate,
  );
}

/** The payload of a `case.created` job, or null when it is not one (a malformed row is ignored). */
export function caseCreatedPayload(payload: Record<string, unknown>): CaseCreatedPayload | null {
  const { caseId, kind } = payload;
  return typeof caseId === 'string' && typeof kind === 'string' ? { caseId, kind } : null;
}

/**
 * The `case.created` handler of a module that keeps a record of its own for cases of some service kinds:
 * hands the case to `adopt` when its kind is one of `kinds` (adopting is idempotent, so a retried job does
 * nothing twice) and ignores other kinds and malformed rows.
 */
export function adoptOnCaseCreated(
  kinds: readonly string[],
  adopt: (caseId: string) => Promise<unknown>,
): JobHandler {
  return async (job) => {
    const created = caseCreatedPayload(job.payload);
    if (created && kinds.includes(created.kind)) await adopt(created.caseId);
  };
}
