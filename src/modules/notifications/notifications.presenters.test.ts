import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageTableRows, templateLabel } from './notifications.presenters.ts';
import { TEMPLATE_NAMES } from './notifications.templates.ts';

void test('issue 12 item 15: the outbox names every message in words, never by its template code (case.sla_breach, feedback.request)', () => {
  for (const name of TEMPLATE_NAMES) {
    const label = templateLabel(name);
    assert.notEqual(label, name);
    assert.doesNotMatch(label, /[._]/, `${name} reads "${label}"`);
  }
  const [row] = messageTableRows([
    {
      id: 'm1',
      created_at: new Date('2026-12-03T10:00:00Z'),
      channel: 'email',
      template: 'case.sla_breach',
      status: 'delivered',
      provider: 'local',
      attempts: 1,
      case_reference: 'ABCD-EFGH',
    },
  ]);
  assert.equal(row[2].text, 'Case overdue (to staff)');
  assert.equal(templateLabel('feedback.request'), 'Request for feedback');
  assert.equal(templateLabel('a.retired_template'), 'Message');
});
