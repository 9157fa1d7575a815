/**
 * Delivery adapters: GOV.UK Notify (email and SMS) when NOTIFY_API_KEY is set, otherwise SMTP (email only)
 * when SMTP_URL is set, otherwise none: messages are then `recorded` in the local outbox staff can view.
 *
 * Adapters never put a recipient, a body or a provider response into an error message: errors are stored
 * in `messages.error` and the outbox's `last_error`, and logged.
 */
import { NotifyClient } from 'notifications-node-client';
import nodemailer from 'nodemailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { outboundThreading } from '../email/index.ts';
import type { MessageChannel } from './notifications.templates.ts';
import { letterAddressFields, letterAddressProblem, letterLines } from './notifications.letters.ts';

export interface OutgoingMessage {
  /** The message id: Notify's `reference` and the email's Message-ID, so duplicates can be traced. */
  id: string;
  channel: MessageChannel;
  template: string;
  recipient: string;
  subject: string;
  body: string;
  /**
   * Email threading (docs/email.md "Outbound headers"), all optional. By SMTP: the reference goes in the
   * subject (`[Ref: KX7P-3RMD]`) and, when EMAIL_REPLY_ADDRESS is set, the case's signed reply address
   * is the Reply-To; `inReplyTo` / `references` (Message-IDs, oldest first) become those headers;
   * `automated` adds `Auto-Submitted: auto-generated`.
   */
  caseReference?: string | null;
  inReplyTo?: string | null;
  references?: readonly string[];
  automated?: boolean;
}

export interface DeliveryAdapter {
  readonly provider: 'notify' | 'smtp';
  readonly channels: readonly MessageChannel[];
  /** Hands the message to the provider; resolves with the provider's id for it. */
  send(message: OutgoingMessage): Promise<{ providerId: string | null }>;
  /**
   * After an attempt whose outcome is unknown (a timeout, or a worker that died mid-send): has the
   * provider already got this message? Adapters that cannot tell leave this out (SMTP: at least once).
   */
  findSent?(message: OutgoingMessage): Promise<{ providerId: string } | null>;
  /**
   * What the provider now says about a message it took (for receipts its callbacks missed): its status
   * word (Notify's: `sending`, `delivered`, `permanent-failure`…) and when it was last updated.
   */
  statusOf?(providerId: string): Promise<{ status: string; at: Date | null }>;
}

/** A text a resident sent to the council's number, as the provider lists it. */
export interface ReceivedText {
  id: string;
  /** As the provider gives it (normalise before use). */
  from: string;
  body: string;
  receivedAt: Date;
}

/** The provider's list of received texts, newest first, a page at a time (`olderThan`: the last id seen). */
export interface TextInbox {
  page(olderThan: string | null): Promise<{ texts: ReceivedText[]; more: boolean }>;
}

/** A failed delivery. `permanent`: retrying cannot help. `outcomeKnown`: the provider did not take it. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly outcomeKnown: boolean,
  ) {
    super(message);
  }
}

/**
 * Every provider call is bounded (DELIVERY_CONNECT_TIMEOUT_MS, DELIVERY_RESPONSE_TIMEOUT_MS): a mail
 * server that accepts the connection and never greets, or an API that never answers, fails the attempt
 * within seconds and the job is retried later, instead of holding a worker slot. These are the defaults
 * when a caller gives none (the values in src/config/index.ts).
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_RESPONSE_TIMEOUT_MS = 10_000;

/** Provider timeouts in milliseconds. */
export interface ProviderTimeouts {
  /** TCP connect, and for SMTP the server's greeting. */
  connectTimeoutMs?: number;
  /** Silence allowed while waiting for an answer (SMTP); Notify: with connect, the whole request. */
  responseTimeoutMs?: number;
}

interface NotifyHttpError {
  response?: { status?: number; data?: { errors?: { error?: string }[] } };
  code?: string;
}

function notifyError(error: unknown, messageId: string): DeliveryError {
  const e = (error ?? {}) as NotifyHttpError;
  const status = e.response?.status;
  if (status) {
    const kind = e.response?.data?.errors?.[0]?.error;
    const text = `GOV.UK Notify returned ${status}${kind ? ` (${kind.slice(0, 60)})` : ''} for message ${messageId}`;
    // 400 (bad request) and 403 (bad key) will not get better by retrying; 429 and 5xx may.
    return new DeliveryError(text, status >= 400 && status < 500 && status !== 429, true);
  }
  const code = typeof e.code === 'string' ? e.code : 'network error';
  const refused = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
  return new DeliveryError(
    `Could not reach GOV.UK Notify (${code}) for message ${messageId}`,
    false,
    refused,
  );
}

