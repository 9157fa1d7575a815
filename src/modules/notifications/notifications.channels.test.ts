import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canReceiveTexts,
  normaliseEmail,
  normalisePhone,
  postalLines,
  resolveRecipient,
} from './notifications.channels.ts';

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

void test('texts go to mobiles and numbers abroad, not UK landlines', () => {
  assert.equal(canReceiveTexts('+447700900123'), true);
  assert.equal(canReceiveTexts('+441632960001'), false);
  assert.equal(canReceiveTexts('+33612345678'), true);
});

void test('normalising contact details', () => {
  assert.equal(normalisePhone('07700 900 123'), '+447700900123');
  assert.equal(normalisePhone('+44 (0)7700 900123'), '+447700900123');
  assert.equal(normalisePhone('0044 1632 960001'), '+441632960001');
  assert.equal(normalisePhone('12345'), null);
  assert.equal(normalisePhone('call me'), null);
  assert.equal(normaliseEmail(' Jo@Example.COM '), 'jo@example.com');
  assert.equal(normaliseEmail('not an email'), null);
  assert.equal(
    postalLines('Jo', { line1: '1 Road', town: 'Town', postcode: 'KB1 2AB' }),
    'Jo\n1 Road\nTown\nKB1 2AB',
  );
  assert.equal(postalLines('Jo', null), null);
});
