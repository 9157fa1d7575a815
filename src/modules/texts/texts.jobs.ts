/** The texts module's scheduled job: the reconciliation poll of Notify's received texts. */
import type { JobHandler } from '../../platform/jobs/index.ts';
import type { TextInbox } from '../notifications/index.ts';
import { pollReceivedTexts, type TextsDeps } from './texts.service.ts';

export const TEXTS_POLL_TOPIC = 'texts.poll_received';

/** `texts.poll_received`: nothing to do without Notify (no inbox). */
export function textsJobHandlers(deps: TextsDeps & { inbox: TextInbox | null }): Record<string, JobHandler> {
  return {
    [TEXTS_POLL_TOPIC]: async () => {
      if (deps.inbox) await pollReceivedTexts({ ...deps, inbox: deps.inbox });
    },
  };
}
