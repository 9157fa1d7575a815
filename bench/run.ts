/**
 * `npm run bench`: runs the benchmarks and writes docs/benchmarks.md with the machine, the date, each figure
 * and the same-run baseline (a bare Fastify JSON route) it is compared with. Loopback only, bounded runs.
 *   BENCH_DATABASE_URL=postgres://…  also run on PostgreSQL (otherwise PGlite only)
 *   --customers N                    customers for the search benchmark (default 100,000 on PostgreSQL, 20,000 on PGlite)
 */
import { cpus, totalmem, platform, release } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as runPortal, type PortalBenchResult } from './portal.ts';
import { run as runSearch, type CustomerSearchBenchResult } from './customer-search.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const pgUrl = process.env.BENCH_DATABASE_URL;
const engines: ('pglite' | 'postgres')[] = pgUrl ? ['pglite', 'postgres'] : ['pglite'];

const portal: PortalBenchResult[] = [];
const search: CustomerSearchBenchResult[] = [];
for (const engine of engines) {
  portal.push(await runPortal({ engine, databaseUrl: pgUrl, log: true }));
  const customers = Number(arg('customers') ?? (engine === 'postgres' ? 100_000 : 20_000));
  search.push(
    await runSearch(
      engine === 'postgres'
        ? { customers, databaseUrl: pgUrl, log: true }
        : { customers, pgliteDir: mkdtempSync(join(tmpdir(), 'fd-bench-')), log: true },
    ),
  );
}

const f = (n: number) => n.toFixed(n < 10 ? 2 : 0);
const lines = [
  '# Benchmarks',
  '',
  `Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}.`,
  'Figures from other runs are not comparable: compare each figure with the baseline from the same run.',
  '',
  '## Portal: pages and form submission',
  '',
  '| engine | bare Fastify JSON (baseline) req/s | home req/s (p50/p99 ms) | service page req/s (p50/p99 ms) | submission cases/s (p50/p99 ms) | budget |',
  '|---|---|---|---|---|---|',
  ...portal.map(
    (r) =>
      `| ${r.engine} | ${f(r.baseline.requestsPerSecond)} | ${f(r.home.requestsPerSecond)} (${f(r.home.p50Ms)}/${f(r.home.p99Ms)}) | ${f(r.servicePage.requestsPerSecond)} (${f(r.servicePage.p50Ms)}/${f(r.servicePage.p99Ms)}) | ${f(r.submission.requestsPerSecond)} (${f(r.submission.p50Ms)}/${f(r.submission.p99Ms)}) | pages ≥ 2,500 req/s, submissions ≥ 700/s |`,
  ),
  '',
  '## Staff customer search',
  '',
  '| engine | customers | queries | round trip p50/p95/p99 ms | database execution p50/p95/p99 ms | budget |',
  '|---|---|---|---|---|---|',
  ...search.map(
    (r) =>
      `| ${r.engine} | ${r.customers} | ${r.queries} | ${f(r.roundTripMs.p50)}/${f(r.roundTripMs.p95)}/${f(r.roundTripMs.p99)} | ${f(r.executionMs.p50)}/${f(r.executionMs.p95)}/${f(r.executionMs.p99)} | p95 ≤ 50 ms at 1,000,000 |`,
  ),
  '',
];
writeFileSync(join(import.meta.dirname, '..', 'docs', 'benchmarks.md'), `${lines.join('\n')}\n`);
process.stdout.write(`${lines.join('\n')}\n`);
