/**
 * Front-door information pages: contact details for every council in the area, the accessibility
 * statement and the privacy notice. Long prose is one template per language (`<page>.<lang>.njk`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../../platform/db/index.ts';
import { listAuthorities, listContactDetails, listOffices } from './authorities.repository.ts';
import { contactPage, upcomingClosures } from './authorities.presenters.ts';
import { loadDefaultCalendar, type WorkingDayCalendar } from '../../platform/calendar/index.ts';
import { systemClock, type Clock } from '../../platform/clock.ts';
import { translate } from '../../platform/i18n/index.ts';

const viewsDir = join(dirname(fileURLToPath(import.meta.url)), 'views');
const STATEMENT_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  'content',
  'accessibility-statement.json',
);

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are YYYY-MM-DD');
/** The facts of the accessibility statement (GOV.UK model statement sections), kept as data a council edits. */
export const accessibilityStatementSchema = z.object({
  $comment: z.string().optional(),
  compliance: z.enum(['full', 'partial', 'none']),
  preparedOn: isoDate,
  lastReviewedOn: isoDate,
  lastTestedOn: isoDate,
  testedBy: z.string().min(1),
  nonCompliant: z.array(
    z.object({ text: z.string().min(1), criteria: z.string().min(1), fixBy: isoDate.optional() }),
  ),
  notInScope: z.array(z.object({ text: z.string().min(1) })),
});
export type AccessibilityStatement = z.infer<typeof accessibilityStatementSchema>;

/** Read once at start-up: a malformed file stops the app with the problem named, not a broken page later. */
export function loadAccessibilityStatement(file = STATEMENT_FILE): AccessibilityStatement {
  const parsed = accessibilityStatementSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
  if (parsed.data.compliance === 'full' && parsed.data.nonCompliant.length)
    throw new Error(`${file}: a fully compliant website cannot list non-compliant content`);
  return parsed.data;
}

/** "A", "A and B", "A, B and C". */
function joinNames(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function localised(request: FastifyRequest, page: string): string {
  const candidate = `authorities/${page}.${request.locale}.njk`;
  return existsSync(join(viewsDir, candidate)) ? candidate : `authorities/${page}.en.njk`;
}

export async function registerAuthorityPortalRoutes(
  app: FastifyInstance,
  deps: { db: Db; clock?: Clock; calendar?: WorkingDayCalendar },
): Promise<void> {
  const clock = deps.clock ?? systemClock;
  // Phone lines and offices close on the bank holidays of the councils' own division (England and Wales).
  const calendar = deps.calendar ?? loadDefaultCalendar({ outOfRange: 'weekends-only' });
  app.get('/contact', { config: { permission: 'public' } }, async (request, reply: FastifyReply) => {
    const [councils, offices] = await Promise.all([listContactDetails(deps.db), listOffices(deps.db)]);
    const closures = upcomingClosures(calendar, calendar.toLocalDate(clock.now()));
    const t = (key: string, params?: Record<string, string | number>) =>
      translate(request.locale, key, params);
    return reply.view('authorities/contact.njk', {
      ...contactPage(councils, offices, closures, t),
      navActive: 'contact',
    });
  });
  const statement = loadAccessibilityStatement();
  app.get('/accessibility', { config: { permission: 'public' } }, async (request, reply) => {
    const authorities = await listAuthorities(deps.db);
    return reply.view(localised(request, 'accessibility'), {
      statement: {
        ...statement,
        councils: joinNames(authorities.map((a) => a.name)),
        councilCount: authorities.length,
      },
    });
  });
  app.get('/privacy', { config: { permission: 'public' } }, async (request, reply) => {
    const authorities = await listAuthorities(deps.db);
    return reply.view(localised(request, 'privacy'), { authorities });
  });
}
