/**
 * The webchat assistant (issue 16, "Assistant first, person always one step away"): answers a resident's
 * question only from published public articles, quoting a sentence or two of the best-matching one with its
 * title and link, or hands the chat to a person (asked for one, no article matches well enough, or two
 * answers did not help). It never writes an answer of its own: every reply's answer part is a quote, or (with
 * the optional language model) a rephrasing that passes the citation check against the quoted article.
 * See docs/webchat.md "Assistant".
 */
import type { Db } from '../../platform/db/index.ts';
import { publishedPublicArticle, searchArticles } from '../knowledge/index.ts';
import type {
  AssistantTurn,
  AssistantTurnInput,
  ChatAssistant,
  HandoverReason,
} from './webchat.contracts.ts';
import { rephraseFromArticle, type LlmSettings } from './webchat.assistant.llm.ts';

// --- Words --------------------------------------------------------------------------------------------------

/**
 * Words that carry no subject: function words, the ways residents ask for help, and chat filler (how big or
 * how often, when it happened, who in the family, the commonest verbs).
 */
const STOP_WORDS = new Set(
  (
    'massive huge big really very lot lots bit little whole totally absolutely quite such even ever never ' +
    'always every already today tonight tomorrow yesterday morning afternoon evening night week weekend ' +
    'month year last next ago soon mum mom dad son daughter wife husband partner give given gave put take ' +
    'took taken saying happen happened go going went come came make made think sure wonder wondering ' +
    'anyway hope ' +
    'a about after again all also am an and any anyone are as ask asking at be been before being but by can ' +
    'cant could did didnt do does doesnt doing done dont for from get getting got had has hasnt have havent ' +
    'having he hello help her here hey hi him his how i id if ill im in into is isnt it its ive just know ' +
    'let like me might more morning much must my need needs no not now of off ok okay on once one or our out ' +
    'over please pls really right said say see she should so some someone something still tell thank thanks ' +
    'that thats the their them then there theres these they thing this those to today too try trying up us ' +
    'very want wanted was wasnt way we were werent what whats when where which who why will with wont would ' +
    'wouldnt yes yet you your youre u ur wat wot whats plz cos coz'
  ).split(' '),
);

/** A word's rough stem: plural, past and -ing endings off, so "emptied" meets "empty" and "bins" "bin". */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/['’]/g, '');
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && w.endsWith('ied')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  else if (w.length > 4 && w.endsWith('es') && /(ch|sh|x|ss)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  return w;
}

/** The words of a text, lower case, apostrophes dropped ("wasn't" → "wasnt"). */
export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/['’]/g, '')
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).filter((w) => w !== '');
}

/** The words of a text that carry its subject, stemmed (no stop words, no one-letter words but numbers). */
export function contentWords(text: string): string[] {
  return [...new Set(subjectWords(text))];
}

function subjectWords(text: string): string[] {
  return words(text)
    .filter((w) => (w.length > 1 || /\d/.test(w)) && !STOP_WORDS.has(w))
    .map(stem)
    .filter((w) => !STOP_WORDS.has(w));
}

/** True when a and b differ by at most one letter added, dropped, changed or two swapped. */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    const diff: number[] = [];
    for (let i = 0; i < a.length && diff.length <= 2; i++) if (a[i] !== b[i]) diff.push(i);
    if (diff.length === 1) return true;
    return (
      diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]]
    );
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  return short.slice(i) === long.slice(i + 1);
}

/**
 * The stemmed words of a text that can carry its subject, as a set to test question words against (no stop
 * words: "mould" must not pass for a misspelt "would").
 */
export function vocabulary(text: string): Set<string> {
  return new Set(subjectWords(text));
}

/**
 * A question word is in a text's vocabulary: as it is; as the start of a longer word or a longer word's
 * start ("collect" in "collection", "take" in "taken"; four letters at least, three more at most); or, from
 * five letters, misspelt by one letter ("rubish"); or, at three or four letters, with one letter dropped
 * ("blu" for "blue").
 */
