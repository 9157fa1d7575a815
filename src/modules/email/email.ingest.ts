/**
 * What happens to one received email (issue 13): stored once with its original MIME, then, in the same
 * transaction, threaded onto a case, made a new case, put in triage or recorded. See docs/email.md
 * "What happens to an email".
 *
 * Durable before acknowledged: `ingestEmail` resolves only after the transaction committed, so the
 * receivers (IMAP: cursor moves on; SMTP: 250) acknowledge only what is kept. Idempotent: the same
 * message delivered again (a retry, a second poll, a UIDVALIDITY reset) is found by mailbox + Message-ID +
 * fingerprint and nothing else is written.
 */
import { createHash, randomUUID } from 'node:crypto';
import EmailReplyParser from 'email-reply-parser';
import type { Clock } from '../../platform/clock.ts';
import { normaliseReference } from '../../platform/contact/index.ts';
import { withTransaction, WriteBatch, type Db, type EmailState, type Tx } from '../../platform/db/index.ts';
import { auditInBatch } from '../../platform/audit/index.ts';
import {
  addMessage,
  createCase,
  linkCaseIds,
  loadCaseService,
  reopenCase,
  type CaseOptions,
  type CaseService,
} from '../cases/index.ts';
import { markContactUndeliverable, queueMessage } from '../notifications/index.ts';
import { classify, mayAutoAcknowledge, type Classification } from './email.classify.ts';
import { parseInbound, type InboundMessage } from './email.inbound.ts';
import { referenceInSubject, subjectTopic, threadCandidates, type ThreadKey } from './email.threading.ts';
import * as repo from './email.repository.ts';
import { readAuthenticationResults, senderTrusted, type AuthVerdict } from './email.authentication.ts';

export interface EmailSettings {
  /** EMAIL_REPLY_SECRET: verifies signed reply addresses (null: none are trusted). */
  replySecret: string | null;
  /** Our Message-ID domains (EMAIL_MESSAGE_ID_DOMAIN and MAIL_FROM's): mail from them is our own. */
  ownDomains: string[];
  /**
   * EMAIL_TRUSTED_AUTHSERV_IDS: on mail without a verdict of our own (fetched by IMAP), the receiving
   * server's Authentication-Results header is read only under these authserv-ids. Empty: none is trusted.
   */
  trustedAuthservIds?: readonly string[];
}

export interface IngestDeps {
  db: Db;
  clock: Clock;
  settings: EmailSettings;
  caseOptions?: CaseOptions;
}

export interface ReceivedEmail {
  raw: Buffer;
  /** The receiving server's time (IMAP INTERNALDATE, our SMTP endpoint's clock), never the Date header. */
  receivedAt: Date;
  mailboxId: string;
  /** The SMTP endpoint's own verdict, or the trusted Authentication-Results of the IMAP server. */
  authentication?: AuthVerdict | null;
}

export interface IngestResult {
  emailId: string;
  /** true: this message was already stored; nothing was written. */
  duplicate: boolean;
  state: EmailState;
  reason: string | null;
  caseId: string | null;
  /** A case this email created. */
  createdCaseId: string | null;
  acknowledged: boolean;
}

/**
 * The first line of quoted history, as mail clients write it: a `>` quote, "On … wrote:", Outlook's
 * "-----Original Message-----" or its "From: … / Sent: …" header block, Gmail's "---------- Forwarded".
 */
const QUOTE_START =
  /^(>|On .{1,200}(wrote|writes):\s*$|-{2,}\s*Original Message\s*-{2,}|_{10,}\s*$|From: .*\r?\n(Sent|Date): |-{5,} Forwarded message)/im;

/** Other clients' quote headers (other languages, other layouts) that email-reply-parser knows. */
const OTHER_QUOTE_HEADER = /(wrote|writes|schrieb|écrit|escribió|scritto|schreef|skrev|napisał)\s*:\s*$/im;

/** Text past this is never the new part of a reply (kept in full in `body_text` anyway). */
const TRIM_SCAN_CHARS = 16_384;

/**
 * Keep what the sender wrote, without the quoted history (email-reply-parser, with the signatures and
 * quote headers it knows); the full text is kept too. The parser's cost grows with the text (it reverses
 * every line for each pattern), so it reads only the text before the first line that starts quoted
 * history; mail with no quote header at all (most new mail) is kept as it is, without the parser.
 */
