import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postalLines, resolveRecipient } from './notifications.channels.ts';

const all = { email: 'a@example.com', phone: '+447700900123', postal: 'A\n1 Road\nTOWN\nKB1 2AB' };

void test('resolution order: explicit, preferred, then email, text, letter', () => {
  assert.deepEqual(resolveRecipient('letter', 'sms', all), { channel: 'letter', recipient: all.postal });
  assert.deepEqual(resolveRecipient(null, 'sms', all), { channel: 'sms', recipient: all.phone });
  assert.deepEqual(resolveRecipient(undefined, 'phone', all), { channel: 'email', recipient: all.email });
  assert.deepEqual(resolveRecipient('email', null, { ...all, email: null }), {
    channel: 'sms',
    recipient: all.phone,
  });
  assert.deepEqual(resolveRecipient(null, 'sms', { ...all, phone: '+441632960001' }), {
    channel: 'email',
    recipient: all.email,
  });
  assert.deepEqual(resolveRecipient(null, null, { email: null, phone: null, postal: all.postal }), {
    channel: 'letter',
    recipient: all.postal,
  });
  assert.equal(resolveRecipient('email', 'email', { email: null, phone: null, postal: null }), null);
});

void test('texts go to mobiles only: not UK landlines, 070 personal numbers or 076 pagers', () => {
  for (const phone of ['+441632960001', '+447011123456', '+447640123456'])
    assert.deepEqual(resolveRecipient('sms', null, { ...all, phone }), {
      channel: 'email',
      recipient: all.email,
    });
  assert.deepEqual(resolveRecipient('sms', null, { ...all, phone: '+33612345678' }), {
    channel: 'sms',
    recipient: '+33612345678',
  });
});

void test('the lines of a letter', () => {
  assert.equal(
    postalLines('Jo', { line1: '1 Road', town: 'Town', postcode: 'KB1 2AB' }),
    'Jo\n1 Road\nTown\nKB1 2AB',
  );
  assert.equal(postalLines('Jo', null), null);
});
