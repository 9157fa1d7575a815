/**
 * The benchmarks' HTTP load generator: a small autocannon-like loop (node:http, no extra packages) —
 * `concurrency` workers on keep-alive sockets, each sending the next request as soon as the previous
 * answer has been read, until `maxRequests` or `seconds` run out. Loopback only.
 *
 * {@link loadFromChildProcess} runs it in a process of its own, as a real client would be: in the app's
 * process it would take its share of the one JavaScript thread that the app under test is measured on.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadFigures {
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadJob {
  port: number;
  /** Sent in order; with `cycle`, the list repeats until the bounds are reached. */
  requests: LoadRequest[];
  cycle: boolean;
  concurrency: number;
  seconds: number;
  maxRequests: number;
  /** Statuses that count as success. */
  expect: number[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Figures from latencies (ms, any order) over `seconds`. */
export function figures(latencies: number[], errors: number, seconds: number): LoadFigures {
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds: Math.round(seconds * 100) / 100,
    requestsPerSecond: Math.round(latencies.length / seconds),
    p50Ms: Math.round(percentile(latencies, 50) * 100) / 100,
    p99Ms: Math.round(percentile(latencies, 99) * 100) / 100,
  };
}

/** Runs the loop in this process. */
export async function load(job: LoadJob): Promise<LoadFigures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const latencies: number[] = [];
  const expected = new Set(job.expect);
  let issued = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  const send = (request: LoadRequest) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: job.port,
          method: request.method,
          path: request.path,
          agent,
          headers: {
            ...(request.body ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}),
            ...request.headers,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(request.body);
    });
  const next = (i: number): LoadRequest | undefined =>
    job.cycle ? job.requests[i % job.requests.length] : job.requests[i];
  const worker = async () => {
    while (issued < job.maxRequests && performance.now() < deadline) {
      const request = next(issued);
      issued += 1;
      if (!request) return;
      const t0 = performance.now();
      try {
        if (!expected.has(await send(request))) errors += 1;
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return figures(latencies, errors, seconds);
}

/** Runs the loop in a child process (this file, under tsx) and returns its figures. */
export function loadFromChildProcess(job: LoadJob): Promise<LoadFigures> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(import.meta.url).pathname, ['--child'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: LoadFigures | null = null;
    child.on('message', (message) => {
      result = message as LoadFigures;
      child.disconnect();
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      result ? resolve(result) : reject(new Error(`bench/load: the load process ended with ${code}`)),
    );
    child.send(job);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.argv.includes('--child')) {
  process.once('message', (job) => {
    void load(job as LoadJob).then((result) => process.send?.(result));
  });
}
