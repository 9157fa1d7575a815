/**
 * The message form behind webchat when it is closed or full (issue 16): the message becomes a general
 * enquiry case (origin channel webchat) with why chat was unavailable recorded in its answers. The case is
 * committed before the resident sees the confirmation, and a retry of the same form (its hidden submission
 * id) returns the same case. No SQL here; see webchat.offline.repository.ts.
 */
import { createCase, loadCaseService, type CaseOptions } from '../cases/index.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/http/errors.ts';
import type { ChatUnavailableReason } from './webchat.contracts.ts';
import type { OfflineMessage } from './webchat.offline.schemas.ts';
import * as repo from './webchat.offline.repository.ts';

export interface OfflineSettings {
  /** The service a message becomes a case of (a general enquiry, handled by the contact centre). */
  serviceSlug: string;
  caseOptions?: CaseOptions;
}

export const DEFAULT_OFFLINE_SETTINGS: OfflineSettings = { serviceSlug: 'general-enquiry' };

/** The answer that records why chat was not available ("Chat unavailable reason: closed" to staff). */
export const REASON_ANSWER = 'chatUnavailableReason';

/** Makes (or, on a retry, finds) the case for a message. */
export async function sendOfflineMessage(
  db: Db,
  input: OfflineMessage & { now: Date },
  settings: OfflineSettings,
): Promise<{ caseId: string; reference: string; created: boolean }> {
  return withTransaction(db, async (trx) => {
    const service = await loadCaseService(trx, { slug: settings.serviceSlug });
    if (!service)
      throw new AppError('unavailable', 503, `the message service ${settings.serviceSlug} is not installed`);
    const reason: ChatUnavailableReason = input.reason;
    const created = await createCase(
      trx,
      {
        service,
        contact: { name: input.name, email: input.email, phone: input.phone },
        answers: {
          topic: 'other',
          question: input.message,
          givenName: input.name,
          email: input.email ?? undefined,
          phone: input.phone ?? undefined,
          contactBy: input.email ? 'email' : 'phone',
          [REASON_ANSWER]: reason,
        },
        formVersion: service.definitionVersion,
        channel: 'webchat',
        receivedAt: input.now,
        idempotencyKey: repo.messageCaseKey(input.submissionId),
      },
      settings.caseOptions,
    );
    return { caseId: created.id, reference: created.reference, created: created.created };
  });
}

/** The reference shown on the confirmation page (null: no such message case). */
export function messageReference(db: Db, caseId: string): Promise<string | null> {
  return repo.messageCaseReference(db, caseId);
}
