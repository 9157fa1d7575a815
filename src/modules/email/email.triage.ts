/**
 * What staff do with an email in triage (issue 13 item 3): add it to an existing case as the resident's
 * message, make a new case of any service from it, or mark it as needing no action.
 *
 * Each use-case locks the email row first (`lockEmail`) and refuses when the email is no longer in triage,
 * so two members of staff acting on the same email at once cannot both succeed: the second is told that
 * someone else handled it. Record-level access (which emails and cases this member of staff may see) is
 * checked by the caller before and, for the case, through `seesCase`.
 */
import { audit } from '../../platform/audit/index.ts';
import { normaliseReference } from '../../platform/contact/index.ts';
import { withTransaction, type Db, type Tx } from '../../platform/db/index.ts';
import { DomainRuleError } from '../../platform/http/errors.ts';
import { addMessage, linkCaseIds, loadCaseService, reopenCase, type CaseOptions } from '../cases/index.ts';
import { openCaseFromEmail } from './email.ingest.ts';
import * as repo from './email.repository.ts';

/** A broken rule that belongs to one field of the triage page (`reference`, `service`). */
export class TriageFieldError extends DomainRuleError {
  constructor(
    readonly field: 'reference' | 'service',
    message: string,
  ) {
    super(message);
  }
}

export interface TriageResult {
  emailId: string;
  caseId: string;
  reference: string;
}

type Email = Awaited<ReturnType<typeof repo.lockEmail>>;

/** Locks the email; throws unless it is still waiting in triage (someone else may have just handled it). */
async function lockTriageEmail(trx: Tx, emailId: string): Promise<NonNullable<Email>> {
  const email = await repo.lockEmail(trx, emailId);
  if (!email) throw new DomainRuleError('This email no longer exists');
  if (email.state !== 'triage')
    throw new DomainRuleError('Someone else has already dealt with this email. It is no longer in triage.');
  return email;
}

/**
 * Adds the email to the case with this reference as the resident's message (channel email, at the time
 * it was received), reopening the case first when it is closed. The email leaves triage as `threaded`
 * (`threaded_by = 'staff'`).
 */
export async function attachToCase(
  db: Db,
  input: { emailId: string; reference: string; staffId: string; at: Date; requestId?: string },
  options: {
    caseOptions?: CaseOptions;
    /** The case visibility rule for this member of staff (a case they may not see is "not found"). */
    seesCase?: (c: { sensitivity: 'normal' | 'restricted'; teamId: string }) => boolean;
  } = {},
): Promise<TriageResult> {
  const reference = normaliseReference(input.reference.trim());
  if (input.reference.trim() === '') throw new TriageFieldError('reference', 'Enter the case reference');
  if (!reference) throw new TriageFieldError('reference', 'Enter a case reference like KX7P-3RMD');
  return withTransaction(db, async (trx) => {
    const email = await lockTriageEmail(trx, input.emailId);
    const target = await repo.caseForStaff(trx, reference);
    if (
      !target ||
      (options.seesCase && !options.seesCase({ sensitivity: target.sensitivity, teamId: target.team_id }))
    )
      throw new TriageFieldError('reference', `There is no case with the reference ${reference}`);
    const actor = { kind: 'customer' as const, customerId: target.customer_id };
    if (target.closed_at)
      await reopenCase(trx, target.id, {
        at: input.at,
        reason: 'An email from the resident was added to the case',
        actor,
      });
    await addMessage(
      trx,
      target.id,
      {
        from: 'resident',
        body: email.trimmed_text.trim() || email.body_text.trim() || '(no text)',
        at: email.received_at,
        actor,
        channel: 'email',
      },
      options.caseOptions,
    );
    await repo.updateEmail(trx, email.id, {
      state: 'threaded',
      threaded_by: 'staff',
      case_id: target.id,
      customer_id: email.customer_id ?? target.customer_id,
      handled_by: input.staffId,
      handled_at: input.at,
    });
    await audit(trx, {
      actorType: 'staff',
      actorId: input.staffId,
      authorityId: email.authority_id,
      action: 'email.added_to_case',
      recordType: 'email',
      recordId: email.id,
      requestId: input.requestId,
      details: { caseId: target.id, reference: target.reference, reopened: Boolean(target.closed_at) },
      at: input.at,
    });
    return { emailId: email.id, caseId: target.id, reference: target.reference };
  });
}

