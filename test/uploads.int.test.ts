/**
 * Uploaded files on disk: nothing is left behind by an upload cut off mid-stream or by a transaction that
 * rolls back, a committed file is at its final name before the response, and the scheduled sweep removes
 * orphans (never a file whose row exists). Each test builds its own council and files; the sweep test
 * uses its own upload folder. Who may download a file: attachments.int.test.ts.
 *
 * Runs on PGlite by default and on PostgreSQL when TEST_DATABASE_URL is set.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db, type Tx } from '../src/platform/db/index.ts';
import { keepUpload, registerUploadParsing, type ReceivedFile } from '../src/modules/cases/index.ts';
import { jobHandlers, schedule } from '../src/worker.ts';
import { buildAuthority } from './builders/index.ts';
import { buildAttachment, PNG } from './builders/attachments.ts';
import { buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-11-23T10:00:00Z');

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
});
after(() => t.close());

/** Every file under `dir`, as paths relative to it (folders left out). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

/**
 * Waits for the server to reach a state (it works on its own after the socket closes); fails after
 * `limitMs`. This waits for I/O to finish, not for a clock: no behaviour under test depends on time.
 */
async function eventually(what: string, check: () => boolean, limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > limitMs) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function multipart(
  files: { field: string; filename: string; content: Buffer }[],
  fields: [string, string][] = [],
) {
  const boundary = `----frontdoor${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of fields)
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  for (const file of files)
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

const runJob = (handlers: ReturnType<typeof jobHandlers>, topic: string) =>
  handlers[topic]({ id: 1, topic, payload: {}, attempts: 1, authorityId: null });

void describe('uploaded files on disk', () => {
  void test('an upload cut off mid-stream (no sign-in needed) leaves no file behind, before and after the sweep', async () => {
    const uploadDir = join(t.config.dataDir, 'uploads');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const existing = filesUnder(uploadDir);

    // A stranger posts a "photo" to a form page of a draft that does not even exist, and goes away halfway.
    const boundary = 'cutoffBOUNDARY';
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /apply/${randomUUID()}/photo HTTP/1.1\r\nHost: localhost\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 2000000\r\n\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="photo.png"\r\n` +
        `Content-Type: image/png\r\n\r\n`,
    );
    socket.write(Buffer.concat([PNG, Buffer.alloc(200_000, 7)]));
    await eventually('the server is writing the file', () => filesUnder(uploadDir).length > existing.length);
    socket.destroy();

    await eventually('the partial file is deleted', () => filesUnder(uploadDir).length === existing.length);
    assert.deepEqual(filesUnder(uploadDir), existing);

    // The sweep (run later than any age limit) finds nothing of it either.
    const handlers = jobHandlers({
      db,
      clock: new TestClock(new Date(Date.now() + 24 * 3600_000).toISOString()),
      sessionIdleMinutes: 30,
      config: { notify: null, smtp: null, dataDir: t.config.dataDir },
    });
    await runJob(handlers, 'maintenance.sweep_uploads');
    assert.deepEqual(filesUnder(uploadDir), existing);
  });

  void test('a file whose transaction rolls back is deleted; a committed one is at its final name before the response', async () => {
    const authority = await buildAuthority(db);
    const uploadDir = mkdtempSync(join(tmpdir(), 'frontdoor-uploads-'));
    const app = Fastify({ logger: false });
    await app.register(async (scope) => {
      await registerUploadParsing(scope, { db, uploadDir, maxFiles: 2 });
      const keepAll = async (trx: Tx, uploads: ReceivedFile[]) => {
        const keys: string[] = [];
        for (const file of uploads) {
          await keepUpload(trx, file, { authorityId: authority.id, contentType: 'image/png' });
          keys.push(file.storageKey);
        }
        return keys;
      };
      scope.post('/rollback', async (request) => {
        await withTransaction(db, async (trx) => {
          await keepAll(trx, request.uploads);
          throw new Error('something else in the transaction failed');
        });
      });
      scope.post('/commit', async (request, reply) => {
        const keys = await withTransaction(db, (trx) => keepAll(trx, request.uploads));
        return reply.send({ keys, onDisk: filesUnder(uploadDir) });
      });
      scope.post('/ignore', async () => ({ ok: true }));
    });
    await app.ready();
    try {
      const post = async (url: string) => {
        const form = multipart([
          { field: 'a', filename: 'a.png', content: PNG },
          { field: 'b', filename: 'b.png', content: PNG },
        ]);
        return app.inject({
          method: 'POST',
          url,
          payload: form.body,
          headers: { 'content-type': form.contentType },
        });
      };

      const rolledBack = await post('/rollback');
      assert.equal(rolledBack.statusCode, 500);
      assert.deepEqual(filesUnder(uploadDir), [], 'rolled back: no file left, neither temp nor final');

      assert.equal((await post('/ignore')).statusCode, 200);
      assert.deepEqual(filesUnder(uploadDir), [], 'not kept: deleted');

      const committed = await post('/commit');
      assert.equal(committed.statusCode, 200);
      const { keys, onDisk } = committed.json<{ keys: string[]; onDisk: string[] }>();
      assert.equal(keys.length, 2);
      assert.deepEqual(
        onDisk.sort(),
        keys.map((k) => join('tmp', `${k}.part`)).sort(),
        'while the handler runs the files are temp files',
      );
      assert.deepEqual(filesUnder(uploadDir).sort(), [...keys].sort(), 'committed: moved to the final name');
      const rows = await db
        .selectFrom('attachments')
        .select('storage_key')
        .where('storage_key', 'in', keys)
        .execute();
      assert.equal(rows.length, 2);
    } finally {
      await app.close();
    }
  });

  void test('the hourly sweep finishes moves whose row committed, deletes stale temp files and rowless files, and keeps the rest', async () => {
    const authority = await buildAuthority(db);
    const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-sweep-'));
    const uploadDir = join(dataDir, 'uploads');
    const tempDir = join(uploadDir, 'tmp');
    mkdirSync(tempDir, { recursive: true });
    const now = clock.now();
    const old = new Date(now.getTime() - 2 * 3600_000);
    const recent = new Date(now.getTime() - 10 * 60_000);
    const key = () => randomBytes(24).toString('base64url');
    const put = (path: string, at: Date) => {
      writeFileSync(path, PNG);
      utimesSync(path, at, at);
    };
    const keys = {
      committedTemp: key(),
      staleTemp: key(),
      freshTemp: key(),
      orphan: key(),
      recorded: key(),
      freshOrphan: key(),
    };
    put(join(tempDir, `${keys.committedTemp}.part`), old);
    put(join(tempDir, `${keys.staleTemp}.part`), old);
    put(join(tempDir, `${keys.freshTemp}.part`), recent);
    put(join(uploadDir, keys.orphan), old);
    put(join(uploadDir, keys.recorded), old);
    put(join(uploadDir, keys.freshOrphan), recent);
    put(join(uploadDir, 'README.txt'), old);
    // A crash after the row committed but before the move; and a long-stored file with its row.
    for (const storageKey of [keys.committedTemp, keys.recorded])
      await buildAttachment(db, { authorityId: authority.id, uploadDir, storageKey, writeFile: false });

    assert.ok(schedule.some((s) => s.topic === 'maintenance.sweep_uploads' && s.everyMinutes === 60));
    const handlers = jobHandlers({
      db,
      clock,
      sessionIdleMinutes: 30,
      config: { notify: null, smtp: null, dataDir },
    });
    await runJob(handlers, 'maintenance.sweep_uploads');

    assert.deepEqual(
      filesUnder(uploadDir).sort(),
      [
        keys.committedTemp,
        keys.recorded,
        keys.freshOrphan,
        'README.txt',
        join('tmp', `${keys.freshTemp}.part`),
      ].sort(),
    );
    // Idempotent: a second run changes nothing.
    await runJob(handlers, 'maintenance.sweep_uploads');
    assert.equal(filesUnder(uploadDir).length, 5);
  });
});
