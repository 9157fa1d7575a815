/**
 * Acceptance (issue 13, email channel), over the seeded demo council, with real peers: a private dovecot
 * (the council's reply@ and foi@ mailboxes, polled by IMAP) and a local SMTP server (the resident's mail
 * provider, which receives what Frontdoor sends through nodemailer).
 *
 * A resident who made a report gets the acknowledgement by email and replies to it from their mail
 * client; after one poll of the council's mailbox the reply is on the case (trimmed of the quoted
 * acknowledgement) and the highways officer's queue marks the case "Resident replied". The officer answers
 * from the case page; the resident receives the answer threaded: In-Reply-To their reply, References the
 * whole chain, the reference in the subject. An email to foi@ becomes an FOI request due on the 20th
 * working day after the time the mail server received it (not its Date header, a year out). Every page
 * passes axe-core.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Browser, Page } from 'playwright-core';
import { checkPage, chromiumMissing, launch, newContext } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { toIsoDate } from '../../src/platform/calendar/index.ts';
import { foiDeadline } from '../../src/platform/clocks/index.ts';
import { formatDate } from '../../src/platform/views/index.ts';
import { jobHandlers } from '../../src/worker.ts';
import { createCase, loadCaseService } from '../../src/modules/cases/index.ts';
import { startEmailReceiving, type RunningReceivers } from '../../src/modules/email/index.ts';
import { startDovecot, dovecotMissing, type Dovecot } from '../../test/support/dovecot.ts';
import { startSmtpServer, type TestSmtpServer } from '../../test/support/smtp.ts';

const skip = chromiumMissing() || dovecotMissing();
const DOMAIN = 'county.example.gov.uk';
const MESSAGE_ID_DOMAIN = 'mail.frontdoor.example.gov.uk';

let server: RunningServer;
let browser: Browser;
let dovecot: Dovecot;
let smtp: TestSmtpServer;
let receivers: RunningReceivers;

before(async () => {
  if (skip) return;
  smtp = await startSmtpServer();
  dovecot = await startDovecot(['reply', 'foi']);
  const env = {
    SMTP_URL: smtp.url,
    MAIL_FROM: `Wessex County Council <frontdoor@${MESSAGE_ID_DOMAIN}>`,
    EMAIL_MESSAGE_ID_DOMAIN: MESSAGE_ID_DOMAIN,
    EMAIL_REPLY_ADDRESS: `reply@${DOMAIN}`,
    EMAIL_REPLY_SECRET: 'e2e-email-reply-secret-0123456789abcdef',
    EMAIL_IMAP_PASSWORD_DEMO: dovecot.password,
    EMAIL_IMAP_POLL_SECONDS: '3600',
  };
  server = await startServer(
    async (t) => {
      await seedDemo(t.database.db, { customers: 20 });
      // The council's mailboxes on its (test) mail server.
      for (const user of ['reply', 'foi'])
        await t.database.db
          .updateTable('mailboxes')
          .set({
            imap_host: dovecot.host,
            imap_port: dovecot.port,
            imap_secure: false,
            imap_user: user,
            imap_password_env: 'EMAIL_IMAP_PASSWORD_DEMO',
          })
          .where('address', '=', `${user}@${DOMAIN}`)
          .execute();
    },
    { env },
  );
  receivers = await startEmailReceiving({
    db: server.database.db,
    clock: systemClock,
    config: {
      publicUrl: server.baseURL,
      email: server.config.email,
      mailFrom: server.config.smtp?.from ?? null,
      inboundEmail: server.config.inboundEmail,
    },
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await receivers?.stop();
  await server?.close();
  await dovecot?.stop();
  await smtp?.stop();
});

/** Sends the case's queued emails as the worker would (its own handler, with the app's SMTP settings). */
async function deliverQueuedEmails(caseId: string): Promise<void> {
  const db = server.database.db;
  const handlers = jobHandlers({ db, clock: systemClock, sessionIdleMinutes: 30, config: server.config });
  const queued = await db
    .selectFrom('messages')
    .select(['id', 'authority_id'])
    .where('case_id', '=', caseId)
    .where('status', '=', 'queued')
    .orderBy('created_at')
    .execute();
  for (const m of queued)
    await handlers['notifications.send']({
      id: 0,
      topic: 'notifications.send',
      payload: { messageId: m.id },
      attempts: 1,
      authorityId: m.authority_id,
    });
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto('/staff/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForEvent('load'), page.click('[data-testid=sign-in]')]);
  assert.equal(new URL(page.url()).pathname, '/staff');
}

const angle = (id: string) => (id.startsWith('<') ? id : `<${id}>`);
const referencesOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/\s+/) : []).filter(
    (id) => id !== '',
  );

