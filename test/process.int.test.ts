/**
 * The process as a newcomer runs it: `tsx src/server.ts start` with the embedded database.
 * - a malformed DATABASE_URL or invalid PORT prints one clear error and exits non-zero;
 * - SIGKILL then restart loses nothing committed, and the PGlite folder reopens;
 * - a second process on the same folder is refused with a clear message.
 * Always runs on PGlite (it is about the embedded engine's folder), whatever TEST_DATABASE_URL says.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/platform/db/index.ts';
import { exited, runServerCommand, serverEnv, startServer, type ServerProcess } from './support/process.ts';

const baseEnv = (extra: Record<string, string>) => serverEnv(extra);
const dirs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runToExit(env: Record<string, string>) {
  return runServerCommand(['start'], baseEnv(env), 60_000);
}

void test('a malformed DATABASE_URL prints one clear error and exits non-zero', () => {
  const result = runToExit({ DATABASE_URL: 'not a url', DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-proc-')) });
  assert.equal(result.status, 1);
  assert.match(
    result.stderr,
    /Frontdoor cannot start because of its settings:\n\s+- DATABASE_URL must be a PostgreSQL URL/,
  );
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
});

void test('an invalid PORT prints one clear error and exits non-zero', () => {
  const result = runToExit({ PORT: '99999', DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-proc-')) });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /PORT must be a whole number between 1 and 65535 \(got "99999"\)/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

function start(dataDir: string, port: number): Promise<ServerProcess> {
  return startServer('start', baseEnv({ DATA_DIR: dataDir, PORT: String(port) }), children);
}

void test('SIGKILL then restart: nothing committed is lost and the embedded folder reopens; a second process is refused', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fd-proc-'));
  dirs.push(dataDir);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const first = await start(dataDir, port);
  assert.match(first.output(), /agent@county\.example\.gov\.uk/, 'demo sign-ins are printed');
  const home = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(home.status, 200);

  // A second process on the same folder is refused clearly.
  const second = runToExit({ DATA_DIR: dataDir, PORT: String(port + 1) });
  assert.equal(second.status, 1);
  assert.match(second.stderr, /Another Frontdoor process \(pid \d+\) is using the embedded database/);

  // Commit something through the web: a staff sign-in writes a session and an audit row.
  const page = await fetch(`http://127.0.0.1:${port}/staff/sign-in`);
  const cookies = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const signIn = await fetch(`http://127.0.0.1:${port}/staff/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      _csrf: token,
      email: 'agent@county.example.gov.uk',
      password: 'Frontdoor-demo-1',
    }),
  });
  assert.equal(signIn.status, 302);
  const session = signIn.headers
    .getSetCookie()
    .find((c) => c.startsWith('fd_session='))!
    .split(';')[0];

  first.child.kill('SIGKILL');
  await exited(first.child);

  // The folder reopens (stale lock taken over) and the committed rows are there.
  const db = await openDatabase({ engine: 'pglite', dataDir: join(dataDir, 'pglite') });
  const audits = await db.db
    .selectFrom('audit_log')
    .select('id')
    .where('action', '=', 'staff.sign_in')
    .where('outcome', '=', 'ok')
    .execute();
  assert.equal(audits.length, 1);
  const services = await db.db.selectFrom('services').select('id').execute();
  assert.ok(services.length >= 15);
  await db.close();

  // And the app starts again on it, with the session still valid.
  const again = await start(dataDir, port);
  const staffHome = await fetch(`http://127.0.0.1:${port}/staff`, {
    redirect: 'manual',
    headers: { cookie: session },
  });
  assert.equal(staffHome.status, 200);
  again.child.kill('SIGTERM');
  await exited(again.child);
  assert.equal(again.child.exitCode, 0, 'graceful shutdown exits 0');
});
