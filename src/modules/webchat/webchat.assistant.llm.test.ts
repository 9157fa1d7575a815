/**
 * The language-model adapter against a real HTTP peer (node:http on a free local port) that imitates the
 * OpenAI-compatible chat completions API: a faithful rephrasing is used; an invented answer, an error, a
 * malformed reply, "NO ANSWER" and a timeout all give the plain excerpt; the request carries the bearer key,
 * the model and only the question and the retrieved article's text.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { citationHolds } from './webchat.assistant.ts';
import { rephraseFromArticle, type LlmSettings, type RephraseInput } from './webchat.assistant.llm.ts';

interface Seen {
  url: string;
  authorization: string | undefined;
  body: {
    model: string;
    messages: { role: string; content: string }[];
  };
}

/** What the peer does with the next request. */
let behave: (res: ServerResponse) => void = () => {};
const seen: Seen[] = [];
let server: Server;
let baseUrl = '';

const completion = (content: string) => (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'chatcmpl-test',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    }),
  );
};

before(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        url: `${req.method} ${req.url}`,
        authorization: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Seen['body'],
      });
      behave(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const ARTICLE =
  'What to do if your bin was not emptied\n' +
  'Tell us from the end of your collection day until 2 working days after, and we will come back within 2 working days.\n' +
  'If we did not empty your bin, report a missed bin. Check that your bin was out by 7am on your collection day.';
const INPUT: RephraseInput = {
  question: "hi my bin wasn't emptied, my name is Ann Smith",
  title: 'What to do if your bin was not emptied',
  articleText: ARTICLE,
  excerpt: 'If we did not empty your bin, report a missed bin.',
};
const settings = (overrides: Partial<LlmSettings> = {}): LlmSettings => ({
  url: baseUrl,
  key: 'council-llm-key-123',
  model: 'council-small',
  timeoutMs: 1000,
  ...overrides,
});

describe('rephrasing with the council language model', () => {
  test('a rephrasing supported by the article is used; the request has the key, the model and only the article text', async () => {
    seen.length = 0;
    behave = completion(
      'Report your missed bin from the end of your collection day until 2 working days after. We will come back within 2 working days.',
    );
    const answer = await rephraseFromArticle(settings(), INPUT, citationHolds);
    assert.equal(
      answer,
      'Report your missed bin from the end of your collection day until 2 working days after. We will come back within 2 working days.',
    );
    assert.equal(seen.length, 1);
    assert.equal(seen[0].url, 'POST /v1/chat/completions');
    assert.equal(seen[0].authorization, 'Bearer council-llm-key-123');
    assert.equal(seen[0].body.model, 'council-small');
    const sent = seen[0].body.messages.map((m) => m.content).join('\n');
    assert.ok(sent.includes(ARTICLE), 'the retrieved text');
    assert.ok(sent.includes(INPUT.question), 'the question');
    // Nothing else: only the instructions, the article and the question.
    assert.equal(seen[0].body.messages.length, 2);
    assert.equal(seen[0].body.messages[0].role, 'system');
    assert.equal(
      seen[0].body.messages[1].content,
      `Article: ${INPUT.title}\n\n${ARTICLE}\n\nQuestion: ${INPUT.question}`,
    );
  });

  test('Markdown marks in the reply are dropped before the check', async () => {
    behave = completion('**Report your missed bin** within 2 working days after your collection day.');
    assert.equal(
      await rephraseFromArticle(settings(), INPUT, citationHolds),
      'Report your missed bin within 2 working days after your collection day.',
    );
  });

  test('an invented answer fails the citation check: the plain excerpt', async () => {
    behave = completion(
      'We will empty your bin tomorrow morning and send you a £20 voucher. Call our depot on 0300 123 4567.',
    );
    assert.equal(await rephraseFromArticle(settings(), INPUT, citationHolds), INPUT.excerpt);
    behave = completion('We will come back within 5 working days.');
    assert.equal(
      await rephraseFromArticle(settings(), INPUT, citationHolds),
      INPUT.excerpt,
      'a changed figure',
    );
  });

  test('"NO ANSWER", an empty or malformed reply, or an error status: the plain excerpt', async () => {
    for (const b of [
      completion('NO ANSWER'),
      completion(''),
      (res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"choices": []}');
      },
      (res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('not json');
      },
      (res: ServerResponse) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error": {"message": "overloaded"}}');
      },
      (res: ServerResponse) => {
        res.writeHead(401);
        res.end();
      },
    ]) {
      behave = b;
      assert.equal(await rephraseFromArticle(settings(), INPUT, citationHolds), INPUT.excerpt);
    }
  });

  test('an endpoint that does not answer in time: the plain excerpt, after the timeout', async () => {
    let pending: ServerResponse | null = null;
    behave = (res) => {
      pending = res;
    };
    const started = performance.now();
    assert.equal(
      await rephraseFromArticle(settings({ timeoutMs: 150 }), INPUT, citationHolds),
      INPUT.excerpt,
    );
    const took = performance.now() - started;
    assert.ok(took >= 140 && took < 900, `${took} ms`);
    (pending as ServerResponse | null)?.destroy();
  });

  test('an endpoint that cannot be reached, and no key: the plain excerpt, and no authorization header', async () => {
    assert.equal(
      await rephraseFromArticle(settings({ url: 'http://127.0.0.1:1/v1' }), INPUT, citationHolds),
      INPUT.excerpt,
    );
    seen.length = 0;
    behave = completion('Report your missed bin within 2 working days after your collection day.');
    await rephraseFromArticle(settings({ key: null }), INPUT, citationHolds);
    assert.equal(seen[0].authorization, undefined);
  });
});
