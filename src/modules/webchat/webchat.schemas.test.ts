import { test } from 'node:test';
import assert from 'node:assert/strict';
import { residentFrame, staffFrame } from './webchat.schemas.ts';

test('resident frames: the documented shapes parse, anything else is refused', () => {
  assert.ok(residentFrame.safeParse({ type: 'message', clientId: 'c1', body: 'Hello' }).success);
  assert.ok(residentFrame.safeParse({ type: 'resume', token: 'abc', after: 4 }).success);
  assert.ok(residentFrame.safeParse({ type: 'typing' }).success);
  assert.equal(residentFrame.safeParse({ type: 'message', clientId: 'c1', body: '   ' }).success, false);
  assert.equal(
    residentFrame.safeParse({ type: 'message', clientId: 'c1', body: 'x'.repeat(2_001) }).success,
    false,
  );
  assert.equal(residentFrame.safeParse({ type: 'message', body: 'no client id' }).success, false);
  assert.equal(residentFrame.safeParse({ type: 'resume', token: 'abc', after: -1 }).success, false);
  assert.equal(residentFrame.safeParse({ type: 'typing', extra: true }).success, false);
  assert.equal(residentFrame.safeParse({ type: 'accept', chatId: 'x' }).success, false);
  assert.equal(residentFrame.safeParse(null).success, false);
});

test('staff frames: ids are UUIDs, limits are 1 to 10, a transfer note is optional', () => {
  const chatId = '5b0c7d1e-8a7f-4e43-9a52-2b8f3a0c9d11';
  assert.ok(staffFrame.safeParse({ type: 'accept', chatId }).success);
  assert.equal(staffFrame.safeParse({ type: 'accept', chatId: 'not-a-uuid' }).success, false);
  assert.ok(staffFrame.safeParse({ type: 'available', on: true, maxChats: 3 }).success);
  assert.equal(staffFrame.safeParse({ type: 'available', on: true, maxChats: 11 }).success, false);
  const transfer = staffFrame.safeParse({ type: 'transfer', chatId, toTeamId: chatId });
  assert.ok(transfer.success && transfer.data.type === 'transfer' && transfer.data.note === '');
});
