/**
 * Knowledge base (issue 15) in Chromium: an editor drafts an article linked to "Report a missed bin", a second
 * person publishes it (the team requires one); a resident searching "bin not emptied" finds it on /help and
 * from the service page, says it was not helpful with a comment, which lands as a task for the owner on their
 * staff home and the knowledge page. axe-core (WCAG 2.2 AA) on every page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { TestClock } from '../../src/platform/clock.ts';
import { checkPage, chromiumMissing, launch, newContext } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { buildAuthority, buildStaff, buildTeam, TEST_PASSWORD } from '../../test/builders/index.ts';
import { installShippedService } from '../../test/builders/services.ts';

const skip = chromiumMissing();
const clock = new TestClock('2026-12-07T10:00:00Z');
let server: RunningServer;
let browser: Browser;
let editorEmail = '';
let leaderEmail = '';
let service = { id: '', slug: '', name: '' };

before(async () => {
  if (skip) return;
  server = await startServer(
    async (t) => {
      const db = t.database.db;
      const authority = await buildAuthority(db, { kind: 'city', name: 'Kingsbridge City Council' });
      const team = await buildTeam(db, authority.id, { code: 'waste', name: 'Waste and recycling' });
      await db
        .updateTable('teams')
        .set({ knowledge_second_publisher: true })
        .where('id', '=', team.id)
        .execute();
      service = await installShippedService(db, {
        authorityId: authority.id,
        teamId: team.id,
        slug: 'report-a-missed-bin',
      });
      editorEmail = (
        await buildStaff(db, authority.id, { roles: ['officer'], teamIds: [team.id], name: 'Olu Officer' })
      ).email;
      leaderEmail = (
        await buildStaff(db, authority.id, {
          roles: ['team_leader'],
          teamIds: [team.id],
          leaderOf: [team.id],
          name: 'Lee Leader',
        })
      ).email;
    },
    { clock },
  );
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(email: string): Promise<Page> {
  const context = await newContext(browser, server.baseURL);
  const page = await context.newPage();
  await page.goto('/staff/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', TEST_PASSWORD);
  await Promise.all([page.waitForURL('**/staff'), page.click('[data-testid=sign-in]')]);
  return page;
}

void describe('knowledge base journey', { skip }, () => {
  void test('draft, second-person publishing, resident search, service page, not helpful → owner task', async () => {
    // The editor drafts the article (errors first), linked to the service, and submits it for review.
    const editor = await signIn(editorEmail);
    await editor.goto('/staff/knowledge');
    await checkPage(editor);
    await Promise.all([
      editor.waitForURL('**/staff/knowledge/new'),
      editor.click('[data-testid=new-article]'),
    ]);
    await checkPage(editor);
    await editor.click('[data-testid=save-article]');
    await editor.waitForSelector('.govuk-error-summary');
    assert.match(await editor.title(), /^Error:/);
    await checkPage(editor);
    await editor.fill('#title', 'What to do if we missed your bin');
    await editor.fill('#summary', 'Tell us within 2 working days and we will come back.');
    await editor.fill(
      '#body',
      '## Before you tell us\n\nCheck your bin was out by **7am** on your collection day.\n\n## Tell us\n\n- [Report a missed bin](/services/' +
        service.slug +
        ')\n- or phone us',
    );
    await editor.fill('#keywords', 'bin not emptied, rubbish not collected, missed collection');
    await editor.check(`input[name=services][value="${service.id}"]`);
    await Promise.all([
      editor.waitForURL('**/staff/knowledge/*?done=created'),
      editor.click('[data-testid=save-article]'),
    ]);
    await checkPage(editor);
    const articleUrl = editor.url().replace(/\?.*$/, '');
    await Promise.all([editor.waitForURL('**?done=submit'), editor.click('[data-testid=submit-article]')]);
    assert.ok(await editor.locator('[data-testid=publish-blocked]').isVisible(), 'the author cannot publish');
    await checkPage(editor);

    // A second person publishes it.
    const leader = await signIn(leaderEmail);
    await leader.goto(articleUrl);
    await Promise.all([leader.waitForURL('**?done=publish'), leader.click('[data-testid=publish-article]')]);
    assert.match(await leader.locator('[data-testid=banner]').innerText(), /Published/);
    await checkPage(leader);

    // A resident searches in plain words and finds it, on /help and from the service page.
    const resident = await (await newContext(browser, server.baseURL)).newPage();
    await resident.goto('/help');
    await checkPage(resident);
    await resident.fill('#q', 'bin not emptied');
    await Promise.all([
      resident.waitForURL('**/help?q=*'),
      resident.click('[data-testid=help-search] button'),
    ]);
    await checkPage(resident);
    const hit = resident.locator('[data-testid=article-results] a', {
      hasText: 'What to do if we missed your bin',
    });
    assert.equal(await hit.count(), 1);
    await resident.goto('/search?q=bin+not+emptied');
    await checkPage(resident);
    assert.equal(
      await resident.locator('[data-testid=article-results] a', { hasText: 'missed your bin' }).count(),
      1,
    );
    await resident.goto(`/services/${service.slug}`);
    await checkPage(resident);
    await Promise.all([
      resident.waitForURL('**/help/what-to-do-if-we-missed-your-bin'),
      resident.click('[data-testid=service-questions] a'),
    ]);
    await checkPage(resident);
    assert.match(
      await resident.locator('[data-testid=article-body]').innerText(),
      /Check your bin was out by 7am/,
    );

    // Not helpful, with a comment (errors first: no answer chosen).
    await resident.fill('#comment', 'It does not say what happens over Christmas');
    await resident.click('[data-testid=article-feedback-send]');
    await resident.waitForSelector('.govuk-error-summary');
    await checkPage(resident);
    await resident.check('input[name=helpful][value=no]');
    // The error page is already at …/feedback (the form posts there), so wait for the thank-you page itself.
    await resident.click('[data-testid=article-feedback-send]');
    await resident.waitForSelector('[data-testid=feedback-thanks]');
    await checkPage(resident);

    // The owner's task: on their staff home and the knowledge page.
    await editor.goto('/staff');
    assert.match(await editor.locator('[data-testid=knowledge-tasks-panel]').innerText(), /over Christmas/);
    await checkPage(editor);
    await editor.goto('/staff/knowledge');
    assert.match(await editor.locator('[data-testid=knowledge-tasks]').innerText(), /over Christmas/);
    await checkPage(editor);
  });
});
