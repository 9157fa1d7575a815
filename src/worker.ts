/**
 * The worker's composition root: which job topics exist and who handles them, plus the small scheduler
 * that enqueues periodic maintenance jobs (one row per time slot thanks to dedupe keys, so several
 * workers never double-schedule).
 */
import type { Clock } from './platform/clock.ts';
import type { Db } from './platform/db/index.ts';
import { enqueue, purgeDone, Worker, type JobHandler, type JobLogger } from './platform/jobs/index.ts';
import { SessionStore } from './platform/http/sessions.ts';
import type { Config } from './config/index.ts';
import { adaptersFromConfig, notificationJobHandlers } from './modules/notifications/index.ts';
import { complaintJobHandlers } from './modules/complaints/index.ts';
import { feedbackJobHandlers } from './modules/feedback/index.ts';
import { informationRequestJobHandlers } from './modules/information-requests/index.ts';

export interface WorkerDeps {
  db: Db;
  clock: Clock;
  logger?: JobLogger;
  sessionIdleMinutes: number;
  /** Delivery settings for notifications (Notify / SMTP); without them messages are only recorded. */
  config?: Pick<Config, 'notify' | 'smtp'>;
}

export function jobHandlers(deps: WorkerDeps): Record<string, JobHandler> {
  const sessions = new SessionStore(deps.db, deps.clock, deps.sessionIdleMinutes);
  return {
    ...notificationJobHandlers({
      db: deps.db,
      clock: deps.clock,
      adapters: adaptersFromConfig(deps.config ?? { notify: null, smtp: null }),
    }),
    ...complaintJobHandlers({ db: deps.db, clock: deps.clock }),
    ...feedbackJobHandlers({ db: deps.db, clock: deps.clock }),
    ...informationRequestJobHandlers({ db: deps.db, clock: deps.clock }),
    'maintenance.purge_sessions': async () => {
      await sessions.purgeExpired();
    },
    'maintenance.purge_outbox': async () => {
      await purgeDone(deps.db, new Date(deps.clock.now().getTime() - 30 * 24 * 3600_000));
    },
  };
}

const schedule: { topic: string; everyMinutes: number }[] = [
  { topic: 'maintenance.purge_sessions', everyMinutes: 15 },
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
