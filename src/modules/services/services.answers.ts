/**
 * A case's answers in words, for anyone who reads them (the staff case page, the resident's copy of their
 * information): each question's label with the answer as the resident chose it ("Pothole", not `pothole`;
 * "14 March 1950", not `1950-03-14`), in the order of the form.
 */
import { displayPhone } from '../../platform/contact/index.ts';
import { formatDate } from '../../platform/views/index.ts';

interface LooseQuestion {
  id?: string;
  label?: string;
  type?: string;
  options?: { value?: string; label?: string }[];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function questionsOf(definition: unknown): LooseQuestion[] {
  const pages = (definition as { form?: { pages?: { questions?: LooseQuestion[] }[] } } | null)?.form?.pages;
  return (pages ?? []).flatMap((page) => page.questions ?? []).filter((q) => q.id);
}

/** One answer in words; `q` is its question where the definition has it. */
export function answerText(q: LooseQuestion | undefined, value: unknown): string {
  if (value === null || value === undefined || value === '') return 'Not given';
  if (Array.isArray(value)) {
    const parts = value.map((v) => answerText(q, v)).filter((v) => v !== 'Not given');
    return parts.length ? parts.join(', ') : 'Not given';
  }
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.filename === 'string') return o.filename;
    if (typeof o.text === 'string') return o.text;
    // An address or a location: its lines, never its UPRN or map reference as bare numbers. A location's
    // nearest address carries its postcode.
    const keys =
      typeof o.address === 'string'
        ? ['description', 'address']
        : ['line1', 'line2', 'town', 'postcode', 'description'];
    return keys
      .map((k) => o[k])
      .filter((x): x is string => typeof x === 'string' && x !== '')
      .join(', ');
  }
  if (typeof value === 'number') return value.toLocaleString('en-GB');
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const option = q?.options?.find((o) => o.value === text);
  if (option?.label) return option.label;
  if (q?.type === 'phone') return displayPhone(text);
  if ((q?.type === 'date' || !q) && ISO_DATE.test(text)) return formatDate(text);
  return text;
}

/** `otherProblem` → "Other problem": a name for an answer the form no longer asks. */
const wordsOf = (key: string) => {
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Every answer as question and answer, in the order of the form (answers it no longer asks come last). */
export function answersInWords(
  definition: unknown,
  answers: Record<string, unknown> | null | undefined,
): { id: string; question: string; answer: string }[] {
  const given = answers ?? {};
  const questions = new Map(questionsOf(definition).map((q) => [q.id!, q]));
  const keys = [...questions.keys()].filter((k) => k in given);
  for (const k of Object.keys(given)) if (!keys.includes(k)) keys.push(k);
  return keys.map((k) => ({
    id: k,
    question: questions.get(k)?.label ?? wordsOf(k),
    answer: answerText(questions.get(k), given[k]),
  }));
}
