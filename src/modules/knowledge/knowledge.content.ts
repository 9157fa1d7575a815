/**
 * The shipped article files (`content/<slug>.md`, front matter then Markdown): read for the demo seed and
 * the search-quality test. A missing folder is no articles.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArticleFile, type ArticleFile } from './knowledge.service.ts';

export const CONTENT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'content');

export function loadArticleFiles(dir: string = CONTENT_DIR): ArticleFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && !f.startsWith('README'))
    .sort()
    .map((f) => parseArticleFile(f.slice(0, -3), readFileSync(join(dir, f), 'utf8')));
}
