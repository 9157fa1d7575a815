/** The durable outbox and job worker: see docs/jobs.md and docs/adr/0003-outbox-and-worker.md. */
export {
  enqueue,
  enqueueInBatch,
  outboxStats,
  retryDead,
  purgeDone,
  JOB_PRIORITY,
  type JobPriority,
  type EnqueueJob,
  type OutboxStats,
  type OutboxQueryOptions,
} from './outbox.ts';
export {
  Worker,
  PermanentJobError,
  exponentialBackoff,
  errorText,
  type Job,
  type JobHandler,
  type ClaimedJob,
  type JobLogger,
  type WorkerOptions,
  type JobMetrics,
} from './worker.ts';
export { registerOutboxMetrics } from './metrics.ts';
