/**
 * Staff work queues (/staff/queues) against a real database, with the clock fixed on Wednesday 25 November
 * 2026: a team's open cases in due order with the time left in words, each filter narrowing the list,
 * "My cases", the restricted-service rule, another team's queue (404 to an agent, open to a team leader),
 * pagination that keeps the filters, the page's heading and title, the audit row, and the index the team
 * queue's query uses. Each test builds its own councils, teams, services, staff and cases.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { buildAuthority, buildService, buildStaff, buildTeam, uniq } from './builders/index.ts';
import { buildCustomer, randomReference, signedIn } from './builders/customers.ts';
import { buildTestApp, type TestApp } from './support/app.ts';
import { TestClock } from '../src/platform/clock.ts';
import { SlaClock, type SlaPolicy } from '../src/platform/clocks/index.ts';
import { defaultCaseCalendar, explainQueuePage, type QueueCriteria } from '../src/modules/cases/index.ts';

const NOW = new Date('2026-11-25T10:00:00Z'); // Wednesday
const clock = new TestClock(NOW);
let t: TestApp;

before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

const WORKFLOW = {
  statuses: [
    {
      code: 'received',
      label: 'Received',
      customerLabel: 'Received',
      customerVisible: true,
      next: ['in_progress'],
    },
    {
      code: 'in_progress',
      label: 'Being investigated',
      customerLabel: 'We are looking into it',
      customerVisible: true,
      next: ['awaiting_customer', 'closed'],
    },
    {
      code: 'awaiting_customer',
      label: 'Waiting for the resident',
      customerLabel: 'We need more information',
      customerVisible: true,
      pausesSla: true,
      next: ['in_progress', 'closed'],
    },
    { code: 'closed', label: 'Closed', customerLabel: 'Finished', customerVisible: true, next: [] },
  ],
  initial: 'received',
  closed: ['closed'],
};

/** A service of `teamId` with the workflow above and the given SLA policy. */
async function service(
  authorityId: string,
  teamId: string,
  o: { name?: string; sla?: SlaPolicy; sensitivity?: 'normal' | 'restricted' } = {},
) {
  const row = await buildService(t.database.db, authorityId, teamId, {
    name: o.name,
    sensitivity: o.sensitivity,
  });
  const sla: SlaPolicy = o.sla ?? { unit: 'working_days', amount: 5 };
  await t.database.db
    .updateTable('services')
    .set({ definition: JSON.stringify({ workflow: WORKFLOW }), sla: JSON.stringify(sla) })
    .where('id', '=', row.id)
    .execute();
  return { ...row, sla };
}

interface CaseInput {
  service: { id: string; authority_id: string; sla: SlaPolicy };
  teamId: string;
  receivedAt: string;
  customerId?: string | null;
  guestName?: string | null;
  status?: string;
  priority?: 'low' | 'normal' | 'high' | 'urgent';
  tags?: string[];
  assigneeId?: string | null;
  pausedAt?: string | null;
  closedAt?: string | null;
}

function caseValues(o: CaseInput) {
  const receivedAt = new Date(o.receivedAt);
  const dueAt = new SlaClock({ policy: o.service.sla, startedAt: receivedAt }, defaultCaseCalendar()).dueAt();
  return {
    authority_id: o.service.authority_id,
    reference: randomReference(),
    service_id: o.service.id,
    customer_id: o.customerId ?? null,
    guest_name: o.guestName ?? null,
    representative_id: null,
    status: o.status ?? 'received',
    priority: o.priority ?? 'normal',
    tags: o.tags ?? [],
    origin_channel: 'phone',
    team_id: o.teamId,
    assignee_id: o.assigneeId ?? null,
    received_at: receivedAt,
    due_at: dueAt,
    sla_paused_at: o.pausedAt ? new Date(o.pausedAt) : null,
    location: null,
    outcome: null,
    closed_at: o.closedAt ? new Date(o.closedAt) : null,
    created_by: null,
    idempotency_key: null,
  };
}

