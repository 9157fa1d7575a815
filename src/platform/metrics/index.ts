/**
 * Prometheus metrics on `prom-client` (docs/operations.md "Metrics"). One `Metrics` — one prom-client
 * Registry — per process (the web app and the worker share it under `npm start`), never the library's
 * global registry, so tests can build many apps side by side.
 *
 * What is in it: the default process metrics (CPU, memory, event-loop lag, GC, handles), the request
 * duration histogram by route pattern and status code, job failures by topic, and whatever gauges the
 * composition root adds (the outbox's depth and age: platform/jobs `registerOutboxMetrics`).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; from a 5 ms cached page to a 10 s export. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<'method' | 'route' | 'status_code'>;
  private readonly jobFailures: Counter<'topic' | 'outcome'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: DURATION_BUCKETS,
      registers: [this.registry],
    });
    this.jobFailures = new Counter({
      name: 'frontdoor_job_failures_total',
      help: 'Outbox jobs whose handler failed, by topic and outcome (retry: tried again later; dead: given up).',
      labelNames: ['topic', 'outcome'],
      registers: [this.registry],
    });
  }

  /**
   * One finished request. `route` must be the route pattern (`/services/:slug`), never the URL: URLs carry
   * ids and search terms, and would make a new series per request.
   */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.requestDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  /** The worker's JobMetrics (platform/jobs): a handler failed. */
  jobFailed(topic: string, outcome: 'retry' | 'dead'): void {
    this.jobFailures.inc({ topic, outcome });
  }

  /** A gauge whose value is read when Prometheus scrapes (`collect` sets it). */
  gauge<L extends string>(options: {
    name: string;
    help: string;
    labelNames?: readonly L[];
    collect: (gauge: Gauge<L>) => Promise<void>;
  }): Gauge<L> {
    const collect = options.collect;
    return new Gauge<L>({
      name: options.name,
      help: options.help,
      labelNames: options.labelNames ?? [],
      registers: [this.registry],
      async collect() {
        await collect(this);
      },
    });
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * Whether an `Authorization` header carries `Bearer <token>`. Compares digests in constant time, so the
 * response time says nothing about how much of a guess was right.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (!given) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}
