/**
 * The records the modules keep beside a seeded case, so the demo's history reaches the pages that read
 * them (issue 12 item 24). The case history alone is not enough: the timeliness report counts
 * `information_requests` and `complaint_stages`, the disclosure log lists published
 * `information_requests`, the feedback report reads `feedback`, and "You said, we did" reads
 * `improvements`. The worker adopts open FOI, SAR and complaint cases (and every compliment) on its own;
 * closed ones it never sees, so the seed writes their records here:
 * - each closed FOI or SAR case: a responded request (received, due and answered on the case's dates);
 *   most FOI answers are published to the disclosure log;
 * - each closed complaint: a closed stage 1 complaint about another service of the council, answered
 *   on the day the case closed, with a root cause;
 * - about half of the closed cases with a customer: a satisfaction answer a few days after closing;
 * - a few "Was this page helpful?" answers and, for each council, three published improvements.
 * Deterministic: the same seed gives the same records.
 */
import type { Transaction } from 'kysely';
import type { DB, NewRow } from '../platform/db/index.ts';
import { addCalendarDays, toIsoDate } from '../platform/calendar/index.ts';
import { closedCasesOf, insertHistoryRecords } from './seed.repository.ts';
import { IdStream, Random } from './random.ts';

const DAY = 86_400_000;

/** What a disclosure log entry says: a title residents search for and a one-line summary. */
const FOI_TOPICS: readonly (readonly [string, string])[] = [
  ['Pothole repairs and compensation claims', 'Number of potholes repaired and claims paid, by month.'],
  ['Spending on agency staff', 'Total spent on agency and interim staff, by directorate.'],
  [
    'Street lights switched off at night',
    'Roads where street lights are dimmed or switched off after midnight.',
  ],
  ['Missed bin collections', 'Missed collections reported and put right, by round.'],
  ['Fly-tipping incidents and fines', 'Fly-tipping reports, clear-ups and fixed penalty notices issued.'],
  ['Blue Badge applications', 'Applications received, approved and refused, and how long they took.'],
  ['Council tax arrears', 'Households in arrears and enforcement agent referrals.'],
  ['School transport costs', 'Cost of home to school transport, by type of transport.'],
  ['Parking fines issued', 'Penalty charge notices issued and cancelled, by street.'],
  ['Trees felled on council land', 'Trees removed and replanted, with the reasons for removal.'],
];

const FEEDBACK_COMMENTS = [
  'Quick and easy, thank you.',
  'I had to phone twice before anyone got back to me.',
  'Clear updates at every step.',
  'The form was hard to use on my phone.',
  'Sorted out the same week.',
  'Nobody told me the case was closed.',
];

const IMPROVEMENTS: readonly (readonly [string, string])[] = [
  [
    'You told us you did not know when your missed bin would be collected.',
    'We now send a text with the day we will come back.',
  ],
  [
    'You said the pothole form asked for a map reference you did not have.',
    'You can now describe the place in your own words or give a postcode.',
  ],
  [
    'You told us our letters about council tax were hard to understand.',
    'We rewrote them in plain English with help from residents.',
  ],
];

const PAGES = ['/', '/contact', '/track', '/services/report-a-road-problem'];

export interface RecordsInput {
  authorityIds: readonly string[];
  /** The seeded services: complaints are about one of the council's other services. */
  services: readonly { id: string; authority_id: string; team_id: string; kind: string }[];
  /** Who published the improvements, per council. */
  publisherIds: ReadonlyMap<string, string>;
  now: number;
  seed: number;
  /** The demo's namespace key: ids differ between namespaced copies of the area. */
  key: string;
}

