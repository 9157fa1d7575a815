/**
 * Input at the edge: text no real person types and PostgreSQL cannot store. A NUL character (`%00`) makes
 * PostgreSQL reject the whole statement, and a lone UTF-16 surrogate (`"\ud800"` in JSON) is not Unicode
 * at all (it would be stored as U+FFFD, silently changing the text). Both are refused with a 400 before any
 * handler runs, wherever they appear: the path, its parameters, the query string or any string in the body
 * (form, JSON or multipart fields). See docs/web.md "Input at the edge".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from './errors.ts';

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True for text that cannot be stored: a NUL character or a lone surrogate. */
export function isUnstorableText(value: string): boolean {
  return value.includes('\u0000') || LONE_SURROGATE.test(value);
}

/**
 * The first unstorable string in a parsed value (object keys included), as the name of the field that holds
 * it, or null. Iterative (a deeply nested JSON body cannot exhaust the stack) and bounded to `maxNodes`
 * values, so a huge body costs bounded time (the body limit bounds it too).
 */
export function findUnstorable(value: unknown, field = 'form', maxNodes = 100_000): string | null {
  const stack: [unknown, string][] = [[value, field]];
  for (let seen = 0; stack.length > 0 && seen < maxNodes; seen++) {
    const [item, name] = stack.pop()!;
    if (typeof item === 'string') {
      if (isUnstorableText(item)) return name;
    } else if (Array.isArray(item)) {
      for (const child of item) stack.push([child, name]);
    } else if (item && typeof item === 'object' && !Buffer.isBuffer(item)) {
      for (const [key, child] of Object.entries(item)) {
        if (isUnstorableText(key)) return name;
        stack.push([child, key]);
      }
    }
  }
  return null;
}

function safeDecode(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url; // a malformed escape is Fastify's to refuse (400); it holds no NUL
  }
}

const UNSTORABLE_ALL = new RegExp(`\u0000|${LONE_SURROGATE.source}`, 'g');

/** `value` with every NUL and lone surrogate removed, strings in arrays and objects (and keys) included. */
export function stripUnstorable(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return isUnstorableText(value) ? value.replace(UNSTORABLE_ALL, '') : value;
  if (depth > 32 || !value || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map((v) => stripUnstorable(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      stripUnstorable(k, depth + 1) as string,
      stripUnstorable(v, depth + 1),
    ]),
  );
}

/** A browser form post (urlencoded or multipart), as opposed to an API client's JSON. */
function isFormPost(request: FastifyRequest): boolean {
  const type = String(request.headers['content-type'] ?? '').toLowerCase();
  return type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
}

/**
 * Throws a 400 ValidationError when the request's url, params or query hold unstorable text, or a JSON
 * body does. A browser form's answers are cleaned instead: nobody types a NUL or half a character on
 * purpose, and refusing would lose what they wrote, so the characters are removed and the form goes on
 * with everything else as typed (its own validation and error summary still apply).
 */
export function rejectUnstorableInput(request: FastifyRequest): void {
  if (isFormPost(request) && findUnstorable(request.body, 'form'))
    request.body = stripUnstorable(request.body);
  const field =
    (isUnstorableText(safeDecode(request.url.split('?')[0] ?? '')) ? 'url' : null) ??
    findUnstorable(request.params, 'url') ??
    findUnstorable(request.query, 'query') ??
    findUnstorable(request.body, 'form');
  if (field)
    throw new ValidationError([
      { field, message: 'Remove the hidden control characters or broken symbols from your answer' },
    ]);
}

/**
 * Registers the check. It runs as the first `preHandler`, after every body parser (multipart bodies are
 * parsed in `preValidation`) and before CSRF, permission checks and handlers.
 */
export function registerInputEdge(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => rejectUnstorableInput(request));
}
