/**
 * Receiving email, as the worker runs it (docs/email.md "Receiving"): one IMAP poller per mailbox that has
 * IMAP settings (cursor in `mailbox_cursors`), and the inbound SMTP endpoint when EMAIL_INBOUND_SMTP_PORT
 * is set (recipients: the mailboxes' addresses, with any +tag, so signed reply addresses reach the reply
 * mailbox). Both hand each message to `ingestEmail`, which commits before they acknowledge it.
 */
import type { Clock } from '../../platform/clock.ts';
import { normaliseEmail } from '../../platform/contact/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { ingestEmail, type IngestDeps } from './email.ingest.ts';
import { ImapPoller, type ImapPollerLogger } from './email.imap.ts';
import { startInboundSmtp, type InboundSmtp } from './email.smtp-ingress.ts';
import * as repo from './email.repository.ts';

export interface ReceivingConfig {
  publicUrl?: string;
  email: { messageIdDomain: string | null; replySecret: string | null };
  /** MAIL_FROM (its domain is one of ours too). */
  mailFrom: string | null;
  inboundEmail: {
    smtp: { host: string; port: number; maxBytes: number; allowedRelays: string[] } | null;
    trustedAuthservIds: string[];
    imapPollSeconds: number;
    imapPasswords: Record<string, string>;
  };
}

export interface ReceivingDeps {
  db: Db;
  clock: Clock;
  config: ReceivingConfig;
  logger?: ImapPollerLogger;
}

export interface RunningReceivers {
  /** The SMTP endpoint's port, or null when it is not started. */
  smtpPort: number | null;
  /** One pass over every IMAP mailbox now (tests, and the "check now" of operators). */
  pollNow(): Promise<number>;
  status(): { mailbox: string; connected: boolean; lastPollAt: Date | null; lastError: string | null }[];
  stop(): Promise<void>;
}

/** Our own Message-ID domains: EMAIL_MESSAGE_ID_DOMAIN and MAIL_FROM's. */
export function ownDomainsOf(config: Pick<ReceivingConfig, 'email' | 'mailFrom'>): string[] {
  const fromAddress = config.mailFrom ? (/<([^>]+)>/.exec(config.mailFrom)?.[1] ?? config.mailFrom) : null;
  return [config.email.messageIdDomain, fromAddress?.split('@')[1] ?? null]
    .filter((d): d is string => typeof d === 'string' && d !== '')
    .map((d) => d.toLowerCase());
}

export function ingestDepsOf(deps: ReceivingDeps): IngestDeps {
  return {
    db: deps.db,
    clock: deps.clock,
    settings: {
      replySecret: deps.config.email.replySecret,
      ownDomains: ownDomainsOf(deps.config),
      trustedAuthservIds: deps.config.inboundEmail.trustedAuthservIds,
    },
    caseOptions: deps.config.publicUrl ? { publicUrl: deps.config.publicUrl } : {},
  };
}

/** `reply+kx7p-3rmd-…@x` → `reply@x`: a sub-address reaches its mailbox. */
function withoutTag(address: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at).split('+')[0];
  return `${local}${address.slice(at)}`;
}

export async function startEmailReceiving(deps: ReceivingDeps): Promise<RunningReceivers> {
  const ingest = ingestDepsOf(deps);
  const mailboxes = await repo.activeMailboxes(deps.db);
  const pollers: { mailbox: string; poller: ImapPoller }[] = [];
  for (const mailbox of mailboxes) {
    if (!mailbox.imap_host || !mailbox.imap_user) continue;
    const password = mailbox.imap_password_env
      ? deps.config.inboundEmail.imapPasswords[mailbox.imap_password_env]
      : undefined;
    if (password === undefined) {
      deps.logger?.warn({ mailbox: mailbox.address }, 'IMAP mailbox has no password set: not polled');
      continue;
    }
    const poller = new ImapPoller({
      host: mailbox.imap_host,
      port: mailbox.imap_port ?? (mailbox.imap_secure ? 993 : 143),
      secure: mailbox.imap_secure,
      user: mailbox.imap_user,
      password,
      folder: mailbox.imap_folder,
      after: mailbox.imap_move_to ? { moveTo: mailbox.imap_move_to } : 'keep',
      pollIntervalMs: deps.config.inboundEmail.imapPollSeconds * 1000,
      ...(deps.logger ? { logger: deps.logger } : {}),
      clock: () => deps.clock.now(),
      cursor: {
        load: () => repo.loadCursor(deps.db, mailbox.id),
        save: (cursor) => repo.saveCursor(deps.db, mailbox.id, cursor, deps.clock.now()),
      },
      deliver: async (mail) => {
        await ingestEmail(ingest, { raw: mail.raw, receivedAt: mail.receivedAt, mailboxId: mailbox.id });
      },
    });
    poller.start();
    pollers.push({ mailbox: mailbox.address, poller });
  }

  let smtp: InboundSmtp | null = null;
  const settings = deps.config.inboundEmail.smtp;
  if (settings) {
    // A recipient is looked up when it arrives, so a new mailbox is taken without a restart.
    const mailboxOf = async (recipient: string) => {
      const address = normaliseEmail(recipient);
      if (!address) return undefined;
      const row = await repo.mailboxByAddress(deps.db, withoutTag(address));
      return row?.active ? row.id : undefined;
    };
    smtp = await startInboundSmtp({
      host: settings.host,
      port: settings.port,
      maxBytes: settings.maxBytes,
      hostname: ingest.settings.ownDomains[0] ?? 'frontdoor.invalid',
      allowedRelays: settings.allowedRelays,
      now: () => deps.clock.now(),
      acceptRecipient: async (address) => (await mailboxOf(address)) !== undefined,
      deliver: async (mail) => {
        // One receipt per mailbox it was sent to (the same message in two mailboxes is handled once).
        const found = await Promise.all(mail.rcptTo.map(mailboxOf));
        const ids = [...new Set(found.filter((id): id is string => id !== undefined))];
        for (const mailboxId of ids)
          await ingestEmail(ingest, {
            raw: mail.raw,
            receivedAt: mail.receivedAt,
            mailboxId,
            authentication: mail.authentication,
          });
      },
    });
  }

  return {
    smtpPort: smtp?.port ?? null,
    async pollNow() {
      let delivered = 0;
      for (const { poller } of pollers) delivered += (await poller.pollOnce()).delivered;
      return delivered;
    },
    status: () =>
      pollers.map(({ mailbox, poller }) => {
        const s = poller.status();
        return { mailbox, connected: s.connected, lastPollAt: s.lastPollAt, lastError: s.lastError };
      }),
    async stop() {
      await Promise.all(pollers.map(({ poller }) => poller.stop()));
      await smtp?.close();
    },
  };
}
