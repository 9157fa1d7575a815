/**
 * The worker's composition root: which job topics exist and who handles them, plus the small scheduler
 * that enqueues periodic maintenance jobs (one row per time slot thanks to dedupe keys, so several
 * workers never double-schedule).
 */
import type { Clock } from './platform/clock.ts';
import type { Db } from './platform/db/index.ts';
import {
  enqueue,
  purgeDone,
  Worker,
  type JobHandler,
  type JobLogger,
  type JobMetrics,
} from './platform/jobs/index.ts';
import { SessionStore } from './platform/http/sessions.ts';
import { join, resolve } from 'node:path';
import { purgeExpiredDrafts } from './modules/forms/index.ts';
import { purgeExpiredKeptAnswers } from './modules/identity/index.ts';
import type { Config } from './config/index.ts';
import {
  adaptersFromConfig,
  notificationJobHandlers,
  notifyTextInbox,
  RECONCILE_STATUSES_TOPIC,
} from './modules/notifications/index.ts';
import { TEXTS_POLL_TOPIC, textsJobHandlers } from './modules/texts/index.ts';
import {
  COMPLAINTS_ADOPT_TOPIC,
  complaintCaseCreatedHandler,
  complaintJobHandlers,
} from './modules/complaints/index.ts';
import {
  complimentCaseCreatedHandler,
  FEEDBACK_SCAN_TOPIC,
  feedbackJobHandlers,
} from './modules/feedback/index.ts';
import { KNOWLEDGE_REVIEW_TOPIC, knowledgeJobHandlers } from './modules/knowledge/index.ts';
import {
  CASE_CREATED_TOPIC,
  CASES_SLA_SCAN_TOPIC,
  caseJobHandlers,
  sweepUploads,
} from './modules/cases/index.ts';
import { CALLBACKS_SCAN_TOPIC, callbackJobHandlers } from './modules/callbacks/index.ts';
import {
  INFORMATION_REQUESTS_ADOPT_TOPIC,
  informationRequestCaseCreatedHandler,
  informationRequestJobHandlers,
} from './modules/information-requests/index.ts';

export interface WorkerDeps {
  db: Db;
  clock: Clock;
  logger?: JobLogger;
  sessionIdleMinutes: number;
  /** Jobs run at once (WORKER_CONCURRENCY); one slot is kept for urgent jobs. Default 1. */
  concurrency?: number;
  /** Where job failures are counted for /metrics. */
  metrics?: JobMetrics;
  /**
   * Delivery settings for notifications (Notify / SMTP; without them messages are only recorded) and the
   * public base URL for links in messages (feedback links are relative without it); `dataDir` locates
   * DATA_DIR/uploads, where files of expired form drafts and orphaned uploads are deleted (./data when not
   * given).
   */
  config?: Pick<Config, 'notify' | 'smtp'> &
    Partial<Pick<Config, 'publicUrl'>> &
    Partial<Pick<Config, 'dataDir'>> &
    Partial<Pick<Config, 'callbacks'>> &
    Partial<Pick<Config, 'texts'>>;
}

/** One topic, several modules' handlers, one after another (each idempotent, so a retry runs all again). */
function allOf(handlers: JobHandler[]): JobHandler {
  return async (job) => {
    for (const handler of handlers) await handler(job);
  };
}

