/** Chat availability (issue 16): closed outside hours, full at capacity, otherwise open until closing. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatCapacity } from './webchat.contracts.ts';
import {
  DEFAULT_AVAILABILITY_SETTINGS,
  cachedAvailability,
  chatAvailability,
  isFull,
  noAgents,
} from './webchat.availability.ts';
import { DEMO_CHAT_HOURS } from './webchat.hours.ts';

const capacityOf = (c: ChatCapacity) => async () => c;
const tuesdayMorning = new Date('2027-01-05T10:00:00Z');

describe('chatAvailability', () => {
  test('25 December: closed, with the next opening, and the capacity is not read', async () => {
    let reads = 0;
    const result = await chatAvailability({
      hours: DEMO_CHAT_HOURS,
      capacity: async () => {
        reads += 1;
        return { agentsAvailable: 3, freeSlots: 9, queued: 0 };
      },
      now: new Date('2026-12-25T11:00:00Z'),
    });
    assert.deepEqual(result, {
      available: false,
      reason: 'closed',
      nextOpening: new Date('2026-12-29T09:00:00Z'),
    });
    assert.equal(reads, 0);
  });

  test('in hours with a free agent: available until closing time', async () => {
    const result = await chatAvailability({
      hours: DEMO_CHAT_HOURS,
      capacity: capacityOf({ agentsAvailable: 1, freeSlots: 3, queued: 0 }),
      now: tuesdayMorning,
    });
    assert.deepEqual(result, { available: true, closesAt: new Date('2027-01-05T17:00:00Z') });
  });

  test('in hours with nobody available (the default until the core is wired): full', async () => {
    const result = await chatAvailability({
      hours: DEMO_CHAT_HOURS,
      capacity: noAgents,
      now: tuesdayMorning,
    });
    assert.deepEqual(result, { available: false, reason: 'full', nextOpening: null });
  });

  test('the queue limit: free places + maxQueuedPerAgent × agents', () => {
    const settings = { maxQueuedPerAgent: 2 };
    assert.equal(isFull({ agentsAvailable: 2, freeSlots: 1, queued: 4 }, settings), false);
    assert.equal(isFull({ agentsAvailable: 2, freeSlots: 1, queued: 5 }, settings), true);
    assert.equal(isFull({ agentsAvailable: 1, freeSlots: 0, queued: 1 }, settings), false);
    assert.equal(isFull({ agentsAvailable: 1, freeSlots: 0, queued: 0 }, { maxQueuedPerAgent: 0 }), true);
    assert.equal(
      isFull({ agentsAvailable: 0, freeSlots: 0, queued: 0 }, DEFAULT_AVAILABILITY_SETTINGS),
      true,
    );
  });
});

describe('cachedAvailability', () => {
  test('one read per time-to-live, concurrent misses share it, a clock moved back reads again', async () => {
    let reads = 0;
    const read = cachedAvailability(async (now) => {
      reads += 1;
      return { available: true, closesAt: new Date(now.getTime() + 1000) };
    }, 5000);
    const t0 = new Date('2027-01-05T10:00:00Z');
    await Promise.all([read(t0), read(t0), read(new Date(t0.getTime() + 4999))]);
    assert.equal(reads, 1);
    await read(new Date(t0.getTime() + 5000));
    assert.equal(reads, 2);
    await read(new Date(t0.getTime() - 60_000));
    assert.equal(reads, 3);
  });

  test('a failed read is not remembered', async () => {
    let fail = true;
    const read = cachedAvailability(async () => {
      if (fail) throw new Error('database away');
      return { available: false, reason: 'full', nextOpening: null };
    }, 5000);
    const now = new Date('2027-01-05T10:00:00Z');
    await assert.rejects(read(now));
    fail = false;
    assert.deepEqual(await read(now), { available: false, reason: 'full', nextOpening: null });
  });
});
