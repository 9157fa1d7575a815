/** One schema per form page, at the edge. */
import { z } from 'zod';
import { withDateInputs } from '../../platform/http/date-input.ts';
import { checkboxValues, optionalText, requiredId, requiredText } from '../../platform/http/form-fields.ts';
import { UUID_PATTERN } from '../../platform/http/validation.ts';

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const articleFields = z.object({
  title: requiredText(150, 'Enter a title', 'Title'),
  summary: requiredText(300, 'Enter a summary', 'Summary'),
  body: requiredText(20_000, 'Enter the article text', 'Article text'),
  keywords: optionalText(500, 'Other words people use'),
  audience: z.enum(['public', 'internal'], { message: 'Select who the article is for' }),
  teamId: requiredId('Select the team that owns the article'),
  ownerId: requiredId('Select the owner'),
  services: checkboxValues.pipe(z.array(z.string().regex(UUID_PATTERN, 'Select services from the list'))),
  changeNote: optionalText(500, 'What changed'),
  secondPublisher: z
    .string()
    .optional()
    .transform((v) => v === 'yes'),
});

const articleDates = {
  reviewOn: { label: 'Review date' },
  validFrom: { label: 'Start showing on' },
  validTo: { label: 'Stop showing on' },
} as const;

export const articleSchema = withDateInputs(articleFields, articleDates).superRefine((v, ctx) => {
  if (v.validFrom && v.validTo && v.validTo <= v.validFrom)
    ctx.addIssue({
      code: 'custom',
      path: ['validTo-day'],
      message: 'Stop showing on must be after start showing on',
    });
});

export const newArticleSchema = withDateInputs(
  articleFields.extend({
    slug: z
      .string()
      .optional()
      .transform((v) => (v ?? '').trim().toLowerCase())
      .refine(
        (v) => v === '' || (SLUG_PATTERN.test(v) && v.length <= 80),
        'The web address must be lower-case letters, numbers and hyphens',
      ),
  }),
  articleDates,
);

export const archiveSchema = z.object({
  replacement: z
    .string({ message: 'Enter the web address of the article that replaces this one' })
    .trim()
    .transform((v) => v.replace(/^.*\/help\//, '').toLowerCase())
    .pipe(
      z
        .string()
        .min(1, 'Enter the web address of the article that replaces this one')
        .regex(SLUG_PATTERN, 'Enter the web address of the article that replaces this one'),
    ),
});

export const withdrawSchema = z.object({ reason: optionalText(500, 'Why') });

export const feedbackSchema = z.object({
  helpful: z.enum(['yes', 'no'], { message: 'Select yes or no' }),
  comment: optionalText(1000, 'Your comments'),
});

export const searchQuerySchema = z.object({
  q: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim().slice(0, 200))
    .catch(''),
});

export const staffListQuerySchema = z.object({
  q: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim().slice(0, 200))
    .catch(''),
  state: z.enum(['draft', 'in_review', 'published', 'withdrawn', 'archived']).optional().catch(undefined),
  audience: z.enum(['public', 'internal']).optional().catch(undefined),
  mine: z
    .string()
    .optional()
    .transform((v) => v === 'yes')
    .catch(false),
});

export const compareQuerySchema = z.object({
  from: z.coerce.number().int().positive().max(100_000).catch(1),
  to: z.coerce.number().int().positive().max(100_000).catch(1),
});
