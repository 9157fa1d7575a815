/**
 * What portal pages say about chat (issue 16): the "Chat with us" entry appears only while a chat can
 * start, and the contact page's paragraph says why chat is unavailable and links the message form.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createViews } from '../../platform/views/index.ts';
import { DEMO_CHAT_HOURS } from './webchat.hours.ts';
import { chatStatusView } from './webchat.offline.routes.ts';

const views = createViews([join(dirname(fileURLToPath(import.meta.url)), 'views')]);
const tuesday = new Date('2027-01-05T10:00:00Z');

describe('the "Chat with us" entry', () => {
  test('shown, linking /contact/chat, only when chat is available', () => {
    const shown = views.render('webchat/portal/entry.njk', { chatEntry: true });
    assert.match(shown, /data-testid="chat-entry"/);
    assert.match(shown, /<a class="govuk-link" href="\/contact\/chat">Chat with us<\/a>/);
    assert.doesNotMatch(views.render('webchat/portal/entry.njk', { chatEntry: false }), /chat-entry/);
    assert.doesNotMatch(views.render('webchat/portal/entry.njk', {}), /chat-entry/);
  });
});

describe('the contact page’s chat paragraph', () => {
  test('available: a link to the chat and no message form', () => {
    const status = chatStatusView(
      { available: true, closesAt: new Date('2027-01-05T17:00:00Z') },
      DEMO_CHAT_HOURS,
      tuesday,
    );
    const html = views.render('webchat/portal/contact-chat.njk', { chatStatus: status });
    assert.match(html, /href="\/contact\/chat">Chat with us online<\/a>/);
    assert.doesNotMatch(html, /contact\/message/);
  });

  test('closed: why, when it opens, the hours and the message form', () => {
    const now = new Date('2026-12-24T14:00:00Z');
    const status = chatStatusView(
      { available: false, reason: 'closed', nextOpening: new Date('2026-12-29T09:00:00Z') },
      DEMO_CHAT_HOURS,
      now,
    );
    assert.equal(status.headline, 'Webchat is closed. It opens again on Tuesday 29 December at 9am.');
    const html = views.render('webchat/portal/contact-chat.njk', { chatStatus: status });
    assert.match(html, /href="\/contact\/message\?reason=closed"/);
    assert.match(html, /Saturday<\/dt>\s*<dd class="govuk-summary-list__value">9am to 12pm/);
    assert.match(html, /Saturday 26 December 2026 \(Christmas\): Closed/);
  });

  test('full: all advisers are busy, and the form records full', () => {
    const status = chatStatusView(
      { available: false, reason: 'full', nextOpening: null },
      DEMO_CHAT_HOURS,
      tuesday,
    );
    assert.match(status.headline, /^All our advisers are busy\./);
    const html = views.render('webchat/portal/contact-chat.njk', { chatStatus: status });
    assert.match(html, /href="\/contact\/message\?reason=full"/);
  });

  test('closed with no opening in the next month: says closed, without a date', () => {
    const status = chatStatusView(
      { available: false, reason: 'closed', nextOpening: null },
      DEMO_CHAT_HOURS,
      tuesday,
    );
    assert.equal(status.headline, 'Webchat is closed.');
  });
});