export interface NotifySettings extends ProviderTimeouts {
  apiKey: string;
  /** null: the production API. */
  baseUrl: string | null;
  templateIds: Record<string, string>;
}

/**
 * The Notify template for a message. Lookup order: `<template>:<channel>`, then `<channel>` (a "blank"
 * template whose whole content is `((body))`, with subject `((subject))` for email), then `<template>`
 * for email only.
 */
export function notifyTemplateId(
  templateIds: Record<string, string>,
  template: string,
  channel: MessageChannel,
): string | null {
  return (
    templateIds[`${template}:${channel}`] ??
    templateIds[channel] ??
    (channel === 'email' ? templateIds[template] : undefined) ??
    null
  );
}

type RestClient = (options: Record<string, unknown>) => Promise<unknown>;

/** The official client, with a timeout on every request (the client has none of its own). */
function notifyClient(settings: NotifySettings): NotifyClient {
  const client = settings.baseUrl
    ? new NotifyClient(settings.baseUrl.replace(/\/$/, ''), settings.apiKey)
    : new NotifyClient(settings.apiKey);
  // The client has no timeout setting: wrap its HTTP function (axios) to add one.
  const internal = (client as unknown as { apiClient?: { restClient?: RestClient } }).apiClient;
  const original = internal?.restClient;
  if (typeof original === 'function') {
    const timeout =
      (settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) +
      (settings.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS);
    const withTimeout: RestClient = (options) => original({ ...options, timeout });
    client.setClient(withTimeout as unknown as Parameters<NotifyClient['setClient']>[0]);
  }
  return client;
}

/**
 * GOV.UK Notify through the official client, with a timeout on every request: connect + response
 * timeout for the whole request (axios has no separate connect timeout).
 */
export function notifyAdapter(settings: NotifySettings): DeliveryAdapter {
  const client = notifyClient(settings);
  return {
    provider: 'notify',
    channels: ['email', 'sms', 'letter'],
    async send(message) {
      const templateId = notifyTemplateId(settings.templateIds, message.template, message.channel);
      if (!templateId)
        throw new DeliveryError(
          `No Notify template is set for ${message.template} by ${message.channel} (NOTIFY_TEMPLATE_IDS)`,
          true,
          true,
        );
      const personalisation = { subject: message.subject, body: message.body };
      if (message.channel === 'letter') {
        // Notify's address rules, checked first: a letter it would refuse fails now, with the reason.
        const lines = letterLines(message.recipient);
        const problem = letterAddressProblem(lines);
        if (problem) throw new DeliveryError(`Letter ${message.id} not sent: ${problem}`, true, true);
        try {
          const response = await client.sendLetter(templateId, {
            personalisation: { ...letterAddressFields(lines), ...personalisation },
            reference: message.id,
          });
          return { providerId: response.data.id };
        } catch (error) {
          throw notifyError(error, message.id);
        }
      }
      try {
        const response =
          message.channel === 'email'
            ? await client.sendEmail(templateId, message.recipient, {
                personalisation,
                reference: message.id,
              })
            : await client.sendSms(templateId, message.recipient, { personalisation, reference: message.id });
        return { providerId: response.data.id };
      } catch (error) {
        throw notifyError(error, message.id);
      }
    },
    async findSent(message) {
      try {
        const response = await client.getNotifications(message.channel, undefined, message.id);
        const found = response.data.notifications.find((n) => n.reference === message.id);
        return found ? { providerId: found.id } : null;
      } catch (error) {
        throw notifyError(error, message.id);
      }
    },
    async statusOf(providerId) {
      try {
        const { data } = await client.getNotificationById(providerId);
        const when = data.completed_at ?? data.sent_at ?? null;
        return { status: data.status, at: when ? new Date(when) : null };
      } catch (error) {
        throw notifyError(error, providerId);
      }
    },
  };
}

/**
 * The texts residents sent to the service's number (Notify keeps them 7 days), through the official client:
 * `GET /v2/received-text-messages?older_than=<id>`, newest first.
 */
