/** Issue 13 item 1 (receiving by IMAP): the poller's pure helpers. The poller itself: test/email.imap.int.test.ts. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, uidSet } from './email.imap.ts';

describe('issue 13 receiving: IMAP poller helpers', () => {
  test('issue 13 receiving: UIDs are sent as a compact IMAP sequence set', () => {
    assert.equal(uidSet([]), '');
    assert.equal(uidSet([5]), '5');
    assert.equal(uidSet([1, 2, 3, 7, 9, 10]), '1:3,7,9:10');
    assert.equal(uidSet(Array.from({ length: 200 }, (_, i) => 401 + i)), '401:600');
  });

  test('issue 13 receiving: reconnects back off exponentially with jitter, up to maxMs', () => {
    const backoff = { initialMs: 1_000, maxMs: 60_000 };
    const at = (failures: number, random: number) => backoffDelay(failures, backoff, () => random);
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => [at(n, 0), at(n, 1)]),
      [
        [500, 1_000],
        [1_000, 2_000],
        [2_000, 4_000],
        [4_000, 8_000],
      ],
    );
    assert.deepEqual([at(7, 0), at(7, 1)], [30_000, 60_000]);
    assert.equal(at(1_000, 1), 60_000);
  });
});
