/**
 * What a phone platform tells us, in one shape. Two dialects come in (docs/telephony.md):
 *
 * - **generic** (on the model of Zammad's CTI interface), JSON or form-encoded: `event` (newCall, ringing,
 *   answer, transfer, hold, unhold, hangup, ivr), `callId`, and per event `from`, `to`, `direction`
 *   (in/out), `queue`, `user` (a phone login or staff email), `extension`, `cause`, `path` (the menu
 *   choices), `to` (transfer target), `timestamp` (ISO 8601 or Unix seconds) and `eventId` (what tells two
 *   holds or transfers of one call apart on a retry).
 * - **Twilio** status callbacks and `<Gather>` actions: `CallSid`, `CallStatus`, `From`, `To`, `Direction`,
 *   `Timestamp`, `Digits`, `SequenceNumber`; `queue` and `extension` may be added to the callback URL's
 *   query string. `in-progress` means an agent answered only when an extension or user is named: without
 *   one it is the phone menu picking up.
 *
 * Pure functions: no I/O. Numbers stay as sent here; the ingest normalises them.
 */
import type { CallEventName, HangupCause } from '../../platform/db/schema.ts';

export const CALL_EVENTS: readonly CallEventName[] = [
  'newCall',
  'ringing',
  'answer',
  'transfer',
  'hold',
  'unhold',
  'hangup',
  'ivr',
];

export const HANGUP_CAUSES: readonly HangupCause[] = [
  'normalClearing',
  'busy',
  'cancel',
  'noAnswer',
  'congestion',
  'notFound',
  'forwarded',
  'voicemail',
];

/** One call event, whatever platform sent it. */
export interface CallEvent {
  event: CallEventName;
  callId: string;
  /** When it happened on the platform (or when we received it, when the platform does not say). */
  at: Date;
  /** Whether `at` came from the platform. */
  timed: boolean;
  direction?: 'inbound' | 'outbound';
  from?: string | null;
  to?: string | null;
  queue?: string;
  user?: string;
  extension?: string;
  cause?: HangupCause;
  /** Menu choices, in order; [] = the caller chose nothing. */
  path?: string[];
  transferTo?: string;
  eventId?: string;
}

export class CallEventError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

type Fields = Record<string, unknown>;

function text(fields: Fields, ...names: string[]): string | undefined {
  for (const name of names) {
    let value = fields[name];
    if (Array.isArray(value)) value = value[0];
    if (typeof value === 'number') return String(value);
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 200);
  }
  return undefined;
}

function list(fields: Fields, name: string): string[] | undefined {
  const value = fields[name] ?? fields[`${name}[]`];
  if (value === undefined) return undefined;
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[>,]/) : [value];
  return items
    .map((v) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : ''))
    .filter((v) => v !== '' && v !== 'none')
    .slice(0, 20);
}

/** ISO 8601, RFC 2822 (Twilio) or Unix seconds/milliseconds; undefined when absent. */
export function parseTimestamp(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = /^\d+(\.\d+)?$/.test(value)
    ? new Date(Number(value) < 1e11 ? Number(value) * 1000 : Number(value))
    : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new CallEventError(`timestamp is not a date: ${value}`, 'timestamp');
  return date;
}

function direction(value: string | undefined): 'inbound' | 'outbound' | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === 'in' || v === 'inbound') return 'inbound';
  if (v === 'out' || v.startsWith('outbound')) return 'outbound';
  throw new CallEventError(`direction must be in or out, not ${value}`, 'direction');
}

