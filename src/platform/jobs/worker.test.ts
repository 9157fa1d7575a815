/** Unit tests for the worker's pure parts (no database). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { Worker, errorText, exponentialBackoff, type JobLogger } from './index.ts';

void test('exponentialBackoff: 30s doubling per attempt, capped at one hour, no randomness', () => {
  assert.equal(exponentialBackoff(1), 30_000);
  assert.equal(exponentialBackoff(2), 60_000);
  assert.equal(exponentialBackoff(3), 120_000);
  assert.equal(exponentialBackoff(7), 1_920_000);
  assert.equal(exponentialBackoff(8), 3_600_000);
  assert.equal(exponentialBackoff(50), 3_600_000);
  assert.equal(exponentialBackoff(0), 30_000);
});

void test('errorText keeps the message only, strips NUL and truncates to 1000 characters', () => {
  const error = new Error('x'.repeat(5000));
  assert.equal(errorText(error).length, 1000);
  assert.equal(errorText(new Error('bad\u0000thing')), 'badthing');
  assert.equal(errorText('plain string'), 'plain string');
  assert.equal(errorText({ secret: 'payload' }), 'Non-error value thrown (object)');
  assert.equal(errorText(new TypeError('')), 'TypeError');
  // A surrogate pair straddling the cut is dropped whole, not split.
  const emoji = `${'a'.repeat(999)}😀`;
  assert.equal(errorText(new Error(emoji)), 'a'.repeat(999));
});

void test('Worker rejects nonsensical options', () => {
  const db = {} as Kysely<DB>;
  assert.throws(() => new Worker({ db, handlers: {}, batchSize: 0 }), RangeError);
  assert.throws(() => new Worker({ db, handlers: {}, batchSize: 1.5 }), RangeError);
  assert.throws(() => new Worker({ db, handlers: {}, lockSeconds: 0 }), RangeError);
  assert.throws(() => new Worker({ db, handlers: {}, pollIntervalMs: -1 }), RangeError);
  const worker = new Worker({ db, handlers: {} });
  assert.match(worker.workerId, /^.+:\d+:[0-9a-f]{8}$/);
  assert.notEqual(new Worker({ db, handlers: {} }).workerId, worker.workerId);
});

void test('a pino logger satisfies JobLogger', () => {
  const logger: JobLogger = pino({ level: 'silent' });
  logger.info({ jobId: 1 }, 'type-level check');
});
