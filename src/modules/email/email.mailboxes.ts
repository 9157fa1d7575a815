/**
 * Mailboxes: a council's shared addresses (`highways@`, `foi@`), each owned by an authority and a team,
 * with what to do with new mail (a case of its default service, else triage) and how to fetch it. Made by
 * the demo seed and (issue 19) by administrators; the address is normalised and unique.
 */
import { normaliseEmail } from '../../platform/contact/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import * as repo from './email.repository.ts';

export interface MailboxInput {
  authorityId: string;
  teamId: string;
  address: string;
  name: string;
  /** New mail that matches no case becomes a case of this service (e.g. foi@ → FOI request); null: triage. */
  defaultServiceId?: string | null;
  /** A reply this many days or fewer after a case closed reopens it; later, a new linked case. Default 20. */
  reopenDays?: number;
  autoAcknowledge?: boolean;
  imap?: {
    host: string;
    port: number;
    secure: boolean;
    user: string;
    /** The environment variable that holds the password (EMAIL_IMAP_PASSWORD_<NAME>). */
    passwordEnv: string;
    folder?: string;
    moveTo?: string | null;
  } | null;
}

/** Creates the mailbox, or returns the id of the one with this address. */
export async function ensureMailbox(db: Db | Tx, input: MailboxInput): Promise<string> {
  const address = normaliseEmail(input.address);
  if (!address) throw new TypeError(`ensureMailbox: "${input.address}" is not an email address`);
  return repo.insertMailbox(db, {
    authority_id: input.authorityId,
    team_id: input.teamId,
    address,
    name: input.name,
    default_service_id: input.defaultServiceId ?? null,
    reopen_days: input.reopenDays ?? 20,
    auto_acknowledge: input.autoAcknowledge ?? true,
    imap_host: input.imap?.host ?? null,
    imap_port: input.imap?.port ?? null,
    imap_secure: input.imap?.secure ?? true,
    imap_user: input.imap?.user ?? null,
    imap_password_env: input.imap?.passwordEnv ?? null,
    imap_folder: input.imap?.folder ?? 'INBOX',
    imap_move_to: input.imap?.moveTo ?? null,
  });
}

export { activeMailboxes, mailboxByAddress, type MailboxRow } from './email.repository.ts';
