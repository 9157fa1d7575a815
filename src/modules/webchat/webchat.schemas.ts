/**
 * The webchat core's input at the edge: the JSON frames residents and agents send over the socket (and the
 * resident's fallback POST), and the no-JavaScript forms. Strict objects; a frame that does not parse is
 * answered with an error frame, never a crash.
 */
import { z } from 'zod';
import { UUID_PATTERN } from '../../platform/http/validation.ts';

const body = z
  .string()
  .trim()
  .min(1, 'Enter a message')
  .max(2_000, 'Your message must be 2,000 characters or fewer');
const clientId = z.string().min(1).max(100);
const uuid = z.string().regex(UUID_PATTERN);
const seq = z.number().int().min(0).max(2_147_483_647);

/** What a resident's page sends (socket frames; the same with `token` over the fallback POST). */
export const residentFrame = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('message'), clientId, body, token: z.string().optional() }),
  z.strictObject({ type: z.literal('typing'), token: z.string().optional() }),
  z.strictObject({ type: z.literal('resume'), token: z.string().min(1).max(100), after: seq.optional() }),
  z.strictObject({ type: z.literal('person'), token: z.string().optional() }),
  z.strictObject({ type: z.literal('not-helped'), token: z.string().optional() }),
  z.strictObject({ type: z.literal('end'), token: z.string().optional() }),
]);
export type ResidentFrame = z.infer<typeof residentFrame>;

/** What an agent's page sends over the staff socket. Every frame counts as a heartbeat. */
export const staffFrame = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('heartbeat') }),
  z.strictObject({
    type: z.literal('available'),
    on: z.boolean(),
    maxChats: z.number().int().min(1).max(10).optional(),
    languages: z.array(z.string().min(2).max(10)).max(20).optional(),
    services: z.array(z.string().min(1).max(100)).max(50).optional(),
  }),
  z.strictObject({ type: z.literal('accept'), chatId: uuid }),
  z.strictObject({ type: z.literal('decline'), chatId: uuid }),
  z.strictObject({ type: z.literal('watch'), chatId: uuid, after: seq.optional() }),
  z.strictObject({ type: z.literal('message'), chatId: uuid, clientId, body }),
  z.strictObject({ type: z.literal('typing'), chatId: uuid }),
  z.strictObject({ type: z.literal('end'), chatId: uuid }),
  z.strictObject({ type: z.literal('identify'), chatId: uuid, customerId: uuid }),
  z.strictObject({
    type: z.literal('transfer'),
    chatId: uuid,
    toStaffId: uuid.optional(),
    toTeamId: uuid.optional(),
    note: z.string().max(1_000).default(''),
  }),
  z.strictObject({
    type: z.literal('wrap-up'),
    chatId: uuid,
    outcome: z.string().trim().min(1).max(200),
    serviceId: uuid.nullable().default(null),
    resolvedAtFirstContact: z.boolean(),
  }),
]);
export type StaffFrame = z.infer<typeof staffFrame>;

/** "Start a chat" (no JavaScript needed). */
export const startSchema = z.object({
  name: z
    .string({ message: 'Enter your name' })
    .trim()
    .min(1, 'Enter your name')
    .max(100, 'Your name must be 100 characters or fewer'),
  council: z.string().optional(),
});

/** A resident's message from the plain page. */
export const messageSchema = z.object({ body, clientId: clientId.optional() });

/** The agent's availability form. */
export const availabilitySchema = z.object({
  available: z.enum(['on', 'off']),
  maxChats: z.coerce
    .number()
    .int()
    .min(1, 'Chats at once must be between 1 and 10')
    .max(10, 'Chats at once must be between 1 and 10')
    .default(3),
});

/** The agent's wrap-up of a chat (the plain form). */
export const wrapUpSchema = z.object({
  outcome: z
    .string({ message: 'Enter the outcome' })
    .trim()
    .min(1, 'Enter the outcome')
    .max(200, 'The outcome must be 200 characters or fewer'),
  service: z
    .string()
    .optional()
    .transform((v) => (v && UUID_PATTERN.test(v) ? v.toLowerCase() : null)),
  resolved: z.enum(['yes', 'no'], { message: 'Select whether it was resolved at first contact' }),
});

/** Pass a chat to a colleague or a team (the plain form): exactly one of them, and an optional note. */
export const transferSchema = z
  .object({
    toStaff: z
      .string()
      .optional()
      .transform((v) => (v && UUID_PATTERN.test(v) ? v.toLowerCase() : null)),
    toTeam: z
      .string()
      .optional()
      .transform((v) => (v && UUID_PATTERN.test(v) ? v.toLowerCase() : null)),
    note: z.string().trim().max(1_000, 'The note must be 1,000 characters or fewer').default(''),
  })
  .superRefine((v, ctx) => {
    if (!v.toStaff === !v.toTeam)
      ctx.addIssue({ code: 'custom', path: ['toStaff'], message: 'Choose a colleague or a team, not both' });
  });
