/**
 * A tiny Prometheus text-format registry: counters and histograms with labels, plus gauges collected on
 * scrape. Enough for /metrics without a dependency.
 */
type Labels = Record<string, string>;
const key = (labels: Labels) =>
  Object.entries(labels)
    .sort()
    .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
    .join(',');

export class Metrics {
  private counters = new Map<string, { help: string; values: Map<string, number> }>();
  private histograms = new Map<
    string,
    { help: string; buckets: number[]; series: Map<string, { counts: number[]; sum: number; count: number }> }
  >();
  private collectors: (() => Promise<string>)[] = [];

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    let counter = this.counters.get(name);
    if (!counter) this.counters.set(name, (counter = { help, values: new Map() }));
    const k = key(labels);
    counter.values.set(k, (counter.values.get(k) ?? 0) + by);
  }

  observe(
    name: string,
    help: string,
    value: number,
    labels: Labels = {},
    buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  ): void {
    let histogram = this.histograms.get(name);
    if (!histogram) this.histograms.set(name, (histogram = { help, buckets, series: new Map() }));
    const k = key(labels);
    let series = histogram.series.get(k);
    if (!series)
      histogram.series.set(k, (series = { counts: histogram.buckets.map(() => 0), sum: 0, count: 0 }));
    histogram.buckets.forEach((b, i) => {
      if (value <= b) series.counts[i]++;
    });
    series.sum += value;
    series.count++;
  }

  /** Adds text produced at scrape time (gauges read from the database or the process). */
  collect(collector: () => Promise<string>): void {
    this.collectors.push(collector);
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    for (const [name, c] of this.counters) {
      lines.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      for (const [k, v] of c.values) lines.push(`${name}${k ? `{${k}}` : ''} ${v}`);
    }
    for (const [name, h] of this.histograms) {
      lines.push(`# HELP ${name} ${h.help}`, `# TYPE ${name} histogram`);
      for (const [k, s] of h.series) {
        const sep = k ? `${k},` : '';
        h.buckets.forEach((b, i) => lines.push(`${name}_bucket{${sep}le="${b}"} ${s.counts[i]}`));
        lines.push(
          `${name}_bucket{${sep}le="+Inf"} ${s.count}`,
          `${name}_sum${k ? `{${k}}` : ''} ${s.sum}`,
          `${name}_count${k ? `{${k}}` : ''} ${s.count}`,
        );
      }
    }
    for (const collector of this.collectors) lines.push((await collector()).trimEnd());
    const mem = process.memoryUsage();
    lines.push(
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${mem.rss}`,
      '# HELP process_uptime_seconds Seconds since the process started.',
      '# TYPE process_uptime_seconds gauge',
      `process_uptime_seconds ${process.uptime().toFixed(0)}`,
    );
    return `${lines.join('\n')}\n`;
  }
}

export function gauge(name: string, help: string, samples: { labels?: Labels; value: number }[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const s of samples) {
    const k = key(s.labels ?? {});
    lines.push(`${name}${k ? `{${k}}` : ''} ${s.value}`);
  }
  return lines.join('\n');
}