export function notifyTextInbox(settings: NotifySettings): TextInbox {
  const client = notifyClient(settings);
  return {
    async page(olderThan) {
      try {
        const { data } = await client.getReceivedTexts(olderThan ?? undefined);
        const texts = data.received_text_messages.map((t) => ({
          id: t.id,
          from: t.user_number,
          body: t.content,
          receivedAt: new Date(t.created_at),
        }));
        return { texts, more: Boolean(data.links.next) && texts.length > 0 };
      } catch (error) {
        throw notifyError(error, olderThan ?? 'received texts');
      }
    },
  };
}

export interface SmtpSettings extends ProviderTimeouts {
  url: string;
  from: string;
}

/** Config's `email` (EMAIL_MESSAGE_ID_DOMAIN, EMAIL_REPLY_ADDRESS, EMAIL_REPLY_SECRET). */
export interface EmailThreadingSettings {
  /** null: MAIL_FROM's domain. */
  messageIdDomain: string | null;
  replyAddress: string | null;
  replySecret: string | null;
}

interface SmtpError {
  responseCode?: number;
  code?: string;
}

/** Email over SMTP with nodemailer. Texts and letters are not sent by SMTP (they are recorded). */
export function smtpAdapter(
  settings: SmtpSettings,
  threading: EmailThreadingSettings | null = null,
): DeliveryAdapter & { close(): void } {
  const connect = settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  // Built as an SMTPTransport, not `createTransport(url, options)`: there the second argument is message
  // defaults, and with `{ url, ... }` nodemailer keeps only what the URL says, so the timeouts were
  // silently dropped (nodemailer's own defaults: 2 minutes to connect, 30 s for the greeting, 10 minutes
  // of silence). Options given in the URL's query string still win.
  const transport = nodemailer.createTransport(
    new SMTPTransport({
      url: settings.url,
      connectionTimeout: connect,
      greetingTimeout: connect,
      socketTimeout: settings.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS,
    }),
  );
  const fromAddress = /<([^>]+)>/.exec(settings.from)?.[1] ?? settings.from;
  const domain = threading?.messageIdDomain ?? fromAddress.split('@')[1] ?? 'frontdoor.invalid';
  const threadingSettings = {
    messageIdDomain: domain,
    replyAddress: threading?.replyAddress ?? null,
    replySecret: threading?.replySecret ?? null,
  };
  return {
    provider: 'smtp',
    channels: ['email'],
    async send(message) {
      const thread = outboundThreading(message, threadingSettings);
      try {
        const info = await transport.sendMail({
          from: settings.from,
          to: message.recipient,
          subject: thread.subject,
          text: message.body,
          messageId: thread.messageId,
          ...(thread.replyTo ? { replyTo: thread.replyTo } : {}),
          ...(thread.inReplyTo ? { inReplyTo: thread.inReplyTo } : {}),
          ...(thread.references.length ? { references: thread.references } : {}),
          headers: { 'X-Frontdoor-Message-Id': message.id, ...thread.headers },
        });
        return { providerId: info.messageId };
      } catch (error) {
        const e = (error ?? {}) as SmtpError;
        if (typeof e.responseCode === 'number') {
          throw new DeliveryError(
            `The mail server returned ${e.responseCode} for message ${message.id}`,
            e.responseCode >= 500,
            true,
          );
        }
        const code = typeof e.code === 'string' ? e.code : 'network error';
        throw new DeliveryError(
          `Could not send message ${message.id} by SMTP (${code})`,
          false,
          code !== 'ETIMEDOUT',
        );
      }
    },
    close() {
      transport.close();
    },
  };
}

export interface DeliveryAdapters {
  email: DeliveryAdapter | null;
  sms: DeliveryAdapter | null;
  /** Letters through Notify when a letter template is set; otherwise letters go in the print run. */
  letter?: DeliveryAdapter | null;
}

/** Picks the adapters from configuration: Notify, else SMTP for email, else none (record only). */
export function adaptersFromConfig(config: {
  notify: NotifySettings | null;
  smtp: SmtpSettings | null;
  email?: EmailThreadingSettings;
}): DeliveryAdapters {
  if (config.notify) {
    const notify = notifyAdapter(config.notify);
    const letters = Object.keys(config.notify.templateIds).some(
      (k) => k === 'letter' || k.endsWith(':letter'),
    );
    return { email: notify, sms: notify, letter: letters ? notify : null };
  }
  if (config.smtp) return { email: smtpAdapter(config.smtp, config.email ?? null), sms: null };
  return { email: null, sms: null };
}
