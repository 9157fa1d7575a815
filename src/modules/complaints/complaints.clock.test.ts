import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxExtensionDays, stageClock, withinWindow, workingDaysLeft } from './complaints.clock.ts';

void test('corporate stages use the Complaint Handling Code; the response runs from the acknowledgement', () => {
  assert.deepEqual(stageClock({ workflowType: 'corporate', stage: 1, startedOn: '2026-11-16' }), {
    acknowledgeBy: '2026-11-23',
    acknowledgedLate: false,
    respondBy: '2026-12-07',
    maxExtensionDays: 10,
  });
  const acknowledged = stageClock({
    workflowType: 'corporate',
    stage: 1,
    startedOn: '2026-11-16',
    acknowledgedOn: '2026-11-20',
    extensionDays: 10,
  });
  assert.equal(acknowledged.respondBy, '2026-12-18');
  assert.equal(
    stageClock({ workflowType: 'corporate', stage: 2, startedOn: '2026-11-23' }).respondBy,
    '2026-12-30',
  );
  assert.throws(
    () => stageClock({ workflowType: 'corporate', stage: 1, startedOn: '2026-11-16', extensionDays: 11 }),
    /at most 10/,
  );
  assert.throws(
    () => stageClock({ workflowType: 'corporate', stage: 2, startedOn: '2026-11-16', extensionDays: 21 }),
    /at most 20/,
  );
});

void test("children's social care: 10 (20), 25 (65) working days from the start, panel within 30", () => {
  const s1 = stageClock({ workflowType: 'childrens_social_care', stage: 1, startedOn: '2026-11-16' });
  assert.equal(s1.respondBy, '2026-11-30');
  assert.equal(s1.acknowledgeBy, '2026-11-19');
  assert.equal(
    stageClock({
      workflowType: 'childrens_social_care',
      stage: 1,
      startedOn: '2026-11-16',
      extensionDays: 10,
    }).respondBy,
    '2026-12-14',
  );
  assert.equal(maxExtensionDays('childrens_social_care', 2), 40);
  assert.equal(maxExtensionDays('childrens_social_care', 3), 0);
  const s3 = stageClock({ workflowType: 'childrens_social_care', stage: 3, startedOn: '2026-11-16' });
  assert.equal(s3.acknowledgeBy, null);
  assert.throws(
    () =>
      stageClock({
        workflowType: 'childrens_social_care',
        stage: 3,
        startedOn: '2026-11-16',
        extensionDays: 1,
      }),
    /cannot be extended/,
  );
});

void test('window and days left', () => {
  assert.equal(withinWindow(null, '2026-11-16', 12), true);
  assert.equal(withinWindow('2025-11-16', '2026-11-16', 12), true);
  assert.equal(withinWindow('2025-11-15', '2026-11-16', 12), false);
  assert.equal(workingDaysLeft('2026-11-23', '2026-11-23'), 0);
  assert.equal(workingDaysLeft('2026-11-23', '2026-11-20'), -1);
  assert.equal(workingDaysLeft('2026-11-20', '2026-11-23'), 1);
});
