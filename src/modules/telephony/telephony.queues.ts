/** Phone queues: the platform's queues, each owned by an authority and a team (see the migration). */
import type { Db } from '../../platform/db/index.ts';
import { normalisePhone } from '../../platform/contact/index.ts';
import * as repo from './telephony.repository.ts';

/** Creates the queue, or brings its owner, name, number and service up to date (seed and administration). */
export async function ensurePhoneQueue(
  db: Db,
  queue: {
    authorityId: string;
    teamId: string;
    code: string;
    name: string;
    number?: string | null;
    serviceId?: string | null;
  },
): Promise<string> {
  return repo.upsertQueue(db, {
    authority_id: queue.authorityId,
    team_id: queue.teamId,
    code: queue.code,
    name: queue.name,
    number: queue.number ? normalisePhone(queue.number) : null,
    service_id: queue.serviceId ?? null,
  });
}