async function kase(o: CaseInput) {
  return t.database.db.insertInto('cases').values(caseValues(o)).returningAll().executeTakeFirstOrThrow();
}

/** A council with a team, a normal service, an officer and a team leader of that team. */
async function council(sla?: SlaPolicy) {
  const db = t.database.db;
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id);
  const svc = await service(authority.id, team.id, { name: `Report a pothole ${uniq('s')}`, sla });
  const officer = await buildStaff(db, authority.id, { roles: ['officer'], teamIds: [team.id] });
  const leader = await buildStaff(db, authority.id, {
    roles: ['team_leader'],
    teamIds: [team.id],
    leaderOf: [team.id],
  });
  const customer = await buildCustomer(db, authority.id, { givenName: 'Priya', familyName: 'Shah' });
  return { authority, team, svc, officer, leader, customer };
}

interface ShownRow {
  id: string;
  reference: string;
  timeLeft: string;
  html: string;
}

function rowsOf(body: string): ShownRow[] {
  return body
    .split('data-testid="queue-row"')
    .slice(1)
    .map((chunk) => {
      const html = chunk.split('</tr>')[0];
      return {
        id: /data-case-id="([^"]+)"/.exec(html)?.[1] ?? '',
        reference: /href="\/staff\/cases\/[^"]+">([^<]+)</.exec(html)?.[1] ?? '',
        timeLeft: /data-testid="time-left">([^<]*)</.exec(html)?.[1] ?? '',
        html,
      };
    });
}

const idsOf = (body: string) => rowsOf(body).map((r) => r.id);
const teamQueue = (teamId: string, params = '') => `/staff/queues?queue=team:${teamId}${params}`;

