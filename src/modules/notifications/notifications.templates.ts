/**
 * Message templates: plain-English text kept as data, one file per language in `templates/<lang>.json`
 * (adding a language is adding a file; a template missing from a language falls back to English).
 *
 * A template has a subject, a body (paragraphs) and a short text-message version. Each of them is a
 * text, or a list of alternatives: the first alternative whose `{placeholders}` are all filled is used,
 * and a paragraph with no usable alternative is left out. So "…We aim to finish by {dueDate}." simply
 * disappears when the caller has no due date, and "Dear {name}," falls back to "Hello,".
 *
 * Messages are rendered once, when they are queued, and the text is stored with the message: what staff
 * see in the outbox is exactly what the resident was sent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const TEMPLATE_NAMES = [
  'case.acknowledgement',
  'case.status_changed',
  'case.message',
  'resident.sign_in_code',
  'resident.track_code',
  'complaint.acknowledgement',
  'complaint.extension',
  'complaint.response',
  'complaint.escalation_acknowledgement',
  'complaint.final_response',
  'complaint.refusal',
  'feedback.request',
  'sar.bundle_ready',
  'case.sla_warning',
  'case.sla_breach',
  'case.assigned',
  'case.transferred',
  'case.email_undeliverable',
  'case.message_undeliverable',
  'staff.account_locked',
  'staff.account_unlocked',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export type MessageChannel = 'email' | 'sms' | 'letter';

/**
 * Complaint letters that tell the resident about the Ombudsman carry its details as personalisation (the
 * complaints module knows which Ombudsman), so a letter can never go out without them.
 */
const OMBUDSMAN_PERSONALISATION = ['ombudsmanName', 'ombudsmanWebsite', 'ombudsmanPhone'] as const;

/** Personalisation a caller must give for each template (queueMessage refuses the message otherwise). */
export const REQUIRED_PERSONALISATION: Record<TemplateName, readonly string[]> = {
  'case.acknowledgement': ['reference'],
  'case.status_changed': ['reference', 'status'],
  'case.message': ['reference', 'message'],
  'resident.sign_in_code': ['code'],
  'resident.track_code': ['code', 'reference'],
  'complaint.acknowledgement': ['reference', 'stageName', 'respondBy'],
  'complaint.extension': [
    'reference',
    'stageName',
    'reason',
    'respondBy',
    'days',
    ...OMBUDSMAN_PERSONALISATION,
  ],
  'complaint.response': ['reference', 'stageName', 'decision', 'reasons', 'escalation'],
  'complaint.escalation_acknowledgement': ['reference', 'stageName', 'respondBy'],
  'complaint.final_response': ['reference', 'stageName', 'decision', 'reasons', ...OMBUDSMAN_PERSONALISATION],
  'complaint.refusal': ['reference', 'refusalReason', ...OMBUDSMAN_PERSONALISATION],
  'feedback.request': ['what', 'link'],
  'sar.bundle_ready': ['reference', 'downloadUrl', 'expiresOn'],
  /** To staff (addressed with `to.email`): the case, its due date and the link to the staff case page. */
  'case.sla_warning': ['reference', 'serviceName', 'dueDate', 'caseUrl'],
  'case.sla_breach': ['reference', 'serviceName', 'dueDate', 'caseUrl'],
  'case.email_undeliverable': ['reference', 'status', 'caseUrl'],
  'case.message_undeliverable': ['what', 'contact', 'reference', 'status', 'caseUrl'],
  /** To staff: a case given to them or to their team, with the handover note. */
  'case.assigned': ['reference', 'serviceName', 'from', 'note', 'caseUrl'],
  'case.transferred': ['reference', 'serviceName', 'from', 'note', 'caseUrl'],
  /** To staff: their account was locked after wrong passwords, and until when (identity module). */
  'staff.account_locked': ['attempts', 'lockedUntil'],
  /** To staff: an administrator unlocked their account. */
  'staff.account_unlocked': ['unlockedBy'],
};

const text = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const templateSchema = z.strictObject({ subject: text, body: z.array(text).min(1), sms: text });
const languageFileSchema = z.partialRecord(z.enum(TEMPLATE_NAMES), templateSchema);

export type TemplateText = z.infer<typeof templateSchema>;
/** Language code → the templates translated into it. English ('en') must hold every template. */
export type TemplateCatalogue = Record<string, Partial<Record<TemplateName, TemplateText>>>;

const templatesDir = join(dirname(fileURLToPath(import.meta.url)), 'templates');

/** Loads and validates `templates/*.json` (at start-up: a broken file stops the process with its name). */
export function loadCatalogue(dir = templatesDir): TemplateCatalogue {
  const catalogue: TemplateCatalogue = {};
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.json')) continue;
    const parsed = languageFileSchema.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    if (!parsed.success)
      throw new Error(`Message templates ${file} are not valid: ${parsed.error.issues[0]?.message ?? ''}`);
    catalogue[file.replace(/\.json$/, '')] = parsed.data;
  }
  const english = catalogue.en ?? {};
  const missing = TEMPLATE_NAMES.filter((name) => !english[name]);
  if (missing.length) throw new Error(`templates/en.json has no text for ${missing.join(', ')}`);
  return catalogue;
}

export const defaultCatalogue = loadCatalogue();

const PLACEHOLDER = /\{(\w+)\}/g;

function fill(candidates: string | string[], values: Record<string, string>): string | null {
  for (const candidate of typeof candidates === 'string' ? [candidates] : candidates) {
    let complete = true;
    const filled = candidate.replace(PLACEHOLDER, (_whole, name: string) => {
      const value = values[name];
      if (value === undefined || value.trim() === '') complete = false;
      return value?.trim() ?? '';
    });
    if (complete) return filled;
  }
  return null;
}

export interface RenderedMessage {
  subject: string;
  body: string;
  /** The language actually used (English when the preferred one has no translation). */
  language: string;
}

/**
 * Renders `template` for `channel` in `language` (falling back to English). Email and letter bodies are
 * paragraphs separated by blank lines (GOV.UK Notify's plain-text formatting); texts use the short version.
 */
export function renderMessage(
  template: TemplateName,
  channel: MessageChannel,
  language: string,
  personalisation: Record<string, string>,
  catalogue: TemplateCatalogue = defaultCatalogue,
): RenderedMessage {
  const translated = catalogue[language]?.[template];
  const used = translated ? language : 'en';
  const text = translated ?? catalogue.en?.[template];
  if (!text) throw new Error(`No English text for the message template ${template}`);
  const subject = fill(text.subject, personalisation);
  if (subject === null) throw new Error(`The subject of ${template} needs more personalisation`);
  const body =
    channel === 'sms'
      ? fill(text.sms, personalisation)
      : text.body
          .map((paragraph) => fill(paragraph, personalisation))
          .filter((p): p is string => p !== null)
          .join('\n\n');
  if (!body) throw new Error(`The ${channel} text of ${template} needs more personalisation`);
  return { subject, body, language: used };
}

export function isTemplateName(value: unknown): value is TemplateName {
  return typeof value === 'string' && (TEMPLATE_NAMES as readonly string[]).includes(value);
}