export function jobHandlers(deps: WorkerDeps): Record<string, JobHandler> {
  const sessions = new SessionStore(deps.db, deps.clock, deps.sessionIdleMinutes);
  const casework = { db: deps.db, clock: deps.clock };
  return {
    // A new complaint, FOI/SAR or compliment case gets its record from the module that keeps one.
    [CASE_CREATED_TOPIC]: allOf([
      complaintCaseCreatedHandler(casework),
      informationRequestCaseCreatedHandler(casework),
      complimentCaseCreatedHandler(casework),
    ]),
    ...notificationJobHandlers({
      db: deps.db,
      clock: deps.clock,
      adapters: adaptersFromConfig(deps.config ?? { notify: null, smtp: null }),
      publicUrl: deps.config?.publicUrl,
    }),
    ...textsJobHandlers({
      db: deps.db,
      clock: deps.clock,
      authorityCode: deps.config?.texts?.authorityCode ?? null,
      inbox: deps.config?.notify ? notifyTextInbox(deps.config.notify) : null,
    }),
    ...complaintJobHandlers({ db: deps.db, clock: deps.clock }),
    ...feedbackJobHandlers({ db: deps.db, clock: deps.clock, publicUrl: deps.config?.publicUrl }),
    ...informationRequestJobHandlers({ db: deps.db, clock: deps.clock }),
    ...callbackJobHandlers({ db: deps.db, clock: deps.clock, settings: deps.config?.callbacks }),
    ...caseJobHandlers({ db: deps.db, clock: deps.clock, publicUrl: deps.config?.publicUrl }),
    ...knowledgeJobHandlers({ db: deps.db, clock: deps.clock }),
    'maintenance.purge_sessions': async () => {
      await sessions.purgeExpired();
      // Answers kept after a staff session timed out last two hours.
      await purgeExpiredKeptAnswers(deps.db, deps.clock);
    },
    // Unsubmitted form drafts expire 7 days after their last save; their orphaned uploads go with them.
    'maintenance.purge_form_drafts': async () => {
      const uploadDir = join(deps.config?.dataDir ?? resolve('data'), 'uploads');
      await purgeExpiredDrafts(deps.db, uploadDir, deps.clock.now());
    },
    // Files with no committed attachments row (uploads cut off mid-stream, crashes): see cases.upload-storage.ts.
    'maintenance.sweep_uploads': async () => {
      await sweepUploads(deps.db, join(deps.config?.dataDir ?? resolve('data'), 'uploads'), deps.clock.now());
    },
    'maintenance.purge_outbox': async () => {
      await purgeDone(deps.db, new Date(deps.clock.now().getTime() - 30 * 24 * 3600_000));
    },
  };
}

/** Periodic jobs and how often they run (each is idempotent, so a slot run twice does no harm). */
export const schedule: readonly { topic: string; everyMinutes: number }[] = [
  // Safety nets behind `case.created` (cases made before the event, or written without createCase).
  { topic: COMPLAINTS_ADOPT_TOPIC, everyMinutes: 60 },
  { topic: INFORMATION_REQUESTS_ADOPT_TOPIC, everyMinutes: 60 },
  { topic: FEEDBACK_SCAN_TOPIC, everyMinutes: 5 },
  { topic: CASES_SLA_SCAN_TOPIC, everyMinutes: 5 },
  // Articles past their review date: the owner once, the team's leaders 10 working days later.
  { topic: KNOWLEDGE_REVIEW_TOPIC, everyMinutes: 60 },
  // Callback reminders and escalations: a reminder is due minutes before the callback.
  { topic: CALLBACKS_SCAN_TOPIC, everyMinutes: 1 },
  { topic: RECONCILE_STATUSES_TOPIC, everyMinutes: 15 },
  { topic: TEXTS_POLL_TOPIC, everyMinutes: 5 },
  { topic: 'maintenance.purge_sessions', everyMinutes: 15 },
  { topic: 'maintenance.purge_form_drafts', everyMinutes: 60 },
  { topic: 'maintenance.sweep_uploads', everyMinutes: 60 },
  { topic: 'maintenance.purge_outbox', everyMinutes: 24 * 60 },
];

/** Enqueue each periodic job once per slot; safe to call from every worker as often as you like. */
export async function scheduleDueJobs(db: Db, clock: Clock): Promise<void> {
  const now = clock.now().getTime();
  for (const item of schedule) {
    const slot = Math.floor(now / (item.everyMinutes * 60_000));
    await enqueue(db, { topic: item.topic, payload: {}, dedupeKey: `${item.topic}:${slot}` });
  }
}

export interface RunningWorker {
  stop(): Promise<void>;
  worker: Worker;
}

export function startWorker(deps: WorkerDeps): RunningWorker {
  const worker = new Worker({
    db: deps.db,
    handlers: jobHandlers(deps),
    clock: deps.clock,
    logger: deps.logger,
    concurrency: deps.concurrency,
    metrics: deps.metrics,
  });
  const tick = () =>
    scheduleDueJobs(deps.db, deps.clock).catch((error: unknown) =>
      deps.logger?.error({ err: String(error) }, 'scheduling failed'),
    );
  void tick();
  const timer = setInterval(() => void tick(), 60_000);
  timer.unref();
  worker.start();
  return {
    worker,
    async stop() {
      clearInterval(timer);
      await worker.stop();
    },
  };
}