/** Runs inside the seed's transaction, after the cases are written. */
export async function seedHistoryRecords(trx: Transaction<DB>, input: RecordsInput): Promise<void> {
  const random = Random.derive(input.seed, 'demo-history-records', input.key);
  const ids = new IdStream('demo-history-records', input.key, input.seed);
  const cases = await closedCasesOf(trx, input.authorityIds);
  const informationRequests: NewRow<'information_requests'>[] = [];
  const complaints: (NewRow<'complaints'> & { id: string })[] = [];
  const complaintStages: NewRow<'complaint_stages'>[] = [];
  const feedback: NewRow<'feedback'>[] = [];
  const date = (d: Date) => toIsoDate(d);
  const nowDate = new Date(input.now);

  for (const c of cases) {
    const received = new Date(c.received_at);
    const closed = new Date(c.closed_at!);
    const receivedOn = date(received);
    const respondedOn = date(closed);
    const dueOn = c.due_at ? date(new Date(c.due_at)) : addCalendarDays(receivedOn, 28);
    if (c.kind === 'foi' || c.kind === 'sar') {
      const [title, summary] = FOI_TOPICS[random.int(FOI_TOPICS.length)];
      const outcome =
        c.kind === 'sar'
          ? 'released'
          : random.chance(0.7)
            ? 'released'
            : random.chance(0.5)
              ? 'part_released'
              : 'not_held';
      const published = c.kind === 'foi' && outcome !== 'not_held';
      const publishedAt = new Date(Math.min(closed.getTime() + DAY, input.now));
      informationRequests.push({
        authority_id: c.authority_id,
        case_id: c.id,
        customer_id: c.customer_id,
        regime: c.kind,
        status: 'responded',
        received_on: receivedOn,
        request_text:
          c.kind === 'sar' ? 'A copy of the personal information you hold about me.' : `${title}: ${summary}`,
        handler_id: c.assignee_id,
        due_on: dueOn,
        responded_on: respondedOn,
        outcome,
        response_text: published ? `The information is attached. ${summary}` : null,
        disclosure_title: published ? title : null,
        disclosure_summary: published ? summary : null,
        published_at: published ? publishedAt : null,
        published_by: published ? c.assignee_id : null,
      });
    } else if (c.kind === 'complaint') {
      const others = input.services.filter(
        (s) => s.authority_id === c.authority_id && s.kind !== 'complaint' && s.kind !== 'compliment',
      );
      const about = others.length ? others[random.int(others.length)] : undefined;
      const id = ids.next();
      complaints.push({
        id,
        authority_id: c.authority_id,
        case_id: c.id,
        customer_id: c.customer_id,
        about_service_id: about?.id ?? null,
        about_team_id: about?.team_id ?? null,
        stage: 1,
        status: 'closed',
        received_on: receivedOn,
        summary: 'Complaint about the service received.',
        root_cause: ROOT_CAUSES[random.int(ROOT_CAUSES.length)],
        closed_on: respondedOn,
      });
      complaintStages.push({
        authority_id: c.authority_id,
        complaint_id: id,
        stage: 1,
        started_on: receivedOn,
        acknowledge_by: addCalendarDays(receivedOn, 5),
        acknowledged_on: addCalendarDays(receivedOn, random.int(3)),
        respond_by: dueOn,
        handler_id: c.assignee_id,
        responded_on: respondedOn,
        decision: (['upheld', 'partly_upheld', 'not_upheld'] as const)[random.int(3)],
        reasons: 'We looked at what happened and explained our decision.',
      });
    }
    // About half of the residents answer the satisfaction question a few days after their case closed.
    if (c.customer_id && random.chance(0.5)) {
      const at = new Date(closed.getTime() + (1 + random.int(5)) * DAY);
      if (at.getTime() <= input.now) {
        const satisfaction = 1 + random.int(5);
        feedback.push({
          authority_id: c.authority_id,
          kind: 'contact',
          customer_id: c.customer_id,
          case_id: c.id,
          service_id: c.service_id,
          team_id: c.team_id,
          channel: c.origin_channel,
          satisfaction,
          effort: 1 + random.int(5),
          comment: random.chance(0.3) ? FEEDBACK_COMMENTS[random.int(FEEDBACK_COMMENTS.length)] : null,
          created_at: at,
        });
      }
    }
  }

  // "Was this page helpful?" over the last 60 days.
  for (let i = 0; i < 40; i++)
    feedback.push({
      authority_id: null,
      kind: 'page',
      page_path: PAGES[random.int(PAGES.length)],
      helpful: random.chance(0.75),
      created_at: new Date(input.now - (1 + random.int(60)) * DAY),
    });

  const improvements: NewRow<'improvements'>[] = [];
  for (const authorityId of input.authorityIds) {
    const publisher = input.publisherIds.get(authorityId);
    if (!publisher) continue;
    IMPROVEMENTS.forEach(([youSaid, weDid], i) =>
      improvements.push({
        authority_id: authorityId,
        you_said: youSaid,
        we_did: weDid,
        published_on: date(new Date(nowDate.getTime() - (20 + 45 * i) * DAY)),
        published_by: publisher,
      }),
    );
  }

  await insertHistoryRecords(trx, {
    informationRequests,
    complaints,
    complaintStages,
    feedback,
    improvements,
  });
}

const ROOT_CAUSES = [
  'delay',
  'communication',
  'staff_conduct',
  'service_failure',
  'wrong_decision',
  'policy',
  'access',
] as const;