void describe('staff work queues', () => {
  test("a team's queue lists its open cases, soonest due first, paused last, with the time left in words", async () => {
    const { team, svc, officer, customer, authority } = await council();
    const onTrack = await kase({
      service: svc,
      teamId: team.id,
      receivedAt: '2026-11-23T10:00:00Z',
      customerId: customer.id,
    });
    const overdue = await kase({
      service: svc,
      teamId: team.id,
      receivedAt: '2026-11-16T10:00:00Z',
      guestName: 'Sam Guest',
      status: 'in_progress',
      assigneeId: officer.id,
    });
    const dueToday = await kase({ service: svc, teamId: team.id, receivedAt: '2026-11-18T10:00:00Z' });
    const paused = await kase({
      service: svc,
      teamId: team.id,
      receivedAt: '2026-11-12T10:00:00Z',
      status: 'awaiting_customer',
      pausedAt: '2026-11-13T10:00:00Z',
    });
    const closed = await kase({
      service: svc,
      teamId: team.id,
      receivedAt: '2026-11-10T10:00:00Z',
      status: 'closed',
      closedAt: '2026-11-12T10:00:00Z',
    });
    // Another team's case in the same council is not in this queue.
    const otherTeam = await buildTeam(t.database.db, authority.id);
    const elsewhere = await kase({ service: svc, teamId: otherTeam.id, receivedAt: '2026-11-20T10:00:00Z' });

    const browser = await signedIn(t.app, officer);
    const res = await browser.get(teamQueue(team.id));
    assert.equal(res.statusCode, 200);
    const rows = rowsOf(res.body);
    assert.deepEqual(
      rows.map((r) => r.id),
      [overdue.id, dueToday.id, onTrack.id, paused.id],
    );
    assert.deepEqual(
      rows.map((r) => r.timeLeft),
      ['Overdue by 2 working days', 'Due today', '3 working days left', 'Clock paused'],
    );
    assert.ok(!idsOf(res.body).includes(closed.id) && !idsOf(res.body).includes(elsewhere.id));
    assert.match(rows[0].html, />\s*Overdue\s*<\/strong>/, 'the state is a tag with words');
    assert.match(rows[0].html, /Sam Guest/, "a guest's name");
    assert.match(rows[0].html, /Being investigated/, 'the status label from the workflow');
    assert.match(rows[0].html, new RegExp(officer.display_name), 'the assignee');
    assert.match(rows[1].html, />\s*Due soon\s*<\/strong>/);
    assert.match(rows[2].html, /Priya Shah/);
    assert.match(rows[2].html, /Unassigned/);
    assert.match(rows[2].html, />\s*On track\s*<\/strong>/);
    assert.match(rows[2].html, new RegExp(`href="/staff/cases/${onTrack.id}">${onTrack.reference}<`));
    assert.match(rows[3].html, />\s*Paused\s*<\/strong>/);

    assert.equal((res.body.match(/<h1[ >]/g) ?? []).length, 1, 'one h1');
    assert.match(res.body, new RegExp(`<title>${team.name} queue – Work queues – `));
    assert.match(res.body, /data-testid="queue-table"/);
    assert.match(res.body, /<caption class="govuk-table__caption/);
    assert.match(
      res.body,
      new RegExp(`href="/staff/queues\\?queue=team%3A${team.id}"[^>]*>\\s*${team.name} \\(4\\)`),
    );
    assert.match(
      res.body,
      /href="\/staff\/queues"[^>]*>[\s\S]{0,120}Queues</,
      'Queues is in the staff navigation',
    );

    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['record_type', 'record_id', 'details'])
      .where('actor_id', '=', officer.id)
      .where('action', '=', 'queue.view')
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0].record_type, 'team');
    assert.equal(audit[0].record_id, team.id);
    assert.deepEqual(
      (audit[0].details as { caseIds: string[] }).caseIds,
      rows.map((r) => r.id),
    );
  });

  test('hours-based services show hours left', async () => {
    const { team, svc, officer } = await council({ unit: 'hours', amount: 48 });
    const c = await kase({ service: svc, teamId: team.id, receivedAt: '2026-11-24T14:00:00Z' });
    const res = await (await signedIn(t.app, officer)).get(teamQueue(team.id));
    assert.deepEqual(
      rowsOf(res.body).map((r) => [r.id, r.timeLeft]),
      [[c.id, '28 hours left']],
    );
  });

  test('each filter narrows the queue and stays in the form; "Clear filters" goes back to the whole queue', async () => {
    const { team, svc, officer, authority } = await council();
    const second = await service(authority.id, team.id, { name: `Missed bin ${uniq('s')}` });
    const base = { teamId: team.id, receivedAt: '2026-11-23T10:00:00Z' };
    const plain = await kase({ ...base, service: svc });
    const bins = await kase({ ...base, service: second });
    const working = await kase({ ...base, service: svc, status: 'in_progress' });
    const urgent = await kase({ ...base, service: svc, priority: 'urgent' });
    const tagged = await kase({ ...base, service: svc, tags: ['flood risk', 'ward-3'] });
    const mine = await kase({ ...base, service: svc, assigneeId: officer.id });
    const overdue = await kase({
      ...base,
      service: svc,
      receivedAt: '2026-11-16T10:00:00Z',
      assigneeId: officer.id,
    });
    const today = await kase({ ...base, service: svc, receivedAt: '2026-11-18T10:00:00Z' });
    const later = await kase({ ...base, service: svc, receivedAt: '2026-11-25T09:00:00Z', priority: 'low' });
    const paused = await kase({
      ...base,
      service: svc,
      status: 'awaiting_customer',
      pausedAt: '2026-11-24T10:00:00Z',
    });
    const closed = await kase({ ...base, service: svc, status: 'closed', closedAt: '2026-11-24T12:00:00Z' });
    const browser = await signedIn(t.app, officer);
    const all = [plain, bins, working, urgent, tagged, mine, overdue, today, later, paused];

    const whole = await browser.get(teamQueue(team.id));
    assert.deepEqual(new Set(idsOf(whole.body)), new Set(all.map((c) => c.id)));
    assert.doesNotMatch(whole.body, /data-testid="clear-filters"/);

    const check = async (params: string, expected: { id: string }[], kept: RegExp) => {
      const res = await browser.get(teamQueue(team.id, params));
      assert.equal(res.statusCode, 200, params);
      assert.deepEqual(new Set(idsOf(res.body)), new Set(expected.map((c) => c.id)), params);
      assert.match(res.body, kept, `${params}: the value is kept in the form`);
      assert.match(
        res.body,
        new RegExp(
          `href="/staff/queues\\?queue=team%3A${team.id}" data-testid="clear-filters">Clear filters<`,
        ),
      );
    };
    await check(`&service=${second.id}`, [bins], new RegExp(`<option value="${second.id}" selected>`));
    await check('&status=in_progress', [working], /<option value="in_progress" selected>Being investigated</);
    await check('&priority=urgent', [urgent], /<option value="urgent" selected>Urgent</);
    await check('&tag=flood+risk', [tagged], /name="tag" type="text" spellcheck="false" value="flood risk"/);
    await check('&tag=flood', [], /value="flood"/);
    await check('&assignee=me', [mine, overdue], /<option value="me" selected>/);
    await check(
      '&assignee=unassigned',
      all.filter((c) => c !== mine && c !== overdue),
      /<option value="unassigned" selected>/,
    );
    await check('&due=overdue', [overdue], /<option value="overdue" selected>/);
    await check('&due=today', [today], /<option value="today" selected>/);
    // Due within 5 working days: everything running except the overdue case (received on the 25th at
    // 09:00 it is due on 2 December, 5 working days away).
    await check(
      '&due=week',
      all.filter((c) => c !== overdue && c !== paused),
      /<option value="week" selected>/,
    );
    await check('&due=paused', [paused], /<option value="paused" selected>/);
    await check('&closed=include', [...all, closed], /name="closed" type="checkbox" value="include" checked/);
    await check('&closed=include&status=closed', [closed], /<option value="closed" selected>/);
    await check('&priority=low&assignee=unassigned', [later], /<option value="low" selected>/);

    // Nonsense values are ignored rather than failing.
    const odd = await browser.get(teamQueue(team.id, '&priority=extreme&due=soon&page=zero&sort=x'));
    assert.equal(odd.statusCode, 200);
    assert.equal(idsOf(odd.body).length, all.length);
  });

  test('sorting by received date and by priority', async () => {
    const { team, svc, officer } = await council();
    const older = await kase({
      service: svc,
      teamId: team.id,
      receivedAt: '2026-11-19T10:00:00Z',
      priority: 'low',
    });
    const newer = await kase({
      service: svc,
      teamId: team.id,
      receivedAt: '2026-11-24T10:00:00Z',
      priority: 'urgent',
    });
    const middle = await kase({
      service: svc,
      teamId: team.id,
      receivedAt: '2026-11-20T10:00:00Z',
      priority: 'high',
    });
    const browser = await signedIn(t.app, officer);
    assert.deepEqual(idsOf((await browser.get(teamQueue(team.id, '&sort=received'))).body), [
      older.id,
      middle.id,
      newer.id,
    ]);
    assert.deepEqual(idsOf((await browser.get(teamQueue(team.id, '&sort=priority'))).body), [
      newer.id,
      middle.id,
      older.id,
    ]);
  });

  test('"My cases" lists only cases assigned to me, across teams, and is the default when I have some', async () => {
    const { team, svc, officer, leader, authority } = await council();
    const otherTeam = await buildTeam(t.database.db, authority.id);
    const mineHere = await kase({
      service: svc,
      teamId: team.id,
      receivedAt: '2026-11-23T10:00:00Z',
      assigneeId: officer.id,
    });
    const mineThere = await kase({
      service: svc,
      teamId: otherTeam.id,
      receivedAt: '2026-11-24T10:00:00Z',
      assigneeId: officer.id,
    });
    await kase({ service: svc, teamId: team.id, receivedAt: '2026-11-23T10:00:00Z', assigneeId: leader.id });
    await kase({ service: svc, teamId: team.id, receivedAt: '2026-11-23T10:00:00Z' });
    await kase({
      service: svc,
      teamId: team.id,
      receivedAt: '2026-11-20T10:00:00Z',
      assigneeId: officer.id,
      status: 'closed',
      closedAt: '2026-11-24T10:00:00Z',
    });

    const browser = await signedIn(t.app, officer);
    const res = await browser.get('/staff/queues');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<h1 class="govuk-heading-l" data-testid="queue-heading">My cases<\/h1>/);
    assert.deepEqual(idsOf(res.body), [mineHere.id, mineThere.id]);
    assert.match(res.body, /aria-current="page" href="\/staff\/queues\?queue=mine">\s*My cases \(2\)/);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['record_type', 'record_id'])
      .where('actor_id', '=', officer.id)
      .where('action', '=', 'queue.view')
      .executeTakeFirstOrThrow();
    assert.deepEqual(audit, { record_type: 'staff', record_id: officer.id });

    // Someone with no assigned cases starts on their first team's queue.
    const newcomer = await buildStaff(t.database.db, authority.id, {
      roles: ['officer'],
      teamIds: [team.id],
    });
    const start = await (await signedIn(t.app, newcomer)).get('/staff/queues');
    assert.match(start.body, new RegExp(`data-testid="queue-heading">${team.name} queue<`));
    assert.equal(idsOf(start.body).length, 3);
  });

  test("a restricted service's cases are listed only to members of the owning team", async () => {
    const db = t.database.db;
    const { team, svc, officer, authority } = await council();
    const restrictedService = await service(authority.id, team.id, {
      name: `Adult social care ${uniq('s')}`,
      sensitivity: 'restricted',
    });
    const normal = await kase({ service: svc, teamId: team.id, receivedAt: '2026-11-23T10:00:00Z' });
    const restricted = await kase({
      service: restrictedService,
      teamId: team.id,
      receivedAt: '2026-11-23T10:00:00Z',
    });

    // A member sees both.
    const member = await signedIn(t.app, officer);
    assert.deepEqual(
      new Set(idsOf((await member.get(teamQueue(team.id))).body)),
      new Set([normal.id, restricted.id]),
    );

    // A team leader of another council's team may open this queue but not see the restricted case.
    const other = await buildAuthority(db);
    const otherTeam = await buildTeam(db, other.id);
    const outsider = await buildStaff(db, other.id, {
      roles: ['team_leader'],
      teamIds: [otherTeam.id],
      leaderOf: [otherTeam.id],
    });
    const leader = await signedIn(t.app, outsider);
    const seen = await leader.get(teamQueue(team.id));
    assert.equal(seen.statusCode, 200);
    assert.deepEqual(idsOf(seen.body), [normal.id]);

    // Nor in "My cases" if it is somehow assigned to them while they are not in the team.
    await db.updateTable('cases').set({ assignee_id: outsider.id }).where('id', '=', restricted.id).execute();
    assert.deepEqual(idsOf((await leader.get('/staff/queues?queue=mine')).body), []);
  });

  test("another team's queue is 404 for an agent and open to a team leader (any council of the front door)", async () => {
    const db = t.database.db;
    const { team, svc } = await council();
    const c = await kase({ service: svc, teamId: team.id, receivedAt: '2026-11-23T10:00:00Z' });
    const other = await buildAuthority(db, { kind: 'city' });
    const otherTeam = await buildTeam(db, other.id);
    const agent = await buildStaff(db, other.id, { roles: ['agent'], teamIds: [otherTeam.id] });
    const leader = await buildStaff(db, other.id, {
      roles: ['team_leader'],
      teamIds: [otherTeam.id],
      leaderOf: [otherTeam.id],
    });

    const asAgent = await signedIn(t.app, agent);
    assert.equal((await asAgent.get(teamQueue(team.id))).statusCode, 404);
    assert.equal((await asAgent.get('/staff/queues?queue=team:not-a-uuid')).statusCode, 404);
    const ownQueue = await asAgent.get(teamQueue(otherTeam.id));
    assert.equal(ownQueue.statusCode, 200);
    assert.doesNotMatch(ownQueue.body, /data-testid="other-team-form"/, 'no team chooser for agents');

    const asLeader = await signedIn(t.app, leader);
    const page = await asLeader.get(teamQueue(team.id));
    assert.equal(page.statusCode, 200);
    assert.deepEqual(idsOf(page.body), [c.id]);
    assert.match(page.body, new RegExp(`<option value="team:${team.id}" selected>${team.name} \\(`));
    assert.equal((await asLeader.get(teamQueue('00000000-0000-4000-8000-000000000000'))).statusCode, 404);
  });

  test('50 cases a page; the page links keep the filters', async () => {
    const { team, svc, officer } = await council();
    const values = Array.from({ length: 53 }, (_, i) =>
      caseValues({
        service: svc,
        teamId: team.id,
        receivedAt: `2026-11-${String(10 + (i % 15)).padStart(2, '0')}T${String(8 + (i % 8)).padStart(2, '0')}:00:00Z`,
        tags: ['batch'],
        priority: 'high',
      }),
    );
    await t.database.db.insertInto('cases').values(values).execute();
    await kase({
      service: svc,
      teamId: team.id,
      receivedAt: '2026-11-23T10:00:00Z',
      tags: ['other'],
      priority: 'high',
    });

    const browser = await signedIn(t.app, officer);
    const first = await browser.get(teamQueue(team.id, '&tag=batch&priority=high&sort=received'));
    assert.equal(rowsOf(first.body).length, 50);
    assert.match(first.body, /Showing 1 to 50 of 53 cases/);
    const next =
      /<div class="govuk-pagination__next">\s*<a class="govuk-link govuk-pagination__link" href="([^"]+)"/.exec(
        first.body,
      )?.[1];
    assert.ok(next, 'a next link');
    const params = new URL(next.replaceAll('&amp;', '&'), 'http://x').searchParams;
    assert.equal(params.get('queue'), `team:${team.id}`);
    assert.equal(params.get('tag'), 'batch');
    assert.equal(params.get('priority'), 'high');
    assert.equal(params.get('sort'), 'received');
    assert.equal(params.get('page'), '2');

    const second = await browser.get(next.replaceAll('&amp;', '&'));
    assert.equal(rowsOf(second.body).length, 3);
    assert.match(second.body, /Showing 51 to 53 of 53 cases/);
    assert.match(second.body, /<title>.*\(page 2\)/);
    const all = new Set([...idsOf(first.body), ...idsOf(second.body)]);
    assert.equal(all.size, 53, 'no case on both pages');
  });

  test("the team queue's query uses an index on cases", async () => {
    const { team, officer } = await council();
    const criteria: QueueCriteria = {
      scope: { kind: 'team', teamId: team.id },
      viewer: { staffId: officer.id, teamIds: [team.id] },
      sort: 'due',
      bounds: { now: NOW, endOfToday: NOW, endOfWeek: NOW },
      limit: 50,
      offset: 0,
    };
    const plan = await t.database.db.transaction().execute(async (trx) => {
      // Statistics as a live database has them; then no sequential scan, so any index that serves is used.
      await sql`analyze cases`.execute(trx);
      await sql`set local enable_seqscan = off`.execute(trx);
      return explainQueuePage(trx, criteria);
    });
    const json = JSON.stringify(plan);
    assert.match(json, /"Index Name":"cases_team_(status|queue)_idx"[^}]*"Index Cond":"\(team_id = /);
    assert.doesNotMatch(json, /"Node Type":"Seq Scan","[^}]*"Relation Name":"cases"/);
  });
});
