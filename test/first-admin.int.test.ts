/**
 * Safe defaults, as an operator meets them (issue 10, item 7), with the real processes:
 * - on a fresh PostgreSQL database (when TEST_DATABASE_URL is set: a new database is created beside it and
 *   dropped afterwards), `web` seeds nothing, and `admin create` gives the first working sign-in while the
 *   web process runs;
 * - on the embedded database with NODE_ENV=production (a temp DATA_DIR), `web` seeds nothing and
 *   `admin create` then gives the first working sign-in;
 * - DEMO_SEED=true with NODE_ENV=production is refused with one clear error.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../src/platform/db/index.ts';
import {
  runServerCommand,
  serverEnv,
  startServer,
  stopServer,
  type ServerProcess,
} from './support/process.ts';

const SECRET = 'first-admin-test-secret-0123456789abcdef';
const baseEnv = (extra: Record<string, string>) =>
  serverEnv({ SESSION_SECRET: SECRET, ...extra }, ['NODE_ENV', 'DEMO_SEED']);
const dirs: string[] = [];
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const clean of cleanups) await clean();
});

function run(args: string[], env: Record<string, string>) {
  return runServerCommand(args, baseEnv(env));
}

function startWeb(env: Record<string, string>): Promise<ServerProcess> {
  return startServer('web', baseEnv(env), children);
}

const stop = stopServer;

async function countSeeded(database: Database) {
  const db = database.db;
  const count = async (table: 'authorities' | 'staff_users' | 'api_tokens' | 'services' | 'customers') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    authorities: await count('authorities'),
    staff: await count('staff_users'),
    apiTokens: await count('api_tokens'),
    services: await count('services'),
    customers: await count('customers'),
  };
}

const NOTHING = { authorities: 0, staff: 0, apiTokens: 0, services: 0, customers: 0 };

/** Follows the printed link, sets a password, signs in and opens the staff list, as a browser would. */
async function firstSignIn(base: string, link: string, email: string): Promise<void> {
  assert.ok(link.startsWith(`${base}/staff/set-password/`), link);
  const jar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const get = async (url: string) => {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: cookie() } });
    remember(res);
    return res;
  };
  const post = async (url: string, fields: Record<string, string>) => {
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    remember(res);
    return res;
  };
  const tokenOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

  const form = await get(link);
  assert.equal(form.status, 200);
  const password = 'lantern meadow copper';
  const set = await post(link, { _csrf: tokenOf(await form.text()), password, confirm: password });
  assert.equal(set.status, 303);
  assert.equal(set.headers.get('location'), '/staff/sign-in?passwordSet=1');

  const signInPage = await get(`${base}/staff/sign-in?passwordSet=1`);
  const signIn = await post(`${base}/staff/sign-in`, {
    _csrf: tokenOf(await signInPage.text()),
    email,
    password,
  });
  assert.equal(signIn.status, 302, 'the first administrator signs in');
  const staffList = await get(`${base}/staff/admin/staff`);
  assert.equal(staffList.status, 200);
  assert.equal(staffList.headers.get('cache-control'), 'no-store');
  assert.match(await staffList.text(), new RegExp(email.replace(/[.]/g, '\\.')));

  const reused = await get(link);
  assert.equal(reused.status, 404, 'the link works once');
}

const linkIn = (stdout: string) => /(http\S+\/staff\/set-password\/[A-Za-z0-9_-]+)/.exec(stdout)?.[1];

void test('DEMO_SEED=true with NODE_ENV=production is refused with one clear error', () => {
  const result = run(['web'], {
    NODE_ENV: 'production',
    DEMO_SEED: 'true',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-admin-')),
  });
  assert.equal(result.status, 1);
  assert.match(
    result.stderr,
    /Frontdoor cannot start because of its settings:\n\s+- DEMO_SEED cannot be on when NODE_ENV is production/,
  );
  assert.equal(result.stderr.match(/^\s+- /gm)?.length, 1, 'one problem listed');
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
});

void test('embedded database in production: web seeds nothing; admin create gives the first working sign-in', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fd-admin-'));
  dirs.push(dataDir);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const base = `http://127.0.0.1:${port}`;
  const env = { NODE_ENV: 'production', DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: base };

  const web = await startWeb(env);
  assert.doesNotMatch(web.output(), /demo password|demo bearer token|@county\.example\.gov\.uk/);
  assert.match(web.output(), /npm run admin -- create/);
  await stop(web.child);
  // The embedded folder takes one process at a time: look while the web process is stopped.
  let database = await openDatabase({ engine: 'pglite', dataDir: join(dataDir, 'pglite') });
  assert.deepEqual(await countSeeded(database), NOTHING);
  await database.close();

  const email = 'sam.first@wessex.example.gov.uk';
  const created = run(['admin', 'create', '--email', email, '--authority', 'Wessex Council'], env);
  assert.equal(created.status, 0, created.stderr);
  assert.match(created.stdout, /Created the council Wessex Council/);
  const link = linkIn(created.stdout);
  assert.ok(link, created.stdout);

  const again = await startWeb(env);
  await firstSignIn(base, link, email);
  await stop(again.child);
  database = await openDatabase({ engine: 'pglite', dataDir: join(dataDir, 'pglite') });
  assert.deepEqual(await countSeeded(database), { ...NOTHING, authorities: 1, staff: 1 });
  await database.close();
});

void test(
  'fresh PostgreSQL database: web seeds nothing; admin create gives the first working sign-in',
  { skip: process.env.TEST_DATABASE_URL ? false : 'set TEST_DATABASE_URL to run against PostgreSQL' },
  async () => {
    const serverUrl = new URL(process.env.TEST_DATABASE_URL!);
    const name = `${serverUrl.pathname.slice(1)}_admin_${randomBytes(4).toString('hex')}`.toLowerCase();
    const adminUrl = new URL(serverUrl);
    adminUrl.pathname = '/postgres';
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: adminUrl.toString() });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await admin(`create database "${name}"`);
    cleanups.push(() => admin(`drop database if exists "${name}" with (force)`));
    const own = new URL(serverUrl);
    own.pathname = `/${name}`;

    const port = 20000 + Math.floor(Math.random() * 20000);
    const base = `http://127.0.0.1:${port}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'fd-admin-'));
    dirs.push(dataDir);
    // No NODE_ENV and no DEMO_SEED: the defaults an operator gets with npm run web.
    const env = { DATABASE_URL: own.toString(), DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: base };
    const web = await startWeb(env);
    assert.doesNotMatch(web.output(), /demo password|demo bearer token|@county\.example\.gov\.uk/);
    const database = await openDatabase({ engine: 'postgres', url: own.toString() });
    try {
      assert.deepEqual(await countSeeded(database), NOTHING, 'web seeds nothing');

      const email = 'sam.first@wessex.example.gov.uk';
      const created = run(['admin', 'create', '--email', email, '--authority', 'Wessex Council'], env);
      assert.equal(created.status, 0, created.stderr);
      const link = linkIn(created.stdout);
      assert.ok(link, created.stdout);
      await firstSignIn(base, link, email);
      assert.deepEqual(await countSeeded(database), { ...NOTHING, authorities: 1, staff: 1 });
    } finally {
      await database.close();
      await stop(web.child);
    }
  },
);
