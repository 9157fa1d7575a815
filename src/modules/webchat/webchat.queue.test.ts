import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HANDLE_MINUTES, estimateWaitMinutes } from './webchat.queue.ts';

test('no live agent: the wait is unknown, not zero', () => {
  assert.equal(estimateWaitMinutes({ position: 1, freeSlots: 0, totalSlots: 0, handleMinutes: 5 }), null);
});

test('a free place for this chat: answered straight away', () => {
  assert.equal(estimateWaitMinutes({ position: 2, freeSlots: 2, totalSlots: 6, handleMinutes: 5 }), 0);
});

test('behind the free places: one place frees every handle time / places', () => {
  // 2 agents × 3 = 6 places, 6-minute chats: a place frees every minute; 4th with 1 free waits 3 minutes.
  assert.equal(estimateWaitMinutes({ position: 4, freeSlots: 1, totalSlots: 6, handleMinutes: 6 }), 3);
  // Never "0 minutes" while a place still has to free up.
  assert.equal(estimateWaitMinutes({ position: 1, freeSlots: 0, totalSlots: 30, handleMinutes: 1 }), 1);
});

test('no history: the default handle time', () => {
  assert.equal(
    estimateWaitMinutes({ position: 2, freeSlots: 0, totalSlots: 1, handleMinutes: null }),
    2 * DEFAULT_HANDLE_MINUTES,
  );
});
