/**
 * Service definitions: the catalogue as versioned data files (`definitions/<slug>.json`), one per service.
 *
 * A definition holds everything the platform needs to run a service: its plain-English description, the
 * form (pages of questions, rendered by the forms engine), the workflow (statuses, transitions, which
 * statuses residents see and in what words), the SLA and retention period, and the annual contact volume
 * that the demo history generator scales from. Files are validated here with one zod schema, so a broken
 * file fails at load time with the file name and the problem, never half-way through a resident's form.
 *
 * Changing a form or workflow in a way that affects stored cases means a new `version` (cases record the
 * form version they were answered with).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The folder of shipped definitions. */
export const DEFINITIONS_DIR = fileURLToPath(new URL('./definitions/', import.meta.url));

export const QUESTION_TYPES = [
  'text',
  'textarea',
  'number',
  'radios',
  'checkboxes',
  'date',
  'email',
  'phone',
  'postcode',
  'address',
  'location',
  'file',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** Customer profile fields a question can be prefilled from (DESIGN §4 forms engine). */
export const PREFILL_FIELDS = [
  'given_name',
  'family_name',
  'full_name',
  'email',
  'phone',
  'address',
  'postcode',
  'date_of_birth',
] as const;
export type PrefillField = (typeof PREFILL_FIELDS)[number];

export const SERVICE_KINDS = [
  'request',
  'report',
  'application',
  'enquiry',
  'complaint',
  'compliment',
  'foi',
  'sar',
] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

const code = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'must be lower case letters, digits and underscores, starting with a letter');
const kebab = z
  .string()
  .regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens');
const questionId = z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'must be camelCase letters and digits');
const text = z.string().trim().min(1, 'must not be empty');

const optionSchema = z.strictObject({
  value: z.string().regex(/^[A-Za-z0-9_]+$/, 'must be letters, digits and underscores'),
  label: text,
  hint: text.optional(),
});

const validationSchema = z.strictObject({
  /** text, textarea */
  minLength: z.int().min(0).optional(),
  maxLength: z.int().min(1).optional(),
  pattern: z.string().min(1).optional(),
  patternMessage: text.optional(),
  /** number */
  min: z.number().optional(),
  max: z.number().optional(),
  wholeNumber: z.boolean().optional(),
  /** date */
  notInFuture: z.boolean().optional(),
  notInPast: z.boolean().optional(),
  /** The date is at most this many working days before today ("we take reports up to 2 working days after"). */
  maxWorkingDaysAgo: z.int().min(0).max(250).optional(),
  /** The date is at most this many years before today (e.g. a date of birth). */
  maxYearsAgo: z.int().min(1).max(150).optional(),
  /** The message when the date is earlier than those rules allow; `{date}` is the earliest date allowed. */
  earliestMessage: text.optional(),
  /** file */
  maxFiles: z.int().min(1).max(20).optional(),
  maxFileSizeMb: z.number().positive().max(100).optional(),
  fileTypes: z
    .array(z.string().regex(/^\.[a-z0-9]+$/, 'must be an extension like .pdf'))
    .min(1)
    .optional(),
});

const questionSchema = z.strictObject({
  id: questionId,
  type: z.enum(QUESTION_TYPES),
  label: text,
  hint: text.optional(),
  required: z.boolean(),
  options: z.array(optionSchema).optional(),
  validation: validationSchema.optional(),
  /** Show the question only when an earlier radios/checkboxes answer equals (or, for checkboxes, includes) a value. */
  showIf: z.strictObject({ question: questionId, equals: z.string().min(1) }).optional(),
  prefill: z.enum(PREFILL_FIELDS).optional(),
  /** Sample answers (text and textarea only): used by the demo data and form previews, never shown to residents. */
  examples: z.array(text).min(1).optional(),
});

const pageSchema = z.strictObject({
  id: kebab,
  title: text,
  description: text.optional(),
  questions: z.array(questionSchema).min(1, 'a page needs at least one question'),
});

