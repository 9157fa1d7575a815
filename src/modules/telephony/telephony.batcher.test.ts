import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallEventBatcher } from './telephony.batcher.ts';
import type { IngestItem, IngestResult } from './telephony.ingest.ts';
import type { CallEvent } from './telephony.events.ts';

const item = (callId: string): IngestItem => ({
  platform: 'default',
  event: { event: 'ringing', callId, at: new Date('2026-12-07T09:00:00Z') } as CallEvent,
});
const ok = (i: IngestItem): IngestResult => ({ callRowId: i.event.callId, duplicate: false, reject: false });

void test('events that arrive while a batch is written go together in the next batch', async () => {
  const batches: string[][] = [];
  let release!: () => void;
  const first = new Promise<void>((resolve) => (release = resolve));
  const batcher = new CallEventBatcher(async (items) => {
    batches.push(items.map((i) => i.event.callId));
    if (batches.length === 1) await first;
    return items.map(ok);
  });
  const a = batcher.add(item('a'));
  await new Promise((resolve) => setImmediate(resolve));
  const rest = ['b', 'c', 'd'].map((id) => batcher.add(item(id)));
  release();
  const results = await Promise.all([a, ...rest]);
  assert.deepEqual(batches, [['a'], ['b', 'c', 'd']]);
  assert.deepEqual(
    results.map((r) => r.callRowId),
    ['a', 'b', 'c', 'd'],
  );
});

void test('an event with its own error fails alone; the others in its batch are answered', async () => {
  const batcher = new CallEventBatcher(async (items) =>
    items.map((i) => (i.event.callId === 'bad' ? new Error('no authority') : ok(i))),
  );
  const [good, bad] = await Promise.allSettled([batcher.add(item('good')), batcher.add(item('bad'))]);
  assert.equal(good.status, 'fulfilled');
  assert.equal(bad.status, 'rejected');
  assert.equal(bad.reason instanceof Error, true);
});

void test('a batch that fails as a whole is tried again event by event', async () => {
  const calls: number[] = [];
  const batcher = new CallEventBatcher(async (items) => {
    calls.push(items.length);
    if (items.length > 1) throw new Error('deadlock detected');
    if (items[0].event.callId === 'poison') throw new Error('bad row');
    return items.map(ok);
  });
  const settled = await Promise.allSettled(['x', 'poison', 'y'].map((id) => batcher.add(item(id))));
  assert.deepEqual(
    settled.map((s) => s.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.deepEqual(calls, [3, 1, 1, 1]);
});

void test('a batch holds at most maxBatch events', async () => {
  const sizes: number[] = [];
  const batcher = new CallEventBatcher(async (items) => {
    sizes.push(items.length);
    return items.map(ok);
  }, 2);
  await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => batcher.add(item(id))));
  assert.deepEqual(sizes, [2, 2, 1]);
});
