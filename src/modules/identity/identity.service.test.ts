import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLockedOut, lockMinutesFor, MAX_LOCK_MINUTES } from './identity.service.ts';
import { setPasswordSchema } from './identity.schemas.ts';

void test('lock-outs double with each repeat and never exceed 24 hours', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => lockMinutesFor(15, n)),
    [15, 30, 60, 120],
  );
  assert.equal(lockMinutesFor(15, 8), MAX_LOCK_MINUTES);
  assert.equal(lockMinutesFor(15, 1_000), 24 * 60);
  assert.equal(lockMinutesFor(1440, 1), 1440);
});

void test('a lock-out is over once its end time has passed', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  assert.equal(isLockedOut({ locked_until: null }, now), false);
  assert.equal(isLockedOut({ locked_until: new Date('2026-12-01T10:00:01Z') }, now), true);
  assert.equal(isLockedOut({ locked_until: now }, now), false);
});

void test('the password policy: 12 or more characters, not common, not the email, typed twice', () => {
  const schema = setPasswordSchema('sam.jones@wessex.gov.uk');
  const problems = (password: string, confirm = password) => {
    const result = schema.safeParse({ password, confirm });
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.deepEqual(problems('kettle river pencil'), []);
  assert.ok(problems('short1').includes('password: Password must be 12 characters or more'));
  assert.ok(problems('Password1234').includes('password: Choose a password that is harder to guess'));
  assert.ok(problems('aaaaaaaaaaaaaaaa').includes('password: Choose a password that is harder to guess'));
  assert.ok(
    problems('sam.jones-is-great').includes('password: Password must not contain your email address'),
  );
  assert.deepEqual(problems('kettle river pencil', 'kettle river'), ['confirm: The passwords do not match']);
  assert.ok(problems('x'.repeat(201)).includes('password: Password must be 200 characters or fewer'));
});
