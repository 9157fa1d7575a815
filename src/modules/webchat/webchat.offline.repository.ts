/** SQL for the webchat message form: reading back the case a message became (for its confirmation page). */
import type { Db, Tx } from '../../platform/db/index.ts';

/** The idempotency key of the case made from a message form submission. */
export const messageCaseKey = (submissionId: string): string =>
  `webchat-message:${submissionId.toLowerCase()}`;

/** The reference of a case made by the message form (null for any other case, so no other reference shows). */
export async function messageCaseReference(db: Db | Tx, caseId: string): Promise<string | null> {
  const row = await db
    .selectFrom('cases')
    .select('reference')
    .where('id', '=', caseId)
    .where('origin_channel', '=', 'webchat')
    .where('idempotency_key', 'like', 'webchat-message:%')
    .executeTakeFirst();
  return row?.reference ?? null;
}
