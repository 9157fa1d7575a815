/**
 * The staff case page (/staff/cases/:id) over the seeded demo council: a member of the owning team sees
 * the case and moves it along its workflow only; a resident-visible status reaches the resident's timeline
 * and queues a message; notes stay internal; a restricted service's case is 404 to other teams and the
 * attempt is audited; an auditor can read but not change.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { seedDemo, DEMO_PASSWORD } from '../src/seed/demo.ts';
import { allowedNextStatuses, getCaseTimeline, loadCaseService } from '../src/modules/cases/index.ts';

let t: TestApp;
const ns = `cs${randomBytes(3).toString('hex')}`;

async function signIn(email: string): Promise<Browser> {
  const browser = new Browser(t.app);
  const res = await browser.submit('/staff/sign-in', '/staff/sign-in', { email, password: DEMO_PASSWORD });
  assert.ok(res.statusCode === 302 || res.statusCode === 303, `sign-in of ${email}: ${res.statusCode}`);
  return browser;
}

/** An open case of a normal service with a resident-visible next status, and a member of its team. */
async function openCase(sensitivity: 'normal' | 'restricted') {
  const db = t.database.db;
  const { rows } = await sql<{
    id: string;
    reference: string;
    team_id: string;
    service_id: string;
    status: string;
    authority_id: string;
  }>`
    select c.id, c.reference, c.team_id, c.service_id, c.status, c.authority_id
    from cases c join services s on s.id = c.service_id join authorities a on a.id = c.authority_id
    where a.code like ${`${ns}-%`} and c.closed_at is null and s.sensitivity = ${sensitivity}
      and c.customer_id is not null and s.kind not in ('complaint', 'foi', 'sar', 'compliment')
    order by c.reference`.execute(db);
  for (const row of rows) {
    const service = (await loadCaseService(db, { id: row.service_id }, { includeInactive: true }))!;
    const next = allowedNextStatuses(service, row.status).find((s) => s.customerVisible);
    if (next) return { ...row, next };
  }
  throw new Error(`no open ${sensitivity} case in the demo`);
}

async function memberOf(teamId: string, role: string): Promise<string> {
  const { rows } = await sql<{ email: string }>`
    select u.email from staff_users u join staff_team_members m on m.staff_user_id = u.id
    where m.team_id = ${teamId} and ${role} = any(u.roles) and u.password_hash is not null
    order by u.email limit 1`.execute(t.database.db);
  if (!rows[0]) throw new Error(`no ${role} in team ${teamId}`);
  return rows[0].email;
}

before(async () => {
  t = await buildTestApp();
  await seedDemo(t.database.db, { namespace: ns, customers: 40 });
});
after(() => t.close());

void describe('staff case page', () => {
  test('a team member changes the status along the workflow; the resident sees it and gets a message', async () => {
    const kase = await openCase('normal');
    const email = await memberOf(kase.team_id, 'officer').catch(() => memberOf(kase.team_id, 'team_leader'));
    const staff = await signIn(email);
    const page = await staff.get(`/staff/cases/${kase.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(kase.reference));
    assert.match(page.body, /Messages and updates the resident can see/);
    assert.match(page.body, /Internal notes/);

    const bad = await staff.submit(`/staff/cases/${kase.id}`, `/staff/cases/${kase.id}/status`, {
      status: 'not-a-status',
      statusNote: 'kept text',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /<title>Error: /);
    assert.match(bad.body, /Select what happens next/);
    assert.match(bad.body, /kept text/);

    const ok = await staff.submit(`/staff/cases/${kase.id}`, `/staff/cases/${kase.id}/status`, {
      status: kase.next.code,
      statusNote: 'Checked on site',
    });
    assert.equal(ok.statusCode, 303);
    const resident = await getCaseTimeline(t.database.db, kase.id, { customerVisibleOnly: true });
    assert.equal(resident[0].status?.code, kase.next.code, 'the new status is on the resident timeline');
    assert.ok(
      resident.every((e) => e.body !== 'Checked on site'),
      'the internal note is not shown to the resident',
    );
    const messages = await t.database.db
      .selectFrom('messages')
      .select(['template'])
      .where('case_id', '=', kase.id)
      .where('template', '=', 'case.status_changed')
      .execute();
    assert.equal(messages.length, 1, 'one status message queued');
    const audited = await t.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('record_id', '=', kase.id)
      .where('action', 'in', ['case.view', 'case.status_changed'])
      .where('outcome', '=', 'ok') // the refused attempt above is audited as failed
      .execute();
    assert.ok(audited.some((a) => a.action === 'case.view'));
    assert.equal(
      audited.filter((a) => a.action === 'case.status_changed').length,
      1,
      'one audit row for one status change',
    );

    const note = await staff.submit(`/staff/cases/${kase.id}`, `/staff/cases/${kase.id}/notes`, { note: '' });
    assert.equal(note.statusCode, 400);
    assert.match(note.body, /Enter a note/);
  });

  test('a restricted case is 404 to another team and the attempt is audited; auditors cannot change cases', async () => {
    const restricted = await openCase('restricted');
    const normal = await openCase('normal');
    const { rows } = await sql<{ email: string }>`
      select u.email from staff_users u where u.email like ${`%${ns}%`} and 'agent' = any(u.roles)
        and u.authority_id = ${restricted.authority_id}
        and not exists (select 1 from staff_team_members m where m.staff_user_id = u.id and m.team_id = ${restricted.team_id})
      order by u.email limit 1`.execute(t.database.db);
    const agent = await signIn(rows[0].email);
    const denied = await agent.get(`/staff/cases/${restricted.id}`);
    assert.equal(denied.statusCode, 404);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['outcome'])
      .where('record_id', '=', restricted.id)
      .where('action', '=', 'case.view_denied')
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0].outcome, 'denied');

    const { rows: auditors } = await sql<{ email: string }>`
      select u.email from staff_users u where u.email like ${`%${ns}%`} and 'auditor' = any(u.roles)
        and u.authority_id = ${normal.authority_id}
      order by u.email limit 1`.execute(t.database.db);
    const auditor = await signIn(auditors[0].email);
    assert.equal((await auditor.get(`/staff/cases/${normal.id}`)).statusCode, 200);
    const page = await auditor.get(`/staff/cases/${normal.id}`);
    assert.doesNotMatch(page.body, /Change status/);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const post = await auditor.post(`/staff/cases/${normal.id}/notes`, { _csrf: token, note: 'x' });
    assert.equal(post.statusCode, 403);
  });
});