/** "Jo Bloggs" → Jo / Bloggs; one word → that / "Unknown"; none → "Unknown" / "sender". */
export function namesFromDisplayName(name: string | null): { givenName: string; familyName: string } {
  const words = (name ?? '').replace(/["']/g, '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { givenName: 'Unknown', familyName: 'sender' };
  if (words.length === 1) return { givenName: words[0].slice(0, 100), familyName: 'Unknown' };
  return {
    givenName: words.slice(0, -1).join(' ').slice(0, 100),
    familyName: words[words.length - 1].slice(0, 100),
  };
}

/**
 * Makes a new case of `serviceId` from the email, whose statutory clock starts at the email's receipt
 * time. The customer: the one the email already names (known or suggested); else, only when staff
 * confirmed it (`addSenderAsCustomer`), a new customer with the sender's address as an (unverified) email
 * contact point; else a guest case with the sender's address. Retrying is safe (idempotency key
 * `email:<emailId>`).
 */
export async function createCaseFromEmail(
  db: Db,
  input: {
    emailId: string;
    serviceId: string;
    staffId: string;
    at: Date;
    addSenderAsCustomer: boolean;
    requestId?: string;
  },
  options: { caseOptions?: CaseOptions } = {},
): Promise<TriageResult & { customerId: string | null; customerCreated: boolean }> {
  return withTransaction(db, async (trx) => {
    const email = await lockTriageEmail(trx, input.emailId);
    const service = await loadCaseService(trx, { id: input.serviceId }, { includeInactive: false });
    if (!service) throw new TriageFieldError('service', 'Select the service for the new case');
    const sender = email.from_address;
    let customerId = email.customer_id ?? email.suggested_customer_id;
    let customerCreated = false;
    if (!customerId && input.addSenderAsCustomer && sender) {
      customerId = await repo.insertCustomerWithEmail(trx, {
        authorityId: email.authority_id,
        ...namesFromDisplayName(email.from_name),
        email: sender,
        at: input.at,
      });
      customerCreated = true;
    }
    const mailbox = await repo.mailboxById(trx, email.mailbox_id);
    const opened = await openCaseFromEmail(
      trx,
      {
        service,
        email: {
          id: email.id,
          subject: email.subject,
          from: sender ? { address: sender, name: email.from_name } : null,
          trimmed: email.trimmed_text,
          receivedAt: email.received_at,
        },
        customerId,
        guest: customerId ? null : { name: email.from_name, email: sender },
        autoAcknowledge: Boolean(mailbox?.auto_acknowledge),
        now: input.at,
        createdByStaffId: input.staffId,
      },
      options.caseOptions,
    );
    const created = { id: opened.caseId, reference: opened.reference };
    if (email.suggested_case_id && email.suggested_case_id !== created.id)
      await linkCaseIds(trx, {
        authorityId: service.authorityId,
        a: created.id,
        b: email.suggested_case_id,
        at: input.at,
        createdBy: input.staffId,
      });
    await repo.updateEmail(trx, email.id, {
      state: 'new_case',
      case_id: created.id,
      customer_id: customerId,
      handled_by: input.staffId,
      handled_at: input.at,
    });
    await audit(trx, {
      actorType: 'staff',
      actorId: input.staffId,
      authorityId: email.authority_id,
      action: 'email.case_created',
      recordType: 'email',
      recordId: email.id,
      requestId: input.requestId,
      details: { caseId: created.id, reference: created.reference, serviceId: service.id, customerCreated },
      at: input.at,
    });
    return {
      emailId: email.id,
      caseId: created.id,
      reference: created.reference,
      customerId,
      customerCreated,
    };
  });
}

/** Marks the email as needing no action (a staff note, optional, goes in the audit row). */
export async function markNoAction(
  db: Db,
  input: { emailId: string; staffId: string; at: Date; note?: string; requestId?: string },
): Promise<{ emailId: string }> {
  return withTransaction(db, async (trx) => {
    const email = await lockTriageEmail(trx, input.emailId);
    await repo.updateEmail(trx, email.id, {
      state: 'no_action',
      handled_by: input.staffId,
      handled_at: input.at,
    });
    const note = (input.note ?? '').trim();
    await audit(trx, {
      actorType: 'staff',
      actorId: input.staffId,
      authorityId: email.authority_id,
      action: 'email.no_action',
      recordType: 'email',
      recordId: email.id,
      requestId: input.requestId,
      details: note ? { note: note.slice(0, 2000) } : {},
      at: input.at,
    });
    return { emailId: email.id };
  });
}
