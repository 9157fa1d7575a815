/**
 * Handling a case on the staff case page, over the seeded demo council: assignment (take it yourself; team
 * leaders give it to someone with a handover note), transfer to another team with a required handover
 * note, messages to the resident through the outbox with reply templates, related cases, deadline
 * extensions with a reason, priority and tags. Every change is on the timeline and in the audit log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { buildStaff, buildTeam, TEST_PASSWORD } from './builders/index.ts';

let t: TestApp;
const ns = `ch${randomBytes(3).toString('hex')}`;
let used = new Set<string>();

async function signIn(email: string): Promise<Browser> {
  const browser = new Browser(t.app);
  const res = await browser.submit('/staff/sign-in', '/staff/sign-in', { email, password: TEST_PASSWORD });
  assert.ok(res.statusCode === 302 || res.statusCode === 303, `sign-in of ${email}: ${res.statusCode}`);
  return browser;
}

/** A fresh open, unassigned case of a normal service (each test takes its own). */
async function freshCase() {
  const { rows } = await sql<{
    id: string;
    reference: string;
    team_id: string;
    authority_id: string;
    due_at: Date | null;
  }>`
    select c.id, c.reference, c.team_id, c.authority_id, c.due_at
    from cases c join services s on s.id = c.service_id join authorities a on a.id = c.authority_id
    where a.code like ${`${ns}-%`} and c.closed_at is null and c.sla_paused_at is null and c.due_at is not null
      and s.sensitivity = 'normal' and c.customer_id is not null
      and s.kind not in ('complaint', 'foi', 'sar', 'compliment')
    order by c.reference`.execute(t.database.db);
  const row = rows.find((r) => !used.has(r.id));
  if (!row) throw new Error('no unused open case in the demo');
  used.add(row.id);
  await t.database.db.updateTable('cases').set({ assignee_id: null }).where('id', '=', row.id).execute();
  return row;
}

/** A leader, an officer and an agent in the case's team, plus another team of the same council with a leader. */
async function people(kase: { team_id: string; authority_id: string }) {
  const db = t.database.db;
  const leader = await buildStaff(db, kase.authority_id, {
    roles: ['team_leader'],
    teamIds: [kase.team_id],
    leaderOf: [kase.team_id],
    name: 'Lena Leader',
  });
  const officer = await buildStaff(db, kase.authority_id, {
    roles: ['officer'],
    teamIds: [kase.team_id],
    name: 'Omar Officer',
  });
  const agent = await buildStaff(db, kase.authority_id, { roles: ['agent'], teamIds: [kase.team_id] });
  const otherTeam = await buildTeam(db, kase.authority_id, { name: 'Second line team' });
  const otherLeader = await buildStaff(db, kase.authority_id, {
    roles: ['team_leader'],
    teamIds: [otherTeam.id],
    leaderOf: [otherTeam.id],
    name: 'Tess Other',
  });
  return { leader, officer, agent, otherTeam, otherLeader };
}

async function messagesTo(caseId: string, template: string) {
  return t.database.db
    .selectFrom('messages')
    .select(['template', 'recipient'])
    .where('case_id', '=', caseId)
    .where('template', '=', template)
    .execute();
}

async function events(caseId: string, kind: string) {
  return t.database.db
    .selectFrom('case_events')
    .select(['body', 'data', 'visible_to_customer', 'actor_staff_id'])
    .where('case_id', '=', caseId)
    .where('kind', '=', kind)
    .execute();
}

/** Successful changes audited as `action` (refused and failed attempts are audited too, as denied/failed). */
async function audited(caseId: string, action: string): Promise<number> {
  const rows = await t.database.db
    .selectFrom('audit_log')
    .select('id')
    .where('record_id', '=', caseId)
    .where('action', '=', action)
    .where('outcome', '=', 'ok')
    .execute();
  return rows.length;
}

before(async () => {
  t = await buildTestApp();
  await seedDemo(t.database.db, { namespace: ns, customers: 40 });
  used = new Set();
});
after(() => t.close());