/** The generic dialect (JSON object or form fields). */
export function parseGenericEvent(fields: Fields, receivedAt: Date): CallEvent {
  const name = text(fields, 'event');
  if (!name || !(CALL_EVENTS as readonly string[]).includes(name))
    throw new CallEventError(`event must be one of ${CALL_EVENTS.join(', ')}`, 'event');
  const callId = text(fields, 'callId', 'call_id');
  if (!callId) throw new CallEventError('callId is missing', 'callId');
  const stamp = parseTimestamp(text(fields, 'timestamp', 'time'));
  const cause = text(fields, 'cause');
  if (cause !== undefined && !(HANGUP_CAUSES as readonly string[]).includes(cause))
    throw new CallEventError(`cause must be one of ${HANGUP_CAUSES.join(', ')}`, 'cause');
  const event: CallEvent = {
    event: name as CallEventName,
    callId,
    at: stamp ?? receivedAt,
    timed: stamp !== undefined,
    direction: direction(text(fields, 'direction')),
    from: text(fields, 'from'),
    to: name === 'transfer' ? undefined : text(fields, 'to'),
    queue: text(fields, 'queue'),
    user: text(fields, 'user'),
    extension: text(fields, 'extension', 'answeringNumber'),
    cause: cause as HangupCause | undefined,
    transferTo: name === 'transfer' ? text(fields, 'to', 'transferTo') : undefined,
    eventId: text(fields, 'eventId', 'event_id'),
  };
  if (name === 'ivr') event.path = list(fields, 'path') ?? [];
  return event;
}

const TWILIO_STATUS: Record<string, { event: CallEventName; cause?: HangupCause }> = {
  queued: { event: 'newCall' },
  initiated: { event: 'newCall' },
  ringing: { event: 'ringing' },
  'in-progress': { event: 'answer' },
  answered: { event: 'answer' },
  completed: { event: 'hangup', cause: 'normalClearing' },
  busy: { event: 'hangup', cause: 'busy' },
  'no-answer': { event: 'hangup', cause: 'noAnswer' },
  canceled: { event: 'hangup', cause: 'cancel' },
  failed: { event: 'hangup', cause: 'congestion' },
};

/**
 * A Twilio webhook (form fields, plus the callback URL's own query parameters). Returns null for a
 * callback that says nothing we record (the menu answering a call).
 */
export function parseTwilioEvent(fields: Fields, receivedAt: Date): CallEvent | null {
  const callId = text(fields, 'CallSid');
  if (!callId) throw new CallEventError('CallSid is missing', 'CallSid');
  const stamp = parseTimestamp(text(fields, 'Timestamp'));
  const base = {
    callId,
    at: stamp ?? receivedAt,
    timed: stamp !== undefined,
    direction: direction(text(fields, 'Direction')),
    from: text(fields, 'From', 'Caller'),
    to: text(fields, 'To', 'Called'),
    queue: text(fields, 'queue'),
    extension: text(fields, 'extension'),
    user: text(fields, 'user'),
    eventId: text(fields, 'SequenceNumber'),
  };
  if (fields.Digits !== undefined) {
    const digits = text(fields, 'Digits');
    return { ...base, event: 'ivr', path: digits ? [digits] : [], eventId: base.eventId ?? digits ?? 'none' };
  }
  const status = text(fields, 'CallStatus')?.toLowerCase();
  const mapped = status ? TWILIO_STATUS[status] : undefined;
  if (!mapped)
    throw new CallEventError(`CallStatus ${status ?? '(missing)'} is not understood`, 'CallStatus');
  if (mapped.event === 'answer' && !base.extension && !base.user) return null;
  return { ...base, event: mapped.event, cause: mapped.cause };
}

/**
 * What makes an event the same event on a retry: the event itself for those that happen once per call
 * (newCall, hangup), plus who for ringing and answer (a transferred call rings and is answered again), plus
 * the platform's event id or time for the rest.
 */
export function dedupeKeyOf(event: CallEvent): string {
  switch (event.event) {
    case 'newCall':
    case 'hangup':
      return event.event;
    case 'ringing':
    case 'answer':
      return `${event.event}:${event.extension ?? event.user ?? ''}`;
    case 'ivr':
      return `ivr:${event.eventId ?? (event.timed ? event.at.toISOString() : (event.path ?? []).join('>'))}`;
    case 'transfer':
    case 'hold':
    case 'unhold':
      return `${event.event}:${event.eventId ?? event.at.toISOString()}:${event.transferTo ?? ''}`;
  }
}

/** Withheld, private, anonymous or unavailable numbers: nobody to match. */
export function isWithheld(number: string | null | undefined): boolean {
  if (!number) return true;
  return /^(anonymous|withheld|private|restricted|unknown|unavailable|client:.*|\+?266696687|\+?7378423)$/i.test(
    number.trim(),
  );
}
