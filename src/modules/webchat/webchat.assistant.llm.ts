/**
 * The optional language model of the webchat assistant: a council's own OpenAI-compatible endpoint
 * (`POST {url}/chat/completions`) that may rephrase an answer strictly from the retrieved article's text.
 * Off unless CHAT_ASSISTANT_LLM_URL is set. Only the question and the article's title and text are sent; the
 * reply must pass the citation check against that text, or the plain excerpt is used instead (and also when
 * the endpoint errors, answers something unreadable or takes longer than the timeout).
 */

export interface LlmSettings {
  /** The API's base address, e.g. https://llm.example.gov.uk/v1 (…/chat/completions is added). */
  url: string;
  /** Sent as `Authorization: Bearer <key>`; null: no header. */
  key: string | null;
  model: string;
  /** How long the endpoint may take, in milliseconds (default 4000). */
  timeoutMs?: number;
}

export interface RephraseInput {
  question: string;
  title: string;
  /** The cited article's text (title, summary and body): all the model may use. */
  articleText: string;
  /** The plain excerpt: the answer when the model's is not used. */
  excerpt: string;
}

const DEFAULT_TIMEOUT_MS = 4000;
const MAX_ANSWER = 600;

const INSTRUCTIONS =
  'You answer residents of a UK council. Use only the article text you are given: do not add facts, ' +
  'numbers, places, dates or advice that are not in it. Answer in one to three short plain sentences ' +
  'in plain English, with no Markdown, no links and no greeting. If the article does not answer the ' +
  'question, reply with exactly NO ANSWER.';

/** The request body: the instructions, then the article and the question; nothing else is sent. */
export function completionRequest(settings: LlmSettings, input: RephraseInput) {
  return {
    model: settings.model,
    temperature: 0,
    max_tokens: 200,
    messages: [
      { role: 'system', content: INSTRUCTIONS },
      {
        role: 'user',
        content: `Article: ${input.title}\n\n${input.articleText}\n\nQuestion: ${input.question}`,
      },
    ],
  };
}

function completionText(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('choices' in body) || !Array.isArray(body.choices))
    return null;
  const first: unknown = body.choices[0];
  if (typeof first !== 'object' || first === null || !('message' in first)) return null;
  const message: unknown = first.message;
  if (typeof message !== 'object' || message === null || !('content' in message)) return null;
  return typeof message.content === 'string' ? message.content : null;
}

/**
 * The answer to show: the model's rephrasing when it passes `check` against the article's text, otherwise
 * the plain excerpt. Never throws.
 */
export async function rephraseFromArticle(
  settings: LlmSettings,
  input: RephraseInput,
  check: (answer: string, articleText: string) => boolean,
  options: { fetch?: typeof fetch } = {},
): Promise<string> {
  const doFetch = options.fetch ?? fetch;
  try {
    const response = await doFetch(`${settings.url.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(settings.key ? { authorization: `Bearer ${settings.key}` } : {}),
      },
      body: JSON.stringify(completionRequest(settings, input)),
      signal: AbortSignal.timeout(settings.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return input.excerpt;
    }
    const text = completionText(await response.json())
      ?.replace(/[*_#`>]+/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    if (!text || /^no answer\b/i.test(text) || text.length > MAX_ANSWER) return input.excerpt;
    return check(text, input.articleText) ? text : input.excerpt;
  } catch {
    return input.excerpt;
  }
}
