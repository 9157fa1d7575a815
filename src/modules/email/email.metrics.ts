/**
 * The email channel on /metrics (docs/email.md "Metrics"): emails received per mailbox, the triage queue
 * (how many wait, the oldest's age) and the time to first response (from an email that opened a case to
 * a member of staff's first message on it, median and 90th percentile over the last 30 days). Read from
 * the database at each scrape, one round of queries shared by the gauges.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import type { Metrics } from '../../platform/metrics/index.ts';
import * as repo from './email.repository.ts';

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function emailStats(db: Db, now: Date) {
  const [counts, responses] = await Promise.all([
    repo.emailCounts(db),
    repo.firstResponseSeconds(db, new Date(now.getTime() - 30 * 86_400_000)),
  ]);
  const seconds = responses.map((r) => Number(r.seconds)).sort((a, b) => a - b);
  const oldest = counts.triage.oldest ? new Date(counts.triage.oldest) : null;
  return {
    perMailbox: counts.perMailbox.map((m) => ({ mailbox: m.address, received: Number(m.received) })),
    triage: Number(counts.triage.count),
    triageOldestSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
    firstResponse: { p50: percentile(seconds, 0.5), p90: percentile(seconds, 0.9), count: seconds.length },
  };
}

export function registerEmailMetrics(metrics: Metrics, db: Db, options: { clock?: Clock } = {}): void {
  let inflight: ReturnType<typeof emailStats> | null = null;
  const stats = () =>
    (inflight ??= emailStats(db, options.clock?.now() ?? new Date()).finally(() => {
      inflight = null;
    }));
  metrics.gauge({
    name: 'frontdoor_emails_received',
    help: 'Emails received, by mailbox (all time).',
    labelNames: ['mailbox'],
    async collect(gauge) {
      for (const m of (await stats()).perMailbox) gauge.set({ mailbox: m.mailbox }, m.received);
    },
  });
  metrics.gauge({
    name: 'frontdoor_email_triage_waiting',
    help: 'Emails waiting in triage.',
    async collect(gauge) {
      gauge.set((await stats()).triage);
    },
  });
  metrics.gauge({
    name: 'frontdoor_email_triage_oldest_age_seconds',
    help: 'Age of the oldest email waiting in triage; 0 when none.',
    async collect(gauge) {
      gauge.set((await stats()).triageOldestSeconds);
    },
  });
  metrics.gauge({
    name: 'frontdoor_email_first_response_seconds',
    help: 'Time from an email that opened a case to the first staff message on it, last 30 days.',
    labelNames: ['quantile'],
    async collect(gauge) {
      const { firstResponse } = await stats();
      gauge.set({ quantile: '0.5' }, firstResponse.p50);
      gauge.set({ quantile: '0.9' }, firstResponse.p90);
    },
  });
}