const statusSchema = z.strictObject({
  code,
  /** What staff see. */
  label: text,
  /** What residents see, in plain words ("Repair scheduled", "With the highways team"). */
  customerLabel: text,
  /** Whether the status appears on the resident's progress timeline (otherwise they keep seeing the last visible one). */
  customerVisible: z.boolean(),
  next: z.array(code),
  /** The SLA clock stops while a case is in this status (for example, waiting for the resident). */
  pausesSla: z.boolean().optional(),
});

const workflowSchema = z.strictObject({
  statuses: z.array(statusSchema).min(2, 'a workflow needs at least two statuses'),
  initial: code,
  closed: z.array(code).min(1, 'a workflow needs at least one closed status'),
});

const slaSchema = z.strictObject({
  unit: z.enum(['working_days', 'calendar_days', 'hours']),
  amount: z.int().positive(),
});

/**
 * Routing (cases module, `cases.routing.ts`): rules tried in order, the first that matches sends the case
 * to another team of the same authority (by answer value, or by location inside a box); `specialisms`
 * are the staff specialisms that suit this service (default: those the service slug contains).
 */
const routingRuleSchema = z.strictObject({
  when: z.union([
    z.strictObject({ question: questionId, equals: z.string().min(1) }),
    z.strictObject({ question: questionId, in: z.array(z.string().min(1)).min(1) }),
    z.strictObject({
      area: z.strictObject({
        name: text,
        south: z.number(),
        west: z.number(),
        north: z.number(),
        east: z.number(),
      }),
    }),
  ]),
  /** Code of a team of the service's authority. */
  team: kebab,
  /** Plain English for staff ("Reports in the city centre go to the city team."). */
  reason: text.optional(),
});

const routingSchema = z.strictObject({
  rules: z.array(routingRuleSchema).optional(),
  specialisms: z.array(kebab).optional(),
});

const serviceDefinitionObject = z.strictObject({
  slug: kebab,
  version: z.int().min(1),
  name: text,
  /** Code of the owning authority (the demo area uses `county` and `city`). */
  authority: kebab,
  /** Code of the owning team within that authority. */
  team: kebab,
  category: text,
  summary: text,
  beforeYouStart: z.array(text),
  synonyms: z.array(
    z
      .string()
      .trim()
      .min(1)
      .regex(/^[^A-Z]*$/, 'must be lower case'),
  ),
  sensitivity: z.enum(['normal', 'restricted']),
  kind: z.enum(SERVICE_KINDS),
  sla: slaSchema,
  retentionDays: z.int().positive(),
  /** Contacts a year about this service, on every channel (published figures; drives the generator). */
  annualVolume: z.int().min(0),
  /** Cases (applications, reports, requests) a year; at most annualVolume. Defaults to annualVolume. */
  annualCases: z.int().min(0).optional(),
  workflow: workflowSchema,
  routing: routingSchema.optional(),
  form: z.strictObject({ pages: z.array(pageSchema).min(1, 'a form needs at least one page') }),
});

