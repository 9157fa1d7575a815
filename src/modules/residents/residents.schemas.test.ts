import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemasFor } from './residents.schemas.ts';

const base = {
  givenName: 'Jo',
  familyName: 'Bloggs',
  email: 'Jo@Example.com',
  phone: '',
  addressLine1: '',
  addressLine2: '',
  addressTown: '',
  addressPostcode: '',
  preferredChannel: 'email',
  language: 'en',
};

void test('the details form: valid answers are normalised', () => {
  const parsed = schemasFor('en').details.safeParse({
    ...base,
    phone: '07700 900 982',
    addressLine1: '1 Mill Lane',
    addressTown: 'Kingsbridge',
    addressPostcode: 'kb1 2ab',
    preferredChannel: 'sms',
    needs: ['large_print', 'interpreter'],
    interpreterLanguage: 'pl',
  });
  assert.ok(parsed.success);
  assert.equal(parsed.data.email, 'jo@example.com');
  assert.equal(parsed.data.phone, '+447700900982');
  assert.deepEqual(parsed.data.address, { line1: '1 Mill Lane', town: 'Kingsbridge', postcode: 'KB1 2AB' });
  assert.deepEqual(parsed.data.needs, ['large_print', 'interpreter']);
  assert.equal(parsed.data.interpreterLanguage, 'pl');
});

void test('the details form: cross-field rules name the field to fix', () => {
  const problems = (body: Record<string, unknown>) => {
    const parsed = schemasFor('en').details.safeParse({ ...base, ...body });
    return parsed.success
      ? {}
      : Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
  };
  assert.deepEqual(problems({ phone: 'abc' }), {
    phone: 'Enter a UK phone number, like 07700 900 982 or 01632 960 001',
  });
  assert.deepEqual(problems({ preferredChannel: 'sms', phone: '01632 960001' }), {
    preferredChannel: 'To get text messages, enter a UK mobile number',
  });
  assert.deepEqual(problems({ preferredChannel: 'letter' }), {
    preferredChannel: 'To get letters, enter your address',
  });
  assert.deepEqual(problems({ addressTown: 'Kingsbridge' }), {
    addressLine1: 'Enter the first line of your address',
    addressPostcode: 'Enter your postcode',
  });
  assert.deepEqual(problems({ needs: 'interpreter' }), {
    interpreterLanguage: 'Select the language you need an interpreter for',
  });
  assert.deepEqual(problems({ givenName: ' ' }), { givenName: 'Enter your first name' });
});

void test('codes: spaces and dashes are ignored, six digits required', () => {
  const code = schemasFor('en').code;
  assert.deepEqual(code.parse({ code: '123 456' }), { code: '123456' });
  assert.equal(code.safeParse({ code: '12345' }).success, false);
  assert.equal(code.safeParse({}).success, false);
});
