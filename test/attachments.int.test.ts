/**
 * Who may download an uploaded file (`GET /attachments/:id`) before and after its draft becomes a case.
 * The restricted-case rule for every role is walked in access.int.test.ts; this file covers drafts' files
 * and the hand-over from draft to case. Each test builds its own council and files.
 *
 * Runs on PGlite by default and on PostgreSQL when TEST_DATABASE_URL is set.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { TestClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/index.ts';
import { BROWSER_BINDING_COOKIE } from '../src/modules/cases/index.ts';
import { buildAuthority, buildService, buildStaff, buildTeam } from './builders/index.ts';
import { buildAttachment, buildDraft } from './builders/attachments.ts';
import { buildCase, buildCustomer, signedIn } from './builders/customers.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-11-23T10:00:00Z');

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
});
after(() => t.close());

void describe('attachment downloads', () => {
  void test("a draft's file belongs to the draft's owner: other staff get a 404, audited as denied", async () => {
    const authority = await buildAuthority(db);
    const team = await buildTeam(db, authority.id);
    const service = await buildService(db, authority.id, team.id);
    const uploadDir = join(t.config.dataDir, 'uploads');
    const agent = await buildStaff(db, authority.id, { roles: ['agent'], teamIds: [team.id] });
    const colleague = await buildStaff(db, authority.id, { roles: ['team_leader'], teamIds: [team.id] });

    const residentDraft = await buildDraft(db, { authorityId: authority.id, serviceId: service.id });
    const residentFile = await buildAttachment(db, {
      authorityId: authority.id,
      uploadDir,
      draftId: residentDraft.id,
    });
    const assistedDraft = await buildDraft(db, {
      authorityId: authority.id,
      serviceId: service.id,
      staffUserId: agent.id,
    });
    const assistedFile = await buildAttachment(db, {
      authorityId: authority.id,
      uploadDir,
      draftId: assistedDraft.id,
    });

    const resident = new Browser(t.app);
    resident.cookies.set(BROWSER_BINDING_COOKIE, residentDraft.bindingSecret);
    assert.equal((await resident.get(`/attachments/${residentFile.id}`)).statusCode, 200, 'the resident');
    assert.equal((await resident.get(`/attachments/${assistedFile.id}`)).statusCode, 404);

    const owner = await signedIn(t.app, agent);
    assert.equal(
      (await owner.get(`/attachments/${assistedFile.id}`)).statusCode,
      200,
      'the agent whose draft',
    );
    // The agent's browser also got the assisted draft's binding secret: that alone is not ownership.
    const holder = new Browser(t.app);
    holder.cookies.set(BROWSER_BINDING_COOKIE, assistedDraft.bindingSecret);
    assert.equal((await holder.get(`/attachments/${assistedFile.id}`)).statusCode, 404);

    const other = await signedIn(t.app, colleague);
    for (const file of [residentFile, assistedFile]) {
      const response = await other.get(`/attachments/${file.id}`);
      assert.equal(response.statusCode, 404, 'cases:read is not enough for a draft file');
      assert.doesNotMatch(response.body, new RegExp(file.filename));
    }
    const denied = await db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'record_id'])
      .where('actor_id', '=', colleague.id)
      .where('record_type', '=', 'attachment')
      .execute();
    assert.deepEqual(
      denied.map((r) => [r.action, r.outcome, r.record_id]).sort(),
      [
        ['attachment.view_denied', 'denied', residentFile.id],
        ['attachment.view_denied', 'denied', assistedFile.id],
      ].sort(),
    );
  });

  void test('once the draft is a restricted case, its file follows the case: the agent who uploaded it outside the team gets a 404, audited', async () => {
    const authority = await buildAuthority(db);
    const frontDoor = await buildTeam(db, authority.id, { name: 'Customer services' });
    const socialCare = await buildTeam(db, authority.id, { name: 'Adult social care' });
    const care = await buildService(db, authority.id, socialCare.id, { sensitivity: 'restricted' });
    const agent = await buildStaff(db, authority.id, { roles: ['agent'], teamIds: [frontDoor.id] });
    const carer = await buildStaff(db, authority.id, { roles: ['officer'], teamIds: [socialCare.id] });
    const customer = await buildCustomer(db, authority.id);
    const draft = await buildDraft(db, {
      authorityId: authority.id,
      serviceId: care.id,
      staffUserId: agent.id,
    });
    const file = await buildAttachment(db, {
      authorityId: authority.id,
      uploadDir: join(t.config.dataDir, 'uploads'),
      draftId: draft.id,
    });
    const agentBrowser = await signedIn(t.app, agent);
    assert.equal((await agentBrowser.get(`/attachments/${file.id}`)).statusCode, 200, 'their draft');

    const referral = await buildCase(db, {
      authorityId: authority.id,
      serviceId: care.id,
      teamId: socialCare.id,
      customerId: customer.id,
    });
    await db.updateTable('attachments').set({ case_id: referral.id }).where('id', '=', file.id).execute();

    assert.equal(
      (await agentBrowser.get(`/attachments/${file.id}`)).statusCode,
      404,
      'now a restricted case',
    );
    const rows = await db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'record_type', 'details'])
      .where('actor_id', '=', agent.id)
      .where('record_id', '=', referral.id)
      .execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].action, 'case.view_denied');
    assert.equal(rows[0].outcome, 'denied');
    assert.equal(rows[0].record_type, 'case');
    assert.deepEqual(rows[0].details, { attempted: 'download_attachment', attachmentId: file.id });
    assert.equal((await (await signedIn(t.app, carer)).get(`/attachments/${file.id}`)).statusCode, 200);
  });
});