void describe('case handling', () => {
  test('an agent takes a case; only a team leader gives it to someone else, and then with a handover note', async () => {
    const kase = await freshCase();
    const p = await people(kase);
    const page = `/staff/cases/${kase.id}`;

    const agent = await signIn(p.agent.email);
    const refused = await agent.submit(page, `${page}/assign`, { assignee: p.officer.id, handoverNote: 'x' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Only a team leader can give a case to someone else/);
    const took = await agent.submit(page, `${page}/assign`, { assignee: 'me' });
    assert.equal(took.statusCode, 303);
    let row = await t.database.db
      .selectFrom('cases')
      .select('assignee_id')
      .where('id', '=', kase.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.assignee_id, p.agent.id);

    const leader = await signIn(p.leader.email);
    const noNote = await leader.submit(page, `${page}/assign`, { assignee: p.officer.id, handoverNote: '' });
    assert.equal(noNote.statusCode, 400);
    assert.match(noNote.body, /<title>Error: /);
    assert.match(noNote.body, /href="#handoverNote">Enter a handover note/);
    const outsider = await leader.submit(page, `${page}/assign`, {
      assignee: p.otherLeader.id,
      handoverNote: 'Please call her back',
    });
    assert.equal(outsider.statusCode, 400, 'only members of the case team can have it');
    assert.match(outsider.body, /Please call her back/, 'the note is kept');

    const given = await leader.submit(page, `${page}/assign`, {
      assignee: p.officer.id,
      handoverNote: 'She prefers a call after 2pm.',
    });
    assert.equal(given.statusCode, 303);
    row = await t.database.db
      .selectFrom('cases')
      .select('assignee_id')
      .where('id', '=', kase.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.assignee_id, p.officer.id);
    // (the demo history may hold earlier assignments by demo staff)
    const assigned = (await events(kase.id, 'assigned')).filter((e) =>
      [p.agent.id, p.leader.id].includes(e.actor_staff_id ?? ''),
    );
    assert.equal(assigned.length, 2);
    assert.ok(assigned.every((e) => !e.visible_to_customer));
    assert.ok(assigned.some((e) => e.body === 'She prefers a call after 2pm.'));
    const emails = await messagesTo(kase.id, 'case.assigned');
    assert.equal(emails.length, 1, 'the new assignee is told once (not the agent who took it)');
    assert.equal(emails[0].recipient, p.officer.email);
    assert.equal(await audited(kase.id, 'case.assigned'), 2);

    const view = await leader.get(page);
    assert.match(view.body, /data-testid="handover"/);
    assert.match(view.body, /She prefers a call after 2pm\./);
  });

  test('a transfer needs a team and a handover note; the new team leader is told and the case leaves its assignee', async () => {
    const kase = await freshCase();
    const p = await people(kase);
    const page = `/staff/cases/${kase.id}`;
    await t.database.db
      .updateTable('cases')
      .set({ assignee_id: p.officer.id })
      .where('id', '=', kase.id)
      .execute();
    const officer = await signIn(p.officer.email);

    const bad = await officer.submit(page, `${page}/transfer`, { team: '', transferNote: '' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /href="#team">Choose the team to pass the case to/);
    assert.match(bad.body, /href="#transferNote">Enter a handover note for the new team/);
    assert.match(bad.body, /<details class="govuk-details" open/, 'the transfer form stays open');
    assert.equal(
      (bad.body.match(/class="govuk-error-message"/g) ?? []).length,
      2,
      'the two messages sit on their own fields, not on the other forms',
    );

    const kept = await officer.submit(page, `${page}/transfer`, {
      team: '',
      transferNote: 'Needs a site visit',
    });
    assert.equal(kept.statusCode, 400);
    assert.match(kept.body, /Needs a site visit/);

    const ok = await officer.submit(page, `${page}/transfer`, {
      team: p.otherTeam.id,
      transferNote: 'Needs a site visit by the second line team. Resident is deaf: text only.',
    });
    assert.equal(ok.statusCode, 303);
    const row = await t.database.db
      .selectFrom('cases')
      .select(['team_id', 'assignee_id'])
      .where('id', '=', kase.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.team_id, p.otherTeam.id);
    assert.equal(row.assignee_id, null);
    const moved = await events(kase.id, 'transferred');
    assert.equal(moved.length, 1);
    assert.match(moved[0].body ?? '', /Resident is deaf/);
    assert.equal(moved[0].visible_to_customer, false);
    const told = await messagesTo(kase.id, 'case.transferred');
    assert.deepEqual(
      told.map((m) => m.recipient),
      [p.otherLeader.email],
    );
    assert.equal(await audited(kase.id, 'case.transferred'), 1);
  });

  test('issue 12 item 5: after a transfer, "Why it is here" gives the transfer, not the old team\'s routing reason', async () => {
    const kase = await freshCase();
    const p = await people(kase);
    const page = `/staff/cases/${kase.id}`;
    const before = await t.database.db
      .selectFrom('cases as c')
      .innerJoin('teams as tm', 'tm.id', 'c.team_id')
      .select(['c.routing_reason', 'tm.name as team_name'])
      .where('c.id', '=', kase.id)
      .executeTakeFirstOrThrow();
    const officer = await signIn(p.officer.email);
    const ok = await officer.submit(page, `${page}/transfer`, {
      team: p.otherTeam.id,
      transferNote: 'Street lighting, not roads.',
    });
    assert.equal(ok.statusCode, 303);
    const shown = (await (await signIn(p.otherLeader.email)).get(page)).body;
    const why = /Why it is here\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*([^<]*)/
      .exec(shown)?.[1]
      ?.trim();
    assert.equal(
      why,
      `Transferred from ${before.team_name} by Omar Officer: Street lighting, not roads.`.replace(
        /'/g,
        '&#39;',
      ),
    );
    if (before.routing_reason) assert.ok(!shown.includes(before.routing_reason), 'the old reason is gone');
  });

  test('a message to the resident goes through the outbox; a reply template fills in the case', async () => {
    const kase = await freshCase();
    const p = await people(kase);
    const page = `/staff/cases/${kase.id}`;
    const officer = await signIn(p.officer.email);

    const view = await officer.get(page);
    assert.match(view.body, /Start from a reply template/);
    const template = await t.database.db
      .selectFrom('reply_templates')
      .select(['id', 'title'])
      .where('authority_id', '=', kase.authority_id)
      .where('title', '=', 'We will call you back')
      .executeTakeFirstOrThrow();
    const filled = await officer.get(`${page}?template=${template.id}`);
    assert.equal(filled.statusCode, 200);
    assert.match(filled.body, new RegExp(`your request ${kase.reference} within 2 working days`));
    assert.match(filled.body, /Omar Officer/);

    const empty = await officer.submit(page, `${page}/messages`, { message: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Enter a message to the resident/);

    const sent = await officer.submit(page, `${page}/messages`, { message: 'We will visit on Tuesday.' });
    assert.equal(sent.statusCode, 303);
    const visible = await events(kase.id, 'message');
    assert.ok(visible.some((e) => e.body === 'We will visit on Tuesday.' && e.visible_to_customer));
    const queued = await t.database.db
      .selectFrom('messages')
      .select(['id', 'status', 'body'])
      .where('case_id', '=', kase.id)
      .where('template', '=', 'case.message')
      .execute();
    assert.equal(queued.length, 1);
    assert.equal(queued[0].status, 'queued', 'waiting for the worker: nothing is sent in the request');
    assert.match(queued[0].body, /We will visit on Tuesday\./);
    const job = await t.database.db
      .selectFrom('outbox')
      .select('status')
      .where(sql<string>`payload->>'messageId'`, '=', queued[0].id)
      .execute();
    assert.equal(job.length, 1, 'one outbox job delivers it');
    assert.equal(await audited(kase.id, 'case.message_sent'), 1);
  });

  test('related cases link both ways by reference, and unlink', async () => {
    const a = await freshCase();
    const b = await freshCase();
    const p = await people(a);
    const officer = await signIn(p.officer.email);
    const page = `/staff/cases/${a.id}`;

    const self = await officer.submit(page, `${page}/links`, { reference: a.reference });
    assert.equal(self.statusCode, 400);
    assert.match(self.body, /A case cannot be linked to itself/);
    const unknown = await officer.submit(page, `${page}/links`, { reference: 'ZZ-000-000' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /No case has that reference/);
    assert.match(unknown.body, /value="ZZ-000-000"/);

    const typed = ` ${b.reference.toLowerCase()} `;
    const ok = await officer.submit(page, `${page}/links`, { reference: typed });
    assert.equal(ok.statusCode, 303);
    const again = await officer.submit(page, `${page}/links`, { reference: b.reference });
    assert.equal(again.statusCode, 303, 'linking twice is harmless');
    const rows = await t.database.db.selectFrom('case_links').selectAll().execute();
    assert.equal(
      rows.filter((r) => [r.case_id, r.linked_case_id].sort().join() === [a.id, b.id].sort().join()).length,
      1,
    );
    assert.match((await officer.get(page)).body, new RegExp(`href="/staff/cases/${b.id}">${b.reference}`));
    assert.match(
      (await officer.get(`/staff/cases/${b.id}`)).body,
      new RegExp(`href="/staff/cases/${a.id}">${a.reference}`),
    );
    assert.equal((await events(b.id, 'linked')).length, 1);

    const removed = await officer.submit(page, `${page}/links/${b.id}/remove`, {});
    assert.equal(removed.statusCode, 303);
    assert.doesNotMatch((await officer.get(page)).body, new RegExp(`href="/staff/cases/${b.id}"`));
  });

  test('an extension needs days and a reason, moves the due date and is recorded; priority and tags are saved', async () => {
    const kase = await freshCase();
    const p = await people(kase);
    const page = `/staff/cases/${kase.id}`;
    const officer = await signIn(p.officer.email);

    const bad = await officer.submit(page, `${page}/extend`, { days: 'ten', reason: '' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Days must be a whole number from 1 to 60/);
    assert.match(bad.body, /Enter the reason for the extension/);
    assert.match(bad.body, /value="ten"/);

    const ok = await officer.submit(page, `${page}/extend`, {
      days: '5',
      reason: 'Waiting for a contractor report',
    });
    assert.equal(ok.statusCode, 303);
    const row = await t.database.db
      .selectFrom('cases')
      .select(['due_at', 'sla_extension_days'])
      .where('id', '=', kase.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.sla_extension_days, 5);
    assert.ok(
      row.due_at && kase.due_at && row.due_at.getTime() > kase.due_at.getTime(),
      'the due date moved later',
    );
    const extended = await events(kase.id, 'sla_extended');
    assert.equal(extended[0]?.body, 'Waiting for a contractor report');
    assert.match((await officer.get(page)).body, /extended by 5 working days/);

    const badPriority = await officer.submit(page, `${page}/details`, { priority: 'whenever', tags: 'x' });
    assert.equal(badPriority.statusCode, 400);
    assert.match(badPriority.body, /Select a priority/);
    const saved = await officer.submit(page, `${page}/details`, {
      priority: 'high',
      tags: 'Councillor enquiry, repeat',
    });
    assert.equal(saved.statusCode, 303);
    const after = await t.database.db
      .selectFrom('cases')
      .select(['priority', 'tags'])
      .where('id', '=', kase.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.priority, 'high');
    assert.deepEqual(after.tags, ['councillor-enquiry', 'repeat']);
  });

  test('staff set themselves away and back from their home page (routing offers new cases only to those available)', async () => {
    const kase = await freshCase();
    const p = await people(kase);
    const officer = await signIn(p.officer.email);
    const home = await officer.get('/staff');
    assert.match(
      home.body,
      /data-testid="availability-status"><strong class="govuk-tag govuk-tag--green">Available/,
    );
    const away = await officer.submit('/staff', '/staff/availability', { available: 'no' });
    assert.equal(away.statusCode, 303);
    const row = await t.database.db
      .selectFrom('staff_users')
      .select('available')
      .where('id', '=', p.officer.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.available, false);
    assert.match((await officer.get('/staff?done=away')).body, /new cases will not be offered to you/);
    await officer.submit('/staff', '/staff/availability', { available: 'yes' });
    const back = await t.database.db
      .selectFrom('staff_users')
      .select('available')
      .where('id', '=', p.officer.id)
      .executeTakeFirstOrThrow();
    assert.equal(back.available, true);
    const auditor = await buildStaff(t.database.db, kase.authority_id, { roles: ['auditor'] });
    const reader = await signIn(auditor.email);
    assert.doesNotMatch((await reader.get('/staff')).body, /Set me as away/, 'auditors take no cases');
  });
});
