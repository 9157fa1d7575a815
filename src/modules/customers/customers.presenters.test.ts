import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeHtml,
  languageAndNeeds,
  maskEmail,
  outcomeLabel,
  pagination,
  timelineItems,
} from './customers.presenters.ts';

void test('emails are masked to first and last letter of the local part', () => {
  assert.equal(maskEmail('jane.thompson@example.com'), 'j•••n@example.com');
  assert.equal(maskEmail('jo@example.com'), 'j•••@example.com');
  assert.equal(maskEmail(null), '');
});

void test('timeline HTML escapes what people typed', () => {
  const [item] = timelineItems([
    {
      id: '1',
      channel: 'phone',
      direction: 'inbound',
      occurred_at: new Date('2026-11-23T10:00:00Z'),
      summary: '<script>alert(1)</script>\nsecond line',
      outcome: 'resolved',
      resolved_at_first_contact: true,
      is_repeat: true,
      service_name: 'Bins',
      case_id: null,
      case_reference: null,
      agent_name: 'Ada',
      total: 1,
    },
  ]);
  assert.doesNotMatch(item.html, /<script>/);
  assert.match(item.html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;<br>second line/);
  assert.match(item.html, /Repeat contact/);
  assert.equal(item.label.text, 'Phone call – Bins');
  assert.equal(escapeHtml(`"'&`), '&quot;&#39;&amp;');
});

void test('pagination only when there is more than one page', () => {
  assert.equal(pagination('/x', 1, 20, 20), null);
  const p = pagination('/x', 2, 20, 100);
  assert.ok(p);
  assert.equal(p.previous?.href, '/x?page=1#timeline');
  assert.equal(p.next?.href, '/x?page=3#timeline');
  assert.deepEqual(
    p.items.map((i) => (i.ellipsis ? '…' : i.number)),
    [1, 2, 3, '…', 5],
  );
});

void test('outcomes read as words: form outcomes, other recorded codes, unknown codes and free text', () => {
  assert.equal(outcomeLabel('resolved'), 'Resolved at first contact');
  assert.equal(outcomeLabel('case_created'), 'Request raised');
  assert.equal(outcomeLabel('update_given'), 'Update given');
  assert.equal(outcomeLabel('left_voicemail'), 'Left voicemail');
  assert.equal(outcomeLabel('Pass sent'), 'Pass sent');
});

void test('issue 17: language and needs in words, never codes', () => {
  assert.deepEqual(languageAndNeeds('pl', ['interpreter:pl']), ['Polish — interpreter needed']);
  assert.deepEqual(languageAndNeeds('en', [{ kind: 'interpreter', language: 'ur' }, 'large_print']), [
    'Urdu — interpreter needed',
    'Large print',
  ]);
  assert.deepEqual(languageAndNeeds('pl', ['interpreter']), ['Polish — interpreter needed']);
  assert.deepEqual(languageAndNeeds('cy', ['easy_read']), ['Speaks Welsh', 'Easy read']);
  assert.deepEqual(languageAndNeeds('en', []), []);
  assert.deepEqual(languageAndNeeds('en', ['interpreter']), ['Interpreter needed']);
  for (const text of languageAndNeeds('pl', ['interpreter:pl', 'bsl', 'text_relay']))
    assert.doesNotMatch(text, /:|_/, text);
});