export const serviceDefinitionSchema = serviceDefinitionObject.superRefine((definition, ctx) => {
  const problem = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });

  if (definition.annualCases !== undefined && definition.annualCases > definition.annualVolume) {
    problem(['annualCases'], `must not be more than annualVolume (${definition.annualVolume})`);
  }

  // Workflow: a connected graph from `initial` to the closed statuses.
  const { statuses, initial, closed } = definition.workflow;
  const byCode = new Map<string, (typeof statuses)[number]>();
  statuses.forEach((status, i) => {
    if (byCode.has(status.code))
      problem(['workflow', 'statuses', i, 'code'], `"${status.code}" is used twice`);
    byCode.set(status.code, status);
  });
  if (!byCode.has(initial)) problem(['workflow', 'initial'], `"${initial}" is not one of the statuses`);
  const closedSet = new Set(closed);
  closed.forEach((c, i) => {
    if (!byCode.has(c)) problem(['workflow', 'closed', i], `"${c}" is not one of the statuses`);
  });
  statuses.forEach((status, i) => {
    status.next.forEach((n, j) => {
      if (!byCode.has(n))
        problem(['workflow', 'statuses', i, 'next', j], `"${n}" is not one of the statuses`);
      if (n === status.code)
        problem(['workflow', 'statuses', i, 'next', j], 'a status cannot lead to itself');
    });
    if (closedSet.has(status.code) && status.next.length > 0) {
      problem(
        ['workflow', 'statuses', i, 'next'],
        `"${status.code}" is a closed status, so it cannot lead anywhere`,
      );
    }
    if (!closedSet.has(status.code) && status.next.length === 0) {
      problem(
        ['workflow', 'statuses', i, 'next'],
        `"${status.code}" is not closed, so it must lead to another status`,
      );
    }
  });
  if (byCode.has(initial)) {
    const reachable = new Set([initial]);
    const queue = [initial];
    while (queue.length) {
      for (const n of byCode.get(queue.shift() ?? '')?.next ?? []) {
        if (!reachable.has(n) && byCode.has(n)) {
          reachable.add(n);
          queue.push(n);
        }
      }
    }
    statuses.forEach((status, i) => {
      if (!reachable.has(status.code))
        problem(['workflow', 'statuses', i], `"${status.code}" cannot be reached from "${initial}"`);
    });
  }
  // Every status can end in a closed one (no dead ends or closed loops).
  const canClose = new Set(closed);
  for (let changed = true; changed;) {
    changed = false;
    for (const status of statuses) {
      if (!canClose.has(status.code) && status.next.some((n) => canClose.has(n))) {
        canClose.add(status.code);
        changed = true;
      }
    }
  }
  statuses.forEach((status, i) => {
    if (!canClose.has(status.code))
      problem(['workflow', 'statuses', i], `"${status.code}" can never reach a closed status`);
  });

  // Form: unique ids, options where they belong, type-specific validation, conditions on earlier questions.
  const pageIds = new Set<string>();
  const earlier = new Map<string, (typeof definition.form.pages)[number]['questions'][number]>();
  definition.form.pages.forEach((page, p) => {
    if (pageIds.has(page.id)) problem(['form', 'pages', p, 'id'], `page id "${page.id}" is used twice`);
    pageIds.add(page.id);
    page.questions.forEach((q, i) => {
      const at = (...rest: (string | number)[]) => ['form', 'pages', p, 'questions', i, ...rest];
      if (earlier.has(q.id)) problem(at('id'), `question id "${q.id}" is used twice`);
      const choice = q.type === 'radios' || q.type === 'checkboxes';
      if (choice) {
        if (!q.options || q.options.length < 2)
          problem(at('options'), `${q.type} questions need at least two options`);
        const values = new Set<string>();
        q.options?.forEach((option, k) => {
          if (values.has(option.value))
            problem(at('options', k, 'value'), `option value "${option.value}" is used twice`);
          values.add(option.value);
        });
      } else if (q.options) {
        problem(at('options'), `only radios and checkboxes questions have options, not ${q.type}`);
      }
      const v = q.validation ?? {};
      const allowed: Record<QuestionType, readonly (keyof typeof v)[]> = {
        text: ['minLength', 'maxLength', 'pattern', 'patternMessage'],
        textarea: ['minLength', 'maxLength', 'pattern', 'patternMessage'],
        number: ['min', 'max', 'wholeNumber'],
        date: ['notInFuture', 'notInPast', 'maxWorkingDaysAgo', 'maxYearsAgo', 'earliestMessage'],
        file: ['maxFiles', 'maxFileSizeMb', 'fileTypes'],
        radios: [],
        checkboxes: [],
        email: [],
        phone: [],
        postcode: [],
        address: [],
        location: [],
      };
      for (const key of Object.keys(v) as (keyof typeof v)[]) {
        if (!allowed[q.type].includes(key))
          problem(at('validation', key), `${key} does not apply to ${q.type} questions`);
      }
      if (v.pattern !== undefined) {
        try {
          new RegExp(v.pattern);
        } catch {
          problem(at('validation', 'pattern'), 'is not a valid regular expression');
        }
        if (!v.patternMessage)
          problem(at('validation', 'patternMessage'), 'is needed when there is a pattern');
      }
      if (v.minLength !== undefined && v.maxLength !== undefined && v.minLength > v.maxLength) {
        problem(at('validation'), 'minLength is more than maxLength');
      }
      if (v.min !== undefined && v.max !== undefined && v.min > v.max)
        problem(at('validation'), 'min is more than max');
      if (v.notInFuture && v.notInPast)
        problem(at('validation'), 'a date cannot be both notInFuture and notInPast');
      if (v.earliestMessage !== undefined && v.maxWorkingDaysAgo === undefined && v.maxYearsAgo === undefined)
        problem(at('validation', 'earliestMessage'), 'needs maxWorkingDaysAgo or maxYearsAgo');
      if (q.examples && q.type !== 'text' && q.type !== 'textarea') {
        problem(at('examples'), 'only text and textarea questions have examples');
      }
      if (q.showIf) {
        const target = earlier.get(q.showIf.question);
        if (!target) {
          problem(at('showIf', 'question'), `"${q.showIf.question}" is not an earlier question`);
        } else if (target.type !== 'radios' && target.type !== 'checkboxes') {
          problem(
            at('showIf', 'question'),
            `"${q.showIf.question}" is a ${target.type} question; conditions need radios or checkboxes`,
          );
        } else if (!target.options?.some((option) => option.value === q.showIf?.equals)) {
          problem(at('showIf', 'equals'), `"${q.showIf.equals}" is not an option of "${q.showIf.question}"`);
        }
      }
      earlier.set(q.id, q);
    });
  });
});