void describe('issue 13: the email channel end to end', { skip }, () => {
  test('issue 13 acceptance: a resident replies by email to the acknowledgement; the officer sees it after one poll and answers from the case; the answer arrives threaded', async () => {
    const db = server.database.db;
    const resident = `resident.${randomUUID().slice(0, 8)}@example.com`;
    const service = await loadCaseService(db, { slug: 'report-a-road-problem' });
    assert.ok(service);
    const created = await createCase(db, {
      service,
      contact: { name: 'Jo Bloggs', email: resident },
      answers: { problemType: 'pothole', contactBy: 'email', email: resident },
      formVersion: service.definitionVersion,
      channel: 'web',
      receivedAt: new Date(),
      idempotencyKey: randomUUID(),
    });
    // The case is the highways officer's.
    const officer = await db
      .selectFrom('staff_users')
      .select('id')
      .where('email', '=', `officer@${DOMAIN}`)
      .executeTakeFirstOrThrow();
    await db.updateTable('cases').set({ assignee_id: officer.id }).where('id', '=', created.id).execute();

    // The acknowledgement reaches the resident with the reference, a signed reply address and our Message-ID.
    await deliverQueuedEmails(created.id);
    await smtp.until(() => smtp.to(resident).length === 1);
    const ack = smtp.to(resident)[0];
    assert.match(ack.subject, new RegExp(`\\[Ref: ${created.reference}\\]$`));
    assert.equal(ack.headers.get('auto-submitted'), 'auto-generated');
    const replyTo = (ack.headers.get('reply-to') as { value: { address: string }[] }).value[0].address;
    assert.match(replyTo, new RegExp(`^reply\\+${created.reference.toLowerCase()}-[0-9a-z]{10}@${DOMAIN}$`));
    assert.ok(ack.messageId?.endsWith(`@${MESSAGE_ID_DOMAIN}>`));

    // The resident's mail client answers it: quoting the acknowledgement below their words, as clients do.
    const replyId = `<reply-${randomUUID()}@mail.example.com>`;
    const reply = await new MailComposer({
      from: `Jo Bloggs <${resident}>`,
      to: replyTo,
      subject: `RE: ${ack.subject}`,
      messageId: replyId,
      inReplyTo: ack.messageId!,
      references: [ack.messageId!],
      text: `The pothole is still there and getting deeper.\n\nOn Mon, 7 Dec 2026, Wessex County Council wrote:\n> ${ack.text.split('\n').join('\n> ')}\n`,
    })
      .compile()
      .build();
    await dovecot.inject('reply', reply);
    // One poll takes it: `pollNow` runs after any pass already under way (the poller's IDLE may have
    // noticed the new mail first and taken it in that pass), so once it resolves the reply is stored.
    await receivers.pollNow();
    const stored = await db
      .selectFrom('emails')
      .select(['state', 'case_id', 'threaded_by'])
      .where('from_address', '=', resident)
      .execute();
    assert.deepEqual(stored, [{ state: 'threaded', case_id: created.id, threaded_by: 'reply-address' }]);

    // The highways officer sees it on the team queue and on the case.
    const context = await newContext(browser, server.baseURL);
    const page = await context.newPage();
    await signIn(page, `officer@${DOMAIN}`);
    await page.goto('/staff/queues');
    await checkPage(page);
    const row = page.locator(`[data-testid=queue-row][data-case-id="${created.id}"]`);
    assert.equal(await row.locator('[data-testid=resident-replied]').count(), 1, 'the queue marks the reply');
    await Promise.all([page.waitForEvent('load'), row.locator('a').first().click()]);
    await checkPage(page);
    const messages = await page.locator('[data-testid=messages]').innerText();
    assert.match(messages, /The pothole is still there and getting deeper\./);
    assert.doesNotMatch(messages, /wrote:/, 'the quoted acknowledgement is trimmed off');

    // The officer answers from the case page.
    await page.fill('#message', 'Thank you. An inspector will visit on Thursday.');
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=send-message]')]);
    await checkPage(page);
    await deliverQueuedEmails(created.id);
    await smtp.until(() => smtp.to(resident).length === 2);
    const answer = smtp.to(resident)[1];
    assert.match(answer.text, /An inspector will visit on Thursday/);
    assert.match(answer.subject, new RegExp(`\\[Ref: ${created.reference}\\]$`));
    assert.equal(answer.headers.get('in-reply-to'), replyId, 'In-Reply-To the resident’s reply');
    assert.deepEqual(
      referencesOf(answer.headers.get('references')),
      [angle(ack.messageId!), replyId],
      'References: the acknowledgement, then the reply',
    );
    assert.equal(
      answer.headers.get('auto-submitted'),
      undefined,
      'a person’s answer is not marked automatic',
    );
    await context.close();
  });

  test('issue 13 acceptance: an email to foi@ becomes an FOI request due on the 20th working day after the server received it', async () => {
    const db = server.database.db;
    const requester = `requester.${randomUUID().slice(0, 8)}@example.org`;
    const raw = await new MailComposer({
      from: `Sam Requester <${requester}>`,
      to: `foi@${DOMAIN}`,
      subject: 'Request: gritting routes',
      date: new Date('2025-12-01T09:00:00Z'),
      text: 'Please send me the gritting routes and the budget for winter 2026.',
    })
      .compile()
      .build();
    await dovecot.inject('foi', raw);
    await receivers.pollNow();
    const email = await db
      .selectFrom('emails')
      .select(['case_id', 'received_at', 'state'])
      .where('from_address', '=', requester)
      .executeTakeFirstOrThrow();
    assert.equal(email.state, 'new_case');
    assert.ok(
      email.received_at.getTime() > new Date('2026-01-01').getTime(),
      'the receipt time, not the Date header',
    );
    const expected = foiDeadline(toIsoDate(email.received_at));

    const context = await newContext(browser, server.baseURL);
    const page = await context.newPage();
    await signIn(page, `ig_officer@${DOMAIN}`);
    await page.goto(`/staff/cases/${email.case_id}`);
    await checkPage(page);
    assert.match(await page.locator('[data-testid=answers]').innerText(), /gritting routes and the budget/);
    assert.equal(await page.locator('[data-testid=case-due]').innerText(), formatDate(expected));
    await context.close();
  });
});
