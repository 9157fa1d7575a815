/**
 * The outbox on /metrics: rows by status, the age of the oldest pending row and the due lag, read from
 * the database when Prometheus scrapes (one `outboxStats` query per scrape, shared by the three gauges).
 * See docs/jobs.md "Metrics" for what to alert on.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Clock } from '../clock.ts';
import type { Metrics } from '../metrics/index.ts';
import { outboxStats, type OutboxStats } from './outbox.ts';

export function registerOutboxMetrics(
  metrics: Metrics,
  db: Kysely<DB>,
  options: { clock?: Clock } = {},
): void {
  let inflight: Promise<OutboxStats> | null = null;
  // prom-client collects every metric of a scrape at once: the first gauge starts the query, the others
  // wait for the same answer.
  const stats = () =>
    (inflight ??= outboxStats(db, { clock: options.clock }).finally(() => {
      inflight = null;
    }));
  metrics.gauge({
    name: 'frontdoor_outbox_rows',
    help: 'Outbox rows by status.',
    labelNames: ['status'],
    async collect(gauge) {
      const s = await stats();
      for (const status of ['pending', 'processing', 'done', 'dead'] as const)
        gauge.set({ status }, s[status]);
    },
  });
  metrics.gauge({
    name: 'frontdoor_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest pending outbox row (including rows waiting for a retry); 0 when none.',
    async collect(gauge) {
      gauge.set((await stats()).oldestPendingAgeSeconds ?? 0);
    },
  });
  metrics.gauge({
    name: 'frontdoor_outbox_due_lag_seconds',
    help: 'How long the most overdue outbox row has waited past its due time; 0 when none.',
    async collect(gauge) {
      gauge.set((await stats()).dueLagSeconds ?? 0);
    },
  });
}