export type ServiceDefinition = z.infer<typeof serviceDefinitionSchema>;
export type FormPage = ServiceDefinition['form']['pages'][number];
export type FormQuestion = FormPage['questions'][number];
export type QuestionOption = NonNullable<FormQuestion['options']>[number];
export type Workflow = ServiceDefinition['workflow'];
export type WorkflowStatus = Workflow['statuses'][number];

/** A definition file (or stored definition) that is not valid: `problems` names each one with its path. */
export class ServiceDefinitionError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid service definitions:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ServiceDefinitionError';
  }
}

function describe(source: string, error: z.ZodError): string[] {
  return error.issues.map(
    (issue) => `${source}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`,
  );
}

/** Validates one definition (from a file, the database or an admin upload); `source` names it in errors. */
export function parseServiceDefinition(input: unknown, source: string): ServiceDefinition {
  const parsed = serviceDefinitionSchema.safeParse(input);
  if (!parsed.success) throw new ServiceDefinitionError(describe(source, parsed.error));
  return parsed.data;
}

/**
 * Reads and validates every `*.json` file in `dir` (default: the shipped definitions), sorted by file name.
 * Throws one {@link ServiceDefinitionError} listing every problem in every file, so a broken catalogue is
 * fixed in one pass. A file must be named after its slug, and slugs are unique.
 */
export function loadServiceDefinitions(dir: string = DEFINITIONS_DIR): ServiceDefinition[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
  const problems: string[] = [];
  const definitions: ServiceDefinition[] = [];
  const slugs = new Map<string, string>();
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (error) {
      problems.push(`${file}: not valid JSON: ${(error as Error).message}`);
      continue;
    }
    const parsed = serviceDefinitionSchema.safeParse(json);
    if (!parsed.success) {
      problems.push(...describe(file, parsed.error));
      continue;
    }
    const definition = parsed.data;
    if (file !== `${definition.slug}.json`)
      problems.push(`${file}: the file must be named ${definition.slug}.json after its slug`);
    const clash = slugs.get(definition.slug);
    if (clash) problems.push(`${file}: slug "${definition.slug}" is also used by ${clash}`);
    slugs.set(definition.slug, file);
    definitions.push(definition);
  }
  if (problems.length) throw new ServiceDefinitionError(problems);
  return definitions;
}
