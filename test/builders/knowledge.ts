/**
 * The demo knowledge base (src/modules/knowledge/content) seeded under a namespace, for tests that search
 * it (search quality, the webchat assistant's evaluation): the councils and teams the article files name,
 * each team with one member to own its articles, then the articles themselves, with council codes and
 * article slugs prefixed by `ns` so tests can share a database.
 */
import assert from 'node:assert/strict';
import type { Db } from '../../src/platform/db/index.ts';
import { loadArticleFiles, seedArticles } from '../../src/modules/knowledge/index.ts';
import { buildStaff } from './index.ts';

export async function seedDemoArticles(
  db: Db,
  input: { ns: string; now: Date },
): Promise<{ authorityIds: string[] }> {
  const files = loadArticleFiles();
  const authorities = new Map<string, string>();
  for (const file of files) {
    let authorityId = authorities.get(file.authority);
    if (!authorityId) {
      authorityId = (
        await db
          .insertInto('authorities')
          .values({
            code: `${input.ns}-${file.authority}`,
            name: `${input.ns} ${file.authority}`,
            kind: 'county',
            website: null,
            phone: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      authorities.set(file.authority, authorityId);
    }
    const team = await db
      .selectFrom('teams')
      .select('id')
      .where('authority_id', '=', authorityId)
      .where('code', '=', file.team)
      .executeTakeFirst();
    if (!team) {
      const { id } = await db
        .insertInto('teams')
        .values({ authority_id: authorityId, code: file.team, name: file.team, email: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await buildStaff(db, authorityId, { roles: ['officer'], teamIds: [id] });
    }
  }
  const seeded = await seedArticles(db, files, {
    now: input.now,
    authorityCode: (code) => `${input.ns}-${code}`,
    articleSlug: (slug) => `${input.ns}-${slug}`,
  });
  assert.deepEqual(seeded.skipped, []);
  return { authorityIds: [...authorities.values()] };
}
