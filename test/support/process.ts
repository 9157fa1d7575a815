/**
 * The real Frontdoor process, as an operator runs it: `node --import tsx src/server.ts <command>`.
 * Runs node itself (not the tsx wrapper, which forks a child that SIGKILL would orphan), with the test
 * runner's environment minus the settings a test must choose itself (database, port, NODE_OPTIONS, …).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

const node = process.execPath;
const ALWAYS_DROPPED = ['DATABASE_URL', 'TEST_DATABASE_URL', 'PORT', 'NODE_OPTIONS'];

/** The environment for a server process: ours without `drop` (and the database and port), plus `extra`. */
export function serverEnv(
  extra: Record<string, string>,
  drop: readonly string[] = [],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !ALWAYS_DROPPED.includes(k) && !drop.includes(k)) env[k] = v;
  return { ...env, LOG_LEVEL: 'warn', ...extra };
}

/** Runs a command to its end (migrate, seed, admin, or a start that must fail). */
export function runServerCommand(args: string[], env: Record<string, string>, timeoutMs = 120_000) {
  return spawnSync(node, ['--import', 'tsx', 'src/server.ts', ...args], {
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
}

export interface ServerProcess {
  child: ChildProcess;
  /** Everything it has printed so far (stdout and stderr). */
  output: () => string;
}

/** Starts `command` (start, web) and resolves once it prints its "Frontdoor is running" banner. */
export function startServer(
  command: string,
  env: Record<string, string>,
  track: ChildProcess[],
): Promise<ServerProcess> {
  const child = spawn(node, ['--import', 'tsx', 'src/server.ts', command], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 120_000);
    const check = setInterval(() => {
      if (out.includes('Frontdoor is running')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ child, output: () => out });
      } else if (child.exitCode !== null) {
        clearInterval(check);
        clearTimeout(timer);
        reject(new Error(`server exited ${child.exitCode}:\n${out}`));
      }
    }, 100);
  });
}

/** Resolves when the process has exited (at once if it already has). */
export const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));

/** Asks the process to shut down (SIGTERM) and waits for it. */
export function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const done = exited(child);
  child.kill('SIGTERM');
  return done;
}