export function inVocabulary(word: string, vocab: ReadonlySet<string>): boolean {
  if (vocab.has(word)) return true;
  for (const v of vocab) {
    const [short, long] = word.length <= v.length ? [word, v] : [v, word];
    if (short.length >= 4 && long.length - short.length <= 3 && long.startsWith(short)) return true;
    if (word.length >= 5 && v.length >= 4 && oneEditApart(word, v)) return true;
    if (word.length >= 3 && v.length === word.length + 1 && oneEditApart(word, v)) return true;
  }
  return false;
}

// --- Asking for a person ------------------------------------------------------------------------------------

const PERSON_WORDS = ['person', 'human', 'agent', 'advisor', 'adviser', 'someone', 'somebody', 'operator'];
const PERSON_PHRASES = [
  /\b(talk|speak|chat|put me through)\b.*\b(to|with)\b.*\b(a|an|the|some|real|actual|live)?\s*(person|someone|somebody|human|agent|advis[oe]r|operator|staff|officer|people)\b/,
  /\b(real|actual|live)\s+(person|human|people|agent)\b/,
];

/**
 * True when a message asks for a person: "talk to a person", "speak to someone", "human", "real person",
 * "agent", "advisor", with a misspelling of one letter in the key word ("persn", "humna").
 */
export function asksForPerson(text: string): boolean {
  const lower = text.toLowerCase().replace(/['’]/g, '');
  const fixed = words(lower)
    .map((w) => PERSON_WORDS.find((p) => w.length >= 4 && oneEditApart(w, p)) ?? w)
    .join(' ');
  if (PERSON_PHRASES.some((re) => re.test(fixed))) return true;
  // A short message that is mostly the key word: "human", "agent please", "advisor!!".
  const content = words(fixed).filter((w) => !STOP_WORDS.has(w) || PERSON_WORDS.includes(w));
  return (
    content.length > 0 &&
    content.length <= 3 &&
    content.some((w) => ['human', 'agent', 'advisor', 'adviser', 'operator', 'person'].includes(w))
  );
}

// --- Excerpts -----------------------------------------------------------------------------------------------

/** A piece of an article a reply can quote: a sentence, or a lead-in with its list. */
export interface TextUnit {
  section: string;
  text: string;
  /** Mostly the words of a link ("Read if you are struggling to pay"): it points elsewhere, not quoted. */
  pointer: boolean;
}

const LINK_START = '\u0001';
const LINK_END = '\u0002';

/** A unit from text whose links are marked: the plain text, and whether link words are most of it. */
function unit(section: string, marked: string): TextUnit {
  const linked = [...marked.matchAll(new RegExp(`${LINK_START}([^${LINK_END}]*)${LINK_END}`, 'g'))]
    .map((m) => words(m[1]).length)
    .reduce((a, b) => a + b, 0);
  const text = marked.replaceAll(LINK_START, '').replaceAll(LINK_END, '');
  return { section, text, pointer: linked > 0.5 * words(text).length };
}

/** Markdown inline marks off: links keep their words, emphasis and code marks go. */
function plainInline(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, `${LINK_START}$1${LINK_END}`)
    .replace(/[*_`]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const sentenceEnd = (text: string) => (/[.!?:]$/.test(text) ? text : `${text}.`);

/**
 * An article's text as quotable units, in order: the summary, then each sentence of a paragraph, each list
 * (joined with semicolons, behind the paragraph that leads into it when that ends with a colon), each with
 * the heading of its section.
 */
export function articleUnits(article: { title: string; summary: string; body: string }): TextUnit[] {
  const units: TextUnit[] = [];
  if (article.summary.trim()) units.push(unit(article.title, sentenceEnd(plainInline(article.summary))));
  let section = article.title;
  const blocks = article.body.replace(/\r\n/g, '\n').split(/\n\s*\n/);
  let leadIn: string | null = null;
  for (const block of blocks) {
    const lines = block
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    if (lines.length === 0) continue;
    const heading = /^#{1,6}\s+(.*)$/.exec(lines[0]);
    if (heading) {
      if (leadIn) units.push(unit(section, leadIn));
      leadIn = null;
      section = plainInline(heading[1]).replaceAll(LINK_START, '').replaceAll(LINK_END, '');
      lines.shift();
      if (lines.length === 0) continue;
    }
    const isList = lines.every((l) => /^([-*+]|\d+[.)])\s+/.test(l));
    if (isList) {
      const items = lines.map((l) => plainInline(l.replace(/^([-*+]|\d+[.)])\s+/, '')).replace(/[.;]$/, ''));
      const list = `${items.join('; ')}.`;
      units.push(unit(section, leadIn ? `${leadIn} ${list}` : sentenceEnd(list)));
      leadIn = null;
      continue;
    }
    if (leadIn) units.push(unit(section, leadIn));
    leadIn = null;
    const paragraph = plainInline(lines.join(' ').replace(/^>\s*/, ''));
    const sentences = paragraph.split(/(?<=[.!?])\s+(?=[A-Z0-9])/).filter((s) => s !== '');
    for (const [i, sentence] of sentences.entries()) {
      if (i === sentences.length - 1 && sentence.endsWith(':')) leadIn = sentence;
      else units.push(unit(section, sentenceEnd(sentence)));
    }
  }
  if (leadIn) units.push(unit(section, leadIn));
  return units;
}

/**
 * An article as plain text, each section under its heading, no Markdown and no link addresses: what the
 * language model is given (and all it is given of the council's content).
 */
export function plainArticleText(article: { title: string; summary: string; body: string }): string {
  const lines: string[] = [article.title];
  let section = article.title;
  for (const u of articleUnits(article)) {
    if (u.section !== section) {
      lines.push('', u.section);
      section = u.section;
    }
    lines.push(u.text);
  }
  return lines.join('\n');
}

const NOT_HELPED = [
  /^(no|nope|nah|not really)( thanks| thank you)?[\s.,!]*($|(it|that)\b)/,
  /\b(didnt|did not|doesnt|does not|hasnt|has not|wasnt|was not|isnt|is not|not)\s+(help|helpful|useful|answer|what i (asked|meant|wanted))/,
  /\b(unhelpful|useless|wrong answer|not what i)\b/,
];

/**
 * True when a message says the last answer did not help ("no", "that didn't help", "not what I asked"):
 * for the core, which counts these into `unhelpfulSoFar`.
 */
export function saysItDidNotHelp(text: string): boolean {
  const lower = text.toLowerCase().replace(/['’]/g, '').replace(/\s+/g, ' ').trim();
  return NOT_HELPED.some((re) => re.test(lower));
}

const EXCERPT_MAX = 320;

/**
 * The sentence or two of an article that best answers a question: the unit with most of the question's
 * words (its section heading's words count half; the summary gets half a word more), then the next unit of
 * the same section when the first is short. Never a unit that is mostly a link's words. The summary when no
 * unit has any of the words.
 */
export function chooseExcerpt(
  article: { title: string; summary: string; body: string },
  question: string,
): string {
  const units = articleUnits(article);
  if (units.length === 0) return '';
  const asked = contentWords(question);
  let best = 0;
  let bestScore = 0;
  for (const [i, candidate] of units.entries()) {
    if (candidate.pointer) continue;
    const inText = vocabulary(candidate.text);
    const inSection = vocabulary(candidate.section);
    // The summary says what the article is for: it wins ties and near ties.
    let score = i === 0 ? 1 : 0;
    for (const w of asked) {
      if (inVocabulary(w, inText)) score += 2;
      else if (inVocabulary(w, inSection)) score += 1;
    }
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  let excerpt = units[best].text;
  const next = units[best + 1];
  if (
    excerpt.length < 140 &&
    next &&
    next.section === units[best].section &&
    best !== 0 &&
    excerpt.length + next.text.length + 1 <= EXCERPT_MAX
  )
    excerpt = `${excerpt} ${next.text}`;
  if (excerpt.length > EXCERPT_MAX)
    excerpt = `${excerpt.slice(0, excerpt.lastIndexOf(' ', EXCERPT_MAX - 1))}…`;
  return excerpt;
}

// --- The citation check -------------------------------------------------------------------------------------

/** The share of a sentence's content words that must be in the cited article for it to count as supported. */
export const SUPPORTED_SHARE = 0.8;

/**
 * True when every sentence of an answer is supported by the article it cites: at least 80% of the
 * sentence's content words (misspelt by one letter at most) and every number in it are in the article's
 * text. An answer with no content words at all is not an answer, and fails.
 */
export function citationHolds(answer: string, articleText: string): boolean {
  const vocab = vocabulary(articleText);
  const sentences = answer
    .split(/(?<=[.!?;:])\s+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  let anyContent = false;
  for (const sentence of sentences) {
    const content = contentWords(sentence);
    if (content.length === 0) continue;
    anyContent = true;
    const numbers = content.filter((w) => /\d/.test(w));
    if (numbers.some((n) => !vocab.has(n))) return false;
    const supported = content.filter((w) => inVocabulary(w, vocab)).length;
    if (supported / content.length < SUPPORTED_SHARE) return false;
  }
  return anyContent;
}

// --- Matching -----------------------------------------------------------------------------------------------

/** How many of a question's content words a text holds (misspellings of one letter allowed). */
export function coverage(
  question: string,
  text: string,
): { matched: number; asked: number; missing: string[] } {
  const asked = contentWords(question);
  const vocab = vocabulary(text);
  const missing = asked.filter((w) => !inVocabulary(w, vocab));
  return { matched: asked.length - missing.length, asked: asked.length, missing };
}

/** A search hit read in full: how many of the question's words its whole text, its title and keywords, and its title hold. */
export interface MatchFigures {
  slug: string;
  /** The search's score. */
  score: number;
  /** The question's content words. */
  asked: number;
  /** …of them in the article's title, summary, keywords or text. */
  matched: number;
  /** …in its title or keywords. */
  inHead: number;
  /** …in its title. */
  inTitle: number;
  /** The question's content words its text lacks. */
  missing: readonly string[];
}

export const MIN_SEARCH_SCORE = 0.2;

/**
 * The confidence rule (tuned on test/fixtures/webchat/assistant-questions.json; docs/webchat.md "Assistant"):
 * the candidates are ranked by the question words they hold plus those in their title (the search's order
 * breaks ties), and the first answers only when
 * - the search scored it at least 0.2 and its title or keywords hold a third of the question's words, and
 * - it holds three quarters of the question's words, or half of them with one in its title and each word it
 *   lacks found in another candidate (a word no candidate has, like "mould" or "boiler", is a subject the
 *   articles do not cover), and
 * - when it does not hold them all, no other candidate ranks level with it (two equally good partial
 *   matches: the assistant cannot tell which the resident means).
 * Returns the chosen candidate, or null (hand over).
 */
export function chooseMatch<T extends MatchFigures>(candidates: readonly T[]): T | null {
  if (candidates.length === 0) return null;
  const rank = (c: MatchFigures) => c.matched + c.inTitle;
  let best = candidates[0];
  for (const c of candidates) if (rank(c) > rank(best)) best = c;
  const asked = best.asked;
  if (asked === 0 || best.matched === 0 || best.score < MIN_SEARCH_SCORE) return null;
  if (best.inHead < asked / 3) return null;
  const elsewhere = (word: string) => candidates.some((c) => c !== best && !c.missing.includes(word));
  const enough =
    best.matched >= 0.75 * asked ||
    (best.inTitle >= 1 && best.matched >= 0.5 * asked && best.missing.every(elsewhere));
  if (!enough) return null;
  if (best.matched < asked && candidates.some((c) => c !== best && rank(c) === rank(best))) return null;
  return best;
}

// --- Replies ------------------------------------------------------------------------------------------------

export const ASSISTANT_INTRO = 'I am an automated assistant, not a person.';
export const TALK_TO_A_PERSON = 'Talk to a person';

function answerText(excerpt: string, title: string, url: string): string {
  return [
    ASSISTANT_INTRO,
    excerpt,
    `This answer comes from: ${title} (${url})`,
    `Did this help? If not, say so, or choose "${TALK_TO_A_PERSON}".`,
  ].join('\n\n');
}

const HANDOVER_TEXT: Record<HandoverReason, string> = {
  asked_for_person: `${ASSISTANT_INTRO} I will pass you to a person. You will not need to repeat what you have told me.`,
  no_good_match: `${ASSISTANT_INTRO} I do not have an answer to that. I will pass you to a person, who can see what you have told me.`,
  not_helped_twice: `${ASSISTANT_INTRO} I am sorry my answers did not help. I will pass you to a person, who can see what you have told me.`,
};

export interface AssistantDeps {
  db: Db;
  /** The council's own language model to rephrase answers (off when null or missing). */
  llm?: LlmSettings | null;
  /** For tests: the fetch the language model adapter uses. */
  fetch?: typeof fetch;
  /** How many search hits are read in full to find the best match (default 3). */
  candidates?: number;
}

interface Candidate extends MatchFigures {
  title: string;
  summary: string;
  body: string;
  version: number;
  services: { slug: string }[];
}

/** The assistant the conversation core calls for each of the resident's messages until a person takes over. */
export function createAssistant(deps: AssistantDeps): ChatAssistant {
  /** The search's best five, read in full; the chosen one (or null) and the best guess of the service. */
  async function bestMatch(
    input: AssistantTurnInput,
  ): Promise<{ chosen: Candidate | null; serviceGuess: string | null }> {
    const hits = await searchArticles(deps.db, {
      query: input.question,
      audience: 'public',
      now: input.now,
      authorityIds: input.authorityIds,
      limit: deps.candidates ?? 5,
    });
    const candidates: Candidate[] = [];
    for (const hit of hits) {
      const article = await publishedPublicArticle(deps.db, hit.slug, input.now);
      if (!article) continue;
      const all = coverage(
        input.question,
        [article.title, article.summary, article.keywords, article.body].join('\n'),
      );
      candidates.push({
        ...article,
        score: hit.score,
        asked: all.asked,
        matched: all.matched,
        missing: all.missing,
        inHead: coverage(input.question, `${article.title}\n${article.keywords}`).matched,
        inTitle: coverage(input.question, article.title).matched,
      });
    }
    const chosen = chooseMatch(candidates);
    const guess = chosen ?? candidates.find((c) => c.inHead > 0) ?? null;
    return { chosen, serviceGuess: guess?.services[0]?.slug ?? null };
  }

  return {
    asksForPerson,
    async reply(input: AssistantTurnInput): Promise<AssistantTurn> {
      const question = input.question.trim().slice(0, 500);
      const { chosen: best, serviceGuess } = question
        ? await bestMatch({ ...input, question })
        : { chosen: null, serviceGuess: null };
      const handover = (reason: HandoverReason): AssistantTurn => ({
        kind: 'handover',
        reason,
        text: HANDOVER_TEXT[reason],
        suggestedServiceSlug: serviceGuess,
      });
      if (asksForPerson(question)) return handover('asked_for_person');
      if (input.unhelpfulSoFar >= 2) return handover('not_helped_twice');
      if (!best) return handover('no_good_match');
      const excerpt = chooseExcerpt(best, question);
      const articleText = plainArticleText(best);
      const answer = deps.llm
        ? await rephraseFromArticle(
            deps.llm,
            { question, title: best.title, articleText, excerpt },
            citationHolds,
            {
              fetch: deps.fetch,
            },
          )
        : excerpt;
      const url = `/help/${best.slug}`;
      return {
        kind: 'answer',
        text: answerText(answer, best.title, url),
        article: { slug: best.slug, title: best.title, version: best.version, url },
        suggestedServiceSlug: best.services[0]?.slug ?? null,
      };
    },
  };
}
