/**
 * The phone platform's side of bench/telephony.ts: posts signed call events over HTTP (node:http with a
 * keep-alive agent, one socket per request in flight) from a worker thread of its own, so the load it
 * makes does not take turns with the app on the app's event loop (the platform is another machine in
 * life). Each call's events go in order; calls are interleaved across `concurrency` requests in flight.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Agent, request } from 'node:http';
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface Call {
  kind: string;
  /** The events to post, in order; a retry is the same body twice. */
  bodies: string[];
  distinct: number;
}

export interface ClientRun {
  base: string;
  secret: string;
  calls: Call[];
  concurrency: number;
  seconds: number;
  /** Set its first Int32 to 1 to stop early (the screen-pop phase's background load). */
  stop?: SharedArrayBuffer;
}

export interface ClientResult {
  latencies: number[];
  errors: number;
  firstFailure: string | null;
  elapsedMs: number;
  distinct: number;
  callsDone: number;
  retries: number;
}

function post(
  agent: Agent,
  base: URL,
  secret: string,
  body: string,
): Promise<{ status: number; text: string }> {
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        path: '/telephony/v1/events',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-frontdoor-signature': signature,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function ingest(run: ClientRun): Promise<ClientResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: run.concurrency });
  const base = new URL(run.base);
  const stopped = run.stop ? new Int32Array(run.stop) : null;
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let distinct = 0;
  let callsDone = 0;
  let retries = 0;
  let firstFailure: string | null = null;
  const started = performance.now();
  const deadline = started + run.seconds * 1000;
  const worker = async () => {
    while (
      next < run.calls.length &&
      performance.now() < deadline &&
      !(stopped && Atomics.load(stopped, 0))
    ) {
      const call = run.calls[next];
      next += 1;
      for (const body of call.bodies) {
        const t0 = performance.now();
        let outcome: { status: number; text: string };
        try {
          outcome = await post(agent, base, run.secret, body);
        } catch (error) {
          outcome = { status: 0, text: String(error) };
        }
        latencies.push(performance.now() - t0);
        if (outcome.status !== 200) {
          errors += 1;
          firstFailure ??= `${outcome.status} ${outcome.text}`;
        }
      }
      distinct += call.distinct;
      retries += call.bodies.length - call.distinct;
      callsDone += 1;
    }
  };
  await Promise.all(Array.from({ length: run.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { latencies, errors, firstFailure, elapsedMs, distinct, callsDone, retries };
}

/**
 * Runs `run` on a worker thread of its own; resolves with what it measured. `onStarted` is called when the
 * thread has begun posting (starting a thread and loading the client takes a moment).
 */
export function ingestInWorker(run: ClientRun, onStarted?: () => void): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./telephony.client-entry.mjs', import.meta.url), {
      workerData: { telephonyClient: run },
    });
    worker.on('message', (message: ClientResult | 'started') => {
      if (message === 'started') return onStarted?.();
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

if (!isMainThread && (workerData as { telephonyClient?: ClientRun } | null)?.telephonyClient) {
  parentPort!.postMessage('started');
  const result = await ingest((workerData as { telephonyClient: ClientRun }).telephonyClient);
  parentPort!.postMessage(result);
}