export function trimReply(text: string): string {
  const head = text.slice(0, TRIM_SCAN_CHARS);
  const quote = QUOTE_START.exec(head);
  if (!quote && !OTHER_QUOTE_HEADER.test(head)) return text.trim();
  const fresh = quote ? head.slice(0, quote.index) : head;
  const trimmed = new EmailReplyParser().parseReply(fresh).trim();
  if (trimmed !== '') return trimmed;
  return fresh.trim() === '' ? text.trim() : fresh.trim();
}

/**
 * A sender whose verdict is known and not trusted (senderTrusted: DMARC pass, or an aligned DKIM/SPF pass
 * where the domain has no DMARC policy) is never taken as a known customer or a party to a case without
 * staff confirmation. No verdict at all (a mailbox whose server adds no trusted header) is not a failure.
 */
export function senderFailedAuthentication(verdict: AuthVerdict | null | undefined): boolean {
  return Boolean(verdict && verdict.source !== 'none' && !senderTrusted(verdict));
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const topicKey = (subject: string) => subjectTopic(subject).toLowerCase().replace(/\s+/g, ' ').trim();

/** The Message-ID's local part when it is one of ours (`<message uuid>@<our domain>`), else null. */
function ourMessageUuid(messageId: string, ownDomains: string[]): string | null {
  const at = messageId.lastIndexOf('@');
  if (at < 0) return null;
  const domain = messageId.slice(at + 1).toLowerCase();
  if (!ownDomains.includes(domain)) return null;
  const local = messageId.slice(0, at);
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(local) ? local : null;
}

async function caseOfKey(
  trx: Tx,
  key: ThreadKey,
  settings: EmailSettings,
): Promise<repo.ThreadCase | undefined> {
  if (key.kind === 'message-id') {
    const ours = ourMessageUuid(key.messageId, settings.ownDomains);
    if (ours) {
      const sent = await repo.caseOfSentMessage(trx, ours);
      if (sent) return sent;
    }
    const caseId = await repo.caseOfReceivedMessageId(trx, key.messageId);
    return caseId ? repo.caseById(trx, caseId) : undefined;
  }
  const reference = normaliseReference(key.reference);
  return reference ? repo.caseByReference(trx, reference) : undefined;
}

/** The first thread key that names a case, and how. */
async function findThread(trx: Tx, message: InboundMessage, settings: EmailSettings) {
  for (const key of threadCandidates(message, { secret: settings.replySecret })) {
    const found = await caseOfKey(trx, key, settings);
    if (found) return { thread: found, via: key.kind };
  }
  return null;
}

/**
 * Text for a new case's first free-text question: the subject and what the sender wrote. Also used when
 * staff make a case from an email in triage (email.triage.ts), so both read the same.
 */
function answersFromEmail(
  service: CaseService,
  message: Pick<InboundMessage, 'subject' | 'from'>,
  trimmed: string,
) {
  const answers: Record<string, unknown> = {};
  const questions = service.definition.form.pages.flatMap((page) => page.questions);
  const details = questions.find((q) => q.type === 'textarea');
  const text = [message.subject.trim(), trimmed].filter((part) => part !== '').join('\n\n');
  if (details) answers[details.id] = text.slice(0, 20_000);
  const email = questions.find((q) => q.type === 'email');
  if (email && message.from) answers[email.id] = message.from.address;
  const contactBy = questions.find((q) => q.id === 'contactBy');
  if (contactBy) answers[contactBy.id] = 'email';
  const name = (message.from?.name ?? '').trim().split(/\s+/).filter(Boolean);
  const given = questions.find((q) => q.id === 'givenName');
  const family = questions.find((q) => q.id === 'familyName');
  if (given && family && name.length >= 2) {
    answers[given.id] = name.slice(0, -1).join(' ');
    answers[family.id] = name[name.length - 1];
  }
  return answers;
}

interface Outcome {
  state: EmailState;
  reason: string | null;
  threadedBy?: string | null;
  caseId?: string | null;
  customerId?: string | null;
  suggestedCaseId?: string | null;
  suggestedCustomerId?: string | null;
  interactionId?: string | null;
  createdCaseId?: string | null;
  acknowledged?: boolean;
}

interface Context {
  deps: IngestDeps;
  trx: Tx;
  emailId: string;
  mailbox: repo.MailboxRow;
  message: InboundMessage;
  classification: Classification;
  trimmed: string;
  verdict: AuthVerdict | null;
  now: Date;
}

/** Mailboxes change rarely and every message reads one: kept for a minute per database. */
const MAILBOX_CACHE_MS = 60_000;
const mailboxCache = new WeakMap<Db, Map<string, { row: repo.MailboxRow; until: number }>>();

async function mailboxOf(db: Db, id: string): Promise<repo.MailboxRow | undefined> {
  let cache = mailboxCache.get(db);
  if (!cache) {
    cache = new Map<string, { row: repo.MailboxRow; until: number }>();
    mailboxCache.set(db, cache);
  }
  const hit = cache.get(id);
  if (hit && hit.until > Date.now()) return hit.row;
  const row = await repo.mailboxById(db, id);
  if (row) cache.set(id, { row, until: Date.now() + MAILBOX_CACHE_MS });
  return row;
}

/**
 * Stores and handles one received email. Resolves after the transaction has committed. See the module
 * comment and docs/email.md for the rules, in order.
 */
export async function ingestEmail(deps: IngestDeps, mail: ReceivedEmail): Promise<IngestResult> {
  const mailbox = await mailboxOf(deps.db, mail.mailboxId);
  if (!mailbox) throw new Error(`ingestEmail: no mailbox ${mail.mailboxId}`);
  const message = await parseInbound(mail.raw, { receivedAt: mail.receivedAt, mailbox: mailbox.address });
  const classification = classify(message, { ownDomains: deps.settings.ownDomains });
  const trimmed = trimReply(message.text);
  const verdict =
    mail.authentication ??
    (deps.settings.trustedAuthservIds?.length
      ? readAuthenticationResults(
          message.headers.get('authentication-results') ?? [],
          deps.settings.trustedAuthservIds,
          {
            fromDomain: message.from?.address.split('@')[1] ?? null,
          },
        )
      : null);
  return withTransaction(deps.db, async (trx) => {
    // One statement: the email's row, its original MIME and the audit row, the last two only if it is new.
    const emailId = randomUUID();
    const batch = new WriteBatch();
    const gate = repo.insertEmailInBatch(batch, {
      id: emailId,
      authority_id: mailbox.authority_id,
      mailbox_id: mailbox.id,
      message_id: message.messageId,
      message_id_synthesised: message.messageIdSynthesised,
      fingerprint: message.fingerprint,
      in_reply_to: message.inReplyTo,
      reference_ids: JSON.stringify(message.references),
      from_address: message.from?.address ?? null,
      from_name: message.from?.name ?? null,
      reply_to: message.replyTo[0]?.address ?? null,
      recipients: JSON.stringify({
        to: message.to.map((a) => a.address),
        cc: message.cc.map((a) => a.address),
      }),
      subject: message.subject.slice(0, 998),
      body_text: message.text,
      trimmed_text: trimmed,
      has_html: message.html !== null,
      attachments: JSON.stringify(
        message.attachments.map((a, index) => ({
          index,
          filename: a.filename,
          contentType: a.contentType,
          size: a.size,
          sha256: a.sha256,
          inline: a.inline,
        })),
      ),
      received_at: message.receivedAt,
      sent_at: message.sentAt,
      size_bytes: message.size,
      auth: JSON.stringify(verdict ?? { source: 'none' }),
      classification: JSON.stringify({
        autoReply: classification.autoReply,
        reasons: classification.reasons,
        outOfOffice: classification.outOfOffice,
        dsn: classification.dsn,
      }),
      state: 'recorded',
    });
    repo.insertSourceInBatch(batch, { email_id: emailId, raw: mail.raw, sha256: sha256(mail.raw) }, gate);
    auditInBatch(
      batch,
      {
        actorType: 'system',
        authorityId: mailbox.authority_id,
        action: 'email.received',
        recordType: 'email',
        recordId: emailId,
        details: { mailbox: mailbox.address },
        at: deps.clock.now(),
      },
      gate,
    );
    const inserted = await batch.execute(trx);
    if (inserted.length === 0) {
      const stored = await repo.findStoredEmail(trx, mailbox.id, message.messageId, message.fingerprint);
      return {
        emailId: stored?.id ?? '',
        duplicate: true,
        state: stored?.state ?? 'recorded',
        reason: stored?.reason ?? null,
        caseId: stored?.case_id ?? null,
        createdCaseId: null,
        acknowledged: false,
      };
    }
    const context: Context = {
      deps,
      trx,
      emailId,
      mailbox,
      message,
      classification,
      trimmed,
      verdict,
      now: deps.clock.now(),
    };
    const outcome = await decide(context);
    await repo.updateEmail(trx, emailId, {
      state: outcome.state,
      reason: outcome.reason,
      threaded_by: outcome.threadedBy ?? null,
      case_id: outcome.caseId ?? null,
      customer_id: outcome.customerId ?? null,
      suggested_case_id: outcome.suggestedCaseId ?? null,
      suggested_customer_id: outcome.suggestedCustomerId ?? null,
      interaction_id: outcome.interactionId ?? null,
    });
    return {
      emailId,
      duplicate: false,
      state: outcome.state,
      reason: outcome.reason,
      caseId: outcome.caseId ?? null,
      createdCaseId: outcome.createdCaseId ?? null,
      acknowledged: outcome.acknowledged ?? false,
    };
  });
}

async function decide(c: Context): Promise<Outcome> {
  const { classification } = c;
  // The same message delivered to two of our mailboxes (To: highways@, Cc: foi@) is handled once.
  const copy = await repo.handledCopyElsewhere(c.trx, c.emailId, c.message.messageId, c.message.fingerprint);
  if (copy) return { state: 'recorded', reason: 'copy-in-another-mailbox', caseId: copy.case_id };
  if (classification.dsn) return bounce(c);
  if (classification.autoReply || classification.outOfOffice) {
    const found = await findThread(c.trx, c.message, c.deps.settings);
    if (classification.outOfOffice && found) {
      // Recorded on the thread for staff; never reopens a case, never resumes a clock, never answered.
      await repo.insertCaseEvent(c.trx, {
        authority_id: found.thread.authority_id,
        case_id: found.thread.id,
        kind: 'email_auto_reply',
        visible_to_customer: false,
        body: `Automatic reply from ${c.message.from?.address ?? 'the sender'}: ${c.message.subject}`.slice(
          0,
          500,
        ),
        data: JSON.stringify({ emailId: c.emailId }),
        created_at: c.message.receivedAt,
      });
    }
    return {
      state: 'recorded',
      reason: classification.outOfOffice ? 'out-of-office' : (classification.reasons[0] ?? 'automatic'),
      caseId: found?.thread.id ?? null,
    };
  }
  const sender = c.message.from?.address ?? null;
  if (!sender) return { state: 'triage', reason: 'no-sender' };
  const failing = senderFailedAuthentication(c.verdict);
  const found = await findThread(c.trx, c.message, c.deps.settings);
  if (found) {
    const { thread, via } = found;
    const party = !failing && (await repo.isPartyToCase(c.trx, thread, sender));
    if (!party)
      return {
        state: 'triage',
        reason: failing ? 'sender-not-verified' : 'not-a-party',
        suggestedCaseId: thread.id,
        suggestedCustomerId: await repo.customerByAnyEmail(c.trx, sender),
      };
    if ((via === 'reply-address' || via === 'message-id') && (await isNewTopic(c, thread.id)))
      return newMail(c, sender, failing, { suggestedCaseId: thread.id, reason: 'new-subject' });
    return reply(c, thread, via);
  }
  return newMail(c, sender, failing, { suggestedCaseId: null, reason: null });
}

/** A reply whose subject is none of the thread's (and names no reference) is about something new. */
async function isNewTopic(c: Context, caseId: string): Promise<boolean> {
  const topic = topicKey(c.message.subject);
  if (topic === '' || referenceInSubject(c.message.subject)) return false;
  const subjects = await repo.threadSubjects(c.trx, caseId);
  const known = new Set(subjects.map(topicKey).filter((s) => s !== ''));
  return known.size > 0 && !known.has(topic);
}

async function reply(c: Context, thread: repo.ThreadCase, via: ThreadKey['kind']): Promise<Outcome> {
  const at = c.message.receivedAt;
  const actor = { kind: 'customer' as const, customerId: thread.customer_id };
  let reason: string | null = null;
  if (thread.closed_at) {
    const windowEnds = thread.closed_at.getTime() + c.mailbox.reopen_days * 86_400_000;
    if (at.getTime() > windowEnds) return linkedNewCase(c, thread);
    await reopenCase(c.trx, thread.id, { at, reason: 'The resident replied by email', actor });
    reason = 'reopened';
  }
  await addMessage(
    c.trx,
    thread.id,
    { from: 'resident', body: c.trimmed || '(no text)', at, actor, channel: 'email' },
    c.deps.caseOptions,
  );
  return { state: 'threaded', reason, threadedBy: via, caseId: thread.id, customerId: thread.customer_id };
}

/** A reply to a case closed longer than the mailbox's reopen window: a new case of its service, linked. */
async function linkedNewCase(c: Context, old: repo.ThreadCase): Promise<Outcome> {
  const service = await loadCaseService(c.trx, { id: old.service_id }, { includeInactive: false });
  if (!service) return { state: 'triage', reason: 'closed-case', suggestedCaseId: old.id };
  const created = await openCase(c, service, {
    customerId: old.customer_id,
    guest: old.customer_id ? null : { name: old.guest_name, email: c.message.from?.address ?? null },
  });
  await linkCaseIds(c.trx, {
    authorityId: service.authorityId,
    a: created.caseId,
    b: old.id,
    at: c.message.receivedAt,
    createdBy: null,
  });
  return {
    state: 'new_case',
    reason: 'closed-case-linked',
    caseId: created.caseId,
    createdCaseId: created.caseId,
    customerId: old.customer_id,
    suggestedCaseId: old.id,
    acknowledged: created.acknowledged,
  };
}

async function newMail(
  c: Context,
  sender: string,
  failing: boolean,
  hint: { suggestedCaseId: string | null; reason: string | null },
): Promise<Outcome> {
  // Only a verified address, from a sender that did not fail authentication, is a known customer.
  const customerId = failing ? null : await repo.customerByVerifiedEmail(c.trx, sender);
  const service = c.mailbox.default_service_id
    ? await loadCaseService(c.trx, { id: c.mailbox.default_service_id }, { includeInactive: false })
    : null;
  if (!service) {
    const interactionId = customerId ? await recordInteraction(c, customerId) : null;
    return {
      state: 'triage',
      reason: hint.reason ?? (customerId ? 'new' : 'unknown-sender'),
      customerId,
      suggestedCaseId: hint.suggestedCaseId,
      suggestedCustomerId: customerId ?? (await repo.customerByAnyEmail(c.trx, sender)),
      interactionId,
    };
  }
  const created = await openCase(c, service, {
    customerId,
    guest: customerId ? null : { name: c.message.from?.name ?? null, email: sender },
  });
  if (hint.suggestedCaseId)
    await linkCaseIds(c.trx, {
      authorityId: service.authorityId,
      a: created.caseId,
      b: hint.suggestedCaseId,
      at: c.message.receivedAt,
    });
  return {
    state: 'new_case',
    reason: hint.reason,
    caseId: created.caseId,
    createdCaseId: created.caseId,
    customerId,
    suggestedCaseId: hint.suggestedCaseId,
    acknowledged: created.acknowledged,
  };
}

async function recordInteraction(c: Context, customerId: string): Promise<string> {
  return repo.insertInteraction(c.trx, {
    authority_id: c.mailbox.authority_id,
    customer_id: customerId,
    case_id: null,
    service_id: null,
    channel: 'email',
    direction: 'inbound',
    occurred_at: c.message.receivedAt,
    summary: `Email to ${c.mailbox.name}: ${c.message.subject}`.slice(0, 300),
    body: c.trimmed.slice(0, 20_000),
  });
}

/** An email as a new case needs it: whom it is from, what it says, when it arrived. */
export interface EmailForCase {
  id: string;
  subject: string;
  from: { address: string; name: string | null } | null;
  trimmed: string;
  receivedAt: Date;
}

/**
 * A new case from an email (by the ingest, or by staff from triage): the clock starts at the receipt
 * time; acknowledged only when the mailbox acknowledges and the sender has had no automatic
 * acknowledgement in the last 24 hours. Idempotent per email (`email:<id>`).
 */
export async function openCaseFromEmail(
  trx: Tx,
  input: {
    service: CaseService;
    email: EmailForCase;
    customerId: string | null;
    guest: { name: string | null; email: string | null } | null;
    autoAcknowledge: boolean;
    now: Date;
    createdByStaffId?: string | null;
  },
  caseOptions?: CaseOptions,
): Promise<{ caseId: string; reference: string; acknowledged: boolean }> {
  const { service, email } = input;
  const sender = email.from?.address ?? null;
  const lastAck = sender ? await repo.lastAcknowledgement(trx, sender) : null;
  const acknowledge = input.autoAcknowledge && mayAutoAcknowledge(sender, lastAck, input.now);
  const created = await createCase(
    trx,
    {
      service,
      customerId: input.customerId,
      contact: input.guest,
      answers: answersFromEmail(service, { subject: email.subject, from: email.from }, email.trimmed),
      formVersion: service.definitionVersion,
      channel: 'email',
      receivedAt: email.receivedAt,
      idempotencyKey: `email:${email.id}`,
      createdByStaffId: input.createdByStaffId ?? null,
      acknowledge,
    },
    caseOptions,
  );
  if (acknowledge && sender) await repo.recordAcknowledgement(trx, sender, input.now);
  return { caseId: created.id, reference: created.reference, acknowledged: acknowledge };
}

function openCase(
  c: Context,
  service: CaseService,
  who: { customerId: string | null; guest: { name: string | null; email: string | null } | null },
): Promise<{ caseId: string; acknowledged: boolean }> {
  return openCaseFromEmail(
    c.trx,
    {
      service,
      email: {
        id: c.emailId,
        subject: c.message.subject,
        from: c.message.from,
        trimmed: c.trimmed,
        receivedAt: c.message.receivedAt,
      },
      ...who,
      autoAcknowledge: c.mailbox.auto_acknowledge,
      now: c.now,
    },
    c.deps.caseOptions,
  );
}

/**
 * A delivery status notification: tied to the message we sent (its Message-ID is ours). A permanent
 * failure (5.1.x) marks the address undeliverable and tells the case's owner; a full mailbox does not.
 */
async function bounce(c: Context): Promise<Outcome> {
  const dsn = c.classification.dsn!;
  const ours = dsn.originalMessageId
    ? ourMessageUuid(dsn.originalMessageId, c.deps.settings.ownDomains)
    : null;
  const sent = ours ? await repo.sentMessage(c.trx, ours) : undefined;
  const address = sent?.recipient ?? dsn.recipient;
  const caseId = sent?.case_id ?? null;
  if (!dsn.permanent)
    return {
      state: 'recorded',
      reason: dsn.mailboxFull ? 'bounce-mailbox-full' : 'bounce-temporary',
      caseId,
    };
  if (address) await markContactUndeliverable(c.trx, 'email', address, c.now);
  if (caseId) {
    const thread = await repo.caseById(c.trx, caseId);
    if (thread) {
      await repo.insertCaseEvent(c.trx, {
        authority_id: thread.authority_id,
        case_id: thread.id,
        kind: 'email_undeliverable',
        visible_to_customer: false,
        body: `Email could not be delivered (${dsn.status}): the address does not accept mail. Contact the resident another way.`,
        data: JSON.stringify({ emailId: c.emailId, status: dsn.status, messageId: sent?.id ?? null }),
        created_at: c.message.receivedAt,
      });
      const owner = thread.assignee_id ? await repo.caseOwner(c.trx, thread.assignee_id) : undefined;
      if (owner?.email)
        await queueMessage(c.trx, {
          authorityId: thread.authority_id,
          customerId: null,
          caseId: thread.id,
          channel: 'email',
          to: { email: owner.email },
          template: 'case.email_undeliverable',
          personalisation: {
            name: owner.display_name,
            reference: thread.reference,
            status: dsn.status,
            caseUrl: `${(c.deps.caseOptions?.publicUrl ?? '').replace(/\/$/, '')}/staff/cases/${thread.id}`,
          },
          dedupeKey: `case.email_undeliverable:${c.emailId}`,
        });
    }
  }
  return { state: 'recorded', reason: 'bounce-permanent', caseId };
}
